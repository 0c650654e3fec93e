"""The Action's entrypoint in-process: inputs become options, and pick the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlreport.cli import action
from tests.fakes.fixtures import GITHUB_REPO, GITHUB_TOKEN, HEAD_SHA, PULL_NUMBER
from tests.fakes.github import FakeGitHub
from tests.helpers import step_outputs

ROOT = Path(__file__).resolve().parents[2]
TRAIN = """\
import csv, json
json.dump({"accuracy": 0.95, "loss": 0.2}, open("metrics.json", "w"))
with open("predictions.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["y_true", "y_pred"])
    w.writerows([[i % 2, i % 2] for i in range(40)] + [[0, 1], [1, 0]])
"""


def action_inputs() -> dict[str, str]:
    spec = yaml.safe_load((ROOT / "action.yml").read_text())
    return {name: str(value.get("default", "")) for name, value in spec["inputs"].items()}


@pytest.fixture
def runner(github: FakeGitHub, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Environment of a pull_request run: every input set, as the runner sets them."""
    event = workdir / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": PULL_NUMBER,
                    "head": {"sha": HEAD_SHA, "repo": {"full_name": GITHUB_REPO}},
                    "base": {"repo": {"full_name": GITHUB_REPO}},
                }
            }
        )
    )
    files = {"output": workdir / "out.txt", "summary": workdir / "summary.md"}
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": GITHUB_REPO,
        "GITHUB_WORKSPACE": str(workdir),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_API_URL": github.api_url,
        "GITHUB_SERVER_URL": github.server_url,
        "GITHUB_OUTPUT": str(files["output"]),
        "GITHUB_STEP_SUMMARY": str(files["summary"]),
        "HOME": str(workdir / "home"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name, value in action_inputs().items():
        monkeypatch.setenv(
            f"INPUT_{name.upper()}", value.replace("${{ github.token }}", GITHUB_TOKEN)
        )
    (workdir / "home").mkdir()
    (workdir / "train.py").write_text(TRAIN)
    return files


@pytest.mark.parametrize(
    ("inputs", "argv"),
    [
        ({"RUN": "python train.py"}, ["run", "--publish", "--", "sh", "-c", "python train.py"]),
        ({"METRICS": "m.json"}, ["render", "--publish"]),
        ({"HISTORY": "h.csv"}, ["render", "--publish"]),
        ({}, ["publish", "report"]),
        ({"OUTPUT": "downloaded"}, ["publish", "downloaded"]),
    ],
)
def test_command_choice(
    monkeypatch: pytest.MonkeyPatch, inputs: dict[str, str], argv: list[str]
) -> None:
    for name in ("RUN", "METRICS", "PREDICTIONS", "HISTORY", "OUTPUT"):
        monkeypatch.delenv(f"INPUT_{name}", raising=False)
    for name, value in inputs.items():
        monkeypatch.setenv(f"INPUT_{name}", value)
    assert action.command() == argv


def test_run_and_publish(
    github: FakeGitHub,
    runner: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("INPUT_RUN", f"{sys.executable} train.py")
    monkeypatch.setenv("INPUT_METRICS", "metrics.json")
    monkeypatch.setenv("INPUT_PREDICTIONS", "predictions.csv")
    monkeypatch.setenv("INPUT_GATES", "accuracy >= 0.9\nloss <= 0.5\n")
    assert action.main() == 0, capsys.readouterr()
    comments = github.comments(GITHUB_REPO, PULL_NUMBER)
    assert len(comments) == 1
    assert "### Command" in comments[0]["body"]
    values = step_outputs(runner["output"])
    assert values["status"] == "pass" and values["gates-failed"] == "0"
    assert values["comment-url"] == comments[0]["html_url"]


def test_fail_on_gates_decides_the_exit_code(
    github: FakeGitHub, runner: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run([sys.executable, "train.py"], check=True)
    monkeypatch.setenv("INPUT_METRICS", "metrics.json")
    monkeypatch.setenv("INPUT_GATES", "accuracy >= 0.99")
    assert action.main() == 1
    monkeypatch.setenv("INPUT_FAIL_ON_GATES", "false")
    assert action.main() == 0
    assert step_outputs(runner["output"])["status"] == "fail"


def test_publish_false_stays_local_but_writes_the_outputs(
    github: FakeGitHub,
    runner: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    workdir: Path,
) -> None:
    subprocess.run([sys.executable, "train.py"], check=True)
    monkeypatch.setenv("INPUT_METRICS", "metrics.json")
    monkeypatch.setenv("INPUT_PUBLISH", "false")
    assert action.main() == 0
    assert github.requests == []
    assert (workdir / "report" / "published" / "comment-1.md").is_file()
    assert step_outputs(runner["output"])["status"] == "pass"


def test_publishes_an_existing_report(
    github: FakeGitHub,
    runner: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    workdir: Path,
) -> None:
    subprocess.run([sys.executable, "train.py"], check=True)
    subprocess.run(
        [sys.executable, "-m", "mlreport", "render", "-m", "metrics.json", "-o", "artifact"],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("INPUT_OUTPUT", "artifact")
    monkeypatch.setenv("INPUT_PR", str(PULL_NUMBER))
    assert action.main() == 0
    assert len(github.comments(GITHUB_REPO, PULL_NUMBER)) == 1


def test_working_directory(
    github: FakeGitHub,
    runner: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    workdir: Path,
) -> None:
    (workdir / "model").mkdir()
    (workdir / "model" / "m.json").write_text('{"accuracy": 0.9}')
    monkeypatch.setenv("INPUT_WORKING_DIRECTORY", "model")
    monkeypatch.setenv("INPUT_METRICS", "m.json")
    assert action.main() == 0
    assert (workdir / "model" / "report" / "report.md").is_file()
