"""The runner commands' decisions that need no AWS: candidate order, what cleanup removes,
labels, and the errors given before anything is called."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from mlreport.errors import UsageError
from mlreport.runners.ec2 import TAG_EXPIRES, TAG_LABEL, Candidate, Instance, candidates
from mlreport.runners.launch import check_label, default_label, run_id
from mlreport.runners.manage import Action, plan_cleanup
from mlreport.runners.registry import Runner

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def test_candidates_try_spot_everywhere_before_on_demand() -> None:
    got = candidates(["g4dn.xlarge", "g5.xlarge"], ["subnet-a", "subnet-b"], spot=True)
    assert [(c.instance_type, c.subnet_id, c.market) for c in got] == [
        ("g4dn.xlarge", "subnet-a", "spot"),
        ("g4dn.xlarge", "subnet-b", "spot"),
        ("g5.xlarge", "subnet-a", "spot"),
        ("g5.xlarge", "subnet-b", "spot"),
        ("g4dn.xlarge", "subnet-a", "on-demand"),
        ("g4dn.xlarge", "subnet-b", "on-demand"),
        ("g5.xlarge", "subnet-a", "on-demand"),
        ("g5.xlarge", "subnet-b", "on-demand"),
    ]


def test_without_spot_or_subnets_one_candidate_per_type() -> None:
    assert candidates(["p3.2xlarge"], [], spot=False) == [Candidate("p3.2xlarge", None, False)]


def _instance(label: str, minutes_old: float, expires_in: float | None = 60) -> Instance:
    tags = {TAG_LABEL: label}
    if expires_in is not None:
        tags[TAG_EXPIRES] = (NOW + timedelta(minutes=expires_in)).isoformat()
    return Instance(
        id=f"i-{label}",
        state="running",
        instance_type="g4dn.xlarge",
        market="spot",
        subnet_id="subnet-a",
        zone="us-east-1a",
        launched=NOW - timedelta(minutes=minutes_old),
        tags=tags,
    )


def _runner(name: str, status: str, busy: bool = False, rid: int = 1) -> Runner:
    return Runner(rid, name, status, busy, ("self-hosted", name))


def test_cleanup_plan() -> None:
    instances = [
        _instance("mlreport-1-1", 30, expires_in=-5),  # expired, though its runner is online
        _instance("mlreport-2-1", 45),  # up 45 min, runner offline: stuck
        _instance("mlreport-3-1", 5),  # booting: left alone
        _instance("mlreport-4-1", 120),  # busy with a job
        _instance("mlreport-5-1", 45, expires_in=None),  # no expiry tag: judged by its runner
    ]
    runners = [
        _runner("mlreport-1-1", "online", rid=1),
        _runner("mlreport-2-1", "offline", rid=2),
        _runner("mlreport-3-1", "offline", rid=3),
        _runner("mlreport-4-1", "online", busy=True, rid=4),
        _runner("mlreport-9-1", "offline", rid=9),  # its instance is gone
        _runner("build-box", "offline", rid=10),  # not mlreport's
    ]
    actions = plan_cleanup(instances, runners, NOW, timedelta(minutes=20))
    assert [(a.what, a.target) for a in actions] == [
        ("terminate", "i-mlreport-1-1"),
        ("terminate", "i-mlreport-2-1"),
        ("terminate", "i-mlreport-5-1"),
        ("remove runner", "mlreport-2-1"),
        ("remove runner", "mlreport-9-1"),
    ]
    assert actions[0].why.startswith("expired at ")
    assert actions[1].why == "no online runner mlreport-2-1 after 45 min"


def test_cleanup_knows_runners_by_the_labels_of_its_instances() -> None:
    runners = [_runner("gpu-big", "offline", rid=1), _runner("gpu-other", "offline", rid=2)]
    actions = plan_cleanup([], runners, NOW, timedelta(minutes=20), known={"gpu-big"})
    assert [(a.what, a.target) for a in actions] == [("remove runner", "gpu-big")]


def test_cleanup_without_runners_only_knows_expiry() -> None:
    instances = [_instance("mlreport-1-1", 300, expires_in=-1), _instance("mlreport-2-1", 300)]
    actions = plan_cleanup(instances, None, NOW, timedelta(minutes=20))
    assert actions == [Action("terminate", "i-mlreport-1-1", actions[0].why)]


def test_default_label_is_predictable_in_actions() -> None:
    env = {"GITHUB_RUN_ID": "9876543210", "GITHUB_RUN_ATTEMPT": "2"}
    assert default_label(env) == "mlreport-9876543210-2"
    assert run_id(env) == "9876543210-2"
    assert run_id({"CI_PIPELINE_ID": "77"}) == "77"
    local = default_label({})
    assert local.startswith("mlreport-") and local != default_label({})
    assert check_label(local) == local


@pytest.mark.parametrize("label", ["", "-x", "a b", "a;reboot", "x" * 65, "ünï"])
def test_labels_that_cannot_be_used(label: str) -> None:
    with pytest.raises(UsageError, match="--label"):
        check_label(label)


def test_without_boto3_the_message_says_what_to_install() -> None:
    code = (
        "import sys; sys.modules['boto3'] = None\n"  # as if the aws extra were not installed
        "from mlreport.cli import main\n"
        "sys.exit(main(['runner', 'list', '--region', 'us-east-1']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stderr == (
        "mlreport: error: mlreport runner needs boto3, which is an optional extra; "
        "pip install 'mlreport[aws]'\n"
    )
