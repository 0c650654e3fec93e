"""The link to the CI run that made a report: GitHub Actions' run page, GitLab's job (or
pipeline), Jenkins's ``BUILD_URL`` -- shown at the foot of the report."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from mlreport.platforms.jenkins import in_jenkins
from mlreport.platforms.workflow import in_actions

_SAFE = re.compile(r"^https?://[^\s()<>\[\]\"'`]+$")  # nothing that could end a Markdown link


def run_url(env: Mapping[str, str]) -> str | None:
    """The run's web URL, or None outside CI (or when the URL is not a plain http(s) one)."""
    url = ""
    if in_actions(env):
        server, repo, run = (
            env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
            env.get("GITHUB_REPOSITORY", ""),
            env.get("GITHUB_RUN_ID", ""),
        )
        if repo and run.isdigit():
            url = f"{server}/{repo}/actions/runs/{run}"
            attempt = env.get("GITHUB_RUN_ATTEMPT", "")
            if attempt.isdigit() and attempt != "1":
                url += f"/attempts/{attempt}"
    elif env.get("GITLAB_CI") == "true":
        url = env.get("CI_JOB_URL") or env.get("CI_PIPELINE_URL") or ""
    elif in_jenkins(env):
        url = env.get("BUILD_URL", "")
    if not _SAFE.match(url) or "@" in urlsplit(url).netloc:  # no credentials in a link
        return None
    return url
