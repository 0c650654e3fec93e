"""``mlreport pr create``: commit files to a branch through the API and open a pull request."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from mlreport.cli.options import apply, given, option
from mlreport.cli.publish import API_URL, ASSETS_BRANCH, PLATFORM, REPO, TIMEOUT_OPTION, TOKEN
from mlreport.errors import EXIT_OK
from mlreport.platforms.context import PublishOptions

pr_options = apply(
    option("--branch", env="PR_BRANCH", help="Branch to commit to (reused when it exists); "
           "default: mlreport/pr-<commit>."),
    option("--base", "into", env="PR_BASE", metavar="BRANCH",
           help="Branch the pull request goes into; default: the current branch."),
    option("--base-sha", env="PR_BASE_SHA", metavar="SHA",
           help="Commit a new branch starts from; default: the job's commit (HEAD)."),
    option("--title", env="PR_TITLE", help="Title; default: the commit message's first line."),
    option("--message", env="PR_MESSAGE", help="Commit message; default: mlreport: update PATHS."),
    option("--report", env="PR_REPORT", type=click.Path(path_type=Path, file_okay=False,
           exists=True), help="Report directory whose report.md is the body (images hosted)."),
    option("--body", env="PR_BODY", help="Body text (Markdown), instead of --report."),
    option("--label", "labels", env="PR_LABELS", multiple=True, help="Label; repeatable."),
    option("--draft", env="PR_DRAFT", is_flag=True, help="Open it as a draft."),
    option("--auto-merge", env="PR_AUTO_MERGE", is_flag=True,
           help="Merge it once its required checks pass (GitHub: allow auto-merge in the "
           "repository's settings; GitLab: needs a pipeline)."),
)  # fmt: skip


@click.group()
def pr() -> None:
    """Pull requests (GitHub) and merge requests (GitLab) of what a job produced."""


@pr.command()
@click.argument("paths", nargs=-1, required=True)
@pr_options
@apply(PLATFORM, REPO, TOKEN, API_URL, ASSETS_BRANCH, TIMEOUT_OPTION)
def create(paths: tuple[str, ...], **kwargs: Any) -> int:
    """Commit PATHS (files or folders) to a new branch off the current commit -- through the
    platform's API, not git push -- and open a pull request with the report as its body.

    Only files that differ are committed; when none differs, nothing is opened (exit 0). An
    existing --branch is built on and its open pull request updated. Exits 3 when the
    platform refuses (for a pull request that runs workflows, use a token other than the
    workflow's GITHUB_TOKEN: GitHub starts no workflow for what that token pushes).
    """
    from mlreport.proposal import ProposeOptions
    from mlreport.proposal import create as create_pr

    if kwargs.get("report") is not None and kwargs.get("body") is not None:
        raise click.UsageError("--report and --body both give the body: pass one")
    if any(not label.strip() for label in kwargs.get("labels") or ()):
        raise click.UsageError("--label needs a name")
    options = ProposeOptions(paths=paths, **given(kwargs, ProposeOptions))
    create_pr(options, PublishOptions(**given(kwargs, PublishOptions)), os.environ)
    return EXIT_OK
