"""``mlreport runner stop``, ``list`` and ``cleanup``: managed instances found by their tags.

- list: every managed instance (of a repository, or all) beside its runner's status.
- stop: terminate by instance id, or by label (the launch job may have been cancelled before
  it could say the id); then remove the runner from GitHub (already gone is fine).
- cleanup: terminate instances past their ``mlreport:expires-at``, and instances older than a
  grace period whose runner is not online (it never started, or finished and the machine did
  not power off); remove offline runners that mlreport registered and no instance serves; say
  which spot instances EC2 reclaimed, and re-run their workflow runs once (:mod:`.reruns`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from mlreport.errors import RunnerError, UsageError
from mlreport.runners import ec2, reruns
from mlreport.runners.aws import Aws
from mlreport.runners.registry import Registry, Runner

Say = Callable[[str], None]
PREFIX = "mlreport-"  # runners named so (the default label) are mlreport's
LISTING = ("instance", "label", "state", "type", "market", "zone", "launched", "expires", "runner")


@dataclass(frozen=True)
class Action:
    what: str  # "terminate" or "remove runner"
    target: str  # instance id or runner name
    why: str


def stop(
    aws: Aws,
    registry: Registry | None,
    say: Say,
    *,
    label: str | None = None,
    instance_id: str | None = None,
) -> list[str]:
    """Terminate the instance(s) and remove the runner; returns the instance ids terminated."""
    if instance_id:
        found = ec2.describe(aws, instance_id)
        if found is None:
            say(f"mlreport: no instance {instance_id} (already gone)")
            instances = []
        elif found.tags.get(ec2.TAG_MANAGED) != "true":
            raise UsageError(
                f"{instance_id} was not started by mlreport (no {ec2.TAG_MANAGED} tag)",
                "mlreport terminates only its own instances",
            )
        else:
            instances = [found] if found.state in ec2.LIVE_STATES else []
            if not instances:
                say(f"mlreport: {instance_id} is already {found.state}")
            label = label or found.label
    elif label:
        instances = ec2.find(aws, label=label)
    else:
        raise UsageError("nothing to stop", "pass --label or --instance-id")
    ids = [i.id for i in instances]
    ec2.terminate(aws, ids)
    for instance in instances:
        say(f"mlreport: terminated {instance.id} ({instance.label}, was {instance.state})")
    if not ids and not instance_id:
        say(f"mlreport: no running instance labelled {label} (already gone)")
    if label and registry is not None:
        for runner in registry.runners(label):
            try:
                deleted = registry.delete(runner.id)
            except RunnerError as exc:
                if getattr(exc.__cause__, "status", None) != 422:
                    raise
                say(f"mlreport: runner {runner.name} is busy: GitHub drops it once it is offline")
                continue
            if deleted:
                say(f"mlreport: removed runner {runner.name} ({runner.id})")
    elif label:
        say("mlreport: no token given: the runner stays registered (GitHub drops it later)")
    return ids


def plan_cleanup(
    instances: Sequence[ec2.Instance],
    runners: Sequence[Runner] | None,
    now: datetime,
    grace: timedelta,
    known: Collection[str] = (),
) -> list[Action]:
    """What cleanup does, decided from what is there (no calls: the dry run prints this).
    Live *instances* are judged; runners are mlreport's when named ``mlreport-…`` or after a
    label in *known* (those of managed instances, terminated ones included)."""
    actions: list[Action] = []
    online = {r.name for r in runners or () if r.status == "online" or r.busy}
    served = set()
    for instance in instances:
        expires = instance.expires_at
        age = now - instance.launched if instance.launched else timedelta(0)
        if expires is not None and expires <= now:
            actions.append(
                Action("terminate", instance.id, f"expired at {expires:%Y-%m-%d %H:%M} UTC")
            )
        elif runners is not None and instance.label not in online and age > grace:
            actions.append(
                Action(
                    "terminate",
                    instance.id,
                    f"no online runner {instance.label} after {age.total_seconds() / 60:.0f} min",
                )
            )
        else:
            served.add(instance.label)
    for runner in runners or ():
        ours = runner.name.startswith(PREFIX) or runner.name in known
        if ours and runner.status != "online" and not runner.busy and runner.name not in served:
            actions.append(Action("remove runner", runner.name, f"{runner.status}, no instance"))
    return actions


def cleanup(
    aws: Aws,
    registry: Registry | None,
    repo: str,
    say: Say,
    *,
    grace: timedelta,
    dry_run: bool = False,
    now: datetime | None = None,
    rerun: bool = False,
) -> list[Action]:
    every = ec2.find(aws, repo=repo, states=(*ec2.LIVE_STATES, *ec2.GONE_STATES))
    reruns.interrupted(every, registry, say, rerun=rerun, dry_run=dry_run)
    instances = [i for i in every if i.state in ec2.LIVE_STATES]
    runners = registry.runners() if registry is not None else None
    if registry is None:
        say("mlreport: no token given: only expired instances are found (runners not checked)")
    known = {i.label for i in every}
    actions = plan_cleanup(instances, runners, now or datetime.now(timezone.utc), grace, known)
    by_name = {r.name: r for r in runners or ()}
    verb = "would " if dry_run else ""
    for action in actions:
        say(f"mlreport: {verb}{action.what} {action.target}: {action.why}")
    if not dry_run:
        ec2.terminate(aws, [a.target for a in actions if a.what == "terminate"])
        for action in actions:
            if action.what == "remove runner" and registry is not None:
                registry.delete(by_name[action.target].id)
    if not actions:
        say(f"mlreport: nothing to clean up ({len(instances)} mlreport instance(s) for {repo})")
    return actions


def listing(aws: Aws, registry: Registry | None, repo: str | None) -> list[list[str]]:
    """One row (the :data:`LISTING` columns) per live managed instance of *repo* (None:
    all); the runner column is "?" without a registry, "none" when no runner has its label."""
    instances = ec2.find(aws, repo=repo)
    status = {}
    if registry is not None:
        status = {r.name: r.status + (" (busy)" if r.busy else "") for r in registry.runners()}
    return [
        [
            i.id,
            i.label,
            i.state,
            i.instance_type,
            i.market,
            i.zone,
            f"{i.launched:%Y-%m-%d %H:%M}" if i.launched else "",
            i.tags.get(ec2.TAG_EXPIRES, ""),
            status.get(i.label, "?" if registry is None else "none"),
        ]
        for i in instances
    ]
