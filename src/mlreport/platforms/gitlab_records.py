"""The records branch of GitLab (``mlreport-records``): main's reports kept as files,
committed with the commits API (several files in one request), found with HEAD requests at
once and read raw -- two requests in turn."""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import quote, unquote

from mlreport.platforms.base import StoredFile

COMMIT_ATTEMPTS = 5


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
        self._token = token
        self._timeout = timeout
        self.records_branch = branch
        self._errors = errors

    def commit(self, files: Sequence[StoredFile]) -> None:
        """One commit of *files* on the records branch (made from the default branch the
        first time); a file already there (a re-run of the same commit) is updated."""
        import gitlab

        def payload(action: str, start: str | None = None) -> dict[str, Any]:
            data: dict[str, Any] = {
                "branch": self.records_branch,
                "commit_message": f"mlreport: {len(files)} record(s)",
                "actions": [
                    {
                        "action": action,
                        "file_path": f.path,
                        "content": base64.b64encode(f.data).decode("ascii"),
                        "encoding": "base64",
                    }
                    for f in files
                ],
            }
            if start:
                data["start_branch"] = start
            return data

        action, start = "create", None
        with self._errors(f"storing records on the {self.records_branch} branch"):
            for attempt in range(COMMIT_ATTEMPTS):
                try:
                    self._project.commits.create(payload(action, start))
                    return
                except gitlab.GitlabCreateError as exc:
                    message = str(exc.error_message).lower()
                    if exc.response_code != 400 or attempt == COMMIT_ATTEMPTS - 1:
                        raise
                    if "a file with this name already exists" in message:
                        action = "update"  # a re-run of the same commit
                    elif "a branch called" in message and "already exists" in message:
                        start = None  # another job made the branch meanwhile
                    elif "branch" in message and start is None and self._branch_missing():
                        start = self._default_branch()  # the first record: make the branch
                    elif "try again" in message:  # Gitaly lost a race for the branch
                        time.sleep(random.uniform(0.05, 0.25) * (attempt + 1))
                    else:
                        raise

    def _branch_missing(self) -> bool:
        import gitlab

        try:
            self._project.branches.get(self.records_branch)
        except gitlab.GitlabGetError as exc:
            if exc.response_code == 404:
                return True
            raise
        return False

    def _default_branch(self) -> str:
        project = self._gl.projects.get(unquote(str(self._project.encoded_id)))  # not twice
        return str(project.default_branch or "main")

    def find(self, paths: Sequence[str]) -> tuple[str, bytes] | None:
        """HEAD on each of *paths* at once, then the first that is there, read raw."""
        if not paths:
            return None
        base = f"{self._gl.api_url}/projects/{self._project.encoded_id}/repository/files"
        headers = {**self._gl.headers, "PRIVATE-TOKEN": self._token}
        ref = {"ref": self.records_branch}

        def there(path: str) -> bool:
            url = f"{base}/{quote(path, safe='')}"
            with self._gl.session.head(
                url, headers=headers, params=ref, timeout=self._timeout
            ) as answer:
                if answer.status_code == 404:
                    return False
                self._check(answer.status_code, answer.text)
                return True

        with self._errors(f"reading the {self.records_branch} branch"):
            with ThreadPoolExecutor(min(8, len(paths))) as pool:
                found = list(pool.map(there, paths))
            for path, yes in zip(paths, found, strict=True):
                if yes:
                    url = f"{base}/{quote(path, safe='')}/raw"
                    with self._gl.session.get(
                        url, headers=headers, params=ref, timeout=self._timeout
                    ) as answer:
                        self._check(answer.status_code, answer.text)
                        return path, answer.content
        return None

    @staticmethod
    def _check(status: int, text: str) -> None:
        import gitlab

        if status == 401:
            raise gitlab.GitlabAuthenticationError(response_code=401)
        if status >= 300:
            raise gitlab.GitlabGetError(response_code=status, error_message=text[:200])
