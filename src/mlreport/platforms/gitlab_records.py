"""The records branch of GitLab (``mlreport-records``): main's reports kept as files.

Storing costs no round trip of its own. While the images upload, what the commit needs is
looked up at once: whether the branch is there, the project's default branch (to make it
from, the first time) and each record's metadata (HEAD: its SHA-256). Then, beside the
comment, one commit (commits API, several files in one request) creates the new records and
updates the changed ones, making the branch with ``start_branch`` if need be; a record
identical to the stored one is left alone. Its message names each record it holds
(``Mlreport-Record: <path>``), for finding.

Finding costs two requests in turn: the branch's commits that touched the records' folder
(newest first, one page), whose messages name the records; then the nearest named record,
read raw, while the nearer candidates no message vouches for (records written otherwise, or
listed on a later page) are asked about with HEAD at the same time.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
import random
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from mlreport.platforms.base import StoredFile

COMMIT_ATTEMPTS = 5
PER_PAGE = 100  # GitLab's largest page
TRAILER = "Mlreport-Record: "  # a line of a record commit's message, naming a record
LOOKUPS = 16  # HEAD requests at once (the session's connection pool)
_RACES = (  # Gitaly's answers when the branch or a record changed since it was looked at
    "a file with this name already exists",
    "a file with this name doesn't exist",
    "already exists. switch to that branch",
    "you can only create or edit files when you are on a branch",
)


@dataclass(frozen=True)
class _Branch:
    """What committing records needs to know of the branch."""

    there: bool
    start: str | None  # the default branch, which a new records branch is made from
    stored: dict[str, str]  # path -> SHA-256 of each record already on the branch


class RecordsBranch:
    def __init__(
        self,
        gl: Any,
        project: Any,
        token: str,
        timeout: float,
        branch: str,
        errors: Callable[[str], AbstractContextManager[None]],
    ) -> None:
        self._gl = gl
        self._project = project
        self._timeout = timeout
        self.records_branch = branch
        self._errors = errors
        self._files = RepositoryFiles(gl, project, token, timeout)

    # ------------------------------------------------------------------------------ storing

    def prepare(self, files: Sequence[StoredFile]) -> Callable[[], None]:
        """Look up (all at once) what committing *files* needs; returns the commit, to be
        made beside the comment (nothing, when every file is stored as it is)."""
        with self._errors(f"reading the {self.records_branch} branch"):
            branch = self._look(files)
        if not _changed(files, branch):
            return lambda: None
        return lambda: self.commit(files, branch)

    def commit(self, files: Sequence[StoredFile], branch: _Branch) -> None:
        """One commit of the *files* that *branch* (as looked at) does not hold as they are;
        if the branch or a record changed since (another job), look again and retry."""
        import gitlab

        with self._errors(f"storing records on the {self.records_branch} branch"):
            for attempt in range(COMMIT_ATTEMPTS):
                changed = _changed(files, branch)
                if not changed:
                    return
                try:
                    self._project.commits.create(self._payload(changed, branch))
                    return
                except gitlab.GitlabCreateError as exc:
                    message = str(exc.error_message).lower()
                    if exc.response_code != 400 or attempt == COMMIT_ATTEMPTS - 1:
                        raise
                    if "try again" in message:  # Gitaly lost a race for the branch
                        time.sleep(random.uniform(0.05, 0.25) * (attempt + 1))
                    elif not any(race in message for race in _RACES):
                        raise
                    branch = self._look(files)

    def _payload(self, files: Sequence[StoredFile], branch: _Branch) -> dict[str, Any]:
        data: dict[str, Any] = {
            "branch": self.records_branch,
            "commit_message": commit_message([f.path for f in files]),
            "actions": [
                {
                    "action": "update" if f.path in branch.stored else "create",
                    "file_path": f.path,
                    "content": base64.b64encode(f.data).decode("ascii"),
                    "encoding": "base64",
                }
                for f in files
            ],
        }
        if not branch.there and branch.start:  # the first record: make the branch
            data["start_branch"] = branch.start
        return data

    def _look(self, files: Sequence[StoredFile]) -> _Branch:
        """The branch, the default branch and each file's metadata, read at once."""
        with ThreadPoolExecutor(min(LOOKUPS, len(files) + 2)) as pool:
            there = pool.submit(self._branch_there)
            start = pool.submit(self._default_branch)
            sums = list(pool.map(lambda f: self._head(f.path), files))
            stored = {f.path: s for f, s in zip(files, sums, strict=True) if s is not None}
            return _Branch(there.result(), start.result(), stored)

    def _branch_there(self) -> bool:
        import gitlab

        try:
            self._project.branches.get(self.records_branch)
        except gitlab.GitlabGetError as exc:
            if exc.response_code == 404:
                return False
            raise
        return True

    def _default_branch(self) -> str | None:
        """None for an empty repository, where the first commit makes a branch by itself."""
        project = self._gl.projects.get(unquote(str(self._project.encoded_id)))  # not twice
        return str(project.default_branch) if project.default_branch else None

    # ------------------------------------------------------------------------------ finding

    def find(self, paths: Sequence[str]) -> tuple[str, bytes] | None:
        """The first of *paths* on the branch, with its bytes."""
        if not paths:
            return None
        folder = posixpath.commonpath([posixpath.dirname(p) for p in paths])
        with self._errors(f"reading the {self.records_branch} branch"):
            named, complete = self._named(folder)
            nearest = next((p for p in paths if p in named), None)
            ahead = paths if nearest is None else paths[: paths.index(nearest)]
            unknown = [] if complete else list(ahead)
            if nearest is None and not unknown:
                return None
            with ThreadPoolExecutor(min(LOOKUPS, len(unknown) + 1)) as pool:
                reading = pool.submit(self._raw, nearest) if nearest else None
                there = list(pool.map(self._head, unknown))
                data = reading.result() if reading else None
            for path, sha in zip(unknown, there, strict=True):
                if sha is not None:  # a record no message named, nearer than any named one
                    found = self._raw(path)
                    if found is not None:
                        return path, found
            if nearest is None:
                return None
            if data is not None:
                return nearest, data
            return self._scan(paths[paths.index(nearest) + 1 :])  # it was removed since

    def _named(self, folder: str) -> tuple[set[str], bool]:
        """The paths named by the messages of the branch's newest commits that touched
        *folder*, and whether those were all of them and every one named its records."""
        url = f"{self._files.base}/commits"
        query = {"ref_name": self.records_branch, "per_page": str(PER_PAGE)}
        if folder:
            query["path"] = folder
        with self._gl.session.get(
            url, headers=self._files.headers, params=query, timeout=self._timeout
        ) as answer:
            if answer.status_code == 404:  # no branch (or no repository): nothing recorded
                return set(), True
            check_answer(answer.status_code, answer.text)
            commits, more = answer.json(), bool(answer.headers.get("x-next-page"))
        named: set[str] = set()
        complete = isinstance(commits, list) and not more
        for commit in commits if isinstance(commits, list) else []:
            message = commit.get("message") if isinstance(commit, dict) else None
            lines = message.splitlines() if isinstance(message, str) else []
            paths = {line[len(TRAILER) :].strip() for line in lines if line.startswith(TRAILER)}
            named |= paths
            complete = complete and bool(paths)  # one written otherwise: ask about the rest
        return named, complete

    def _scan(self, paths: Sequence[str]) -> tuple[str, bytes] | None:
        """HEAD on each of *paths* at once, then the first that is there, read raw."""
        if not paths:
            return None
        with ThreadPoolExecutor(min(LOOKUPS, len(paths))) as pool:
            there = list(pool.map(self._head, paths))
        for path, sha in zip(paths, there, strict=True):
            data = self._raw(path) if sha is not None else None
            if data is not None:
                return path, data
        return None

    # ------------------------------------------------------------------------------ files

    def _head(self, path: str) -> str | None:
        """The SHA-256 of *path* on the branch (HEAD: metadata only), None if it is not
        there ("" if GitLab did not say)."""
        found = self._files.head(path, self.records_branch)
        return None if found is None else str(found.get("X-Gitlab-Content-Sha256") or "")

    def _raw(self, path: str) -> bytes | None:
        return self._files.raw(path, self.records_branch)


class RepositoryFiles:
    """A project's repository files read with plain requests on python-gitlab's session:
    HEAD for the metadata (X-Gitlab-* headers; python-gitlab would read the whole file)
    and the raw bytes."""

    def __init__(self, gl: Any, project: Any, token: str, timeout: float) -> None:
        self._session = gl.session
        self._timeout = timeout
        self.headers = {**gl.headers, "PRIVATE-TOKEN": token}
        self.base = f"{gl.api_url}/projects/{project.encoded_id}/repository"

    def _url(self, path: str) -> str:
        return f"{self.base}/files/{quote(path, safe='')}"

    def head(self, path: str, ref: str) -> Mapping[str, str] | None:
        """The X-Gitlab-* headers of *path* at *ref*, None when it is not there."""
        with self._session.head(
            self._url(path), headers=self.headers, params={"ref": ref}, timeout=self._timeout
        ) as answer:
            if answer.status_code == 404:
                return None
            check_answer(answer.status_code, answer.text)
            return answer.headers  # type: ignore[no-any-return]

    def raw(self, path: str, ref: str) -> bytes | None:
        with self._session.get(
            f"{self._url(path)}/raw",
            headers=self.headers,
            params={"ref": ref},
            timeout=self._timeout,
        ) as answer:
            if answer.status_code == 404:
                return None
            check_answer(answer.status_code, answer.text)
            return bytes(answer.content)


def check_answer(status: int, text: str) -> None:
    """A plain request's answer as python-gitlab would raise it."""
    import gitlab

    if status == 401:
        raise gitlab.GitlabAuthenticationError(response_code=401)
    if status >= 300:
        raise gitlab.GitlabGetError(response_code=status, error_message=text[:200])


def commit_message(paths: Sequence[str]) -> str:
    """The message of a commit of records: a title, then a line naming each."""
    return f"mlreport: {len(paths)} record(s)\n\n" + "".join(f"{TRAILER}{p}\n" for p in paths)


def _changed(files: Sequence[StoredFile], branch: _Branch) -> list[StoredFile]:
    """The *files* that *branch* does not hold byte for byte (by SHA-256)."""
    return [f for f in files if branch.stored.get(f.path) != hashlib.sha256(f.data).hexdigest()]
