"""GitHub, through PyGithub: PR/issue/commit comments, images on an assets branch, checks.

Images are committed, all in one commit, to a dedicated branch (``mlreport-assets``, made
on first use, never the PR branch) with the Git Data API.  Each is named by its SHA-256, so
one already there is not uploaded again, and linked as
``https://HOST/OWNER/REPO/blob/COMMIT/images/SHA256.png?raw=true``: pinned to that commit,
shown to everyone who can read the repository, private ones included.

Round trips are kept few: the branch head, its tree and the comments are read at once;
blobs are uploaded concurrently; and moving the branch is handed back as ``finish`` so it
can go out together with the comment.  If another publisher moved the branch meanwhile,
a merge commit with both heads as parents keeps every linked commit reachable.
"""

from __future__ import annotations

import base64
import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, TypeVar
from urllib.parse import quote

from mlreport.errors import PublishError
from mlreport.platforms.base import Comment, Hosted, Identity, ImageFile, Target, translated
from mlreport.platforms.github_api import client, explain
from mlreport.platforms.marker import truncate

MAX_BODY = 65_536
IMAGE_DIR = "images"
MOVE_ATTEMPTS = 10  # each lost race is another publisher's win: a busy PR still settles
CUT = "> ✂️ Cut to fit the check run's summary limit; the comment has the whole report."
T = TypeVar("T")


class GitHubPlatform:
    name = "github"
    max_body = MAX_BODY

    def __init__(
        self,
        repo: str,
        token: str,
        api_url: str,
        server_url: str,
        assets_branch: str,
        timeout: float,
        bot_login: str | None = None,
    ) -> None:
        self.repo_name = repo
        self.bot_login = bot_login
        self.server_url = server_url
        self.branch = assets_branch
        self._gh = client(token, api_url, timeout, pool_size=16)
        self._repo = self._gh.get_repo(repo)  # lazy: the client is
        self._comments: dict[str, Any] = {}

    def close(self) -> None:
        self._gh.close()

    # ---------------------------------------------------------------------------- comments

    def _thread(self, target: Target) -> Any:
        if target.kind == "commit":
            return self._repo.get_commit(target.sha or "")
        return self._repo.get_issue(target.number or 0)

    def identity(self) -> Identity:
        """GET /user's login; refused (403) to the workflow's token and App installation
        tokens, which post as a bot: *bot_login*, or any bot when it is not given."""
        from github import GithubException

        doing = "reading who the token is (GET /user)"
        with self._errors(doing):
            try:
                _, data = self._gh.requester.requestJsonAndCheck("GET", "/user")
            except GithubException as exc:
                if exc.status != 403:
                    raise
                return Identity(self.bot_login, bot=True)
        return Identity(str(data["login"]))

    def list_comments(self, target: Target) -> list[Comment]:
        with self._errors(f"reading the comments of {target.describe('github')}"):
            found = list(self._thread(target).get_comments())
        return [self._remember(c) for c in sorted(found, key=lambda c: c.id)]

    def create_comment(self, target: Target, body: str) -> Comment:
        with self._errors(f"commenting on {target.describe('github')}"):
            return self._remember(self._thread(target).create_comment(body))

    def update_comment(self, target: Target, comment: Comment, body: str) -> Comment:
        with self._errors(f"updating comment {comment.url}"):
            native = self._comments[comment.id]
            native.edit(body)
            return self._remember(native)

    def delete_comment(self, target: Target, comment: Comment) -> None:
        from github import UnknownObjectException

        try:
            with self._errors(f"deleting comment {comment.url}"):
                self._comments[comment.id].delete()
        except PublishError as exc:
            if not isinstance(exc.__cause__, UnknownObjectException):
                raise

    def _remember(self, native: Any) -> Comment:
        key = str(native.id)
        self._comments[key] = native
        user = native.user
        return Comment(key, native.body or "", native.html_url, user.login, user.type == "Bot")

    # ------------------------------------------------------------------------------ checks

    def head_sha(self, target: Target) -> str:
        if target.sha:
            return target.sha
        with self._errors(f"reading {target.describe('github')}"):
            return str(self._repo.get_pull(target.number or 0).head.sha)

    def report_check(
        self, target: Target, name: str, passed: bool, title: str, summary: str
    ) -> str:
        sha = self.head_sha(target)
        with self._errors("creating the check run"):
            run = self._repo.create_check_run(
                name=name,
                head_sha=sha,
                status="completed",
                conclusion="success" if passed else "failure",
                output={"title": title[:255], "summary": truncate(summary, MAX_BODY, CUT)},
            )
        return str(run.html_url)

    # ------------------------------------------------------------------------------ images

    def host_images(self, images: Sequence[ImageFile]) -> Hosted:
        if not images:
            return Hosted({})
        with self._errors(f"reading the {self.branch} branch"):
            head, tree = self._branch_state()
        paths = {image.path: f"{IMAGE_DIR}/{image.sha256}.png" for image in images}
        missing = {img.sha256: img for img in images if paths[img.path] not in tree}
        if not missing:
            return Hosted(self._urls(paths, head or ""))
        with self._errors(f"uploading images to the {self.branch} branch"):
            blobs = self._map(self._blob, list(missing.values()))
            elements = self._elements(
                {f"{IMAGE_DIR}/{sha}.png": blob for sha, blob in zip(missing, blobs, strict=True)}
            )
            commit = self._commit(elements, tree.get("", None), [head] if head else [])
        return Hosted(self._urls(paths, commit), lambda: self._move(commit, elements, head))

    def _urls(self, paths: dict[str, str], commit: str) -> dict[str, str]:
        base = f"{self.server_url}/{self.repo_name}/blob/{commit}"
        return {local: f"{base}/{remote}?raw=true" for local, remote in paths.items()}

    def _branch_state(self) -> tuple[str | None, dict[str, str]]:
        """The branch's head commit and that commit's files, consistent with each other.

        The branch (head commit and its tree SHA, in one answer) and the branch's tree
        listing are read at once; if the branch moved between the two reads (the listing is
        of another tree), the head's own tree is listed. So "already uploaded" always means
        "in the commit the links will be pinned to".
        """
        branch, tree = self._both(self._branch, self._branch_tree)
        if branch is None:
            return None, {}
        head, tree_sha = branch
        if tree.get("") != tree_sha:
            tree = self._branch_tree(tree_sha)
        return head, tree

    def _branch(self) -> tuple[str, str] | None:
        from github import UnknownObjectException

        try:
            found = self._repo.get_branch(self.branch)
        except UnknownObjectException:
            return None
        return str(found.commit.sha), str(found.commit.commit.tree.sha)

    def _branch_head(self) -> str | None:
        from github import UnknownObjectException

        try:
            return str(self._repo.get_git_ref(f"heads/{self.branch}").object.sha)
        except UnknownObjectException:
            return None

    def _branch_tree(self, sha: str | None = None) -> dict[str, str]:
        """path -> blob sha in *tree* (default: at the branch head), "" -> the tree's own sha;
        {} if there is no branch."""
        from github import UnknownObjectException

        try:
            tree = self._repo.get_git_tree(sha or self.branch, recursive=True)
        except UnknownObjectException:
            return {}
        entries = {e.path: e.sha for e in tree.tree if e.type == "blob"}
        entries[""] = tree.sha
        return entries

    def _blob(self, image: ImageFile) -> str:
        content = base64.b64encode(image.data).decode("ascii")
        return str(self._repo.create_git_blob(content, "base64").sha)

    @staticmethod
    def _elements(blobs: dict[str, str]) -> list[dict[str, str]]:
        return [
            {"path": p, "mode": "100644", "type": "blob", "sha": sha} for p, sha in blobs.items()
        ]

    def _commit(self, elements: list[dict[str, str]], base: str | None, parents: list[str]) -> str:
        """A tree of *elements* over *base*, committed on *parents*: two requests, made with
        PyGithub's requester (its objects would first be fetched just to learn their SHAs)."""
        post = self._repo.requester.requestJsonAndCheck
        tree: dict[str, Any] = {"tree": elements}
        if base:
            tree["base_tree"] = base
        _, made = post("POST", f"{self._repo.url}/git/trees", input=tree)
        message = f"mlreport: {len(elements)} report image(s)"
        commit = {"message": message, "tree": made["sha"], "parents": parents}
        _, done = post("POST", f"{self._repo.url}/git/commits", input=commit)
        return str(done["sha"])

    def _move(self, commit: str, elements: list[dict[str, str]], head: str | None) -> None:
        """Point the branch at *commit*; if it moved meanwhile, at a merge of both."""
        from github import GithubException

        with self._errors(f"updating the {self.branch} branch"):
            for attempt in range(MOVE_ATTEMPTS):
                try:
                    if head is None:
                        self._repo.create_git_ref(f"refs/heads/{self.branch}", commit)
                    else:  # not GitRef.edit: a lazy GitRef would PATCH the GET-only /git/ref/
                        self._repo.requester.requestJsonAndCheck(
                            "PATCH",
                            f"{self._repo.url}/git/refs/heads/{quote(self.branch)}",
                            input={"sha": commit, "force": False},
                        )
                    return
                except GithubException as exc:
                    if exc.status != 422:
                        raise
                time.sleep(random.uniform(0.05, 0.25) * (attempt + 1))  # let the winner finish
                now = self._branch_head()  # someone else published: merge our commit in
                tree = self._branch_tree().get("", None) if now else None
                parents = [p for p in (now, commit) if p]
                head, commit = now, self._commit(elements, tree, parents)
        raise PublishError(
            f"the {self.branch} branch kept moving while mlreport updated it",
            "another publisher is busy; run again",
        )

    # ------------------------------------------------------------------------------ helpers

    def _both(self, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
        with ThreadPoolExecutor(2) as pool:
            a, b = pool.submit(first), pool.submit(second)
            return a.result(), b.result()

    def _map(self, function: Callable[[ImageFile], T], items: list[ImageFile]) -> list[T]:
        if len(items) == 1:
            return [function(items[0])]
        with ThreadPoolExecutor(min(8, len(items))) as pool:
            return list(pool.map(function, items))

    def _errors(self, doing: str) -> AbstractContextManager[None]:
        return translated(explain, doing, self.repo_name)
