"""FakeGitLab: a stateful fake of GitLab's REST API v4 on 127.0.0.1.

It serves the operations of ``openapi/gitlab.yaml`` (written by hand from docs.gitlab.com, see its
info.description) and checks every request and response against it: projects, merge requests,
merge request and issue notes, commit discussions, Markdown uploads (served back on the web host
without authentication) and commit statuses.

    with FakeGitLab(token="glpat-fake-token-1234567890") as gl:
        gl.add_project("group/sub/proj", id=42)
        gl.add_merge_request("group/sub/proj", iid=7, sha="a" * 40)
        gitlab.Gitlab(gl.url, private_token=gl.token)
"""

from __future__ import annotations

import itertools
import mimetypes
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar
from urllib.parse import quote

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
            self._projects[id] = _Project(id, path, permission, default_branch, time.time())

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
        mr = self._merge_request(p, req)
        count = sum(1 for owner in p.note_owner.values() if owner == ("MergeRequest", mr.iid))
        source = mr.source_project_id or p.id
        return Response.json(
            200,
            {
                "id": mr.id,
                "iid": mr.iid,
                "project_id": p.id,
                "title": mr.title,
                "description": None,
                "state": "opened",
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
                "labels": [],
                "draft": False,
                "work_in_progress": False,
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
            },
        )

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
        if sha not in p.commits:
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
            ("GET", f"{mr}/notes", self._list_notes),
            ("POST", f"{mr}/notes", self._create_note),
            ("PUT", f"{mr}/notes/{{note_id}}", self._update_note),
            ("DELETE", f"{mr}/notes/{{note_id}}", self._delete_note),
            ("GET", f"{issue}/notes", self._list_notes),
            ("POST", f"{issue}/notes", self._create_note),
            ("PUT", f"{issue}/notes/{{note_id}}", self._update_note),
            ("DELETE", f"{issue}/notes/{{note_id}}", self._delete_note),
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
