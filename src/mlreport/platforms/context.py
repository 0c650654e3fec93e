"""Where to publish (and where runners register), from flags first, then the CI
environment, then the git remote.

GitHub Actions: GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_SERVER_URL and the event payload
at GITHUB_EVENT_PATH (the PR number and ``pull_request.head.sha`` -- not GITHUB_SHA, which is
the merge commit).  GitLab CI: CI_MERGE_REQUEST_PROJECT_PATH / CI_PROJECT_PATH,
CI_MERGE_REQUEST_IID, CI_COMMIT_SHA, CI_API_V4_URL.  Jenkins: CHANGE_URL / GIT_URL (the
platform, host and repository), CHANGE_ID, GIT_COMMIT (:mod:`.jenkins`).  Outside CI:
``git remote get-url origin`` and ``git rev-parse HEAD``.  No pull/merge request found: the
head commit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from mlreport import git
from mlreport.errors import PublishError, UsageError
from mlreport.platforms.base import REQUEST_TIMEOUT, Target
from mlreport.platforms.jenkins import jenkins
from mlreport.platforms.marker import DEFAULT_ID
from mlreport.platforms.workflow import in_actions

PlatformName = Literal["github", "gitlab", "local"]
PlatformChoice = Literal["auto", "github", "gitlab", "local"]
Mode = Literal["update", "new", "replace"]


RecordChoice = Literal["auto", "all", "metrics", "off"]


@dataclass(frozen=True)
class PublishOptions:
    """The publish flags (each also an MLREPORT_* variable)."""

    platform: PlatformChoice = "auto"
    repo: str | None = None
    pr: int | None = None
    issue: int | None = None
    commit: str | None = None
    mode: Mode = "update"
    report_id: str = DEFAULT_ID
    token: str | None = None
    api_url: str | None = None
    check: bool = False
    check_name: str = "mlreport"
    images: bool = True
    dry_run: bool = False
    allow_fork_skip: bool = False
    assets_branch: str = "mlreport-assets"  # GitHub: the branch that holds the images
    bot_login: str | None = None  # GitHub: the bot an App token posts as (<app-slug>[bot])
    record: RecordChoice = "auto"  # auto: on a push to the default branch
    records: Path | None = None  # a folder for the records (--platform local: .mlreport/records)
    records_branch: str = "mlreport-records"  # GitLab: the branch that holds the records
    timeout: float = REQUEST_TIMEOUT  # seconds for one request; a slower answer is retried

    def __post_init__(self) -> None:
        if self.pr is not None and self.issue is not None:
            raise UsageError("--pr and --issue name two places to publish", "give one of them")


@dataclass(frozen=True)
class Context:
    platform: PlatformName
    repo: str = ""
    target: Target = field(default_factory=lambda: Target("commit"))
    token: str | None = None
    api_url: str = ""
    server_url: str = ""
    actions: bool = False  # running in GitHub Actions: summary, outputs, masking
    fork: bool = False  # a pull request from a fork (its token is read-only)
    notes: tuple[str, ...] = ()
    find_pull: bool = False  # the target is the head commit, for want of a known PR/MR


def resolve(options: PublishOptions, environ: Mapping[str, str]) -> Context:
    platform = options.platform
    if platform == "auto":
        platform = _detect(options, environ)
    if platform == "local":
        return Context("local", actions=in_actions(environ))
    if platform == "github":
        return _github(options, environ)
    return _gitlab(options, environ)


def _detect(options: PublishOptions, environ: Mapping[str, str]) -> PlatformName:
    if in_actions(environ):
        return "github"
    if environ.get("GITLAB_CI") == "true":
        return "gitlab"
    found = jenkins(environ)
    if found is not None and found.platform is not None:
        return "github" if found.platform == "github" else "gitlab"
    host = (urlsplit(options.api_url).hostname or "") if options.api_url else ""
    if not host:
        remote = git.remote()
        host = remote[0] if remote else ""
    if "github" in host:
        return "github"
    if "gitlab" in host:
        return "gitlab"
    raise UsageError(
        "cannot tell where to publish (not in GitHub Actions or GitLab CI, and neither "
        "Jenkins's CHANGE_URL/GIT_URL nor the git remote names github or gitlab)",
        "pass --platform github|gitlab|local",
    )


def _github(options: PublishOptions, env: Mapping[str, str]) -> Context:
    remote = git.remote()
    ci = jenkins(env) if not in_actions(env) else None
    ci = ci if ci is not None and ci.host and ci.platform in ("github", None) else None
    host = remote[0] if remote and "github" in remote[0] else "github.com"
    host = ci.host if ci is not None else host
    api_url, server_url = github_urls(options.api_url, env, host, ci.scheme if ci else "https")
    repo = (
        options.repo
        or env.get("GITHUB_REPOSITORY")
        or (ci.repo if ci is not None else "")
        or (remote[1] if remote else "")
    )
    if not re.fullmatch(r"[\w.-]+/[\w.-]+", repo):
        raise UsageError(
            f"cannot tell which GitHub repository to publish to{f' ({repo!r})' if repo else ''}",
            "pass --repo owner/name",
        )
    token = github_token(options.token, env)
    target, fork, notes = _github_target(options, env)
    derived = target.kind == "commit" and not options.commit
    return Context(
        "github", repo, target, token, api_url, server_url, in_actions(env), fork, notes, derived
    )


def github_urls(
    api_url: str | None, env: Mapping[str, str], host: str = "github.com", scheme: str = "https"
) -> tuple[str, str]:
    """(API URL, web URL) of GitHub: *api_url*, else GITHUB_API_URL, else *host*'s (the git
    remote's or Jenkins's host, for GitHub Enterprise outside Actions)."""
    api = (api_url or env.get("GITHUB_API_URL") or "").rstrip("/")
    if not api:
        api = "https://api.github.com" if host == "github.com" else f"{scheme}://{host}/api/v3"
    check_url(api, "e.g. https://ghe.example.com/api/v3")
    server = (env.get("GITHUB_SERVER_URL") or web_url(api)).rstrip("/")
    return api, server


def check_url(url: str, example: str) -> str:
    """An http(s) URL with a host, or a UsageError naming it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", url):
        raise UsageError(f"--api-url {url!r} is not an http(s) URL", example)
    return url


def github_token(token: str | None, env: Mapping[str, str]) -> str | None:
    return token or env.get("GITHUB_TOKEN") or env.get("MLREPORT_TOKEN") or None


def web_url(api_url: str) -> str:
    """https://api.github.com -> https://github.com; https://host/api/v3 -> https://host."""
    parts = urlsplit(api_url)
    if parts.hostname == "api.github.com":
        return "https://github.com"
    path = re.sub(r"/api/v3/?$", "", parts.path)
    return f"{parts.scheme}://{parts.netloc}{path}"


def default_branch_commit(env: Mapping[str, str]) -> str | None:
    """The commit of this CI run when it is a push to the default branch (GitHub's push
    event, or a workflow_run of a run that one triggered in this repository -- the fork-safe
    publishing workflow; GitLab's branch pipeline of it), else None: that commit's report is
    recorded. A pull request's run never is: its code could write any record."""
    if in_actions(env):
        name = env.get("GITHUB_EVENT_NAME")
        event = _event(env) if name in ("push", "workflow_run") else {}
        repository = event.get("repository") or {}
        default = repository.get("default_branch")
        if name == "workflow_run":  # publishing what a push to the default branch rendered
            run = event.get("workflow_run") or {}
            source = (run.get("head_repository") or {}).get("full_name")
            pushed = run.get("event") == "push" and run.get("head_branch") == default
            if default and pushed and source == repository.get("full_name"):
                return str(run.get("head_sha") or "") or None
            return None
        if default and env.get("GITHUB_REF") == f"refs/heads/{default}":
            return env.get("GITHUB_SHA") or str(event.get("after") or "") or None
        return None
    if env.get("GITLAB_CI") == "true" and not env.get("CI_MERGE_REQUEST_IID"):
        branch = env.get("CI_COMMIT_BRANCH")
        if branch and branch == env.get("CI_DEFAULT_BRANCH"):
            return env.get("CI_COMMIT_SHA") or None
    return None


def _event(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # no usable payload: as if there were none
        return {}
    return data if isinstance(data, dict) else {}


def _github_target(
    options: PublishOptions, env: Mapping[str, str]
) -> tuple[Target, bool, tuple[str, ...]]:
    if options.pr is not None:
        return Target("pr", options.pr, options.commit), False, ()
    if options.issue is not None:
        return Target("issue", options.issue, options.commit), False, ()
    if options.commit:
        return Target("commit", sha=options.commit), False, ()
    event = _event(env)
    pull = event.get("pull_request")
    if isinstance(pull, dict) and isinstance(pull.get("number"), int):
        head = pull.get("head") or {}
        base = pull.get("base") or {}
        head_repo = ((head.get("repo") or {}).get("full_name")) or ""
        base_repo = ((base.get("repo") or {}).get("full_name")) or env.get("GITHUB_REPOSITORY")
        fork = bool(head_repo) and head_repo != base_repo
        return Target("pr", pull["number"], head.get("sha")), fork, ()
    issue = event.get("issue")
    if (
        isinstance(issue, dict)
        and issue.get("pull_request")
        and isinstance(issue.get("number"), int)
    ):
        return Target("pr", issue["number"]), False, ()
    run = event.get("workflow_run")
    if isinstance(run, dict):
        pulls = run.get("pull_requests") or []
        if pulls and isinstance(pulls[0].get("number"), int):
            return Target("pr", pulls[0]["number"], run.get("head_sha")), False, ()
    ci = jenkins(env) if not in_actions(env) else None
    if ci is not None and ci.change is not None:
        return Target("pr", ci.change, ci.commit), False, ()
    sha = env.get("GITHUB_SHA") or (ci.commit if ci is not None else None) or git.head()
    if not sha:
        raise UsageError(
            "no pull request, issue or commit to publish to", "pass --pr N or --commit SHA"
        )
    note = f"no pull request found: commenting on commit {sha[:12]}"
    return Target("commit", sha=sha), False, (note,)


def _gitlab(options: PublishOptions, env: Mapping[str, str]) -> Context:
    remote = git.remote()
    ci = jenkins(env) if env.get("GITLAB_CI") != "true" else None
    ci = ci if ci is not None and ci.host and ci.platform in ("gitlab", None) else None
    server = env.get("CI_SERVER_URL") or (
        ci.server_url
        if ci is not None
        else f"https://{remote[0]}"
        if remote and "gitlab" in remote[0]
        else "https://gitlab.com"
    )
    api_url = (options.api_url or env.get("CI_API_V4_URL") or f"{server}/api/v4").rstrip("/")
    check_url(api_url, "e.g. https://gitlab.example.com/api/v4")
    api_url = re.sub(r"/api/v4$", "", api_url)  # python-gitlab wants the server URL
    repo = (
        options.repo
        or env.get("CI_MERGE_REQUEST_PROJECT_PATH")  # an MR from a fork: its target project
        or env.get("CI_PROJECT_PATH")
        or (ci.repo if ci is not None else "")
        or (remote[1] if remote else "")
    )
    if not repo:
        raise UsageError(
            "cannot tell which GitLab project to publish to", "pass --repo group/project"
        )
    token = options.token or env.get("GITLAB_TOKEN") or env.get("MLREPORT_TOKEN")
    if not token and env.get("CI_JOB_TOKEN"):
        raise PublishError(
            "only CI_JOB_TOKEN is set, and it cannot post merge request notes",
            "create a project access token with the api scope, store it in a masked CI/CD "
            "variable and expose it as GITLAB_TOKEN",
        )
    notes: tuple[str, ...] = ()
    mr = options.pr
    if mr is None and options.issue is None and env.get("CI_MERGE_REQUEST_IID", "").isdigit():
        mr = int(env["CI_MERGE_REQUEST_IID"])
    if mr is None and options.issue is None and ci is not None:
        mr = ci.change
    sha = options.commit or env.get("CI_COMMIT_SHA") or (ci.commit if ci is not None else None)
    if mr is not None:
        target = Target("pr", mr, sha)
    elif options.issue is not None:
        target = Target("issue", options.issue, sha)
    else:
        sha = sha or git.head()
        if not sha:
            raise UsageError("no merge request, issue or commit to publish to", "pass --mr N")
        target = Target("commit", sha=sha)
        if not options.commit:
            notes = (f"no merge request found: commenting on commit {sha[:12]}",)
    derived = target.kind == "commit" and not options.commit
    return Context("gitlab", repo, target, token, api_url, server, False, False, notes, derived)
