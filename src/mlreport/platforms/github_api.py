"""PyGithub, as every GitHub caller of mlreport uses it (publishing and the runner registry):
a client with mlreport's retry policy and quiet logs, and its errors explained in one line."""

from __future__ import annotations

import logging
import math
import sys
from typing import Any

from mlreport.errors import ForkReadOnly, PlatformError, PublishError
from mlreport.platforms.base import rate_limited, transport_error
from mlreport.platforms.retry import github_retry

FORK_MESSAGE = "Resource not accessible by integration"


def client(token: str, api_url: str, timeout: float, pool_size: int = 10) -> Any:
    """A PyGithub client with mlreport's retry policy, lazy, logging only warnings."""
    from github import Auth, Github

    quiet_pygithub()
    return Github(
        auth=Auth.Token(token),
        base_url=api_url,
        per_page=100,
        retry=github_retry(),
        timeout=max(1, math.ceil(timeout)),  # PyGithub takes whole seconds only
        pool_size=pool_size,
        seconds_between_requests=None,  # rate limits are handled by the retry policy
        seconds_between_writes=None,
        lazy=True,
    )


class _CurrentStderr(logging.Handler):
    """Writes to sys.stderr as it is when a record comes (PyGithub's own handler keeps the
    stream of import time)."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(self.format(record) + "\n")


def quiet_pygithub() -> None:
    """PyGithub logs every retry at INFO to stderr: keep that for --debug only."""
    log = logging.getLogger("github")
    for handler in list(log.handlers):
        log.removeHandler(handler)
    debug = logging.getLogger("mlreport").isEnabledFor(logging.DEBUG)  # set by --debug
    log.setLevel(logging.DEBUG if debug else logging.WARNING)
    log.addHandler(_CurrentStderr())
    log.propagate = False


def explain(exc: BaseException, doing: str, repo: str) -> PlatformError:
    from github import (
        BadCredentialsException,
        GithubException,
        RateLimitExceededException,
        UnknownObjectException,
    )

    limited = rate_limited(exc, doing, "GitHub")
    if limited is not None:
        return limited
    if isinstance(exc, BadCredentialsException):
        return PublishError(
            f"{doing}: GitHub rejected the token (401 Bad credentials)",
            "it is wrong or expired: pass a valid one with --token or GITHUB_TOKEN",
        )
    if isinstance(exc, UnknownObjectException):
        return PublishError(
            f"{doing}: not found (404): the repository {repo}, or what is being commented "
            "on, does not exist or the token cannot see it",
            "check --repo and the PR/issue number, and the token's access to the repository",
        )
    if isinstance(exc, RateLimitExceededException):
        return PublishError(f"{doing}: GitHub rate limit exceeded", "run again later")
    if isinstance(exc, GithubException):
        message = _message(exc.data)
        if exc.status == 403 and FORK_MESSAGE in message:
            return ForkReadOnly(
                f"{doing}: the token is read-only (403 {FORK_MESSAGE}), as GITHUB_TOKEN is "
                "for pull requests from forks",
                "publish from a workflow_run job instead (see the fork-safe workflow in the "
                "README), or pass --allow-fork-skip",
            )
        if exc.status == 403:
            return PublishError(
                f"{doing}: GitHub refused (403 {message})",
                "the token needs pull-requests: write, contents: write (images) and "
                "checks: write (--check)",
            )
        return PublishError(f"{doing}: GitHub answered {exc.status} {message}".rstrip())
    return transport_error(exc, doing, "GitHub")


def _message(data: Any) -> str:
    if isinstance(data, dict):
        return str(data.get("message") or "")
    return str(data or "")
