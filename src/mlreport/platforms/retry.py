"""One bounded retry policy for both API clients (mounted as urllib3 ``Retry``).

Retries 5xx answers, 429, connection errors and timeouts, with exponential backoff and
jitter; honours ``Retry-After``, and ``x-ratelimit-reset`` when ``x-ratelimit-remaining`` is
0 (GitHub's primary limit).  Everything is bounded: a number of attempts, a longest single
wait (a server asking for more makes mlreport give up at once, with a clear message, rather
than sleep for an hour) and a total time.  The GitHub variant also retries 403 secondary
rate limits, through PyGithub's ``GithubRetry``.
"""

from __future__ import annotations

import time
from typing import Any

from urllib3.util.retry import Retry

from mlreport.platforms.base import WaitTooLong

ATTEMPTS = 5
LONGEST_WAIT = 60.0
TOTAL_TIME = 180.0
RETRY_STATUSES = (429, 500, 502, 503, 504)


class BoundedRetry(Retry):
    """urllib3 Retry with a deadline and capped, rate-limit-aware waits."""

    def __init__(
        self, *, longest_wait: float = LONGEST_WAIT, deadline: float | None = None, **kwargs: Any
    ) -> None:
        self.longest_wait = longest_wait
        self.deadline = deadline
        super().__init__(**kwargs)

    def new(self, **kw: Any) -> Any:
        kw.setdefault("longest_wait", self.longest_wait)
        kw.setdefault("deadline", self.deadline)
        return super().new(**kw)

    def get_retry_after(self, response: Any) -> float | None:
        wait = super().get_retry_after(response)
        headers = response.headers
        if wait is None and headers.get("x-ratelimit-remaining") == "0":
            reset = headers.get("x-ratelimit-reset", "")
            if reset.isdigit():
                wait = max(0.0, int(reset) - time.time()) + 1  # the reset second itself
        if wait is not None and wait > self.longest_wait:
            raise WaitTooLong(wait, self.longest_wait)
        return wait

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if self.deadline is not None and time.monotonic() > self.deadline:
            return False
        return bool(super().is_retry(method, status_code, has_retry_after))

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Any:
        if self.deadline is not None and time.monotonic() > self.deadline:
            from urllib3.exceptions import MaxRetryError, ResponseError

            reason = error or ResponseError("mlreport's time budget for retries is spent")
            raise MaxRetryError(_pool, url or "", reason)
        return super().increment(method, url, response, error, _pool, _stacktrace)


RETRY_AFTER_STATUSES = frozenset({403, 413, 429, 503})


def _settings(attempts: int, total_time: float) -> dict[str, Any]:
    return {
        "total": attempts,
        "status_forcelist": list(RETRY_STATUSES),
        "allowed_methods": None,  # POST too: duplicates a retried POST makes are cleaned up
        "backoff_factor": 0.5,
        "backoff_max": 10.0,
        "backoff_jitter": 0.25,
        "deadline": time.monotonic() + total_time,
    }


def bounded_retry(attempts: int = ATTEMPTS, total_time: float = TOTAL_TIME) -> BoundedRetry:
    """The policy for plain requests sessions (python-gitlab)."""
    retry = BoundedRetry(**_settings(attempts, total_time))
    retry.RETRY_AFTER_STATUS_CODES = RETRY_AFTER_STATUSES
    return retry


def github_retry(attempts: int = ATTEMPTS, total_time: float = TOTAL_TIME) -> Any:
    """The policy for PyGithub: the above, plus its 403 secondary-rate-limit handling."""
    from github.GithubRetry import GithubRetry

    class GitHubBoundedRetry(BoundedRetry, GithubRetry):
        RETRY_AFTER_STATUS_CODES = RETRY_AFTER_STATUSES

    return GitHubBoundedRetry(
        secondary_rate_wait=LONGEST_WAIT,
        max_rate_limit_wait=LONGEST_WAIT,
        **_settings(attempts, total_time),
    )
