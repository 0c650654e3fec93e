"""The platforms by name: the one place that picks GitHub, GitLab or local files, and imports
the chosen one's client library only then."""

from __future__ import annotations

from pathlib import Path

from mlreport.errors import PublishError
from mlreport.platforms.base import Platform
from mlreport.platforms.context import Context, PublishOptions


def connect(context: Context, options: PublishOptions, directory: Path) -> Platform:
    """The platform *context* names, ready to publish to (local files: in *directory*)."""
    if context.platform == "local":
        from mlreport.platforms.local import LocalPlatform

        return LocalPlatform(directory, options.records)
    if not context.token:
        name = "GitHub" if context.platform == "github" else "GitLab"
        raise PublishError(
            f"no {name} token",
            f"pass --token or set {name.upper()}_TOKEN (or MLREPORT_TOKEN)",
        )
    if context.platform == "github":
        from mlreport.platforms.github import GitHubPlatform

        return GitHubPlatform(
            context.repo,
            context.token,
            context.api_url,
            context.server_url,
            options.assets_branch,
            options.timeout,
            options.bot_login,
        )
    from mlreport.platforms.gitlab import GitLabPlatform

    return GitLabPlatform(
        context.repo, context.token, context.api_url, options.timeout, options.records_branch
    )
