"""Jenkins as the CI: where to publish, from the variables a multibranch pipeline sets.

Jenkins is detected by ``JENKINS_URL`` (or ``BUILD_URL`` with ``JENKINS_HOME``). A pull or
merge request build (GitHub Branch Source, GitLab Branch Source) sets ``CHANGE_ID`` (its
number), ``CHANGE_URL`` (its page: ``https://github.com/o/r/pull/7``,
``https://gitlab.example.com/g/p/-/merge_requests/7``) and ``CHANGE_TARGET`` (the branch it
merges into); every build sets ``GIT_URL``, ``GIT_COMMIT`` and ``BUILD_URL``. The platform,
its host (github.com, a GitHub Enterprise host, gitlab.com, a self-hosted GitLab) and the
repository come from ``CHANGE_URL``, else ``GIT_URL``; the commit from ``GIT_COMMIT``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from mlreport.git import parse_remote

_GITHUB_CHANGE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/pull/(?P<n>\d+)/?$")
_GITLAB_CHANGE = re.compile(r"^/(?P<repo>.+?)/-/merge_requests/(?P<n>\d+)/?$")


@dataclass(frozen=True)
class Jenkins:
    platform: str | None  # "github", "gitlab", or None when the host does not say
    host: str
    scheme: str  # of the web URLs: https, or http for a server without TLS
    repo: str
    change: int | None  # the pull/merge request
    commit: str | None
    target: str | None  # the branch the change merges into
    build_url: str | None

    @property
    def server_url(self) -> str:
        return f"{self.scheme}://{self.host}"


def in_jenkins(env: Mapping[str, str]) -> bool:
    return bool(env.get("JENKINS_URL") or (env.get("BUILD_URL") and env.get("JENKINS_HOME")))


def jenkins(env: Mapping[str, str]) -> Jenkins | None:
    """What the Jenkins variables say, or None outside Jenkins."""
    if not in_jenkins(env):
        return None
    change_id = env.get("CHANGE_ID", "")
    change = int(change_id) if change_id.isdigit() else None
    commit = env.get("GIT_COMMIT") or None
    target = env.get("CHANGE_TARGET") or None
    build = env.get("BUILD_URL") or None
    platform, host, scheme, repo = _from_change_url(env.get("CHANGE_URL", ""))
    if not host:
        platform, host, scheme, repo = _from_git_url(env.get("GIT_URL", ""))
    return Jenkins(platform, host, scheme, repo, change, commit, target, build)


def _kind(host: str, hint: str | None = None) -> str | None:
    if "github" in host:
        return "github"
    if "gitlab" in host:
        return "gitlab"
    return hint


def _from_change_url(url: str) -> tuple[str | None, str, str, str]:
    parts = urlsplit(url)
    if not parts.hostname:
        return None, "", "https", ""
    host = parts.netloc.rsplit("@", 1)[-1]
    for pattern, hint in ((_GITLAB_CHANGE, "gitlab"), (_GITHUB_CHANGE, "github")):
        match = pattern.match(parts.path)
        if match:
            return _kind(host, hint), host, parts.scheme or "https", match.group("repo")
    return None, "", "https", ""


def _from_git_url(url: str) -> tuple[str | None, str, str, str]:
    parsed = parse_remote(url) if url else None
    if parsed is None:
        return None, "", "https", ""
    host, repo = parsed
    scheme = "http" if url.startswith("http://") else "https"
    if url.startswith(("http://", "https://")):
        host = urlsplit(url).netloc.rsplit("@", 1)[-1]  # keep a port: the server's own URL
    return _kind(host), host, scheme, repo
