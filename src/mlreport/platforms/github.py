"""GitHub, through PyGithub: PR/issue/commit comments, checks, and (through
:mod:`.github_assets`) images and records on an assets branch."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from mlreport.errors import PublishError
from mlreport.platforms.base import (
    Comment,
    Committed,
    Hosted,
    Identity,
    ImageFile,
    Proposal,
    StoredFile,
    Target,
    translated,
)
from mlreport.platforms.github_api import client, explain
from mlreport.platforms.github_assets import AssetsBranch
from mlreport.platforms.github_pr import GitHubPulls
from mlreport.platforms.marker import truncate

MAX_BODY = 65_536
CUT = "> ✂️ Cut to fit the check run's summary limit; the comment has the whole report."


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
        self._assets = AssetsBranch(self._repo, assets_branch, server_url, repo, self._errors)
        self._pulls = GitHubPulls(self._repo, self._errors)

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

    def open_pull(self, sha: str) -> int | None:
        with self._errors(f"finding the pull request of commit {sha[:12]}"):
            for pull in self._repo.get_commit(sha).get_pulls():  # GET …/commits/{sha}/pulls
                if pull.state == "open" and pull.head.sha == sha:
                    return int(pull.number)
        return None

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

    def host_images(self, images: Sequence[ImageFile], files: Sequence[StoredFile] = ()) -> Hosted:
        return self._assets.store(images, files)

    def find_file(self, paths: Sequence[str]) -> tuple[str, bytes] | None:
        return self._assets.find(paths)

    # --------------------------------------------------------------------- pr create

    def default_branch(self) -> str:
        return self._pulls.default_branch()

    def commit_files(
        self, branch: str, base: str, files: Sequence[StoredFile], message: str
    ) -> Committed:
        return self._pulls.commit_files(branch, base, files, message)

    def propose(
        self, branch: str, into: str, title: str, body: str, labels: Sequence[str], draft: bool
    ) -> Proposal:
        return self._pulls.propose(branch, into, title, body, labels, draft)

    def auto_merge(self, proposal: Proposal) -> str:
        with self._errors(f"enabling auto-merge on pull request #{proposal.number}"):
            return self._pulls.auto_merge(proposal)

    # ------------------------------------------------------------------------------ helpers

    def _errors(self, doing: str) -> AbstractContextManager[None]:
        return translated(explain, doing, self.repo_name)
