"""`mlreport runner launch|stop|list|cleanup` against moto in server mode (behind the fault
proxy of tests/fakes/aws.py) and the fake GitHub, as a CI job would run them.

No EC2 instance boots here, so a thread plays the instance: it watches moto for mlreport's
instances, reads each one's user data as the instance would, and does what the boot script
would do with it, e.g. start the runner with the just-in-time config it finds (the fake GitHub
marks that runner online, once: JIT configs are single-use).

After every scenario no managed instance is left running unless the scenario expects one.
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import CLI, Result
from tests.fakes.aws import AwsFake
from tests.fakes.github import FakeGitHub
from tests.helpers import one_error as _one_error
from tests.helpers import step_outputs

if TYPE_CHECKING:
    from types_boto3_ec2.type_defs import TagTypeDef

REPO = "octo/demo"
PAT = "ghp_runnerAdminToken0123456789abcdefXYZ"
LABEL = "mlreport-555-1"
FAST = ("--poll-interval", "0.05", "--wait-timeout", "60s")  # later options win


class Instance(threading.Thread):
    """Plays every instance mlreport starts: *behaviour* is what its boot does.

    - "online": the runner starts with the JIT config from the user data (or registers with
      the registration token, in --ephemeral mode);
    - "never": nothing happens (a runner that never comes online);
    - "dies": the machine powers off (the GPU check failed): the instance terminates.
    """

    def __init__(self, aws: AwsFake, github: FakeGitHub, behaviour: str = "online") -> None:
        super().__init__(daemon=True)
        self.aws = aws
        self.github = github
        self.behaviour = behaviour
        self.booted: dict[str, str] = {}  # instance id -> its user data
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.02):
            for instance in self.aws.managed_running():
                if instance.id not in self.booted:
                    self.booted[instance.id] = script = self.aws.user_data(instance.id)
                    self._boot(instance.id, script)

    def _boot(self, instance_id: str, script: str) -> None:
        if self.behaviour == "dies":
            self.aws.ec2.terminate_instances(InstanceIds=[instance_id])
        elif self.behaviour == "late":  # a slow boot: online half a second later
            self.behaviour = "online"
            threading.Timer(0.5, self._boot, (instance_id, script)).start()
        elif self.behaviour == "online":
            jit = re.search(r"^JIT_CONFIG='?([^'\s]+)'?$", script, re.M)
            if jit:
                self.github.connect_runner(jit.group(1))
                return
            token = re.search(r"^REGISTRATION_TOKEN='?([^'\s]+)'?$", script, re.M)
            name = re.search(r"--name '?([\w.-]+)'?", script)
            assert token and name, script
            self.github.register_runner(REPO, token.group(1), name.group(1), [name.group(1)])

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


@pytest.fixture
def gh() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=PAT) as fake:
        fake.add_repo(REPO, permission="admin")
        yield fake
        assert fake.validation_errors == []


@pytest.fixture
def env(
    gh: FakeGitHub,
    aws: AwsFake,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> Iterator[dict[str, str]]:
    """A GitHub Actions job's environment: run 555, attempt 1, with step outputs. At the end,
    no managed instance may be running, unless the test is marked ``leaves_one``."""
    values = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_RUN_ID": "555",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_API_URL": gh.api_url,
        "GITHUB_SERVER_URL": gh.server_url,
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
        "MLREPORT_TOKEN": PAT,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    yield values
    left = aws.managed_running()
    if request.node.get_closest_marker("leaves_one"):
        assert len(left) == 1
    else:
        assert left == [], "a managed instance was left running"


@pytest.fixture
def instance(aws: AwsFake, gh: FakeGitHub) -> Iterator[Instance]:
    player = Instance(aws, gh)
    player.start()
    yield player
    player.stop()


def one_error(result: Result) -> str:
    return _one_error(result).removeprefix("mlreport: error: ")


def _launch(cli: CLI, *args: str) -> Result:
    return cli("runner", "launch", "--instance-type", "g4dn.xlarge", *FAST, *args)


def _visible(result: Result) -> str:
    """What the job log shows: everything mlreport printed (it sends no ::add-mask:: line:
    that line would carry the secret into any log that tees the step's output)."""
    assert "::add-mask::" not in result.output
    return result.output


def _jit_runner_id(script: str) -> int:
    config = re.search(r"^JIT_CONFIG='?([^'\s]+)'?$", script, re.M)
    assert config
    files = json.loads(base64.b64decode(config.group(1)))
    return int(json.loads(base64.b64decode(files[".runner"]))["AgentId"])


# -- launch and stop ---------------------------------------------------------------------


@pytest.mark.leaves_one
def test_launch_happy_path(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub, instance: Instance
) -> None:
    result = _launch(cli, "--spot", "--max-lifetime", "2h", "--volume-size", "200")
    assert result.code == 0, result.output
    assert result.out.splitlines()[-1] == LABEL  # stdout ends with the label, for scripts

    [running] = aws.managed_running()
    assert running.instance_type == "g4dn.xlarge" and running.market == "spot"
    assert running.image_id == aws.gpu_ami  # the Deep Learning AMI, found through SSM
    tags = running.tags
    assert tags["mlreport:managed"] == "true"
    assert tags["mlreport:label"] == LABEL == tags["Name"]
    assert tags["mlreport:repo"] == REPO
    assert tags["mlreport:run-id"] == "555-1"
    expires = time.mktime(time.strptime(tags["mlreport:expires-at"], "%Y-%m-%dT%H:%M:%SZ"))
    assert 2 * 3600 - 120 < expires - time.mktime(time.gmtime()) <= 2 * 3600
    raw = running.raw
    assert raw["MetadataOptions"]["HttpTokens"] == "required"
    [volume] = aws.volumes(running.id)
    assert volume["TagsDict"]["mlreport:label"] == LABEL
    assert volume["Size"] == 200
    assert raw["BlockDeviceMappings"][0]["Ebs"]["DeleteOnTermination"] is True
    shutdown = aws.ec2.describe_instance_attribute(
        InstanceId=running.id, Attribute="instanceInitiatedShutdownBehavior"
    )
    assert shutdown["InstanceInitiatedShutdownBehavior"]["Value"] == "terminate"
    [call] = aws.faults.run_instances_calls
    assert call["InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior"] == "terminate"
    assert "IamInstanceProfile.Name" not in call and "IamInstanceProfile.Arn" not in call

    script = instance.booted[running.id]
    assert script.splitlines()[0] == "#!/bin/bash"
    assert "\nshutdown -h +120 " in script  # the dead-man switch
    assert PAT not in script  # only the single-use JIT config goes on the machine
    [runner] = gh.runners(REPO)
    assert runner["name"] == LABEL and runner["status"] == "online"
    assert _jit_runner_id(script) == runner["id"]
    assert [label["name"] for label in runner["labels"]][-1] == LABEL

    outputs = step_outputs(Path(env["GITHUB_OUTPUT"]))
    assert outputs == {
        "label": LABEL,
        "instance-id": running.id,
        "instance-type": "g4dn.xlarge",
        "market": "spot",
        "subnet-id": running.subnet_id,
        "availability-zone": running.zone,
        "region": aws.region,
        "runner-id": str(runner["id"]),
    }
    state = json.loads((Path.cwd() / ".mlreport" / "runner.json").read_text())
    assert state["instance-id"] == running.id and state["label"] == LABEL
    visible = _visible(result)
    assert PAT not in visible
    assert re.search(r"^JIT_CONFIG='?([^'\s]+)'?$", script, re.M).group(1) not in visible  # type: ignore[union-attr]
    assert f"runner {LABEL} is online after" in visible
    assert LABEL in Path(env["GITHUB_STEP_SUMMARY"]).read_text()


def test_launch_then_stop(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub, instance: Instance
) -> None:
    assert _launch(cli).code == 0
    [running] = aws.managed_running()
    result = cli("runner", "stop", "--label", LABEL)
    assert result.code == 0, result.output
    assert aws.instances(state=("shutting-down", "terminated"))[0].id == running.id
    assert gh.runners(REPO) == []
    assert f"terminated {running.id}" in result.out
    again = cli("runner", "stop", "--label", LABEL)  # stopping twice is fine
    assert again.code == 0 and "already gone" in again.out


def test_stop_by_label_when_the_launch_was_cancelled_before_its_outputs(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub, instance: Instance, tmp_path: Path
) -> None:
    assert _launch(cli).code == 0
    (tmp_path / ".mlreport" / "runner.json").unlink()  # the stop job runs elsewhere
    # needs.launch.outputs.* are empty: the action passes no label and no instance id
    result = cli("runner", "stop")
    assert result.code == 0, result.output
    assert aws.managed_running() == []
    assert gh.runners(REPO) == []


def test_stop_terminates_even_when_the_runner_is_still_busy(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub, instance: Instance
) -> None:
    """A cancelled training job: the stop job runs while GitHub still sees the runner busy."""
    assert _launch(cli).code == 0
    [running] = aws.managed_running()
    [runner] = gh.runners(REPO)
    gh.set_runner_status(REPO, runner["id"], "online", busy=True)
    result = cli("runner", "stop", "--instance-id", running.id)
    assert result.code == 0, result.output
    assert aws.managed_running() == []
    assert f"runner {LABEL} is busy: GitHub drops it once it is offline" in result.out
    again = cli("runner", "stop", "--instance-id", running.id)
    assert again.code == 0
    assert f"{running.id} is already " in again.out


def test_stop_by_instance_id_refuses_instances_that_are_not_mlreports(
    cli: CLI, env: dict[str, str], aws: AwsFake
) -> None:
    other = aws.ec2.run_instances(ImageId=aws.gpu_ami, MinCount=1, MaxCount=1)["Instances"][0]
    result = cli("runner", "stop", "--instance-id", other["InstanceId"])
    assert result.code == 2
    assert "was not started by mlreport" in one_error(result)
    assert aws.instances(state="running")[0].id == other["InstanceId"]
    aws.ec2.terminate_instances(InstanceIds=[other["InstanceId"]])


# -- candidates ------------------------------------------------------------------------------


def test_capacity_errors_move_to_the_next_candidate(
    cli: CLI, env: dict[str, str], aws: AwsFake, instance: Instance
) -> None:
    a, b = aws.subnets["us-east-1a"], aws.subnets["us-east-1b"]
    aws.faults.fail_run_instances("InsufficientInstanceCapacity", subnet_id=a)
    aws.faults.fail_run_instances("Unsupported", instance_type="g4dn.xlarge", subnet_id=b)
    result = _launch(cli, "--instance-type", "g5.xlarge", "--subnet", f"{a},{b}")
    assert result.code == 0, result.output
    tried = [(c["InstanceType"], c["SubnetId"]) for c in aws.faults.run_instances_calls]
    assert tried == [("g4dn.xlarge", a), ("g4dn.xlarge", b), ("g5.xlarge", a), ("g5.xlarge", b)]
    [running] = aws.managed_running()
    assert (running.instance_type, running.subnet_id) == ("g5.xlarge", b)
    assert "no g4dn.xlarge on-demand in " + a + ": InsufficientInstanceCapacity" in result.out
    assert step_outputs(Path(env["GITHUB_OUTPUT"]))["instance-type"] == "g5.xlarge"
    cli("runner", "stop")


def test_spot_falls_back_to_on_demand(
    cli: CLI, env: dict[str, str], aws: AwsFake, instance: Instance
) -> None:
    aws.faults.fail_run_instances("InsufficientInstanceCapacity", market="spot")
    aws.faults.fail_run_instances("MaxSpotInstanceCountExceeded", market="spot")
    result = _launch(cli, "--spot", "--instance-type", "g5.xlarge")
    assert result.code == 0, result.output
    markets = [
        c.get("InstanceMarketOptions.MarketType", "on-demand")
        for c in aws.faults.run_instances_calls
    ]
    assert markets == ["spot", "spot", "on-demand"]
    [running] = aws.managed_running()
    assert (running.instance_type, running.market) == ("g4dn.xlarge", "on-demand")
    cli("runner", "stop")


def test_no_capacity_anywhere(cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub) -> None:
    aws.faults.fail_run_instances("InsufficientInstanceCapacity")
    result = _launch(cli, "--spot")
    assert result.code == 3
    message = one_error(result)
    assert message.startswith("no capacity for any choice: g4dn.xlarge spot (Insufficient")
    assert gh.runners(REPO) == []  # the JIT runner made for it is removed again


def test_other_errors_stop_at_once(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub
) -> None:
    # moto validates instance types, as EC2 does
    result = cli("runner", "launch", "--instance-type", "g4dn.huge", "--spot", *FAST)
    assert result.code == 3
    assert len(aws.faults.run_instances_calls) == 1
    assert one_error(result).startswith(
        "starting g4dn.huge spot: AWS answered InvalidInstanceType.NotFound: "
    )
    assert gh.runners(REPO) == []


def test_throttling_is_retried_with_the_same_client_token(
    cli: CLI, env: dict[str, str], aws: AwsFake, instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.faults.fail_run_instances("RequestLimitExceeded", times=1)
    result = _launch(cli)
    assert result.code == 0, result.output
    first, second = aws.faults.run_instances_calls
    assert first["ClientToken"] == second["ClientToken"]
    assert len(aws.managed_running()) == 1
    cli("runner", "stop")


# -- a runner that does not come online --------------------------------------------------


def test_runner_never_online_terminates_the_instance(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub, instance: Instance
) -> None:
    instance.behaviour = "never"
    result = _launch(cli, "--wait-timeout", "1s")
    assert result.code == 3
    assert one_error(result).startswith(f"runner {LABEL} did not come online within 1 s")
    assert "aws ec2 get-console-output" in one_error(result)
    [gone] = aws.instances(state=("shutting-down", "terminated"))
    assert f"terminated {gone.id}" in result.out
    assert gh.runners(REPO) == []  # the offline JIT runner is removed
    assert step_outputs(Path(env["GITHUB_OUTPUT"]))["instance-id"] == gone.id  # written at once


def test_a_new_instance_unknown_to_describe_is_waited_for(
    cli: CLI, env: dict[str, str], aws: AwsFake, instance: Instance
) -> None:
    """EC2 is eventually consistent: DescribeInstances may not know a new instance yet."""
    instance.behaviour = "late"
    aws.faults.fail_action("DescribeInstances", "InvalidInstanceID.NotFound", times=3)
    result = _launch(cli)
    assert result.code == 0, result.output
    assert aws.faults.actions.count("ec2:DescribeInstances") > 3
    assert cli("runner", "stop").code == 0


def test_an_instance_that_dies_at_boot_fails_fast(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub, instance: Instance
) -> None:
    instance.behaviour = "dies"  # nvidia-smi failed: the boot script powered off
    started = time.monotonic()
    result = _launch(cli, "--wait-timeout", "10m")
    assert time.monotonic() - started < 30
    assert result.code == 3
    assert "never came online: the GPU check or the runner's installation failed" in one_error(
        result
    )
    assert gh.runners(REPO) == []


def test_sigterm_during_the_wait_terminates_the_instance(
    env: dict[str, str], aws: AwsFake, gh: FakeGitHub, tmp_path: Path
) -> None:
    """A cancelled job: the runner sends SIGINT, then SIGTERM; mlreport runs as a process.
    The signal comes while a DescribeInstances call is under way (botocore would swallow an
    exception raised there, and retry)."""
    aws.faults.delay_action("DescribeInstances", 1.0)
    command = [
        sys.executable,
        "-m",
        "mlreport",
        "runner",
        "launch",
        "--instance-type",
        "g4dn.xlarge",
        *FAST,
    ]
    process = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # DescribeInstances comes only in the wait, once the instance is started and recorded
        aws.faults.wait_held("DescribeInstances", timeout=60)
        assert aws.managed_running()
        assert step_outputs_ready(Path(env["GITHUB_OUTPUT"]))
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 3, out + err
    assert err.strip().splitlines()[-1] == "mlreport: error: cancelled by SIGTERM"
    assert "mlreport: terminated i-" in out
    assert aws.managed_running() == []
    assert gh.runners(REPO) == []
    assert PAT not in _visible(Result(process.returncode, out, err))


def step_outputs_ready(path: Path) -> bool:
    return path.exists() and "instance-id" in step_outputs(path)


# -- cleanup and list ----------------------------------------------------------------------


def _managed(aws: AwsFake, label: str, expires: str) -> str:
    tags: list[TagTypeDef] = [
        {"Key": "mlreport:managed", "Value": "true"},
        {"Key": "mlreport:label", "Value": label},
        {"Key": "mlreport:repo", "Value": REPO},
        {"Key": "mlreport:expires-at", "Value": expires},
    ]
    answer = aws.ec2.run_instances(
        ImageId=aws.gpu_ami,
        InstanceType="g4dn.xlarge",
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
    )
    return str(answer["Instances"][0]["InstanceId"])


def test_cleanup_terminates_expired_and_runnerless_instances(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub
) -> None:
    expired = _managed(aws, "mlreport-1-1", "2026-01-01T00:00:00Z")
    stuck = _managed(aws, "mlreport-2-1", "2099-01-01T00:00:00Z")  # no runner online
    working = _managed(aws, "mlreport-3-1", "2099-01-01T00:00:00Z")
    gh.add_runner(REPO, "mlreport-3-1", ["mlreport-3-1"], status="online", busy=True)
    gh.add_runner(REPO, "mlreport-9-1", ["mlreport-9-1"], status="offline")  # orphan
    gh.add_runner(REPO, "my-own-box", ["gpu"], status="offline")  # not mlreport's

    dry = cli("runner", "cleanup", "--grace", "0s", "--dry-run")
    assert dry.code == 0, dry.output
    assert f"would terminate {expired}: expired at 2026-01-01 00:00 UTC" in dry.out
    assert f"would terminate {stuck}: no online runner mlreport-2-1" in dry.out
    assert "would remove runner mlreport-9-1" in dry.out
    assert len(aws.managed_running()) == 3 and len(gh.runners(REPO)) == 3

    result = cli("runner", "cleanup", "--grace", "0s")
    assert result.code == 0, result.output
    assert [i.id for i in aws.managed_running()] == [working]
    assert sorted(r["name"] for r in gh.runners(REPO)) == ["mlreport-3-1", "my-own-box"]
    listed = cli("runner", "list")
    assert listed.code == 0
    assert re.search(
        rf"{working}\s+mlreport-3-1\s+running\s+g4dn.xlarge.*online \(busy\)", listed.out
    )
    aws.ec2.terminate_instances(InstanceIds=[working])


def test_cleanup_grace_spares_booting_instances(
    cli: CLI, env: dict[str, str], aws: AwsFake
) -> None:
    booting = _managed(aws, "mlreport-4-1", "2099-01-01T00:00:00Z")
    result = cli("runner", "cleanup")  # default grace 20 min: it was started just now
    assert result.code == 0
    assert "nothing to clean up (1 mlreport instance(s) for octo/demo)" in result.out
    aws.ec2.terminate_instances(InstanceIds=[booting])


# -- ephemeral registration, tokens, usage -------------------------------------------------


def test_ephemeral_registration_token_flow(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub, instance: Instance
) -> None:
    result = _launch(cli, "--ephemeral")
    assert result.code == 0, result.output
    [running] = aws.managed_running()
    script = instance.booted[running.id]
    assert "config.sh --unattended --ephemeral" in script and "JIT_CONFIG" not in script
    assert PAT not in script
    [runner] = gh.runners(REPO)
    assert runner["status"] == "online" and runner["name"] == LABEL
    token = re.search(r"^REGISTRATION_TOKEN='?([^'\s]+)'?$", script, re.M).group(1)  # type: ignore[union-attr]
    assert token not in _visible(result)
    assert cli("runner", "stop").code == 0
    assert gh.runners(REPO) == []


def test_a_token_without_admin_rights(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub
) -> None:
    gh.add_repo("octo/other", permission="write")
    result = _launch(cli, "--repo", "octo/other")
    assert result.code == 3
    message = one_error(result)
    assert "GitHub answered 403 Must have admin rights to Repository." in message
    assert "GITHUB_TOKEN cannot" in message
    assert aws.instances() == []  # nothing was started


def test_no_token(cli: CLI, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLREPORT_TOKEN")
    result = _launch(cli)
    assert result.code == 2
    assert one_error(result).startswith("no GitHub token; pass --token")


def test_no_aws_credentials(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = _launch(cli)
    assert result.code == 3
    assert "no AWS credentials" in one_error(result)
    assert gh.runners(REPO) == []  # nothing was registered before AWS was known to work


def test_no_deep_learning_ami_in_the_region(
    cli: CLI, env: dict[str, str], aws: AwsFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.faults.clear()  # the public parameter is not served
    result = _launch(cli)
    assert result.code == 3
    assert "no Deep Learning AMI in us-east-1" in one_error(result)
    assert one_error(result).endswith("pass --ami ami-… (an AMI with the NVIDIA driver)")


# -- runner/action.yml's entrypoint ----------------------------------------------------------


def _inputs(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"INPUT_{name.upper()}", value)


def test_the_runner_action_launches_then_stops_without_outputs(
    env: dict[str, str],
    aws: AwsFake,
    gh: FakeGitHub,
    instance: Instance,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from mlreport.cli import action

    monkeypatch.delenv("MLREPORT_TOKEN")
    monkeypatch.setenv("MLREPORT_POLL_INTERVAL", "0.05")  # in the job's env, not an input
    _inputs(
        monkeypatch,
        mode="launch",
        token=PAT,
        instance_type="g4dn.xlarge, g5.xlarge",
        spot="true",
        max_lifetime="3h",
        gpu_check="false",
        wait_timeout="60s",
        label="",
        dry_run="false",
    )
    (tmp_path / "launch").mkdir()
    monkeypatch.chdir(tmp_path / "launch")
    assert action.main(["runner"]) == 0, capsys.readouterr()
    [running] = aws.managed_running()
    assert running.market == "spot"
    script = instance.booted[running.id]
    assert "nvidia-smi" not in script and "\nshutdown -h +180 " in script
    assert step_outputs(Path(env["GITHUB_OUTPUT"]))["label"] == LABEL

    # the stop job, elsewhere, with the launch job's outputs empty
    _inputs(monkeypatch, mode="stop", label="", instance_id="")
    (tmp_path / "stop").mkdir()
    monkeypatch.chdir(tmp_path / "stop")
    assert action.main(["runner"]) == 0, capsys.readouterr()
    assert aws.managed_running() == []
    assert gh.runners(REPO) == []
    assert PAT not in _visible(Result(0, *capsys.readouterr()))


def test_the_runner_action_needs_a_known_mode(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlreport.cli import action

    _inputs(monkeypatch, mode="start")
    assert action.main(["runner"]) == 2
    assert capsys.readouterr().err == (
        "mlreport: error: the runner action's mode must be launch, stop, cleanup, list, "
        "not 'start'\n"
    )


def test_debug_never_shows_the_runner_secret(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub, instance: Instance
) -> None:
    """PyGithub logs response bodies at DEBUG; the JIT config is in one of them."""
    result = cli("--debug", "runner", "launch", "--instance-type", "g4dn.xlarge", *FAST)
    assert result.code == 0, result.output
    [running] = aws.managed_running()
    config = re.search(r"^JIT_CONFIG='?([^'\s]+)'?$", instance.booted[running.id], re.M)
    assert config
    assert config.group(1) not in _visible(result)
    assert PAT not in _visible(result)
    assert cli("runner", "stop").code == 0


def test_settings_that_cannot_work_are_one_line_errors(
    cli: CLI, env: dict[str, str], aws: AwsFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nope")
    assert "cannot use the AWS settings: The config profile (nope) could not be found" in (
        one_error(_launch(cli))
    )
    monkeypatch.delenv("AWS_PROFILE")
    result = _launch(cli, "--idle-timeout", "7h")
    assert result.code == 2
    assert one_error(result) == (
        "--idle-timeout (420 min) must be shorter than --max-lifetime (360 min)"
    )
    result = _launch(cli, "--api-url", "notaurl")
    assert result.code == 2
    assert one_error(result).startswith("--api-url 'notaurl' is not an http(s) URL")


def test_stop_with_no_options_stops_the_last_launch_from_here(
    cli: CLI,
    env: dict[str, str],
    aws: AwsFake,
    gh: FakeGitHub,
    instance: Instance,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert _launch(cli, "--label", "gpu-big").code == 0
    for name in ("GITHUB_RUN_ID", "GITHUB_REPOSITORY"):  # a shell, not a CI job
        monkeypatch.delenv(name)
    result = cli("runner", "stop")
    assert result.code == 0, result.output
    assert aws.managed_running() == []
    assert gh.runners(REPO) == []  # the repository came from the state file
    assert not (tmp_path / ".mlreport" / "runner.json").exists()
    again = cli("runner", "stop")
    assert again.code == 2
    assert one_error(again) == "nothing to stop; pass --label or --instance-id"


# -- spot interruptions ----------------------------------------------------------------------


def _reclaimed(aws: AwsFake, label: str, run_id: str) -> str:
    """A spot runner's instance that EC2 took back mid-job (terminated, with EC2's reason)."""
    instance = _managed(aws, label, "2099-01-01T00:00:00Z")
    aws.ec2.create_tags(Resources=[instance], Tags=[{"Key": "mlreport:run-id", "Value": run_id}])
    aws.ec2.terminate_instances(InstanceIds=[instance])
    aws.faults.reclaim(instance)
    return instance


def test_cleanup_says_which_jobs_lost_their_spot_runner_and_reruns_them_once(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub
) -> None:
    instance = _reclaimed(aws, "mlreport-777-1", "777")
    gh.add_workflow_run(REPO, 777, status="completed", conclusion="failure")

    told = cli("runner", "cleanup", "--grace", "0s")  # without --rerun: said, not re-run
    assert told.code == 0, told.output
    assert f"interrupted: {instance} (mlreport-777-1) was a spot instance EC2 reclaimed" in told.out
    assert gh.workflow_run(REPO, 777)["reruns"] == 0

    dry = cli("runner", "cleanup", "--grace", "0s", "--rerun", "--dry-run")
    assert "would re-run run 777 (attempt 2)" in dry.out
    assert gh.workflow_run(REPO, 777)["reruns"] == 0

    done = cli("runner", "cleanup", "--grace", "0s", "--rerun")
    assert done.code == 0, done.output
    assert f"re-ran run 777 (attempt 2): {gh.server_url}/{REPO}/actions/runs/777" in done.out
    assert gh.workflow_run(REPO, 777)["reruns"] == 1

    queued = cli("runner", "cleanup", "--grace", "0s", "--rerun")  # the next hour's sweep
    assert "run 777 is queued: re-run it once it ends" in queued.out
    gh.add_workflow_run(REPO, 777, status="completed", conclusion="failure", attempt=2)
    again = cli("runner", "cleanup", "--grace", "0s", "--rerun")  # reclaimed again: once only
    assert "run 777 was re-run already (attempt 2): not again" in again.out
    assert gh.workflow_run(REPO, 777)["reruns"] == 0  # (the run as re-added: never re-run)


def test_a_run_that_succeeded_or_an_on_demand_instance_is_not_rerun(
    cli: CLI, env: dict[str, str], aws: AwsFake, gh: FakeGitHub
) -> None:
    _reclaimed(aws, "mlreport-778-1", "778")
    gh.add_workflow_run(REPO, 778, status="completed", conclusion="success")
    plain = _managed(aws, "mlreport-779-1", "2099-01-01T00:00:00Z")  # terminated normally
    aws.ec2.terminate_instances(InstanceIds=[plain])
    result = cli("runner", "cleanup", "--grace", "0s", "--rerun")
    assert result.code == 0, result.output
    assert "run 778 ended success: nothing to re-run" in result.out
    assert plain not in result.out
    assert gh.workflow_run(REPO, 778)["reruns"] == 0
