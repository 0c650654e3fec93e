"""GitLab, through python-gitlab: merge request / issue notes, commit discussions, uploads.

Images go to the project uploads API (``POST /projects/:id/uploads``) and are linked with
the path it returns.  A report on a commit is a commit discussion, whose note can be edited
later (plain commit comments cannot).  ``--check`` sets a commit status.  The token must be
a project access token (or personal token) with the ``api`` scope: CI_JOB_TOKEN cannot post
notes or uploads.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from mlreport.errors import PlatformError, PublishError
from mlreport.platforms.base import (
    Comment,
    Committed,
    Hosted,
    Identity,
    ImageFile,
    Proposal,
    StoredFile,
    Target,
    rate_limited,
    translated,
    transport_error,
)
from mlreport.platforms.gitlab_mr import GitLabMerges
from mlreport.platforms.gitlab_records import RecordsBranch
from mlreport.platforms.retry import bounded_retry

MAX_BODY = 1_000_000


class GitLabPlatform:
    name = "gitlab"
    max_body = MAX_BODY

    def __init__(
        self,
        project: str,
        token: str,
        url: str,
        timeout: float,
        records_branch: str = "mlreport-records",
    ) -> None:
        import gitlab
        import requests
        from requests.adapters import HTTPAdapter

        session = requests.Session()
        adapter = HTTPAdapter(max_retries=bounded_retry(), pool_maxsize=16)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self.url = url.rstrip("/")
        self.project_path = project
        self._timeout = timeout
        self._token = token
        self._gl = gitlab.Gitlab(
            self.url, private_token=token, session=session, timeout=timeout, per_page=100
        )
        self._project = self._gl.projects.get(project, lazy=True)
        self._records = RecordsBranch(
            self._gl, self._project, token, timeout, records_branch, self._errors
        )
        self._notes: dict[str, Any] = {}
        self._merges = GitLabMerges(self._gl, self._project, token, timeout, self._errors)

    def close(self) -> None:
        self._gl.session.close()

    # ---------------------------------------------------------------------------- comments

    def _parent(self, target: Target) -> Any:
        if target.kind == "pr":
            return self._project.mergerequests.get(target.number or 0, lazy=True)
        if target.kind == "issue":
            return self._project.issues.get(target.number or 0, lazy=True)
        return self._project.commits.get(target.sha or "", lazy=True)

    def _note_url(self, target: Target, note_id: object) -> str:
        base = f"{self.url}/{self.project_path}/-"
        if target.kind == "pr":
            return f"{base}/merge_requests/{target.number}#note_{note_id}"
        if target.kind == "issue":
            return f"{base}/issues/{target.number}#note_{note_id}"
        return f"{base}/commit/{target.sha}#note_{note_id}"

    def identity(self) -> Identity:
        """GET /user: a personal token's user, or a project/group token's bot user."""
        with self._errors("reading who the token is (GET /user)"):
            data = self._gl.http_get("/user")
        return Identity(str(data["username"]) if isinstance(data, dict) else None)

    def list_comments(self, target: Target) -> list[Comment]:
        with self._errors(f"reading the notes of {target.describe('gitlab')}"):
            parent = self._parent(target)
            if target.kind == "commit":
                found = []
                for discussion in parent.discussions.list(get_all=True):
                    for note in discussion.attributes.get("notes", [])[:1]:
                        found.append(self._commit_note(target, parent, discussion.id, note))
                return sorted(found, key=lambda c: int(c.id.rsplit("/", 1)[1]))
            notes = parent.notes.list(get_all=True, sort="asc", order_by="created_at")
        return [self._remember(target, n) for n in notes if not n.attributes.get("system")]

    def create_comment(self, target: Target, body: str) -> Comment:
        with self._errors(f"commenting on {target.describe('gitlab')}"):
            parent = self._parent(target)
            if target.kind == "commit":
                discussion = parent.discussions.create({"body": body})
                note = discussion.attributes["notes"][0]
                return self._commit_note(target, parent, discussion.id, note)
            return self._remember(target, parent.notes.create({"body": body}))

    def update_comment(self, target: Target, comment: Comment, body: str) -> Comment:
        with self._errors(f"updating note {comment.url}"):
            note = self._notes[comment.id]
            note.body = body
            note.save()
            return Comment(comment.id, body, comment.url, comment.author)

    def delete_comment(self, target: Target, comment: Comment) -> None:
        import gitlab

        try:
            with self._errors(f"deleting note {comment.url}"):
                self._notes[comment.id].delete()
        except PublishError as exc:
            cause = exc.__cause__
            if not (isinstance(cause, gitlab.GitlabError) and cause.response_code == 404):
                raise

    def _remember(self, target: Target, note: Any) -> Comment:
        key = str(note.id)
        self._notes[key] = note
        author = (note.attributes.get("author") or {}).get("username")
        return Comment(key, note.body or "", self._note_url(target, note.id), author)

    def _commit_note(
        self, target: Target, commit: Any, discussion_id: str, note: dict[str, Any]
    ) -> Comment:
        key = f"{discussion_id}/{note['id']}"
        discussion = commit.discussions.get(discussion_id, lazy=True)
        self._notes[key] = discussion.notes.get(note["id"], lazy=True)
        author = (note.get("author") or {}).get("username")
        return Comment(key, note.get("body") or "", self._note_url(target, note["id"]), author)

    # ------------------------------------------------------------------------------ checks

    def open_pull(self, sha: str) -> int | None:
        with self._errors(f"finding the merge request of commit {sha[:12]}"):
            commit = self._project.commits.get(sha, lazy=True)
            for mr in commit.merge_requests():  # GET …/repository/commits/:sha/merge_requests
                if mr.get("state") == "opened" and mr.get("sha") == sha:
                    return int(mr["iid"])
        return None

    def head_sha(self, target: Target) -> str:
        if target.sha:
            return target.sha
        with self._errors(f"reading {target.describe('gitlab')}"):
            return str(self._project.mergerequests.get(target.number or 0).sha)

    def report_check(
        self, target: Target, name: str, passed: bool, title: str, summary: str
    ) -> str:
        sha = self.head_sha(target)
        with self._errors("setting the commit status"):
            commit = self._project.commits.get(sha, lazy=True)
            commit.statuses.create(
                {
                    "state": "success" if passed else "failed",
                    "name": name,
                    "description": title[:255],
                }
            )
        return f"{self.url}/{self.project_path}/-/commit/{sha}"

    # ------------------------------------------------------------------------------ images

    def host_images(self, images: Sequence[ImageFile], files: Sequence[StoredFile] = ()) -> Hosted:
        """Images through the uploads API; *files* (records) looked up on the records branch
        meanwhile, and committed in one request in ``finish`` (beside the comment)."""
        if not images:
            return Hosted({}, self._records.prepare(files) if files else lambda: None)

        def upload(image: ImageFile) -> str:
            return self._upload(f"{image.sha256[:16]}-{image.path.rsplit('/', 1)[-1]}", image.data)

        workers = min(8, len(images)) + (1 if files else 0)
        with self._errors("uploading images"), ThreadPoolExecutor(workers) as pool:
            preparing = pool.submit(self._records.prepare, files) if files else None
            urls = list(pool.map(upload, images))
            finish = preparing.result() if preparing else lambda: None
        return Hosted({image.path: url for image, url in zip(images, urls, strict=True)}, finish)

    def find_file(self, paths: Sequence[str]) -> tuple[str, bytes] | None:
        return self._records.find(paths)

    def _upload(self, name: str, data: bytes) -> str:
        """POST /projects/:id/uploads on python-gitlab's session, with a body held in memory.

        Not Project.upload(): it streams the body (requests-toolbelt's MultipartEncoder),
        which a retry cannot send again, and on a lazy project named by its path it encodes
        the path twice.
        """
        import gitlab

        url = f"{self._gl.api_url}/projects/{self._project.encoded_id}/uploads"
        headers = {**self._gl.headers, "PRIVATE-TOKEN": self._token}
        with self._gl.session.post(
            url, headers=headers, files={"file": (name, data)}, timeout=self._timeout
        ) as answer:
            if answer.status_code == 401:
                raise gitlab.GitlabAuthenticationError(response_code=401)
            if answer.status_code >= 300:
                raise gitlab.GitlabUploadError(
                    response_code=answer.status_code, error_message=answer.text[:200]
                )
            return str(answer.json()["url"])

    # --------------------------------------------------------------------- pr create

    def default_branch(self) -> str:
        return self._merges.default_branch()

    def commit_files(
        self, branch: str, base: str, files: Sequence[StoredFile], message: str
    ) -> Committed:
        return self._merges.commit_files(branch, base, files, message)

    def propose(
        self, branch: str, into: str, title: str, body: str, labels: Sequence[str], draft: bool
    ) -> Proposal:
        return self._merges.propose(branch, into, title, body, labels, draft)

    def auto_merge(self, proposal: Proposal) -> str:
        return self._merges.auto_merge(proposal)

    def _errors(self, doing: str) -> AbstractContextManager[None]:
        return translated(explain, doing, self.project_path)


def explain(exc: BaseException, doing: str, project: str) -> PlatformError:
    import gitlab

    limited = rate_limited(exc, doing, "GitLab")
    if limited is not None:
        return limited
    if isinstance(exc, gitlab.GitlabAuthenticationError) or (
        isinstance(exc, gitlab.GitlabError) and exc.response_code == 401
    ):
        return PublishError(
            f"{doing}: GitLab rejected the token (401)",
            "it is wrong or expired: pass a valid one with --token or GITLAB_TOKEN",
        )
    if isinstance(exc, gitlab.GitlabError) and exc.response_code == 403:
        return PublishError(
            f"{doing}: GitLab refused (403)",
            "the token needs the api scope and at least Reporter access (CI_JOB_TOKEN "
            "cannot post notes: use a project access token)",
        )
    if isinstance(exc, gitlab.GitlabError) and exc.response_code == 404:
        return PublishError(
            f"{doing}: not found (404): the project {project}, or what is being commented on, "
            "does not exist or the token cannot see it",
            "check --repo and the MR/issue number, and the token's access to the project",
        )
    if isinstance(exc, gitlab.GitlabError) and exc.response_code:
        return PublishError(f"{doing}: GitLab answered {exc.response_code} {exc.error_message}")
    return transport_error(exc, doing, "GitLab")
