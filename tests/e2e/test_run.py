"""`mlreport run -- COMMAND`: the command's outcome and output tail join the report."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
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
