"""``mlreport publish``, and the publish options that render and run share (``--publish``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, get_args

import click

from mlreport.cli.mlflow import log_to_mlflow, mlflow_options, mlflow_target
from mlreport.cli.options import apply, given, option
from mlreport.cli.types import TIMEOUT
from mlreport.errors import EXIT_OK, Reported
from mlreport.platforms.context import Mode, PlatformChoice, PublishOptions, RecordChoice

PUBLISH = PublishOptions()


PLATFORM = option(
    "--platform",
    env="PLATFORM",
    default=PUBLISH.platform,
    show_default=True,
    type=click.Choice(get_args(PlatformChoice)),
    help="Where to publish; auto: from the CI environment or the git remote.",
)
REPO = option("--repo", env="REPO", help="owner/name (GitHub) or group/sub/project (GitLab).")
PR = option(
    "--pr",
    "--mr",
    "pr",
    env="PR",
    type=click.IntRange(min=1),
    help="Pull request (GitHub) or merge request (GitLab) number.",
)
ISSUE = option("--issue", env="ISSUE", type=click.IntRange(min=1), help="Comment on an issue.")
COMMIT = option(
    "--commit",
    env="COMMIT",
    metavar="SHA",
    help="Comment on this commit (with --pr: the head commit for --check).",
)
MODE = option(
    "--mode",
    env="MODE",
    default=PUBLISH.mode,
    show_default=True,
    type=click.Choice(get_args(Mode)),
    help="update: edit the report comment in place; new: always add one; replace: "
    "delete the old one and post anew.",
)
ID = option(
    "--id",
    "report_id",
    env="ID",
    default=PUBLISH.report_id,
    show_default=True,
    help="Which sticky comment: several reports per PR need different ids.",
)
TOKEN = option(
    "--token",
    env="TOKEN",
    help="API token (else GITHUB_TOKEN / GITLAB_TOKEN / MLREPORT_TOKEN).",
)
API_URL = option(
    "--api-url",
    env="API_URL",
    help="API URL for GitHub Enterprise or self-hosted GitLab (else GITHUB_API_URL / "
    "CI_API_V4_URL).",
)
CHECK = option(
    "--check",
    env="CHECK",
    is_flag=True,
    help="Also set a GitHub check run (GitLab: a commit status) from the gates.",
)
CHECK_NAME = option(
    "--check-name",
    env="CHECK_NAME",
    default=PUBLISH.check_name,
    show_default=True,
    help="Name of the check run / commit status.",
)
NO_IMAGES = option(
    "--no-images", "no_images", env="NO_IMAGES", is_flag=True, help="Do not upload the charts."
)
DRY_RUN = option(
    "--dry-run", env="DRY_RUN", is_flag=True, help="Print what would be sent; send nothing."
)
ALLOW_FORK_SKIP = option(
    "--allow-fork-skip",
    env="ALLOW_FORK_SKIP",
    is_flag=True,
    help="A read-only token (fork pull request) is a warning, not an error.",
)
BOT_LOGIN = option(
    "--bot-login",
    env="BOT_LOGIN",
    metavar="LOGIN",
    help="GitHub App token: the bot it posts as (<app-slug>[bot]); only its comments are "
    "updated. Default: the token's user, or any bot for the workflow's GITHUB_TOKEN.",
)
ASSETS_BRANCH = option(
    "--assets-branch",
    env="ASSETS_BRANCH",
    default=PUBLISH.assets_branch,
    show_default=True,
    help="GitHub branch that holds the report images.",
)
TIMEOUT_OPTION = option(
    "--timeout",
    env="TIMEOUT",
    type=TIMEOUT,
    default=PUBLISH.timeout,
    show_default=True,
    help="Seconds to wait for one answer before retrying.",
)
RECORD = option(
    "--record",
    env="RECORD",
    default=PUBLISH.record,
    show_default=True,
    type=click.Choice(get_args(RecordChoice)),
    help="Keep this report as the baseline of later pull requests: auto: when this is a "
    "push to the default branch; all: always, with the outcomes of every example (paired "
    "comparisons); metrics: always, metrics only (no test labels or predictions); off.",
)
RECORDS = option(
    "--records",
    env="RECORDS",
    type=click.Path(path_type=Path, file_okay=False),
    help="Keep and find records in this folder (as DIR/records/...) instead of on the "
    "platform (--platform local: .mlreport).",
)
RECORDS_BRANCH = option(
    "--records-branch",
    env="RECORDS_BRANCH",
    default=PUBLISH.records_branch,
    show_default=True,
    help="GitLab branch that holds the records (GitHub keeps them in --assets-branch).",
)

publish_options = apply(
    PLATFORM,
    REPO,
    PR,
    ISSUE,
    COMMIT,
    MODE,
    ID,
    TOKEN,
    API_URL,
    CHECK,
    CHECK_NAME,
    NO_IMAGES,
    DRY_RUN,
    ALLOW_FORK_SKIP,
    BOT_LOGIN,
    ASSETS_BRANCH,
    RECORD,
    RECORDS,
    RECORDS_BRANCH,
    TIMEOUT_OPTION,
    mlflow_options,
)
# Where records are looked up (check and diff; render and run have all of publish_options).
lookup_options = apply(
    PLATFORM, REPO, ID, TOKEN, API_URL, ASSETS_BRANCH, RECORDS, RECORDS_BRANCH, TIMEOUT_OPTION
)


def build_lookup_options(kwargs: dict[str, Any]) -> PublishOptions:
    """Where --baseline REF finds records (check, diff: only the lookup options)."""
    from mlreport.platforms.marker import check_id

    publish = PublishOptions(**given(kwargs, PublishOptions))
    check_id(publish.report_id)
    return publish


def build_publish_options(kwargs: dict[str, Any]) -> PublishOptions:
    from mlreport.platforms.marker import check_id

    options = given(kwargs, PublishOptions)
    options["images"] = not kwargs.get("no_images")
    publish = PublishOptions(**options)
    check_id(publish.report_id)
    return publish


@click.command()
@click.argument("report", type=click.Path(path_type=Path), default=Path("report"))
@publish_options
def publish(report: Path, **kwargs: Any) -> int:
    """Post REPORT (a directory written by render or run) as a comment on the pull/merge
    request, updating the previous one, with its charts hosted on the platform.

    In CI everything comes from the environment: `mlreport publish report/`. In GitHub
    Actions the report also goes to the job summary and step outputs. Exits 3 when
    publishing fails; the report files are already written.
    """
    from mlreport.publish import publish as publish_report

    options = build_publish_options(kwargs)
    logged = log_to_mlflow(report, mlflow_target(kwargs))
    publish_report(report, options, os.environ)
    if logged is not None:
        raise Reported(logged)
    return EXIT_OK
