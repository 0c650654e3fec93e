"""Where the runner commands register runners (a repository or an organization), and how
they reach GitHub: flags first, then the CI environment, then the git remote."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from mlreport import git
from mlreport.errors import UsageError
from mlreport.platforms.context import github_token, github_urls


@dataclass(frozen=True)
class Scope:
    """Where runners are registered: a repository ("owner/name") or an organization."""

    name: str
    org: bool = False

    @property
    def path(self) -> str:
        return f"/orgs/{self.name}" if self.org else f"/repos/{self.name}"

    def describe(self) -> str:
        return f"organization {self.name}" if self.org else f"repository {self.name}"


def runner_scope(repo: str | None, org: str | None, env: Mapping[str, str]) -> Scope | None:
    """--org, else --repo, GITHUB_REPOSITORY or the git remote (a GitHub one); None if none."""
    if org:
        if not re.fullmatch(r"[\w.-]+", org):
            raise UsageError(f"--org {org!r} is not an organization name")
        return Scope(org, org=True)
    repo = repo or env.get("GITHUB_REPOSITORY") or ""
    if not repo:
        remote = git.remote()
        repo = remote[1] if remote and "github" in remote[0] else ""
    if not repo:
        return None
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        raise UsageError(f"--repo {repo!r} is not owner/name")
    return Scope(repo)


@dataclass(frozen=True)
class RunnerAccess:
    """The runner commands' GitHub: where runners register, the token and the API. A token
    and a scope are needed to launch; stop, list and cleanup leave GitHub alone without."""

    scope: Scope | None
    token: str | None
    api_url: str
    server_url: str

    @classmethod
    def resolve(
        cls,
        repo: str | None,
        org: str | None,
        token: str | None,
        api_url: str | None,
        env: Mapping[str, str],
    ) -> RunnerAccess:
        api, server = github_urls(api_url, env)
        return cls(runner_scope(repo, org, env), github_token(token, env), api, server)

    def required_scope(self) -> Scope:
        if self.scope is None:
            raise UsageError(
                "cannot tell which GitHub repository the runner is for",
                "pass --repo owner/name or --org NAME",
            )
        return self.scope

    def required_token(self) -> str:
        if not self.token:
            raise UsageError(
                "no GitHub token",
                "pass --token (in Actions: a secret holding a PAT or App token that may "
                "administer runners; GITHUB_TOKEN cannot)",
            )
        return self.token
