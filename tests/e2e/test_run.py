"""`mlreport run -- COMMAND`: the command's outcome and output tail join the report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLI

PY = sys.executable


def report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((path / "report.json").read_text())
    return data


def test_run_then_render(workdir: Path, cli: CLI) -> None:
    script = (
        "import json\n"
        "for i in range(80): print(f'epoch {i} loss {1/(i+1):.3f}')\n"
        "json.dump({'accuracy': 0.93}, open('metrics.json', 'w'))\n"
    )
    result = cli(
        "run", "-o", "out", "-m", "metrics.json", "-g", "accuracy >= 0.9", "--", PY, "-c", script
    )
    assert result.code == 0, result.output
    assert "epoch 79 loss 0.013" in result.out  # the output is streamed through
    data = report(workdir / "out")
    run = data["run"]
    assert run["exit_code"] == 0 and run["error"] is None
    assert run["command"][:2] == [PY, "-c"]
    assert run["output_lines"] == 80 and len(run["output_tail"]) == 50
    assert run["output_tail"][-1] == "epoch 79 loss 0.013"
    markdown = (workdir / "out" / "report.md").read_text()
    assert "### Command" in markdown
    assert "finished with exit code 0 after" in markdown
    assert "<details><summary>Last 50 of 80 lines of output</summary>" in markdown


def test_failing_command_still_writes_the_report(workdir: Path, cli: CLI) -> None:
    script = "import sys; print('training diverged: loss=nan'); sys.exit(3)"
    result = cli("run", "-o", "out", "-m", "metrics.json", "--", PY, "-c", script)
    assert result.code == 1
    data = report(workdir / "out")
    assert data["status"] == "fail"
    assert data["run"]["exit_code"] == 3
    assert data["errors"] and "metrics.json: metrics file not found" in data["errors"][0]
    markdown = (workdir / "out" / "report.md").read_text()
    assert markdown.startswith("## ❌ ML report: the command failed (exit 3)")
    assert "<details open><summary>Output (1 line)</summary>" in markdown
    assert "training diverged: loss=nan" in markdown


def test_command_not_found(workdir: Path, cli: CLI) -> None:
    result = cli("run", "-o", "out", "--", "definitely-not-a-command-xyz")
    assert result.code == 1
    assert "mlreport: command not found: definitely-not-a-command-xyz" in result.err
    assert report(workdir / "out")["run"]["exit_code"] == 127


def test_missing_outputs_after_success_is_an_input_error(workdir: Path, cli: CLI) -> None:
    result = cli("run", "-o", "out", "-m", "never.json", "--", PY, "-c", "pass")
    assert result.code == 2
    assert report(workdir / "out")["errors"][0].startswith("never.json: metrics file not found")


def test_malformed_gate_stops_before_training(workdir: Path, cli: CLI) -> None:
    result = cli(
        "run", "-o", "out", "-g", "accuracy => 1", "--", PY, "-c", "open('ran', 'w').close()"
    )
    assert result.code == 2
    assert "unknown operator" in result.err
    assert not (workdir / "ran").exists()


def test_secrets_are_masked(workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_supersecretvalue123")
    monkeypatch.setenv("MY_API_KEY", "k-987654321")
    script = "import os; print('token', os.environ['GITHUB_TOKEN'], os.environ['MY_API_KEY'])"
    result = cli("run", "-o", "out", "--", PY, "-c", script)
    assert result.code == 0
    for text in (
        result.output,
        (workdir / "out" / "report.md").read_text(),
        (workdir / "out" / "report.json").read_text(),
    ):
        assert "supersecretvalue" not in text and "987654321" not in text
    assert "token *** ***" in result.out


def test_terminal_escapes_and_carriage_returns_are_cleaned(workdir: Path, cli: CLI) -> None:
    script = r"print('\x1b[32mgreen\x1b[0m'); print('10%\r50%\r100% done')"
    assert cli("run", "-o", "out", "--", PY, "-c", script).code == 0
    assert report(workdir / "out")["run"]["output_tail"] == ["green", "100% done"]


def test_sigterm_is_forwarded_and_the_report_written(tmp_path: Path) -> None:
    """A cancelled CI job: mlreport passes SIGTERM on, then writes what it has."""
    script = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: (print('stopping cleanly', flush=True),"
        " sys.exit(143)))\n"
        "print('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [PY, "-m", "mlreport", "run", "-o", "out", "--", PY, "-c", script],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"started"
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 1
    assert "stopping cleanly" in output
    data = report(tmp_path / "out")
    assert data["run"]["exit_code"] == 143
    assert data["run"]["output_tail"] == ["started", "stopping cleanly"]


# -- every wait is bounded, and the report is always written -------------------------------


def _run_process(tmp_path: Path, *command: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PY, "-m", "mlreport", "run", "-o", "out", "--", *command],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "MLREPORT_CHART_WORKERS": "0"},
    )


def test_a_background_process_holding_the_output_does_not_hold_run(tmp_path: Path) -> None:
    started = time.monotonic()
    process = _run_process(tmp_path, "sh", "-c", "sleep 30 & echo done")
    output = process.communicate(timeout=60)[0].decode()
    assert time.monotonic() - started < 15
    assert process.returncode == 0, output
    data = report(tmp_path / "out")
    assert data["run"]["output_tail"] == ["done"]
    assert data["run"]["duration_s"] < 2  # the command's own time, not the wait after it
    assert "a process it started still holds the output open" in output


def test_sigterm_with_a_new_session_holding_the_output_still_writes_the_report(
    tmp_path: Path,
) -> None:
    """A cancelled job whose command started a process in a session of its own (out of
    reach of the group's signal) that keeps the output open."""
    script = "setsid sh -c 'echo detached; exec sleep 60' & sleep 60"
    process = _run_process(tmp_path, "sh", "-c", script)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"detached"  # in its own session by now
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=60)[0].decode()
    assert time.monotonic() - started < 10  # what a cancelled CI job leaves a step
    assert process.returncode == 1, output
    data = report(tmp_path / "out")
    assert data["run"]["exit_code"] == 143
    assert "killed by signal SIGTERM" in data["run"]["error"]


def test_a_command_ignoring_sigterm_gets_sigkill_and_the_report_is_written(
    tmp_path: Path,
) -> None:
    script = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    script += "print('stubborn', flush=True); time.sleep(60)"
    process = _run_process(tmp_path, PY, "-c", script)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"stubborn"
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    assert time.monotonic() - started < 10
    assert process.returncode == 1
    data = report(tmp_path / "out")
    assert data["run"]["exit_code"] == 137
    assert "SIGKILL after 5 s: it did not stop on SIGTERM" in data["run"]["error"]


@pytest.mark.parametrize(
    ("script", "code", "error"),
    [
        ('kill -40 "$$"', 168, "killed by signal SIGRTMIN+6"),  # a real-time signal
        ('kill -KILL "$$"', 137, "killed by signal SIGKILL"),
    ],
)
def test_a_command_killed_by_any_signal_gets_its_report(
    workdir: Path, cli: CLI, script: str, code: int, error: str
) -> None:
    result = cli("run", "-o", "out", "--", "sh", "-c", script)
    assert result.code == 1, result.output
    assert report(workdir / "out")["run"]["exit_code"] == code
    assert f"mlreport: {error}" in result.err


def test_a_command_removing_the_working_directory_gets_its_report(tmp_path: Path) -> None:
    here = tmp_path / "project"
    here.mkdir()
    (here / "out").mkdir()  # a report of an earlier run, removed too
    process = subprocess.Popen(
        [PY, "-m", "mlreport", "run", "-o", "out", "--", "sh", "-c", 'rm -rf "$PWD"'],
        cwd=here,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "MLREPORT_CHART_WORKERS": "0"},
    )
    output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 1, output
    data = report(here / "out")
    assert data["errors"] == [
        f"the command removed the working directory {here}: made it again for the report"
    ]


def test_a_command_removing_the_report_directory_gets_its_report(workdir: Path, cli: CLI) -> None:
    (workdir / "out").mkdir()
    result = cli("run", "-o", "out", "--", "rm", "-rf", "out")
    assert result.code == 0, result.output
    assert report(workdir / "out")["run"]["exit_code"] == 0


def test_a_huge_line_without_an_end_keeps_memory_bounded(tmp_path: Path) -> None:
    """200 MB on one line: passed on as it comes, never held whole."""
    script = "import sys\nfor _ in range(200): sys.stdout.buffer.write(b'x' * (1 << 20))\n"
    code = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'mlreport', 'run', '-o', 'out', '--',\n"
        f"    sys.executable, '-c', {script!r}], stdout=subprocess.DEVNULL)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [PY, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True
    )
    returncode, peak_kib = map(int, done.stdout.split())
    assert returncode == 0
    assert peak_kib < 150 * 1024  # the largest process: mlreport, well under the 200 MB
    tail = report(tmp_path / "out")["run"]["output_tail"]
    assert len(tail) == 1 and tail[0].endswith("x…") and len(tail[0]) == 400


def test_a_spot_interruption_notice_stops_the_command_and_the_report_says_so(
    tmp_path: Path,
) -> None:
    """The runner's boot script leaves EC2's two-minute notice in $RUNNER_TEMP: run stops
    the command (SIGTERM to its group) and writes the report well within the two minutes."""
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    notice = temp / "mlreport-spot-interruption.json"
    script = (
        "import json, pathlib, sys, time\n"
        "print('epoch 1', flush=True)\n"
        f"pathlib.Path({str(notice)!r}).write_text(json.dumps("
        "{'action': 'terminate', 'time': '2026-12-08T03:02:00Z'}))\n"
        "time.sleep(60)\n"
    )
    started = time.monotonic()
    process = subprocess.Popen(
        [PY, "-m", "mlreport", "run", "-o", "out", "--", PY, "-c", script],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "RUNNER_TEMP": str(temp), "MLREPORT_CHART_WORKERS": "0"},
    )
    output = process.communicate(timeout=60)[0].decode()
    assert time.monotonic() - started < 15, output
    assert process.returncode == 1, output
    data = report(tmp_path / "out")
    assert data["run"]["exit_code"] == 143
    assert (
        "stopped: EC2 is reclaiming this spot instance (terminate at 2026-12-08T03:02:00Z); "
        "the job was interrupted" in data["run"]["error"]
    )
    assert "reclaiming this spot instance" in (tmp_path / "out" / "report.md").read_text()


def test_no_notice_no_interruption(tmp_path: Path) -> None:
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    process = subprocess.Popen(
        [PY, "-m", "mlreport", "run", "-o", "out", "--", PY, "-c", "import time; time.sleep(1.5)"],
        cwd=tmp_path,
        env={**os.environ, "RUNNER_TEMP": str(temp), "MLREPORT_CHART_WORKERS": "0"},
    )
    assert process.wait(timeout=60) == 0
    assert report(tmp_path / "out")["run"]["error"] is None
