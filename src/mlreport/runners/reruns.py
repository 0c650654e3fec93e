"""Jobs whose spot runner EC2 reclaimed: ``runner cleanup`` says so, and with ``--rerun``
runs the workflow run again, once.

An instance that EC2 took back is still described for about an hour after it went, with the
state reason ``Server.SpotInstanceTermination``; its ``mlreport:run-id`` tag names the
workflow run that launched it. That run is re-run whole (POST …/rerun: its launch job too,
so the next attempt gets a runner of its own, labelled with the new attempt) when it has
completed without success and is still at its first attempt: a run is never re-run twice,
so a spot market that keeps taking instances back does not loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mlreport.runners import ec2
from mlreport.runners.registry import Registry

Say = Callable[[str], None]
RERUN = ("failure", "cancelled", "timed_out", "startup_failure")


def interrupted(
    instances: Sequence[ec2.Instance],
    registry: Registry | None,
    say: Say,
    *,
    rerun: bool,
    dry_run: bool = False,
) -> list[int]:
    """Say which instances were reclaimed; re-run their runs (with *rerun*). Returns the ids
    of the runs re-run (or that would be, with *dry_run*)."""
    runs: dict[int, list[ec2.Instance]] = {}
    for instance in (i for i in instances if i.reclaimed):
        say(
            f"mlreport: interrupted: {instance.id} ({instance.label}) was a spot instance "
            "EC2 reclaimed; its job did not finish"
        )
        tag = instance.tags.get(ec2.TAG_RUN_ID, "")
        if tag.isdigit():
            runs.setdefault(int(tag), []).append(instance)
    if not rerun or not runs:
        return []
    if registry is None:
        say("mlreport: no token given: the interrupted runs are not re-run")
        return []
    done = []
    for run_id in sorted(runs):
        run = registry.workflow_run(run_id)
        if run.status != "completed":
            say(f"mlreport: run {run_id} is {run.status}: re-run it once it ends (next cleanup)")
        elif run.attempt > 1:
            say(f"mlreport: run {run_id} was re-run already (attempt {run.attempt}): not again")
        elif run.conclusion not in RERUN:
            say(f"mlreport: run {run_id} ended {run.conclusion}: nothing to re-run")
        else:
            if not dry_run:
                registry.rerun(run_id)
            verb = "would re-run" if dry_run else "re-ran"
            say(f"mlreport: {verb} run {run_id} (attempt 2): {run.url}")
            done.append(run_id)
    return done
