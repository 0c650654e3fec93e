"""``mlreport runner launch|stop|list|cleanup``: one-job EC2 GPU runners for GitHub Actions."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mlreport.cli.options import apply, option
from mlreport.cli.types import TIMEOUT, Duration, Number, Words
from mlreport.errors import EXIT_OK, UsageError
from mlreport.platforms.base import REQUEST_TIMEOUT
from mlreport.runners.launch import LaunchOptions
from mlreport.runners.state import DEFAULT as STATE_FILE

if TYPE_CHECKING:
    from mlreport.platforms.scope import RunnerAccess
    from mlreport.runners.aws import Aws
    from mlreport.runners.registry import Registry

GRACE = 20 * 60  # seconds: cleanup leaves a younger instance alone (it is still booting)


_scope_options = apply(
    option("--repo", env="REPO", help="owner/name (else GITHUB_REPOSITORY or the git remote)."),
    option("--org", env="ORG", help="Register organization runners instead of repository ones."),
    option(
        "--token",
        env="TOKEN",
        help="GitHub token that may administer runners (else GITHUB_TOKEN): a PAT with "
        "repo (admin:org with --org), or Administration: write.",
    ),
    option("--api-url", env="API_URL", help="GitHub API URL (else GITHUB_API_URL)."),
    option("--region", env="REGION", help="AWS region (else AWS_REGION / AWS_DEFAULT_REGION)."),
    option(
        "--api-timeout",
        "timeout",
        env="TIMEOUT",
        type=TIMEOUT,
        default=REQUEST_TIMEOUT,
        show_default=True,
        help="Seconds to wait for one GitHub answer before retrying.",
    ),
)
_state_option = option(
    "--state-file",
    env="STATE_FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    default=STATE_FILE,
    show_default=True,
    help="Where launch records what it started (stop reads it when given no label).",
)


@click.group()
def runner() -> None:
    """One-job GitHub Actions runners on EC2 GPU instances that always go away.

    Needs the aws extra (pip install 'mlreport[aws]'), AWS credentials in the environment and
    a GitHub token that may administer runners. Exit codes: 0 ok, 2 usage, 3 GitHub/AWS
    error, timeout or cancellation (the instance is terminated first).
    """


@runner.command()
@_scope_options
@option("--label", env="LABEL", help="Runner label (default mlreport-RUNID-ATTEMPT in Actions).")
@option(
    "--instance-type",
    "instance_types",
    env="INSTANCE_TYPE",
    type=Words(),
    multiple=True,
    help="EC2 instance type; repeat or separate by commas for fallbacks, in order.",
)
@option(
    "--subnet",
    "subnets",
    env="SUBNET",
    type=Words(),
    multiple=True,
    help="Subnet (its zone); repeat for fallbacks (default: the default VPC's choice).",
)
@option("--spot", env="SPOT", is_flag=True, help="Try spot first, then on-demand.")
@option("--ami", env="AMI", help="AMI id (default: the AWS Deep Learning Base GPU AMI).")
@option(
    "--security-group",
    "security_groups",
    env="SECURITY_GROUP",
    type=Words(),
    multiple=True,
    help="Security group ids (default: the VPC's default). mlreport opens no ports.",
)
@option("--volume-size", env="VOLUME_SIZE", type=click.IntRange(min=8), help="Root volume, GiB.")
@option(
    "--max-lifetime",
    env="MAX_LIFETIME",
    type=Duration(),
    default=Duration.text(LaunchOptions.max_lifetime * 60),
    show_default=True,
    help="Dead-man switch: the instance powers off (terminates) after this, whatever happens.",
)
@option(
    "--idle-timeout",
    env="IDLE_TIMEOUT",
    type=Duration(),
    default=Duration.text(LaunchOptions.idle_timeout * 60),
    show_default=True,
    help="Power off if no job has started this long after the runner came up.",
)
@option(
    "--wait-timeout",
    env="WAIT_TIMEOUT",
    type=Duration(),
    default=Duration.text(LaunchOptions.wait_timeout),
    show_default=True,
    help="How long to wait for the runner to be online before terminating the instance.",
)
@option(
    "--poll-interval",
    env="POLL_INTERVAL",
    type=Number(min=0.01, max=3600),
    default=LaunchOptions.poll_interval,
    show_default=True,
    help="Seconds between checks while waiting.",
)
@option("--runner-version", env="RUNNER_VERSION", help="actions/runner release to install.")
@option(
    "--runner-group-id",
    env="RUNNER_GROUP_ID",
    type=click.IntRange(min=1),
    default=LaunchOptions.runner_group_id,
    show_default=True,
    help="Runner group (1 is Default).",
)
@option(
    "--ephemeral",
    env="EPHEMERAL",
    is_flag=True,
    help="Register with a registration token (config.sh --ephemeral) instead of a "
    "just-in-time config, e.g. on GitHub Enterprise Server before 3.10.",
)
@option(
    "--gpu-check/--no-gpu-check",
    env="GPU_CHECK",
    default=LaunchOptions.gpu_check,
    show_default=True,
    help="Power off at boot unless nvidia-smi works.",
)
@_state_option
def launch(**kw: Any) -> int:
    """Start an EC2 instance that runs one job as a self-hosted runner, and wait until the
    runner is online. Prints the label to put in `runs-on`; in GitHub Actions also sets the
    step outputs label, instance-id, instance-type, market, subnet-id, availability-zone,
    region and runner-id."""
    from mlreport.runners.launch import default_label, launch, run_id

    env = os.environ
    access = _access(kw)
    options = LaunchOptions(
        scope=access.required_scope(),
        token=access.required_token(),
        api_url=access.api_url,
        server_url=access.server_url,
        label=kw["label"] or default_label(env),
        run_id=run_id(env),
        instance_types=Words.split(kw["instance_types"]),
        subnets=Words.split(kw["subnets"]),
        spot=kw["spot"],
        ami=kw["ami"],
        security_groups=Words.split(kw["security_groups"]),
        volume_size=kw["volume_size"],
        max_lifetime=_minutes(kw["max_lifetime"], "--max-lifetime"),
        idle_timeout=_minutes(kw["idle_timeout"], "--idle-timeout"),
        wait_timeout=kw["wait_timeout"],
        poll_interval=kw["poll_interval"],
        runner_version=kw["runner_version"] or LaunchOptions.runner_version,
        runner_group_id=kw["runner_group_id"],
        ephemeral=kw["ephemeral"],
        gpu_check=kw["gpu_check"],
        state_file=kw["state_file"],
        timeout=kw["timeout"],
    )
    launched = launch(options, _aws(kw), env, click.echo)
    click.echo(launched.label)
    return EXIT_OK


@runner.command()
@_scope_options
@option("--label", env="LABEL", help="Stop the instance(s) with this label.")
@option("--instance-id", env="INSTANCE_ID", help="Stop this instance (must be mlreport's).")
@_state_option
def stop(**kw: Any) -> int:
    """Terminate a launched instance and remove its runner. With neither --label nor
    --instance-id: the state file's, else (in GitHub Actions) this run's default label.
    Stopping what is already gone succeeds."""
    from mlreport.runners import manage, state
    from mlreport.runners.launch import check_label, default_label

    env = os.environ
    label, instance_id = kw["label"], kw["instance_id"]
    saved = state.read(kw["state_file"]) if not (label or instance_id) else None
    if saved:
        label, instance_id = saved.get("label"), saved.get("instance-id")
        if not (kw["repo"] or kw["org"]):  # remove the runner where launch registered it
            kw["org" if saved.get("org") else "repo"] = saved.get("repo")
    elif not (label or instance_id) and env.get("GITHUB_RUN_ID"):
        label = default_label(env)
    if label:
        check_label(label)
    aws = _aws(kw)
    with _registry(_access(kw), kw["timeout"]) as registry:
        manage.stop(aws, registry, click.echo, label=label, instance_id=instance_id)
    if saved:
        kw["state_file"].unlink(missing_ok=True)
    return EXIT_OK


@runner.command(name="list")
@_scope_options
def list_(**kw: Any) -> int:
    """List mlreport's instances (of --repo/--org, or all) with their runner's status."""
    from tabulate import tabulate

    from mlreport.runners import manage

    aws = _aws(kw)
    access = _access(kw)
    with _registry(access, kw["timeout"]) as registry:
        rows = manage.listing(aws, registry, access.scope.name if access.scope else None)
    if not rows:
        click.echo(f"no mlreport instances in {aws.region}")
        return EXIT_OK
    click.echo(tabulate(rows, headers=list(manage.LISTING)))
    return EXIT_OK


@runner.command()
@_scope_options
@option(
    "--grace",
    env="GRACE",
    type=Duration(),
    default=Duration.text(GRACE),
    show_default=True,
    help="An instance younger than this is still booting: left alone without a runner.",
)
@option("--dry-run", env="DRY_RUN", is_flag=True, help="Print what would be done; do nothing.")
@option(
    "--rerun",
    env="RERUN",
    is_flag=True,
    help="Re-run, once, the workflow runs whose spot runner EC2 reclaimed (the token needs "
    "Actions: write).",
)
def cleanup(**kw: Any) -> int:
    """Terminate mlreport instances of the repository that are past their expiry or have no
    online runner, and remove offline runners mlreport registered; say which jobs lost their
    spot runner (--rerun: run them again, once). For a scheduled workflow
    (examples/workflows/github-gpu-cleanup.yml)."""
    from mlreport.runners import manage

    access = _access(kw)
    scope = access.required_scope()
    aws = _aws(kw)
    with _registry(access, kw["timeout"]) as registry:
        grace = timedelta(seconds=kw["grace"])
        manage.cleanup(
            aws,
            registry,
            scope.name,
            click.echo,
            grace=grace,
            dry_run=kw["dry_run"],
            rerun=kw["rerun"],
        )
    return EXIT_OK


def _minutes(seconds: float, name: str) -> int:
    minutes = round(seconds / 60)
    if minutes < 1:
        raise UsageError(f"{name} must be at least 1 minute")
    return minutes


def _access(kw: dict[str, Any]) -> RunnerAccess:
    from mlreport.platforms.scope import RunnerAccess

    return RunnerAccess.resolve(kw["repo"], kw["org"], kw["token"], kw["api_url"], os.environ)


def _aws(kw: dict[str, Any]) -> Aws:
    from mlreport.runners.aws import connect

    return connect(kw["region"])


def _registry(access: RunnerAccess, timeout: float) -> AbstractContextManager[Registry | None]:
    """The runner registry of the scope, closed at the end; None without a token or scope
    (stop, list and cleanup then leave GitHub alone)."""
    from mlreport.runners.registry import Registry

    if not access.token or access.scope is None:
        return nullcontext(None)
    return Registry(access.scope, access.token, access.api_url, timeout)
