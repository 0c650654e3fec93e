"""FakeGitLab: a stateful fake of GitLab's REST API v4 on 127.0.0.1.

It serves the operations of ``openapi/gitlab.yaml`` (written by hand from docs.gitlab.com, see its
info.description) and checks every request and response against it: projects, merge requests,
merge request and issue notes, commit discussions, Markdown uploads (served back on the web host
without authentication), commit statuses, and a Git repository per project: commits with
several file actions, repository files (metadata, raw bytes) and branches. Commits are Git
objects with Git's own SHA-1s (tests/fakes/git_store.py); a project starts with one commit
(README.md) on its default branch.

    with FakeGitLab(token="glpat-fake-token-1234567890") as gl:
        gl.add_project("group/sub/proj", id=42)
        gl.add_merge_request("group/sub/proj", iid=7, sha="a" * 40)
        gitlab.Gitlab(gl.url, private_token=gl.token)
"""

from __future__ import annotations

import base64
import binascii
import difflib
import hashlib
import heapq
import itertools
import mimetypes
import re
import secrets
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from tests.fakes.git_store import EXECUTABLE_MODE, FILE_MODE, FileInfo, GitStore, parse_date
from tests.fakes.server import (
    OPENAPI_DIR,
    FakePlatform,
    FormFile,
    HTTPError,
    Request,
    Response,
    paginate,
)

__all__ = ["FakeGitLab"]

JSON = dict[str, Any]

MAX_NOTE = 1_000_000
_IMAGE_TYPES = ("image/", "video/", "audio/")
_SHA = re.compile(r"[0-9a-f]{40}")
_INITIAL_AUTHOR = {"name": "Administrator", "email": "admin@example.com"}
_INITIAL_DATE = "2024-01-01T00:00:00Z"
# Gitaly's messages for actions that do not fit the tree (answered 400 {"message": ...}).
_FILE_EXISTS = "A file with this name already exists"
_DIRECTORY_EXISTS = "A directory with this name already exists"
_NO_FILE = "A file with this name doesn't exist"
_NOT_ON_BRANCH = "You can only create or edit files when you are on a branch"
# What git check-ref-format refuses in a branch name (a subset).
_BAD_REF = re.compile(r"(^[/.-])|(/$)|(\.lock$)|(\.\.)|(//)|(@\{)|([\x00-\x20~^:?*\[\\\x7f])")


def _git_date(ts: float) -> str:
    """A commit date as Git keeps it (seconds) for the Git store."""
    return datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _api_date(git_date: str) -> str:
    """A commit date as GitLab shows it: 2016-09-20T09:26:24.000+00:00."""
    when = datetime.fromisoformat(git_date.replace("Z", "+00:00"))
    return when.isoformat(timespec="milliseconds")


def _is_binary(data: bytes) -> bool:
    """As Git decides for diffs (a NUL in the first 8000 bytes), or bytes that are not UTF-8."""
    if b"\0" in data[:8000]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _line_stats(old: bytes | None, new: bytes | None) -> tuple[int, int]:
    """(additions, deletions) in lines, as ``git diff --numstat`` counts them (binary: 0, 0)."""
    if (old is not None and _is_binary(old)) or (new is not None and _is_binary(new)):
        return 0, 0
    before = (old or b"").decode().splitlines()
    after = (new or b"").decode().splitlines()
    if len(before) + len(after) > 20_000:  # difflib is quadratic: count lines instead
        gone, came = Counter(before) - Counter(after), Counter(after) - Counter(before)
        return sum(came.values()), sum(gone.values())
    added = deleted = 0
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            deleted += i2 - i1
            added += j2 - j1
    return added, deleted


def _iso(ts: float) -> str:
    when = datetime.fromtimestamp(ts, timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass
class _MergeRequest:
    iid: int
    id: int
    sha: str
    title: str
    source_branch: str
    target_branch: str
    source_project_id: int | None
    author: str
    created_at: float
    state: str = "opened"  # opened, closed, merged
    description: str | None = None
    labels: list[str] = field(default_factory=list)
    auto_merge: bool = False


@dataclass
class _Issue:
    iid: int
    id: int
    title: str
    author: str
    created_at: float


@dataclass
class _Project:
    id: int
    path: str
    permission: str
    default_branch: str
    created_at: float
    merge_requests: dict[int, _MergeRequest] = field(default_factory=dict)
    issues: dict[int, _Issue] = field(default_factory=dict)
    notes: dict[int, JSON] = field(default_factory=dict)  # merge request and issue notes
    note_owner: dict[int, tuple[str, int]] = field(default_factory=dict)  # id -> (kind, iid)
    discussions: dict[str, JSON] = field(default_factory=dict)
    discussion_sha: dict[str, str] = field(default_factory=dict)
    uploads: list[JSON] = field(default_factory=list)
    statuses: dict[str, list[JSON]] = field(default_factory=dict)
    commits: set[str] = field(default_factory=set)
    """Commits known without being in the repository (merge request heads, add_commit)."""
    git: GitStore = field(default_factory=GitStore)


class FakeGitLab(FakePlatform):
    """A fake GitLab (see the module's docstring). Everything created with ``token`` is authored
    by ``user_username``; ``job_token`` (CI_JOB_TOKEN) may read but not write."""

    api_prefix: ClassVar[str] = "/api/v4"
    spec_file = OPENAPI_DIR / "gitlab.yaml"

    def __init__(self, token: str = "glpat-fake-token-1234567890") -> None:
        super().__init__()
        self.token = token
        self.job_token: str | None = "ci-job-token-123"  # None: no job token is valid
        self.user_username = "project_42_bot"
        self.refuse_auto_merge = 0  # 405 answers to auto-merge before one is accepted
        self._projects: dict[int, _Project] = {}
        self._user_ids: dict[str, int] = {}
        self._ids = itertools.count(5001)
        self._register()

    # -- test set-up

    def add_project(
        self, path: str, id: int, permission: str = "write", *, default_branch: str = "main"
    ) -> None:
        """Project *path* ("group/sub/proj") with numeric *id*. *permission*: "write", or
        "read" (a token that may only read: every write answers 403)."""
        if permission not in ("read", "write"):
            raise ValueError(f"permission must be read or write, not {permission!r}")
        with self._lock:
            project = _Project(id, path, permission, default_branch, time.time())
            readme = f"# {path.rpartition('/')[2]}\n".encode()
            files = {"README.md": (FILE_MODE, "blob", project.git.store_blob(readme))}
            who = {**_INITIAL_AUTHOR, "date": _INITIAL_DATE}
            commit = project.git.store_commit(
                project.git.build_tree(files), [], who, who, "Initial commit"
            )
            project.git.refs[f"refs/heads/{default_branch}"] = commit
            self._projects[id] = project

    def add_merge_request(
        self,
        project: str,
        iid: int,
        sha: str,
        *,
        source_branch: str = "feature",
        target_branch: str | None = None,
        source_project_id: int | None = None,
        title: str = "A merge request",
        author: str = "someone",
    ) -> None:
        """Merge request !*iid* whose head is commit *sha*; *source_project_id* (another id)
        makes it a merge request from a fork."""
        with self._lock:
            p = self._project_or_fail(project)
            p.merge_requests[iid] = _MergeRequest(
                iid,
                next(self._ids),
                sha,
                title,
                source_branch,
                target_branch or p.default_branch,
                source_project_id,
                author,
                time.time(),
            )
            p.commits.add(sha)

    def add_issue(
        self, project: str, iid: int, *, title: str = "An issue", author: str = "someone"
    ) -> None:
        with self._lock:
            p = self._project_or_fail(project)
            p.issues[iid] = _Issue(iid, next(self._ids), title, author, time.time())

    def add_commit(self, project: str, sha: str) -> None:
        """Make commit *sha* exist (merge request heads exist already)."""
        with self._lock:
            self._project_or_fail(project).commits.add(sha)

    def put_file(
        self, project: str, branch: str, path: str, data: bytes, *, message: str | None = None
    ) -> str:
        """Commit file *path* holding *data* on *branch* (created from the default branch's
        head when it does not exist), replacing any file there, as if someone had pushed it.
        Returns the commit's SHA. ValueError when *path* is a directory or lies below a file."""
        with self._lock:
            p = self._project_or_fail(project)
            clean = path.strip("/")
            head = p.git.head(branch) or p.git.head(p.default_branch)
            if head is None:
                raise ValueError(f"{project} has no branch {p.default_branch!r} to start from")
            files = p.git.files_at(head)
            clash = GitStore.path_clash(files, clean)
            if clash not in (None, "file"):
                raise ValueError(f"{clean!r} clashes with the tree of {branch!r}: a {clash}")
            mode = files[clean][0] if clean in files else FILE_MODE
            files[clean] = (mode, "blob", p.git.store_blob(data))
            who = {**_INITIAL_AUTHOR, "date": _git_date(time.time())}
            sha = p.git.store_commit(
                p.git.build_tree(files), [head], who, who, message or f"Add {clean}"
            )
            p.git.refs[f"refs/heads/{branch}"] = sha
            return sha

    def seed_notes(
        self, project: str, iid: int, count: int, *, body: str = "lgtm", author: str = "someone"
    ) -> list[JSON]:
        """*count* notes by *author* on merge request !*iid*; returns them."""
        with self._lock:
            p = self._project_or_fail(project)
            if iid not in p.merge_requests:
                raise KeyError(f"no merge request !{iid} in {project}")
            return [self._new_note(p, "MergeRequest", iid, body, author) for _ in range(count)]

    # -- inspection

    def notes(self, project: str, iid: int) -> list[JSON]:
        """The notes on merge request !*iid*, oldest first (the API's default order is newest
        first)."""
        return self._notes_of(project, "MergeRequest", iid)

    def issue_notes(self, project: str, iid: int) -> list[JSON]:
        return self._notes_of(project, "Issue", iid)

    def _notes_of(self, project: str, kind: str, iid: int) -> list[JSON]:
        with self._lock:
            p = self._project_or_fail(project)
            return [
                dict(n) for nid, n in sorted(p.notes.items()) if p.note_owner[nid] == (kind, iid)
            ]

    def commit_discussions(self, project: str, sha: str) -> list[JSON]:
        with self._lock:
            p = self._project_or_fail(project)
            return [
                {**d, "notes": [dict(n) for n in d["notes"]]}
                for did, d in p.discussions.items()
                if p.discussion_sha[did] == sha
            ]

    def uploads(self, project: str) -> list[JSON]:
        """Every upload: the API's answer plus "filename", "content" (bytes), "content_type"."""
        with self._lock:
            return [dict(u) for u in self._project_or_fail(project).uploads]

    def statuses(self, project: str, sha: str) -> list[JSON]:
        with self._lock:
            return [dict(s) for s in self._project_or_fail(project).statuses.get(sha, [])]

    def branch_files(self, project: str, branch: str) -> dict[str, bytes]:
        """Path -> content of every file at the head of *branch*; {} when there is no branch."""
        with self._lock:
            git = self._project_or_fail(project).git
            head = git.head(branch)
            return {} if head is None else git.contents_at(head)

    def branch_head(self, project: str, branch: str) -> str | None:
        """The commit SHA *branch* points to; None when there is no such branch."""
        with self._lock:
            return self._project_or_fail(project).git.head(branch)

    # -- platform hooks

    def auth_kind(self, headers: Mapping[str, str]) -> str | None:
        if "private-token" in headers:
            return "private-token"
        if "job-token" in headers:
            return "job-token"
        scheme = headers.get("authorization", "").partition(" ")[0].lower()
        return scheme or None

    def authenticate(self, req: Request) -> None:
        token = self.token
        if req.auth == "private-token" and req.headers["private-token"] == token:
            return
        if (
            req.auth == "job-token"
            and self.job_token
            and req.headers["job-token"] == self.job_token
        ):
            return
        if req.auth == "bearer" and req.headers["authorization"].partition(" ")[2].strip() == token:
            return
        raise HTTPError(401, {"message": "401 Unauthorized"})

    def error(self, status: int, message: str, req: Request | None = None) -> Response:
        if status == 404 and message == "Not Found":
            return Response.json(404, {"error": "404 Not Found"})
        return Response.json(
            status, {"message": message if message[:1].isdigit() else f"{status} {message}"}
        )

    def invalid_request(self, req: Request, messages: list[str]) -> Response:
        return Response.json(400, {"error": "; ".join(messages)})

    # -- helpers

    def _project_or_fail(self, path: str) -> _Project:
        for project in self._projects.values():
            if project.path.lower() == path.lower():
                return project
        raise KeyError(f"no project {path!r}: call add_project() first")

    def _project(self, req: Request) -> _Project:
        ident = req.params["id"]
        project: _Project | None = None
        if ident.isdigit():
            project = self._projects.get(int(ident))
        else:
            project = next(
                (p for p in self._projects.values() if p.path.lower() == ident.lower()), None
            )
        if project is None:
            raise HTTPError(404, {"message": "404 Project Not Found"})
        return project

    def _writable(self, req: Request, project: _Project) -> None:
        if req.auth == "job-token" or project.permission == "read":
            raise HTTPError(403, {"message": "403 Forbidden"})

    def _user(self, username: str) -> JSON:
        uid = self._user_ids.setdefault(username, 100 + len(self._user_ids))
        return {
            "id": uid,
            "username": username,
            "name": username,
            "state": "active",
            "locked": False,
            "avatar_url": f"https://secure.gravatar.com/avatar/{uid:032x}?s=80&d=identicon",
            "web_url": f"{self.url}/{quote(username)}",
        }

    def _get_current_user(self, req: Request) -> Response:
        if req.auth == "job-token":
            raise HTTPError(403, {"message": "403 Forbidden"})
        bot = self.user_username.startswith(("project_", "group_"))
        return Response.json(200, {**self._user(self.user_username), "bot": bot})

    def _principal(self, req: Request) -> str:
        return self.user_username

    def _fields(self, req: Request) -> JSON:
        return req.form()

    def _note_body(self, req: Request) -> str:
        body = self._fields(req).get("body")
        if not isinstance(body, str):
            raise HTTPError(400, {"error": "body is missing"})
        if not body.strip():
            raise HTTPError(400, {"message": {"note": ["can't be blank"]}})
        if len(body) > MAX_NOTE:
            raise HTTPError(
                400, {"message": {"note": [f"is too long (maximum is {MAX_NOTE} characters)"]}}
            )
        return body

    def _paged(self, req: Request, items: list[JSON]) -> Response:
        page = paginate(items, req, default=20)
        headers = {
            "x-page": str(page.page),
            "x-per-page": str(page.per_page),
            "x-next-page": str(page.page + 1) if page.page < page.last else "",
            "x-prev-page": str(page.page - 1) if page.page > 1 else "",
            "x-total": str(page.total),
            "x-total-pages": str(page.last),
        }
        link = page.link_header(self.url + self.api_prefix, req)
        if link:
            headers["Link"] = link
        return Response.json(200, page.items, headers)

    # -- projects, merge requests

    def _project_json(self, p: _Project) -> JSON:
        namespace, _, name = p.path.rpartition("/")
        host = self.url.split("://", 1)[1]
        web = f"{self.url}/{p.path}"
        return {
            "id": p.id,
            "description": None,
            "name": name,
            "name_with_namespace": " / ".join(p.path.split("/")),
            "path": name,
            "path_with_namespace": p.path,
            "created_at": _iso(p.created_at),
            "default_branch": p.default_branch,
            "tag_list": [],
            "topics": [],
            "ssh_url_to_repo": f"git@{host}:{p.path}.git",
            "http_url_to_repo": f"{web}.git",
            "web_url": web,
            "readme_url": f"{web}/-/blob/{p.default_branch}/README.md",
            "avatar_url": None,
            "forks_count": 0,
            "star_count": 0,
            "last_activity_at": _iso(p.created_at),
            "visibility": "private",
            "namespace": {
                "id": p.id + 1000,
                "name": namespace.rpartition("/")[2],
                "path": namespace.rpartition("/")[2],
                "kind": "group",
                "full_path": namespace,
                "parent_id": None,
                "avatar_url": None,
                "web_url": f"{self.url}/groups/{namespace}",
            },
            "archived": False,
            "empty_repo": False,
        }

    def _get_project(self, req: Request) -> Response:
        return Response.json(200, self._project_json(self._project(req)))

    def _merge_request(self, p: _Project, req: Request) -> _MergeRequest:
        mr = p.merge_requests.get(int(req.params["merge_request_iid"]))
        if mr is None:
            raise HTTPError(404, {"message": "404 Not found"})
        return mr

    def _get_merge_request(self, req: Request) -> Response:
        p = self._project(req)
        return Response.json(200, self._mr_json(p, self._merge_request(p, req)))

    def _commit_merge_requests(self, req: Request) -> Response:
        """The merge requests of a commit (here: those whose head it is), any state unless
        ``state`` says; 404 for a commit the project does not know."""
        p = self._project(req)
        sha = req.params["sha"]
        found = [m for m in p.merge_requests.values() if m.sha == sha]
        if not found and sha not in p.commits and p.git.commits.get(sha) is None:
            raise HTTPError(404, {"message": "404 Commit Not Found"})
        state = dict(req.query).get("state")
        shown = [m for m in found if state in (None, m.state)]
        return Response.json(200, [self._mr_json(p, m) for m in shown])

    # -- merge requests opened by mlreport (pr create)

    def _list_merge_requests(self, req: Request) -> Response:
        p = self._project(req)
        state = req.arg("state") or "all"
        source, target = req.arg("source_branch"), req.arg("target_branch")
        found = [
            self._mr_json(p, m)
            for m in sorted(p.merge_requests.values(), key=lambda m: -m.iid)
            if state in ("all", m.state)
            and source in (None, m.source_branch)
            and target in (None, m.target_branch)
        ]
        return self._paged(req, found)

    def _create_merge_request(self, req: Request) -> Response:
        """POST …/merge_requests: both branches must exist; 409 when an open merge request
        of the source branch exists (GitLab's words)."""
        p = self._project(req)
        self._writable(req, p)
        data = self._fields(req)
        source, target = data["source_branch"], data["target_branch"]
        head = p.git.head(source)
        if head is None or p.git.head(target) is None:
            missing = "source_branch" if head is None else "target_branch"
            raise HTTPError(400, {"message": {missing: ["is invalid"]}})
        for m in p.merge_requests.values():
            if m.state == "opened" and m.source_branch == source:
                message = (
                    f"Another open merge request already exists for this source branch: !{m.iid}"
                )
                raise HTTPError(409, {"message": [message]})
        iid = max([0, *p.merge_requests]) + 1
        mr = _MergeRequest(
            iid, next(self._ids), head, data["title"], source, target, None,
            self.user_username, time.time(), description=data.get("description"),
            labels=_labels(data.get("labels")),
        )  # fmt: skip
        p.merge_requests[iid] = mr
        p.commits.add(head)
        return Response.json(201, self._mr_json(p, mr))

    def _update_merge_request(self, req: Request) -> Response:
        p = self._project(req)
        self._writable(req, p)
        mr = self._merge_request(p, req)
        data = self._fields(req)
        mr.title = data.get("title", mr.title)
        mr.description = data.get("description", mr.description)
        if "labels" in data:
            mr.labels = _labels(data["labels"])
        mr.sha = p.git.head(mr.source_branch) or mr.sha
        return Response.json(200, self._mr_json(p, mr))

    def _merge_merge_request(self, req: Request) -> Response:
        """PUT …/merge: only setting auto-merge (auto_merge, or the deprecated
        merge_when_pipeline_succeeds) is served; *refuse_auto_merge* answers 405 that many
        times first, as GitLab does until the new merge request's pipeline exists."""
        p = self._project(req)
        self._writable(req, p)
        mr = self._merge_request(p, req)
        data = self._fields(req)
        if not (data.get("auto_merge") or data.get("merge_when_pipeline_succeeds")):
            raise HTTPError(405, {"message": "405 Method Not Allowed"})  # a merge now: unserved
        if self.refuse_auto_merge > 0:
            self.refuse_auto_merge -= 1
            raise HTTPError(405, {"message": "405 Method Not Allowed"})
        mr.auto_merge = True
        return Response.json(200, self._mr_json(p, mr))

    def close_merge_request(self, project: str, iid: int, state: str = "merged") -> None:
        with self._lock:
            self._project_or_fail(project).merge_requests[iid].state = state

    def _mr_json(self, p: _Project, mr: _MergeRequest) -> JSON:
        count = sum(1 for owner in p.note_owner.values() if owner == ("MergeRequest", mr.iid))
        source = mr.source_project_id or p.id
        return {
            "id": mr.id,
            "iid": mr.iid,
            "project_id": p.id,
            "title": mr.title,
            "description": mr.description,
            "state": mr.state,
            "created_at": _iso(mr.created_at),
            "updated_at": _iso(mr.created_at),
            "merged_at": None,
            "closed_at": None,
            "target_branch": mr.target_branch,
            "source_branch": mr.source_branch,
            "source_project_id": source,
            "target_project_id": p.id,
            "author": self._user(mr.author),
            "assignees": [],
            "reviewers": [],
            "labels": list(mr.labels),
            "draft": mr.title.startswith(("Draft:", "[Draft]", "(Draft)")),
            "work_in_progress": mr.title.startswith(("Draft:", "[Draft]", "(Draft)")),
            "merge_when_pipeline_succeeds": mr.auto_merge,
            "merge_status": "can_be_merged",
            "detailed_merge_status": "mergeable",
            "sha": mr.sha,
            "merge_commit_sha": None,
            "squash_commit_sha": None,
            "user_notes_count": count,
            "upvotes": 0,
            "downvotes": 0,
            "reference": f"!{mr.iid}",
            "references": {
                "short": f"!{mr.iid}",
                "relative": f"!{mr.iid}",
                "full": f"{p.path}!{mr.iid}",
            },
            "web_url": f"{self.url}/{p.path}/-/merge_requests/{mr.iid}",
            "diff_refs": {"base_sha": mr.sha, "head_sha": mr.sha, "start_sha": mr.sha},
        }

    def _issue(self, p: _Project, req: Request) -> _Issue:
        issue = p.issues.get(int(req.params["issue_iid"]))
        if issue is None:
            raise HTTPError(404, {"message": "404 Not found"})
        return issue

    # -- notes

    def _new_note(
        self,
        p: _Project,
        kind: str,
        iid: int | None,
        body: str,
        author: str,
        *,
        noteable_id: int | None = None,
        commit_id: str | None = None,
        note_type: str | None = None,
    ) -> JSON:
        nid = next(self._ids)
        now = _iso(time.time())
        if noteable_id is None and iid is not None:
            owner = p.merge_requests.get(iid) if kind == "MergeRequest" else p.issues.get(iid)
            noteable_id = owner.id if owner is not None else None
        note: JSON = {
            "id": nid,
            "type": note_type,
            "body": body,
            "attachment": None,
            "author": self._user(author),
            "created_at": now,
            "updated_at": now,
            "system": False,
            "noteable_id": noteable_id,
            "noteable_type": kind,
            "project_id": p.id,
            "commit_id": commit_id,
            "noteable_iid": iid,
            "resolvable": False,
            "confidential": False,
            "internal": False,
            "imported": False,
            "imported_from": "none",
            "commands_changes": {},
        }
        if kind != "Commit":
            p.notes[nid] = note
            p.note_owner[nid] = (kind, iid or 0)
        return dict(note)

    def _noteable(self, req: Request) -> tuple[_Project, str, int]:
        p = self._project(req)
        if "merge_request_iid" in req.params:
            return p, "MergeRequest", self._merge_request(p, req).iid
        return p, "Issue", self._issue(p, req).iid

    def _list_notes(self, req: Request) -> Response:
        p, kind, iid = self._noteable(req)
        order = req.arg("order_by") or "created_at"
        items = [n for nid, n in p.notes.items() if p.note_owner[nid] == (kind, iid)]
        items.sort(key=lambda n: (n[order], n["id"]), reverse=(req.arg("sort") or "desc") == "desc")
        return self._paged(req, items)

    def _create_note(self, req: Request) -> Response:
        p, kind, iid = self._noteable(req)
        self._writable(req, p)
        body = self._note_body(req)
        return Response.json(201, self._new_note(p, kind, iid, body, self._principal(req)))

    def _note(self, p: _Project, kind: str, iid: int, req: Request) -> JSON:
        nid = int(req.params["note_id"])
        if p.note_owner.get(nid) != (kind, iid):
            raise HTTPError(404, {"message": "404 Note Not Found"})
        return p.notes[nid]

    def _update_note(self, req: Request) -> Response:
        p, kind, iid = self._noteable(req)
        self._writable(req, p)
        note = self._note(p, kind, iid, req)
        note["body"] = self._note_body(req)
        note["updated_at"] = _iso(time.time())
        return Response.json(200, note)

    def _delete_note(self, req: Request) -> Response:
        p, kind, iid = self._noteable(req)
        self._writable(req, p)
        note = self._note(p, kind, iid, req)
        del p.notes[note["id"]]
        del p.note_owner[note["id"]]
        return Response.empty()

    # -- commit discussions

    def _commit(self, p: _Project, req: Request) -> str:
        sha = req.params["sha"]
        if sha not in p.commits and sha not in p.git.commits:
            raise HTTPError(404, {"message": "404 Commit Not Found"})
        return sha

    def _list_discussions(self, req: Request) -> Response:
        p = self._project(req)
        sha = self._commit(p, req)
        items = [d for did, d in p.discussions.items() if p.discussion_sha[did] == sha]
        return self._paged(req, items)

    def _create_discussion(self, req: Request) -> Response:
        p = self._project(req)
        self._writable(req, p)
        sha = self._commit(p, req)
        body = self._note_body(req)
        did = secrets.token_hex(20)
        note = self._new_note(
            p, "Commit", None, body, self._principal(req), commit_id=sha, note_type="DiscussionNote"
        )
        discussion = {"id": did, "individual_note": False, "notes": [note]}
        p.discussions[did] = discussion
        p.discussion_sha[did] = sha
        return Response.json(201, discussion)

    def _discussion_note(self, p: _Project, req: Request) -> tuple[JSON, JSON]:
        sha = self._commit(p, req)
        discussion = p.discussions.get(req.params["discussion_id"])
        if discussion is None or p.discussion_sha[discussion["id"]] != sha:
            raise HTTPError(404, {"message": "404 Discussion Not Found"})
        nid = int(req.params["note_id"])
        for note in discussion["notes"]:
            if note["id"] == nid:
                return discussion, note
        raise HTTPError(404, {"message": "404 Note Not Found"})

    def _update_discussion_note(self, req: Request) -> Response:
        p = self._project(req)
        self._writable(req, p)
        _, note = self._discussion_note(p, req)
        note["body"] = self._note_body(req)
        note["updated_at"] = _iso(time.time())
        return Response.json(200, note)

    def _delete_discussion_note(self, req: Request) -> Response:
        p = self._project(req)
        self._writable(req, p)
        discussion, note = self._discussion_note(p, req)
        discussion["notes"].remove(note)
        if not discussion["notes"]:
            del p.discussions[discussion["id"]]
            del p.discussion_sha[discussion["id"]]
        return Response.empty()

    # -- uploads and statuses

    def _upload(self, req: Request) -> Response:
        p = self._project(req)
        self._writable(req, p)
        upload = self._fields(req).get("file")
        if not isinstance(upload, FormFile):
            raise HTTPError(400, {"error": "file is invalid"})
        name = upload.filename.rpartition("/")[2].rpartition("\\")[2] or "file"
        secret = secrets.token_hex(16)
        ctype = mimetypes.guess_type(name)[0] or upload.content_type or "application/octet-stream"
        url = f"/uploads/{secret}/{quote(name)}"
        alt = name.rpartition(".")[0] or name
        markdown = f"![{alt}]({url})" if ctype.startswith(_IMAGE_TYPES) else f"[{name}]({url})"
        answer = {
            "id": next(self._ids),
            "alt": alt,
            "url": url,
            "full_path": f"/-/project/{p.id}/uploads/{secret}/{quote(name)}",
            "markdown": markdown,
        }
        p.uploads.append(
            {
                **answer,
                "filename": name,
                "content": upload.content,
                "content_type": ctype,
                "secret": secret,
            }
        )
        return Response.json(201, answer)

    def _serve_upload(self, p: _Project | None, secret: str, filename: str) -> Response:
        for upload in p.uploads if p else []:
            if upload["secret"] == secret and upload["filename"] == filename:
                return Response(200, upload["content"], {}, upload["content_type"])
        return Response(404, b"Not Found", {}, "text/plain; charset=utf-8")

    def _web_upload_by_id(self, req: Request) -> Response:
        pid = req.params["project_id"]
        p = self._projects.get(int(pid)) if pid.isdigit() else None
        return self._serve_upload(p, req.params["secret"], req.params["filename"])

    def _web_upload_by_path(self, req: Request) -> Response:
        path = req.params["namespace"].lower()
        p = next((p for p in self._projects.values() if p.path.lower() == path), None)
        return self._serve_upload(p, req.params["secret"], req.params["filename"])

    def _create_status(self, req: Request) -> Response:
        p = self._project(req)
        self._writable(req, p)
        sha = self._commit(p, req)
        data = self._fields(req)
        now = _iso(time.time())
        state = data["state"]
        ref = data.get("ref")
        if ref is None:
            ref = next((m.source_branch for m in p.merge_requests.values() if m.sha == sha), None)
        coverage = data.get("coverage")
        status = {
            "id": next(self._ids),
            "sha": sha,
            "ref": ref,
            "status": state,
            "name": data.get("name") or data.get("context") or "default",
            "target_url": data.get("target_url"),
            "description": data.get("description"),
            "created_at": now,
            "started_at": now if state != "pending" else None,
            "finished_at": now if state in ("success", "failed", "canceled", "skipped") else None,
            "allow_failure": False,
            "coverage": float(coverage) if coverage is not None else None,
            "pipeline_id": int(data["pipeline_id"]) if data.get("pipeline_id") else next(self._ids),
            "author": self._user(self._principal(req)),
        }
        p.statuses.setdefault(sha, []).append(status)
        return Response.json(201, status)

    # -- the repository: commits, files, branches

    def _committer(self) -> JSON:
        return {"name": self.user_username, "email": f"{self.user_username}@noreply.example.com"}

    def _commit_json(self, p: _Project, sha: str) -> JSON:
        commit = p.git.commits[sha]
        return {
            "id": sha,
            "short_id": sha[:8],
            "created_at": _api_date(commit.committer["date"]),
            "parent_ids": list(commit.parents),
            "title": commit.message.split("\n", 1)[0],
            "message": commit.message,
            "author_name": commit.author["name"],
            "author_email": commit.author["email"],
            "authored_date": _api_date(commit.author["date"]),
            "committer_name": commit.committer["name"],
            "committer_email": commit.committer["email"],
            "committed_date": _api_date(commit.committer["date"]),
            "trailers": {},
            "extended_trailers": {},
            "web_url": f"{self.url}/{p.path}/-/commit/{sha}",
        }

    def _writable_repository(self, req: Request, p: _Project) -> None:
        if req.auth == "job-token":
            raise HTTPError(403, {"message": "403 Forbidden"})
        if p.permission != "write":
            raise HTTPError(
                403, {"message": "403 Forbidden - You are not allowed to push into this branch"}
            )

    def _commit_request(self, data: JSON) -> None:
        """What GitLab checks in the body before it looks at the repository (400s)."""
        if "start_sha" in data and "start_branch" in data:
            raise HTTPError(400, {"message": "start_branch, start_sha are mutually exclusive"})
        for index, action in enumerate(data["actions"]):
            kind = action["action"]
            if kind == "update" and "content" not in action:
                raise HTTPError(
                    400, {"message": f"actions[{index}][content] is required for update action"}
                )
            if kind == "move" and not action.get("previous_path"):
                raise HTTPError(
                    400,
                    {"message": f"actions[{index}][previous_path] is required for move action"},
                )
            if kind == "chmod" and "execute_filemode" not in action:
                raise HTTPError(
                    400,
                    {"message": f"actions[{index}][execute_filemode] is required for chmod action"},
                )

    def _start(self, req: Request, p: _Project, data: JSON) -> str:
        """The commit the new one goes on top of, checked as Commits::CreateService does."""
        branch = data["branch"]
        start_project = data.get("start_project")
        if start_project is not None and str(start_project) not in (str(p.id), p.path):
            raise HTTPError(
                403,
                {"message": "403 Forbidden - Project is not included in the fork network"},
            )
        start_sha = data.get("start_sha")
        start_branch = data.get("start_branch") or (None if start_sha else branch)
        different = start_branch != branch or start_sha is not None
        if start_sha is not None:
            if not _SHA.fullmatch(start_sha):
                raise HTTPError(400, {"message": f"Invalid start_sha '{start_sha}'"})
            if start_sha not in p.git.commits:
                raise HTTPError(400, {"message": f"Cannot find start_sha '{start_sha}'"})
        if start_branch is not None and p.git.head(start_branch) is None:
            raise HTTPError(400, {"message": _NOT_ON_BRANCH})
        if different and p.git.head(branch) is not None and not data.get("force", False):
            raise HTTPError(
                400,
                {
                    "message": f"A branch called '{branch}' already exists. Switch to that "
                    "branch in order to make changes"
                },
            )
        if different and _BAD_REF.search(branch):
            raise HTTPError(
                400,
                {
                    "message": f"Something went wrong when we tried to create '{branch}' for "
                    "you: Branch name is invalid"
                },
            )
        start = start_sha or p.git.head(start_branch or branch)
        assert start is not None
        for action in data["actions"]:
            last = action.get("last_commit_id")
            if last is None or action["action"] == "create":
                continue
            path = (action.get("previous_path") or action["file_path"]).strip("/")
            current = p.git.last_commit_for_path(start, path)
            if current is not None and current != last:
                raise HTTPError(
                    400, {"message": f"The file has changed since you started editing it: {path}"}
                )
        return start

    def _apply(self, p: _Project, files: dict[str, FileInfo], action: JSON) -> None:
        """Apply one commit action to *files* (path -> (mode, type, sha)), as Gitaly does."""
        kind = action["action"]
        path = self._action_path(action["file_path"])
        content: bytes | None = None
        if action.get("content") is not None:
            text = action["content"]
            if action.get("encoding", "text") == "base64":
                try:
                    content = base64.b64decode(text)
                except (binascii.Error, ValueError):
                    raise HTTPError(400, {"message": "Invalid base64 content"}) from None
            else:
                content = text.encode()
        clash = GitStore.path_clash(files, path)
        if kind == "create":
            if clash == "directory":
                raise HTTPError(400, {"message": _DIRECTORY_EXISTS})
            if clash is not None:
                raise HTTPError(400, {"message": _FILE_EXISTS})
            files[path] = (FILE_MODE, "blob", p.git.store_blob(content or b""))
            return
        if kind == "move":
            source = self._action_path(action["previous_path"])
            if source not in files:
                raise HTTPError(400, {"message": _NO_FILE})
            mode, _, sha = files.pop(source)
            if GitStore.path_clash(files, path) is not None:
                raise HTTPError(400, {"message": _FILE_EXISTS})
            files[path] = (mode, "blob", sha if content is None else p.git.store_blob(content))
            return
        if clash != "file":
            raise HTTPError(400, {"message": _NO_FILE})
        mode, kind_of, sha = files[path]
        if kind == "delete":
            del files[path]
        elif kind == "update":
            files[path] = (mode, kind_of, p.git.store_blob(content or b""))
        else:  # chmod
            executable = action["execute_filemode"]
            files[path] = (EXECUTABLE_MODE if executable else FILE_MODE, kind_of, sha)

    @staticmethod
    def _action_path(raw: str) -> str:
        path = raw.strip("/")
        if not path:
            raise HTTPError(400, {"message": "You must provide a file path"})
        if ".." in path.split("/"):
            raise HTTPError(400, {"message": "Path cannot include directory traversal"})
        return path

    def _stats(self, p: _Project, before: dict[str, FileInfo], after: dict[str, FileInfo]) -> JSON:
        added = deleted = 0
        for path in sorted(before.keys() | after.keys()):
            old, new = before.get(path), after.get(path)
            if old == new:
                continue
            plus, minus = _line_stats(
                p.git.blobs[old[2]] if old else None, p.git.blobs[new[2]] if new else None
            )
            added, deleted = added + plus, deleted + minus
        return {"additions": added, "deletions": deleted, "total": added + deleted}

    def _list_commits(self, req: Request) -> Response:
        """GET /projects/:id/repository/commits: ``git log`` of ref_name (the default branch
        when not given; every branch with ``all``), newest first, ``-- path`` with Git's
        default history simplification, ``first_parent`` as ``--first-parent``. Pages without
        totals (x-total, x-total-pages and the "last" link are left out for performance, as
        GitLab does): x-next-page whenever the page is full. An unknown ref lists nothing."""
        p = self._project(req)
        if req.arg("all") == "true":
            starts = [sha for ref, sha in p.git.refs.items() if ref.startswith("refs/heads/")]
        else:
            head = p.git.resolve(req.arg("ref_name") or p.default_branch)
            starts = [head] if head else []
        path = (req.arg("path") or "").strip("/") or None
        shas = self._log(p, starts, path, req.arg("first_parent") == "true")
        page = paginate(shas, req, default=20)
        full = len(page.items) == page.per_page
        headers = {
            "x-page": str(page.page),
            "x-per-page": str(page.per_page),
            "x-next-page": str(page.page + 1) if full else "",
            "x-prev-page": str(page.page - 1) if page.page > 1 else "",
        }
        base = f"{self.url}{self.api_prefix}{req.path}"
        kept = [(k, v) for k, v in req.query if k not in ("page", "per_page")]

        def link(rel: str, number: int) -> str:
            query = [*kept, ("per_page", str(page.per_page)), ("page", str(number))]
            return f'<{base}?{urlencode(query)}>; rel="{rel}"'

        pages = (("next", page.page + 1 if full else 0), ("prev", page.page - 1))
        links = [link(rel, n) for rel, n in pages if n >= 1]
        links += [link("first", 1)] if page.page > 1 else []
        if links:
            headers["Link"] = ", ".join(links)
        return Response.json(200, [self._commit_json(p, sha) for sha in page.items], headers)

    @staticmethod
    def _log(p: _Project, starts: list[str], path: str | None, first_parent: bool) -> list[str]:
        """The commits ``git log [--first-parent] STARTS -- PATH`` shows: by committer date,
        newest first; with a path, a commit that leaves it as a parent had it (TREESAME) is
        not shown, and only that parent is followed."""

        def when(sha: str) -> float:
            return parse_date(p.git.commits[sha].committer["date"]).timestamp()

        def at(sha: str) -> tuple[str, str] | None:
            """(mode, sha) of *path* in commit *sha*'s tree, None when it is not there."""
            assert path is not None
            found: tuple[str, str] | None = ("40000", p.git.commits[sha].tree)
            for part in path.split("/"):
                entries = p.git.trees.get(found[1], []) if found else []
                entry = next((e for e in entries if e.name == part), None)
                found = (entry.mode, entry.sha) if entry else None
            return found

        order = itertools.count()
        queue: list[tuple[float, int, str]] = []
        seen: set[str] = set()
        shown: list[str] = []

        def push(sha: str) -> None:
            if sha not in seen and sha in p.git.commits:
                seen.add(sha)
                heapq.heappush(queue, (-when(sha), next(order), sha))

        for sha in starts:
            push(sha)
        while queue:
            _, _, sha = heapq.heappop(queue)
            parents = p.git.commits[sha].parents[: 1 if first_parent else None]
            if path is not None:
                mine = at(sha)
                same = next((parent for parent in parents if at(parent) == mine), None)
                if same is not None or (not parents and mine is None):
                    if same is not None:
                        push(same)
                    continue
            shown.append(sha)
            for parent in parents:
                push(parent)
        return shown

    def _create_commit(self, req: Request) -> Response:
        """POST /projects/:id/repository/commits: the actions, in order, on top of the start
        commit (the branch's head, or start_branch's or start_sha's for a new branch), as one
        commit; the branch moves to it. Any failing action fails the whole request (400)."""
        p = self._project(req)
        self._writable_repository(req, p)
        data = self._fields(req)
        self._commit_request(data)
        start = self._start(req, p, data)
        before = p.git.files_at(start)
        files = dict(before)
        for action in data["actions"]:
            self._apply(p, files, action)
        author = self._committer()
        if data.get("author_name"):
            author["name"] = data["author_name"]
        if data.get("author_email"):
            author["email"] = data["author_email"]
        now = _git_date(time.time())
        sha = p.git.store_commit(
            p.git.build_tree(files),
            [start],
            {**author, "date": now},
            {**self._committer(), "date": now},
            data["commit_message"],
        )
        p.git.refs[f"refs/heads/{data['branch']}"] = sha
        body = self._commit_json(p, sha)
        if data.get("stats", True):
            body["stats"] = self._stats(p, before, files)
        body |= {"status": None, "project_id": p.id, "last_pipeline": None}
        return Response.json(201, body)

    def _file(self, req: Request, p: _Project, ref: str | None) -> tuple[str, str, FileInfo]:
        """(commit, path, file) that a repository-file route names: 404 for an unknown ref
        (``404 Commit Not Found``) or a path that is not a file there (``404 File Not Found``)."""
        commit = p.git.resolve(ref) if ref else p.git.head(p.default_branch)
        if commit is None:
            raise HTTPError(404, {"message": "404 Commit Not Found"})
        path = req.params["file_path"]
        found = p.git.files_at(commit).get(path)
        if found is None or found[1] != "blob":
            raise HTTPError(404, {"message": "404 File Not Found"})
        return commit, path, found

    def _file_data(self, p: _Project, ref: str, commit: str, path: str, info: FileInfo) -> JSON:
        content = p.git.blobs[info[2]]
        last = p.git.last_commit_for_path(commit, path)
        return {
            "file_name": path.rpartition("/")[2],
            "file_path": path,
            "size": len(content),
            "encoding": "base64",
            "content_sha256": hashlib.sha256(content).hexdigest(),
            "ref": ref,
            "blob_id": info[2],
            "commit_id": commit,
            "last_commit_id": last or commit,
            "execute_filemode": info[0] == EXECUTABLE_MODE,
        }

    @staticmethod
    def _file_headers(data: JSON) -> dict[str, str]:
        """GitLab's X-Gitlab-* headers for a file (set_http_headers: one per attribute)."""
        names = {
            "blob_id": "X-Gitlab-Blob-Id",
            "commit_id": "X-Gitlab-Commit-Id",
            "content_sha256": "X-Gitlab-Content-Sha256",
            "encoding": "X-Gitlab-Encoding",
            "file_name": "X-Gitlab-File-Name",
            "file_path": "X-Gitlab-File-Path",
            "last_commit_id": "X-Gitlab-Last-Commit-Id",
            "ref": "X-Gitlab-Ref",
            "size": "X-Gitlab-Size",
            "execute_filemode": "X-Gitlab-Execute-Filemode",
        }
        headers = {}
        for key, name in names.items():
            value = data[key]
            headers[name] = str(value).lower() if isinstance(value, bool) else str(value)
        return headers

    def _get_file(self, req: Request) -> Response:
        p = self._project(req)
        ref = req.arg("ref") or ""
        commit, path, info = self._file(req, p, ref)
        data = self._file_data(p, ref, commit, path, info)
        body = {**data, "content": base64.b64encode(p.git.blobs[info[2]]).decode()}
        return Response.json(200, body, self._file_headers(data))

    def _head_file(self, req: Request) -> Response:
        p = self._project(req)
        ref = req.arg("ref") or ""
        commit, path, info = self._file(req, p, ref)
        return Response.empty(200, self._file_headers(self._file_data(p, ref, commit, path, info)))

    def _get_raw_file(self, req: Request) -> Response:
        p = self._project(req)
        ref = req.arg("ref")
        commit, path, info = self._file(req, p, ref)
        content = p.git.blobs[info[2]]
        headers = self._file_headers(self._file_data(p, ref or "", commit, path, info))
        name = quote(path.rpartition("/")[2])
        headers |= {
            "Content-Disposition": f"inline; filename*=UTF-8''{name}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        }
        ctype = "application/octet-stream" if _is_binary(content) else "text/plain; charset=utf-8"
        return Response(200, content, headers, ctype)

    def _get_branch(self, req: Request) -> Response:
        p = self._project(req)
        name = req.params["branch"]
        head = p.git.head(name)
        if head is None:
            raise HTTPError(404, {"message": "404 Branch Not Found"})
        default = p.git.head(p.default_branch)
        merged = name != p.default_branch and default is not None and p.git.descends(default, head)
        return Response.json(
            200,
            {
                "name": name,
                "commit": self._commit_json(p, head),
                "merged": merged,
                "protected": name == p.default_branch,
                "default": name == p.default_branch,
                "developers_can_push": False,
                "developers_can_merge": False,
                "can_push": p.permission == "write",
                "web_url": f"{self.url}/{p.path}/-/tree/{quote(name)}",
            },
        )

    # -- routes

    def _register(self) -> None:
        p = "/projects/{id}"
        mr = f"{p}/merge_requests/{{merge_request_iid}}"
        issue = f"{p}/issues/{{issue_iid}}"
        discussions = f"{p}/repository/commits/{{sha}}/discussions"
        routes = [
            ("GET", "/user", self._get_current_user),
            ("GET", p, self._get_project),
            ("GET", mr, self._get_merge_request),
            ("PUT", mr, self._update_merge_request),
            ("PUT", f"{mr}/merge", self._merge_merge_request),
            ("GET", f"{p}/merge_requests", self._list_merge_requests),
            ("POST", f"{p}/merge_requests", self._create_merge_request),
            ("GET", f"{mr}/notes", self._list_notes),
            ("POST", f"{mr}/notes", self._create_note),
            ("PUT", f"{mr}/notes/{{note_id}}", self._update_note),
            ("DELETE", f"{mr}/notes/{{note_id}}", self._delete_note),
            ("GET", f"{issue}/notes", self._list_notes),
            ("POST", f"{issue}/notes", self._create_note),
            ("PUT", f"{issue}/notes/{{note_id}}", self._update_note),
            ("DELETE", f"{issue}/notes/{{note_id}}", self._delete_note),
            ("GET", f"{p}/repository/commits/{{sha}}/merge_requests", self._commit_merge_requests),
            ("GET", discussions, self._list_discussions),
            ("POST", discussions, self._create_discussion),
            (
                "PUT",
                f"{discussions}/{{discussion_id}}/notes/{{note_id}}",
                self._update_discussion_note,
            ),
            (
                "DELETE",
                f"{discussions}/{{discussion_id}}/notes/{{note_id}}",
                self._delete_discussion_note,
            ),
            ("POST", f"{p}/uploads", self._upload),
            ("POST", f"{p}/statuses/{{sha}}", self._create_status),
            ("GET", f"{p}/repository/commits", self._list_commits),
            ("POST", f"{p}/repository/commits", self._create_commit),
            ("GET", f"{p}/repository/files/{{file_path}}", self._get_file),
            ("HEAD", f"{p}/repository/files/{{file_path}}", self._head_file),
            ("GET", f"{p}/repository/files/{{file_path}}/raw", self._get_raw_file),
            ("GET", f"{p}/repository/branches/{{branch}}", self._get_branch),
        ]
        for method, template, handler in routes:
            self.route(method, template, handler)
        self.route(
            "GET",
            "/-/project/{project_id}/uploads/{secret}/{filename}",
            self._web_upload_by_id,
            api=False,
        )
        self.route(
            "GET",
            "/{namespace}/uploads/{secret}/{filename}",
            self._web_upload_by_path,
            api=False,
            greedy=frozenset({"namespace"}),
        )


def _labels(value: object) -> list[str]:
    """Labels as GitLab takes them: a comma-separated string or a list."""
    items = value.split(",") if isinstance(value, str) else list(value or [])  # type: ignore[call-overload]
    return [str(item).strip() for item in items if str(item).strip()]
