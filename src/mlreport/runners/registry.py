"""Self-hosted runners on GitHub, through PyGithub: just-in-time configs, registration
tokens, the paged runner list and deletion, for a repository or an organization.

Registering runners needs admin rights, which GITHUB_TOKEN never has: a classic personal
access token with ``repo`` (``admin:org`` for organization runners), a fine-grained token with
the Administration permission (organization: Self-hosted runners) set to write, or a GitHub
App installation token with the same permissions.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from mlreport.errors import PlatformError, RunnerError
from mlreport.platforms.base import rate_limited, translated, transport_error
from mlreport.platforms.scope import Scope

TOKEN_HINT = (
    "use a token that may administer runners: a classic PAT with the repo scope (admin:org "
    "with --org) or a fine-grained token with Administration: write (Self-hosted runners: "
    "write with --org); GITHUB_TOKEN cannot"
)


@dataclass(frozen=True)
class Runner:
    id: int
    name: str
    status: str  # "online" or "offline"
    busy: bool
    labels: tuple[str, ...]


class Registry:
    def __init__(self, scope: Scope, token: str, api_url: str, timeout: float) -> None:
        from mlreport.platforms.github_api import client  # PyGithub, urllib3: not at start-up

        self.scope = scope
        self._gh = client(token, api_url, timeout)
        # never PyGithub's DEBUG log, not even with --debug: it prints response bodies, and
        # these hold the runner's JIT config or registration token
        logging.getLogger("github").setLevel(logging.INFO)

    def close(self) -> None:
        self._gh.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _errors(self, doing: str) -> AbstractContextManager[None]:
        return translated(explain, doing, self.scope.describe())

    def jit_config(self, name: str, labels: list[str], group_id: int = 1) -> tuple[Runner, str]:
        """A single-use configuration for one runner (it exists, offline, from now on)."""
        body = {"name": name, "runner_group_id": group_id, "labels": labels}
        with self._errors(f"creating the runner {name}"):
            _, data = self._gh.requester.requestJsonAndCheck(
                "POST", f"{self.scope.path}/actions/runners/generate-jitconfig", input=body
            )
        return _runner(data["runner"]), str(data["encoded_jit_config"])

    def registration_token(self) -> str:
        with self._errors("creating a runner registration token"):
            _, data = self._gh.requester.requestJsonAndCheck(
                "POST", f"{self.scope.path}/actions/runners/registration-token"
            )
        return str(data["token"])

    def runners(self, name: str | None = None) -> list[Runner]:
        """Every runner of the scope (all pages), or those named *name*."""
        from github.PaginatedList import PaginatedList
        from github.SelfHostedActionsRunner import SelfHostedActionsRunner

        pages = PaginatedList(
            SelfHostedActionsRunner,
            self._gh.requester,
            f"{self.scope.path}/actions/runners",
            {"name": name} if name else None,
            list_item="runners",
        )
        with self._errors("listing runners"):
            return [_runner(r.raw_data) for r in pages if name is None or r.name == name]

    def delete(self, runner_id: int) -> bool:
        """Remove a runner; False when it was already gone (404)."""
        from github import UnknownObjectException

        try:
            with self._errors(f"removing runner {runner_id}"):
                self._gh.requester.requestJsonAndCheck(
                    "DELETE", f"{self.scope.path}/actions/runners/{runner_id}"
                )
        except RunnerError as exc:
            if isinstance(exc.__cause__, UnknownObjectException):
                return False
            raise
        return True

    def workflow_run(self, run_id: int) -> WorkflowRun:
        """A workflow run of the repository (GET …/actions/runs/{id})."""
        with self._errors(f"reading workflow run {run_id}"):
            _, data = self._gh.requester.requestJsonAndCheck(
                "GET", f"{self.scope.path}/actions/runs/{run_id}"
            )
        return WorkflowRun(
            run_id,
            str(data.get("status") or ""),
            data.get("conclusion"),
            int(data.get("run_attempt") or 1),
            str(data.get("html_url") or ""),
        )

    def rerun(self, run_id: int) -> None:
        """Run every job of a completed run again, as its next attempt (launch job too: a
        new runner, under a new label)."""
        with self._errors(f"re-running workflow run {run_id}"):
            self._gh.requester.requestJsonAndCheck(
                "POST", f"{self.scope.path}/actions/runs/{run_id}/rerun"
            )


@dataclass(frozen=True)
class WorkflowRun:
    id: int
    status: str  # queued, in_progress, completed, …
    conclusion: str | None  # success, failure, cancelled, … (None until completed)
    attempt: int
    url: str


def _runner(data: dict[str, Any]) -> Runner:
    return Runner(
        id=int(data["id"]),
        name=str(data["name"]),
        status=str(data.get("status", "")),
        busy=bool(data.get("busy")),
        labels=tuple(str(label.get("name")) for label in data.get("labels", [])),
    )


def explain(exc: BaseException, doing: str, where: str) -> PlatformError:
    from github import BadCredentialsException, GithubException

    limited = rate_limited(exc, doing, "GitHub", RunnerError)
    if limited is not None:
        return limited
    if isinstance(exc, BadCredentialsException):
        return RunnerError(f"{doing}: GitHub rejected the token (401 Bad credentials)", TOKEN_HINT)
    if isinstance(exc, GithubException):
        message = exc.data.get("message", "") if isinstance(exc.data, dict) else ""
        if exc.status in (403, 404):
            return RunnerError(
                f"{doing}: GitHub answered {exc.status} {message or 'Not Found'} for the "
                f"{where}: it does not exist or the token may not administer its runners",
                TOKEN_HINT,
            )
        if exc.status == 409:
            return RunnerError(
                f"{doing}: a runner of that name already exists in the {where}",
                "pass another --label, or remove that runner (mlreport runner stop --label …)",
            )
        return RunnerError(f"{doing}: GitHub answered {exc.status} {message}".rstrip())
    return transport_error(exc, doing, "GitHub", RunnerError)
