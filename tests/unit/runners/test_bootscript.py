"""The instance's boot script: rendered, passed by shellcheck, and run in a sandbox where
every command that would touch the machine (shutdown, nvidia-smi, curl, useradd, sudo …) is
a stub that records its arguments, so the order of what the script does can be checked."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from mlreport.errors import UsageError
from mlreport.runners.bootscript import MAX_USER_DATA, RUNNER_VERSION, BootPlan, render

JIT = "eyJ2ZXJ5IjoiYmFzZTY0IiwidHJpY2t5IjoiJyQoKSJ9"  # base64, as GitHub sends it
TOKEN = "AABBCCDDEEFFGGHHIIJJKKLLMMN2"


def _plan(tmp_path: Path, **changes: object) -> BootPlan:
    fields: dict[str, object] = {
        "name": "mlreport-42-1",
        "max_lifetime": 360,
        "idle_timeout": 15,
        "jit_config": JIT,
        "runner_dir": str(tmp_path / "actions-runner"),
        "sudoers_dir": str(tmp_path / "sudoers.d"),
    }
    fields.update(changes)
    return BootPlan(**fields)  # type: ignore[arg-type]


def _shellcheck() -> str:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("shellcheck", path=path)
    if found is None:
        pytest.fail("shellcheck not found: it is a test dependency (pip install '.[test]')")
    return found


def _lint(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "user-data.sh"
    path.write_text(script, encoding="utf-8")
    return subprocess.run(
        [_shellcheck(), "--severity=style", "--shell=bash", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("mode", ["jit", "ephemeral", "no-gpu-check"])
def test_the_script_passes_shellcheck(tmp_path: Path, mode: str) -> None:
    changes: dict[str, object] = {}
    if mode == "ephemeral":
        changes = {
            "jit_config": None,
            "registration_token": TOKEN,
            "url": "https://github.com/octo/demo",
            "labels": ("mlreport-42-1",),
        }
    elif mode == "no-gpu-check":
        changes = {"gpu_check": False}
    result = _lint(render(_plan(tmp_path, **changes)), tmp_path)
    assert result.returncode == 0, result.stdout


def test_shellcheck_can_fail(tmp_path: Path) -> None:
    # an unquoted positional parameter: only shellcheck objects (SC2086)
    script = render(_plan(tmp_path)).replace('cd "$RUNNER_DIR"', 'cd "$RUNNER_DIR" || cd $1')
    result = _lint(script, tmp_path)
    assert result.returncode != 0
    assert "SC2086" in result.stdout


def test_the_dead_man_switch_comes_first(tmp_path: Path) -> None:
    script = render(_plan(tmp_path, max_lifetime=90))
    commands = [line for line in script.splitlines() if line.strip() and not line.startswith("#")]
    assert commands[0] == "set -euo pipefail"
    assert commands[1].startswith("trap ") and commands[1].endswith(" EXIT")
    assert commands[2].startswith("shutdown -h +90 ")


def test_values_are_shell_quoted(tmp_path: Path) -> None:
    script = render(_plan(tmp_path, jit_config="a'b$(reboot)"))
    assert "JIT_CONFIG='a'\"'\"'b$(reboot)'" in script


def test_a_bad_runner_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="runner-version"):
        render(_plan(tmp_path, runner_version="latest; rm -rf /"))


def test_user_data_over_the_ec2_limit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=str(MAX_USER_DATA)):
        render(_plan(tmp_path, jit_config="x" * MAX_USER_DATA))


# -- the script, run ----------------------------------------------------------------------

STUB = """#!/bin/bash
echo "{name} $*" >> "$STUB_LOG"
{body}
"""
STUBS = {
    "shutdown": "",
    "nvidia-smi": '[ "${STUB_GPU:-ok}" = ok ]',
    # the instance metadata (STUB_SPOT: a spot instance, and its interruption notice) and
    # the runner's tarball
    "curl": 'case "$*" in *api/token*) echo IMDS-TOKEN ;; '
    '*instance-life-cycle*) if [ -n "${STUB_SPOT:-}" ]; then echo spot; '
    "else echo on-demand; fi ;; "
    '*spot/instance-action*) if [ -n "${STUB_SPOT:-}" ]; then echo "$STUB_SPOT"; '
    "else exit 22; fi ;; "
    "esac; "
    'while [ $# -gt 0 ]; do [ "$1" = -o ] && cp "$STUB_TARBALL" "$2"; shift; done',
    "useradd": "",
    "usermod": "",
    "getent": "exit 0",
    "id": "exit 1",
    "chown": "",
    # libicu first, then a long list: a reader that stops early breaks the pipe (pipefail)
    "ldconfig": 'echo "libicuuc.so.70 (libc6,x86-64) => /usr/lib/libicuuc.so.70"; '
    'for i in $(seq 20000); do echo "libx$i.so (libc6,x86-64) => /usr/lib/libx$i.so"; done',
    "sleep": 'exec /bin/sleep "${STUB_SLEEP:-0}"',
    # sudo [-H] [-u USER] [--] COMMAND…: run COMMAND as is
    "sudo": 'while [ $# -gt 0 ]; do case "$1" in -u) shift 2;; --) shift; break;; -*) shift;; '
    '*) break;; esac; done; exec "$@"',
}
# The runner's own scripts, in the tarball curl "downloads".
RUN_SH = """#!/bin/bash
echo "run.sh $*" >> "$STUB_LOG"
set -a; . "$(dirname "$0")/.env"; set +a
if [ "${STUB_JOB:-yes}" = yes ]; then
  "$ACTIONS_RUNNER_HOOK_JOB_STARTED"
  "$ACTIONS_RUNNER_HOOK_JOB_COMPLETED"
elif [ "$STUB_JOB" = spot ]; then  # a job runs until the spot notice reaches its temp folder
  /bin/sleep 0.3  # the notice comes first: the job's folder appears after it
  mkdir -p "$(dirname "$0")/_work/_temp"
  "$ACTIONS_RUNNER_HOOK_JOB_STARTED"
  notice="$(dirname "$0")/_work/_temp/mlreport-spot-interruption.json"
  until [ -e "$notice" ]; do /bin/sleep 0.02; done
  "$ACTIONS_RUNNER_HOOK_JOB_COMPLETED"
else  # no job comes: the runner idles until the idle timeout powers the machine off
  until grep -q "^shutdown -h now mlreport: no job" "$STUB_LOG"; do /bin/sleep 0.02; done
fi
"""
INSTALL_DEPENDENCIES = '#!/bin/bash\necho "installdependencies.sh" >> "$STUB_LOG"\n'
CONFIG_SH = '#!/bin/bash\necho "config.sh $*" >> "$STUB_LOG"\n'


def _tarball(path: Path) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in (
            ("run.sh", RUN_SH),
            ("config.sh", CONFIG_SH),
            ("bin/installdependencies.sh", INSTALL_DEPENDENCIES),
        ):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755
            tar.addfile(info, io.BytesIO(data))
    return path


def _boot(tmp_path: Path, plan: BootPlan, **env: str) -> tuple[int, list[str]]:
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        stub = stubs / name
        stub.write_text(STUB.format(name=name, body=body), encoding="utf-8")
        stub.chmod(0o755)
    (tmp_path / "sudoers.d").mkdir()
    log = tmp_path / "log"
    log.touch()
    script = tmp_path / "user-data.sh"
    script.write_text(render(plan), encoding="utf-8")
    environ = {
        "PATH": f"{stubs}{os.pathsep}/usr/bin:/bin",
        "STUB_LOG": str(log),
        "STUB_TARBALL": str(_tarball(tmp_path / "runner.tar.gz")),
        **env,
    }
    done = subprocess.run(
        ["bash", str(script)], env=environ, capture_output=True, timeout=60, check=False
    )
    return done.returncode, log.read_text(encoding="utf-8").splitlines()


def test_boot_runs_the_runner_once_then_powers_off(tmp_path: Path) -> None:
    status, log = _boot(tmp_path, _plan(tmp_path, max_lifetime=120), STUB_SLEEP="0.3")
    assert status == 0
    assert "sleep 900" in log  # the idle timeout, in the background: 15 minutes
    imds = "http://169.254.169.254/"  # the spot watcher, in the background: not in order
    log = [line for line in log if not line.startswith("sleep ") and imds not in line]
    assert log[0].startswith("shutdown -h +120 ")
    assert log[1] == "nvidia-smi "
    curl = next(line for line in log if line.startswith("curl "))
    assert f"v{RUNNER_VERSION}/actions-runner-linux-x64-{RUNNER_VERSION}.tar.gz" in curl
    assert f"run.sh --jitconfig {JIT}" in log
    after = log[log.index(f"run.sh --jitconfig {JIT}") + 1 :]
    assert after[:2] == [
        "sudo shutdown -h +1 mlreport: job completed",  # the job-completed hook
        "shutdown -h +1 mlreport: job completed",
    ]
    assert after[-1] == "shutdown -h now mlreport: boot script ended"
    assert not any("no job started" in line for line in log)
    assert "installdependencies.sh" not in log  # libicu is there
    hooks = (tmp_path / "actions-runner" / ".env").read_text(encoding="utf-8")
    assert "ACTIONS_RUNNER_HOOK_JOB_COMPLETED=" in hooks
    assert (tmp_path / "sudoers.d" / "90-mlreport-runner").stat().st_mode & 0o777 == 0o440


def test_no_gpu_means_power_off_before_installing_anything(tmp_path: Path) -> None:
    status, log = _boot(tmp_path, _plan(tmp_path), STUB_GPU="fail")
    assert status == 1
    assert [line.split(" ", 1)[0] for line in log] == ["shutdown", "nvidia-smi", "shutdown"]
    assert log[-1] == "shutdown -h now mlreport: boot script ended"


def test_no_gpu_check_skips_nvidia_smi(tmp_path: Path) -> None:
    status, log = _boot(tmp_path, _plan(tmp_path, gpu_check=False), STUB_GPU="fail")
    assert status == 0
    assert not any(line.startswith("nvidia-smi") for line in log)


def test_idle_timeout_powers_off_when_no_job_comes(tmp_path: Path) -> None:
    status, log = _boot(tmp_path, _plan(tmp_path, idle_timeout=7), STUB_JOB="no")
    assert status == 0
    assert "sleep 420" in log  # 7 minutes
    assert "shutdown -h now mlreport: no job started within 7 min" in log


def test_ephemeral_registration_then_run(tmp_path: Path) -> None:
    plan = _plan(
        tmp_path,
        jit_config=None,
        registration_token=TOKEN,
        url="https://github.com/octo/demo",
        labels=("mlreport-42-1",),
    )
    status, log = _boot(tmp_path, plan)
    assert status == 0
    config = next(line for line in log if line.startswith("config.sh "))
    assert config == (
        f"config.sh --unattended --ephemeral --url https://github.com/octo/demo --token {TOKEN} "
        "--name mlreport-42-1 --labels mlreport-42-1"
    )
    assert log.index(config) < log.index("run.sh ")


NOTICE = '{"action": "terminate", "time": "2026-12-08T03:00:00Z"}'


def test_a_spot_notice_reaches_the_jobs_temp_folder(tmp_path: Path) -> None:
    status, log = _boot(tmp_path, _plan(tmp_path), STUB_SPOT=NOTICE, STUB_JOB="spot")
    assert status == 0
    notice = tmp_path / "actions-runner" / "_work" / "_temp" / "mlreport-spot-interruption.json"
    assert notice.read_text(encoding="utf-8") == NOTICE + "\n"
    asked = [line for line in log if "spot/instance-action" in line]
    assert asked and all("X-aws-ec2-metadata-token: IMDS-TOKEN" in line for line in asked)
    assert "sleep 5" in log  # polled every 5 s


def test_an_on_demand_instance_watches_nothing(tmp_path: Path) -> None:
    status, log = _boot(tmp_path, _plan(tmp_path))
    assert status == 0
    assert any("instance-life-cycle" in line for line in log)
    assert not any("spot/instance-action" in line for line in log)
    assert not (tmp_path / "actions-runner" / "_work").exists()
