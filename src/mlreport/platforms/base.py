"""The Protocol every platform implements, the plain data that crosses it, and the errors
every API client (GitHub, GitLab, the runner registry) explains the same way."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol

from mlreport.errors import PlatformError, PublishError

TargetKind = Literal["pr", "issue", "commit"]
REQUEST_TIMEOUT = 30.0  # seconds to wait for one answer of an API before retrying


@dataclass(frozen=True)
class Target:
    """What the report comments on: a pull/merge request, an issue, or a commit."""

    kind: TargetKind
    number: int | None = None  # PR/MR/issue number
    sha: str | None = None  # the commit (for PRs: the head commit, for check runs)

    def describe(self, platform: str) -> str:
        """How *platform* names the target, for messages (local files: ``files``)."""
        if platform == "local":
            return "files"
        if self.kind == "commit":
            return f"commit {(self.sha or '')[:12]}"
        if self.kind == "issue":
            return f"issue #{self.number}"
        if platform == "gitlab":
            return f"merge request !{self.number}"
        return f"pull request #{self.number}"


@dataclass(frozen=True)
class Comment:
    """A comment as the platform returned it (``id`` is opaque to everything but it)."""

    id: str
    body: str
    url: str
    author: str | None
    author_bot: bool = False  # GitHub: the author is a bot (an app or the workflow's token)


@dataclass(frozen=True)
class Identity:
    """Who publishes: the author every comment of mlreport's has.

    *login* is the token's user (GET /user); GitHub refuses that call to the workflow's
    GITHUB_TOKEN and to GitHub App installation tokens, whose comments are a bot's
    (``github-actions[bot]``, ``<app-slug>[bot]``): then *bot* is set, and *login*, when
    known, narrows it to that one bot. Local files have no authors (*login* None).
    """

    login: str | None
    bot: bool = False

    def owns(self, comment: Comment) -> bool:
        if self.bot:
            return comment.author_bot and self.login in (None, comment.author)
        return comment.author == self.login


@dataclass(frozen=True)
class ImageFile:
    """A chart to host: its name in report.md, its bytes and their SHA-256."""

    path: str
    data: bytes
    sha256: str
    title: str = ""


@dataclass(frozen=True)
class StoredFile:
    """A file to keep in the repository (a record: ``records/<id>/<commit>/record.npz``; a
    file of ``pr create``, *executable* when its mode is)."""

    path: str
    data: bytes
    executable: bool = False


@dataclass(frozen=True)
class Committed:
    """What committing files to a branch did: its *head* after (None: the branch is not
    there and nothing differs from the base), the paths written, whether it was made."""

    head: str | None
    written: tuple[str, ...] = ()
    created: bool = False


class NothingToPropose(PublishError):
    """The branch has no commit its base lacks: there is no pull request to open."""


@dataclass(frozen=True)
class Proposal:
    """A pull/merge request opened (*created*) or found open and updated."""

    number: int
    url: str
    created: bool


@dataclass(frozen=True)
class Hosted:
    """Where each image now lives (``urls``: report.md path -> URL), and a step that
    must still run for those URLs to last (GitHub: moving the assets branch), which the
    caller may overlap with posting the comment."""

    urls: dict[str, str]
    finish: Callable[[], None] = lambda: None


class Platform(Protocol):
    """A place to publish to. GitHub, GitLab and local files all implement every method."""

    name: str
    max_body: int  # the longest comment body the platform accepts, in characters

    def host_images(self, images: Sequence[ImageFile], files: Sequence[StoredFile] = ()) -> Hosted:
        """Upload *images* (those already there are not uploaded again), and store *files*
        (records) where mlreport keeps them; both may finish in ``Hosted.finish``."""

    def find_file(self, paths: Sequence[str]) -> tuple[str, bytes] | None:
        """The first of *paths* (in that order) that mlreport has stored, with its bytes: two
        requests in turn at most."""

    def identity(self) -> Identity:
        """Who the token posts as (one request at most)."""

    def list_comments(self, target: Target) -> list[Comment]:
        """Every comment on *target*, all pages, oldest first."""

    def create_comment(self, target: Target, body: str) -> Comment: ...

    def update_comment(self, target: Target, comment: Comment, body: str) -> Comment: ...

    def delete_comment(self, target: Target, comment: Comment) -> None:
        """Delete *comment*; one already gone is fine."""

    def open_pull(self, sha: str) -> int | None:
        """The open pull/merge request whose head is commit *sha*, or None (one request; a
        push that opened no pull request has none)."""

    def head_sha(self, target: Target) -> str:
        """The commit a check should be attached to (a PR's head, not its merge commit)."""

    def report_check(
        self, target: Target, name: str, passed: bool, title: str, summary: str
    ) -> str:
        """Record the outcome on the commit (GitHub check run, GitLab commit status);
        returns its URL."""

    def default_branch(self) -> str:
        """The repository's default branch (one request)."""

    def commit_files(
        self, branch: str, base: str, files: Sequence[StoredFile], message: str
    ) -> Committed:
        """Commit those of *files* that differ to *branch* -- made from commit *base* when it
        is not there, else on its head -- through the API, never with git."""

    def propose(
        self, branch: str, into: str, title: str, body: str, labels: Sequence[str], draft: bool
    ) -> Proposal:
        """Open a pull/merge request of *branch* into *into*, or update the open one's title,
        body and labels."""

    def auto_merge(self, proposal: Proposal) -> str:
        """Merge *proposal* once its checks pass; what the platform said (a PublishError
        when it refuses)."""

    def close(self) -> None:
        """Release connections."""


@contextmanager
def translated(
    explain: Callable[[BaseException, str, str], PlatformError], doing: str, where: str
) -> Iterator[None]:
    """Any error of a platform's client library as a one-line PlatformError (never with the
    token): *explain* turns it into one, saying what was being done."""
    try:
        yield
    except PlatformError:
        raise
    except Exception as exc:  # client libraries, requests and urllib3 raise many types
        raise explain(exc, doing, where) from exc


class WaitTooLong(Exception):
    """The server asked for a longer wait than mlreport is willing to spend."""

    def __init__(self, seconds: float, limit: float) -> None:
        self.seconds = seconds
        self.limit = limit
        super().__init__(f"asked to wait {seconds:.0f} s, more than the {limit:.0f} s allowed")


def rate_limited(
    exc: BaseException, doing: str, where: str, error: type[PlatformError] = PublishError
) -> PlatformError | None:
    """The error for a rate limit that asked for too long a wait (raised by the retry policy,
    perhaps wrapped by the client library), or None when *exc* is not one."""
    wait = exc if isinstance(exc, WaitTooLong) else exc.__context__
    if not isinstance(wait, WaitTooLong):
        return None
    return error(f"{doing}: {where} rate limit: {wait}", "run again later")


def transport_error(
    exc: BaseException, doing: str, where: str, error: type[PlatformError] = PublishError
) -> PlatformError:
    """Connection failures, timeouts and retries given up, for any of the API clients."""
    import requests

    if isinstance(exc, requests.exceptions.RetryError):
        return error(f"{doing}: {where} kept failing after several attempts", "run again")
    if isinstance(exc, requests.exceptions.Timeout):
        return error(f"{doing}: {where} did not answer in time", "run again")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return error(
            f"{doing}: cannot reach {where}", "check --api-url and the network, then run again"
        )
    return error(f"{doing}: {type(exc).__name__}: {exc}")
