"""``mlreport runner launch``: a one-job GitHub Actions runner on a new EC2 instance.

The order makes every failure end with nothing left running:

1. find the AMI (this checks the AWS credentials before anything is created);
2. create the runner on GitHub (a just-in-time config: it exists, offline, from now on);
3. start the instance (the first candidate with capacity) and, before anything else,
   record it: the state file and the step outputs;
4. wait for the runner to be online, watching the instance too.

From 2 on, an error, a timeout or SIGTERM/SIGINT terminates the instance and removes the
runner before mlreport exits. What cannot be undone from here (the process is killed) is
caught by the instance's own dead-man switch and by ``mlreport runner cleanup``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from mlreport import redact
from mlreport.errors import RunnerError, UsageError
from mlreport.platforms import workflow
from mlreport.platforms.base import REQUEST_TIMEOUT
from mlreport.platforms.scope import Scope
from mlreport.runners import bootscript, ec2, state
from mlreport.runners.aws import Aws
from mlreport.runners.registry import Registry, Runner
from mlreport.runners.signals import Cancellation

Say = Callable[[str], None]
NOT_FOUND_GRACE = 60.0  # seconds a new instance may be missing from DescribeInstances


@dataclass(frozen=True)
class LaunchOptions:
    scope: Scope
    token: str
    api_url: str
    server_url: str
    label: str
    run_id: str
    instance_types: tuple[str, ...]
    subnets: tuple[str, ...] = ()
    spot: bool = False
    ami: str | None = None
    security_groups: tuple[str, ...] = ()
    volume_size: int | None = None
    max_lifetime: int = 360  # minutes
    idle_timeout: int = 15  # minutes
    wait_timeout: float = 900.0  # seconds
    poll_interval: float = 10.0  # seconds
    runner_version: str = bootscript.RUNNER_VERSION
    runner_group_id: int = 1
    ephemeral: bool = False
    gpu_check: bool = True
    state_file: Path = state.DEFAULT
    timeout: float = REQUEST_TIMEOUT  # per GitHub request

    def __post_init__(self) -> None:
        """Options that cannot work are refused here, before AWS is even connected."""
        if not self.instance_types:
            raise UsageError("no instance type", "pass --instance-type, e.g. g4dn.xlarge")
        check_label(self.label)
        bootscript.check_version(self.runner_version)
        if self.ephemeral and self.runner_group_id != 1:
            raise UsageError(
                "--runner-group-id needs a just-in-time runner", "leave out --ephemeral"
            )
        if self.idle_timeout >= self.max_lifetime:
            raise UsageError(
                f"--idle-timeout ({self.idle_timeout} min) must be shorter than --max-lifetime "
                f"({self.max_lifetime} min)"
            )


@dataclass
class Launched:
    label: str
    instance: ec2.Instance
    candidate: ec2.Candidate
    runner: Runner
    seconds: float
    outputs: dict[str, str] = field(default_factory=dict)


def default_label(environ: Mapping[str, str]) -> str:
    """Predictable in GitHub Actions (``mlreport-RUN-ATTEMPT``), so that a stop job finds the
    instance by label even when the launch job was cancelled before its outputs existed."""
    run = environ.get("GITHUB_RUN_ID", "")
    if run.isdigit():
        return f"mlreport-{run}-{environ.get('GITHUB_RUN_ATTEMPT', '1')}"
    return f"mlreport-{secrets.token_hex(4)}"


def run_id(environ: Mapping[str, str]) -> str:
    if environ.get("GITHUB_RUN_ID"):
        return f"{environ['GITHUB_RUN_ID']}-{environ.get('GITHUB_RUN_ATTEMPT', '1')}"
    return environ.get("CI_PIPELINE_ID") or "local"


def check_label(label: str) -> str:
    if not bootscript.LABEL.fullmatch(label):
        raise UsageError(
            f"--label {label!r} cannot be used",
            "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
        )
    return label


def launch(o: LaunchOptions, aws: Aws, environ: Mapping[str, str], say: Say) -> Launched:
    """Launch on *aws* (its clients, connected by the caller); see the module docstring."""
    redact.current().add(o.token)
    image = o.ami or ec2.default_ami(aws)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    expires = now + timedelta(minutes=o.max_lifetime)
    tags = {
        "Name": o.label,
        ec2.TAG_MANAGED: "true",
        ec2.TAG_LABEL: o.label,
        ec2.TAG_REPO: o.scope.name,
        ec2.TAG_RUN_ID: o.run_id,
        ec2.TAG_EXPIRES: expires.isoformat().replace("+00:00", "Z"),
    }
    started = time.monotonic()
    with Registry(o.scope, o.token, o.api_url, o.timeout) as registry, Cancellation() as cancel:
        undo = _Undo(aws, registry, o.label, say)
        try:
            plan = _register(registry, o, undo)
            cancel.check()
            redact.current().add(plan.jit_config or plan.registration_token or "")
            spec = ec2.LaunchSpec(
                image, bootscript.render(plan), tags, o.security_groups, o.volume_size
            )
            outputs: dict[str, str] = {}

            def record(instance: ec2.Instance, candidate: ec2.Candidate) -> None:
                undo.instance_id = instance.id
                outputs.update(_outputs(o, aws, instance, candidate))
                state.write(o.state_file, {**outputs, "repo": o.scope.name, "org": o.scope.org})
                workflow.set_outputs(environ, outputs)

            def guard() -> AbstractContextManager[None]:
                undo.attempted = True  # an instance may exist from now on, its id unknown
                return cancel.checked()

            choices = ec2.candidates(o.instance_types, o.subnets, o.spot)
            instance, candidate = ec2.launch(
                aws, spec, choices, say, record, guard, sleep=cancel.sleep
            )
            say(
                f"mlreport: started {instance.id} ({candidate.describe()}, {aws.region}) for "
                f"runner {o.label}; waiting up to {_duration(o.wait_timeout)} for it to come "
                f"online; it powers off at the latest at {tags[ec2.TAG_EXPIRES]}"
            )
            runner = _wait_online(aws, registry, o, instance.id, cancel)
        except BaseException:
            undo.run()  # a signal now is only recorded: nothing interrupts this
            raise
    seconds = time.monotonic() - started
    outputs["runner-id"] = str(runner.id)
    workflow.set_outputs(environ, {"runner-id": outputs["runner-id"]})
    say(f"mlreport: runner {o.label} is online after {seconds:.0f} s (runs-on: {o.label})")
    workflow.append_summary(
        environ,
        f"🖥️ GPU runner `{o.label}`: {instance.id} ({candidate.describe()}, {aws.region}), "
        f"online after {seconds:.0f} s; powers off at the latest at {tags[ec2.TAG_EXPIRES]}.",
    )
    return Launched(o.label, instance, candidate, runner, seconds, outputs)


class _Undo:
    """What a failed launch created, and how to remove it."""

    def __init__(self, aws: Aws, registry: Registry, label: str, say: Say) -> None:
        self.aws = aws
        self.registry = registry
        self.label = label
        self.say = say
        self.instance_id: str | None = None
        self.attempted = False  # a RunInstances call went out
        self.runner_id: int | None = None
        self.ephemeral = False

    def run(self) -> None:
        try:
            ids = [self.instance_id] if self.instance_id else []
            if not ids and self.attempted:  # e.g. RunInstances timed out: it may have worked
                ids = [i.id for i in ec2.find(self.aws, label=self.label)]
            ec2.terminate(self.aws, ids)
            for instance_id in ids:
                self.say(f"mlreport: terminated {instance_id}")
        except RunnerError as exc:
            self.say(
                f"mlreport: warning: could not terminate the instance ({exc}); it powers "
                f"itself off at its expiry, or run: mlreport runner stop --label {self.label}"
            )
        try:
            runner_ids = [self.runner_id] if self.runner_id else []
            if self.ephemeral:  # registered by the instance itself, if it got that far
                runner_ids = [r.id for r in self.registry.runners(self.label)]
            for runner_id in runner_ids:
                if self.registry.delete(runner_id):
                    self.say(f"mlreport: removed runner {self.label} ({runner_id})")
        except RunnerError as exc:
            self.say(f"mlreport: warning: could not remove runner {self.label} ({exc})")


def _register(registry: Registry, o: LaunchOptions, undo: _Undo) -> bootscript.BootPlan:
    plan = bootscript.BootPlan(
        name=o.label,
        max_lifetime=o.max_lifetime,
        idle_timeout=o.idle_timeout,
        runner_version=o.runner_version,
        gpu_check=o.gpu_check,
    )
    if o.ephemeral:
        undo.ephemeral = True
        token = registry.registration_token()
        url = f"{o.server_url}/{o.scope.name}"
        return replace(plan, registration_token=token, url=url, labels=(o.label,))
    runner, config = registry.jit_config(o.label, [o.label], o.runner_group_id)
    undo.runner_id = runner.id
    return replace(plan, jit_config=config)


def _outputs(
    o: LaunchOptions, aws: Aws, instance: ec2.Instance, c: ec2.Candidate
) -> dict[str, str]:
    return {
        "label": o.label,
        "instance-id": instance.id,
        "instance-type": c.instance_type,
        "market": c.market,
        "subnet-id": instance.subnet_id,
        "availability-zone": instance.zone,
        "region": aws.region,
    }


def _wait_online(
    aws: Aws,
    registry: Registry,
    o: LaunchOptions,
    instance_id: str,
    cancel: Cancellation,
) -> Runner:
    started = time.monotonic()
    deadline = started + o.wait_timeout
    console = (
        f"see the boot log: aws ec2 get-console-output --region {aws.region} "
        f"--instance-id {instance_id} --latest"
    )
    while True:
        found = registry.runners(o.label)
        cancel.check()
        online = [r for r in found if r.status == "online"]
        if online:
            return online[0]
        if not found and not o.ephemeral:
            raise RunnerError(f"runner {o.label} was removed from GitHub before it came online")
        instance = ec2.describe(aws, instance_id)
        cancel.check()
        # EC2 is eventually consistent: a new instance may be unknown to Describe for a while
        unknown = instance is None and time.monotonic() - started > NOT_FOUND_GRACE
        if unknown or (instance is not None and instance.state in ec2.GONE_STATES):
            state_name = instance.state if instance else "gone"
            why = f" ({instance.reason})" if instance and instance.reason else ""
            spot = " (a spot instance can be reclaimed)" if o.spot else ""
            raise RunnerError(
                f"instance {instance_id} is {state_name}{why}{spot} and runner {o.label} never "
                "came online: the GPU check or the runner's installation failed",
                console,
            )
        left = deadline - time.monotonic()
        if left <= 0:
            raise RunnerError(
                f"runner {o.label} did not come online within {_duration(o.wait_timeout)}",
                f"{console}; the subnet needs outbound internet (a public IP or NAT) to reach "
                "GitHub; raise --wait-timeout if the AMI boots slowly",
            )
        cancel.sleep(min(o.poll_interval, left))


def _duration(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"
