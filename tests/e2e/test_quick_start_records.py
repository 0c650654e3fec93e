"""The README's quick start, end to end, against the fake GitHub and the fake GitLab.

A push to main records its report; a pull request's run then takes the baselines of the
computed metrics (accuracy, f1_macro) from that record and evaluates the gate
`f1_macro >= baseline - 0.01`: a worse model fails it, a change within noise passes it.
The workflow's inputs are read from the README itself, so the test runs what users copy.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlreport.cli import action
from tests.conftest import CLI
from tests.fakes.fixtures import (
    GITHUB_REPO,
    GITHUB_TOKEN,
    GITLAB_PROJECT,
    GITLAB_TOKEN,
    MR_IID,
    PULL_NUMBER,
)
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab
from tests.helpers import step_outputs

ROOT = Path(__file__).resolve().parents[2]
# A training script: the same 2,000 test examples on every commit; the model is right on
# an example when its difficulty is below QUALITY; NOISE re-draws that for a share of them.
TRAIN = """\
import csv, json, os, random
quality = float(os.environ.get("QUALITY", "0.9"))
noise = float(os.environ.get("NOISE", "0"))
fixed, rerun = random.Random(7), random.Random(int(os.environ.get("SEED", "1")))
rows = []
for i in range(2000):
    y, difficulty = fixed.randrange(3), fixed.random()
    right = difficulty < quality
    if rerun.random() < noise:
        right = rerun.random() < quality
    rows.append([f"ex-{i}", y, y if right else (y + 1 + i % 2) % 3])
with open("predictions.csv", "w", newline="") as f:
    csv.writer(f).writerows([["id", "y_true", "y_pred"], *rows])
json.dump({"train": {"epochs": 3}}, open("metrics.json", "w"))
"""


def quick_start() -> dict[str, str]:
    """The `with:` of the README's quick start workflow."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start.*?```yaml\n(.*?)```", readme, re.S)
    assert block is not None
    workflow = yaml.safe_load(block.group(1))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"] == {"branches": ["main"]}  # main's reports are recorded
    (step,) = [s for s in workflow["jobs"]["train"]["steps"] if "ml-report" in s.get("uses", "")]
    return {name: str(value) for name, value in step["with"].items()}


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def commit(message: str, **train_env: str) -> str:
    """Commit train.py set to train the model *train_env* describes; the new commit's SHA."""
    settings = "".join(f"os.environ.setdefault({k!r}, {v!r})\n" for k, v in train_env.items())
    Path("train.py").write_text("import os\n" + settings + TRAIN)
    git("add", "train.py")
    git("commit", "-qm", message)
    return git("rev-parse", "HEAD")


@pytest.fixture
def repository(workdir: Path) -> Path:
    git("init", "-q", "-b", "main")
    git("config", "user.email", "ci@example.com")
    git("config", "user.name", "CI")
    Path(".gitignore").write_text("report/\nmetrics.json\npredictions.csv\n*.txt\n*.md\n")
    git("add", ".gitignore")
    return workdir


def with_inputs(monkeypatch: pytest.MonkeyPatch, inputs: dict[str, str]) -> None:
    """The Action's inputs as the runner sets them: every input of action.yml, the
    workflow's values over the defaults."""
    spec = yaml.safe_load((ROOT / "action.yml").read_text())
    for name, meta in spec["inputs"].items():
        value = inputs.get(name, str(meta.get("default", "")))
        value = value.replace("${{ github.token }}", GITHUB_TOKEN)
        value = value.replace("${{ secrets.GITHUB_TOKEN }}", GITHUB_TOKEN)
        monkeypatch.setenv(f"INPUT_{name.upper()}", value)
    monkeypatch.setenv("INPUT_RUN", f"{sys.executable} train.py")  # no pip install here


def github_run(
    monkeypatch: pytest.MonkeyPatch, github: FakeGitHub, workdir: Path, event: dict[str, Any]
) -> dict[str, Path]:
    path = workdir / "event.json"
    path.write_text(json.dumps(event))
    files = {"output": workdir / "output.txt", "summary": workdir / "summary.txt"}
    for file in files.values():
        file.unlink(missing_ok=True)
    for name, value in {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": GITHUB_REPO,
        "GITHUB_WORKSPACE": str(workdir),
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_API_URL": github.api_url,
        "GITHUB_SERVER_URL": github.server_url,
        "GITHUB_OUTPUT": str(files["output"]),
        "GITHUB_STEP_SUMMARY": str(files["summary"]),
    }.items():
        monkeypatch.setenv(name, value)
    return files


def push_to_main(
    monkeypatch: pytest.MonkeyPatch, github: FakeGitHub, workdir: Path, sha: str, run: int
) -> dict[str, Path]:
    git("update-ref", "refs/remotes/origin/main", sha)  # what checkout fetches
    github.add_commit(GITHUB_REPO, sha)
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    monkeypatch.setenv("GITHUB_REF", "refs/heads/main")
    monkeypatch.setenv("GITHUB_SHA", sha)
    monkeypatch.setenv("GITHUB_RUN_NUMBER", str(run))
    event = {"ref": "refs/heads/main", "after": sha, "repository": {"default_branch": "main"}}
    return github_run(monkeypatch, github, workdir, event)


def pull_request(
    monkeypatch: pytest.MonkeyPatch, github: FakeGitHub, workdir: Path, head: str
) -> dict[str, Path]:
    github.add_commit(GITHUB_REPO, head)
    github.add_pull_head(GITHUB_REPO, PULL_NUMBER, head)
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_REF", f"refs/pull/{PULL_NUMBER}/merge")
    monkeypatch.setenv("GITHUB_SHA", "0" * 39 + "1")  # the merge commit: not in main
    monkeypatch.setenv("GITHUB_RUN_NUMBER", "900")
    repo = {"full_name": GITHUB_REPO}
    event = {
        "pull_request": {
            "number": PULL_NUMBER,
            "head": {"sha": head, "repo": repo},
            "base": {"ref": "main", "repo": repo},
        },
        "repository": {"default_branch": "main"},
    }
    return github_run(monkeypatch, github, workdir, event)


def report() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path("report/report.json").read_text())
    return data


def metric(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(m for m in data["metrics"] if m["name"] == name)


def gate(data: dict[str, Any], expression: str) -> dict[str, Any]:
    return next(g for g in data["gates"] if g["expression"] == expression)


F1_GATE = "f1_macro >= baseline - 0.01"


def test_the_quick_start_on_github(
    github: FakeGitHub,
    repository: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inputs = quick_start()
    assert F1_GATE in inputs["gates"].splitlines()
    with_inputs(monkeypatch, inputs)

    # 1. The first push to main: nothing to compare with yet; the report is recorded.
    main = commit("main model", QUALITY="0.95")
    files = push_to_main(monkeypatch, github, repository, main, run=812)
    assert action.main() == 0, capsys.readouterr()
    out = capsys.readouterr()
    assert "1 gate skipped: no baseline for f1_macro" in out.out
    assert "::warning title=mlreport%3A gate skipped::gate 'f1_macro >= baseline - 0.01'" in out.out
    assert step_outputs(files["output"])["gates-skipped"] == "1"
    assert f"mlreport: recorded the report of {main[:7]} (with its outcomes)" in out.out
    stored = github.branch_files(GITHUB_REPO, "mlreport-assets")
    assert f"records/default/{main}/record.npz" in stored
    assert any(path.startswith("images/") for path in stored)  # in the same branch

    # 2. A pull request with a worse model: the gate is evaluated against the record, fails.
    git("checkout", "-qb", "worse")
    worse = commit("a worse model", QUALITY="0.92")
    files = pull_request(monkeypatch, github, repository, worse)
    assert action.main() == 1
    out = capsys.readouterr()
    data = report()
    assert data["inputs"]["baseline"]["kind"] == "record"
    assert data["inputs"]["baseline"]["provenance"] == (
        f"origin/main @ {main[:7]} (recorded by run 812)"
    )
    for name in ("accuracy", "f1_macro"):
        row = metric(data, name)
        assert row["baseline"] is not None and row["paired"], (row, data["notes"])
        assert row["change"] == "worse"
    f1 = gate(data, F1_GATE)
    assert f1["status"] == "fail" and f1["baseline"] == metric(data, "f1_macro")["baseline"]
    assert step_outputs(files["output"])["gates-failed"] == "1"
    assert step_outputs(files["output"])["gates-skipped"] == "0"
    assert data["changes"]["broken"] > 40 and data["changes"]["fixed"] == 0
    (comment,) = github.comments(GITHUB_REPO, PULL_NUMBER)
    assert f"baseline origin/main @ {main[:7]} (recorded by run 812)" in comment["body"]
    assert "### Changed predictions" in comment["body"]
    assert "recorded" not in out.out  # a pull request's report is not a baseline

    # 3. The same PR, pushed again with a change within noise: the gate passes.
    noise = commit("retrained: another seed", QUALITY="0.95", NOISE="0.03", SEED="5")
    files = pull_request(monkeypatch, github, repository, noise)
    assert action.main() == 0, capsys.readouterr()
    data = report()
    assert gate(data, F1_GATE)["status"] == "pass"
    accuracy = metric(data, "accuracy")
    assert accuracy["change"] == "noise" and accuracy["delta"] != 0
    assert accuracy["delta_low"] < 0 < accuracy["delta_high"]
    assert len(github.comments(GITHUB_REPO, PULL_NUMBER)) == 1  # updated in place
    assert "≈ within noise" in github.comments(GITHUB_REPO, PULL_NUMBER)[0]["body"]

    # 4. The next push to main compares with the first, and is recorded beside it.
    git("checkout", "-q", "main")
    second = commit("main, retrained", QUALITY="0.95", NOISE="0.03", SEED="5")
    push_to_main(monkeypatch, github, repository, second, run=813)
    assert action.main() == 0, capsys.readouterr()
    assert report()["inputs"]["baseline"]["provenance"] == (
        f"origin/main @ {main[:7]} (recorded by run 812, 1 commit behind)"
    )
    stored = github.branch_files(GITHUB_REPO, "mlreport-assets")
    assert {f"records/default/{sha}/record.npz" for sha in (main, second)} <= set(stored)


def gitlab_pipeline(
    monkeypatch: pytest.MonkeyPatch, gitlab: FakeGitLab, sha: str, merge_request: bool
) -> None:
    for name, value in {
        "GITLAB_CI": "true",
        "CI_SERVER_URL": gitlab.url,
        "CI_API_V4_URL": f"{gitlab.url}/api/v4",
        "CI_PROJECT_PATH": GITLAB_PROJECT,
        "CI_PROJECT_ID": "42",
        "CI_DEFAULT_BRANCH": "main",
        "CI_COMMIT_SHA": sha,
        "CI_PIPELINE_IID": "77" if not merge_request else "78",
        "GITLAB_TOKEN": GITLAB_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_PROJECT_PATH", "CI_COMMIT_BRANCH"):
        monkeypatch.delenv(name, raising=False)
    if merge_request:
        monkeypatch.setenv("CI_MERGE_REQUEST_IID", str(MR_IID))
        monkeypatch.setenv("CI_MERGE_REQUEST_PROJECT_PATH", GITLAB_PROJECT)
    else:
        monkeypatch.setenv("CI_COMMIT_BRANCH", "main")
        gitlab.add_commit(GITLAB_PROJECT, sha)


def test_the_gitlab_example(
    gitlab: FakeGitLab, repository: Path, monkeypatch: pytest.MonkeyPatch, cli: CLI
) -> None:
    """examples/workflows/gitlab-ci.yml's command: a branch pipeline of main records on the
    records branch; a merge request pipeline's gate is evaluated against the record."""
    script = yaml.safe_load((ROOT / "examples/workflows/gitlab-ci.yml").read_text())
    command = next(line for line in script["ml-report"]["script"] if "mlreport run" in line)
    command = command.replace("$BASE", "main").replace("python train.py", "train.py")
    argv = shlex.split(command)[1:]  # without "mlreport"
    argv[argv.index("train.py") :] = [sys.executable, "train.py"]
    assert F1_GATE in argv
    main = commit("main model", QUALITY="0.95")
    git("update-ref", "refs/remotes/origin/main", main)
    gitlab_pipeline(monkeypatch, gitlab, main, merge_request=False)
    result = cli(*argv)
    assert result.code == 0, "\n".join(f"{r.method} {r.path}" for r in gitlab.requests)
    assert f"recorded the report of {main[:7]} (with its outcomes)" in result.out
    files = gitlab.branch_files(GITLAB_PROJECT, "mlreport-records")
    assert f"records/default/{main}/record.npz" in files

    git("checkout", "-qb", "feature")
    worse = commit("a worse model", QUALITY="0.92")
    gitlab_pipeline(monkeypatch, gitlab, worse, merge_request=True)
    before = len(gitlab.requests)
    result = cli(*argv)
    assert result.code == 1, result.output
    looked = [
        f"{r.method} {'raw' if r.path.endswith('/raw') else r.path.rsplit('/', 1)[-1]}"
        for r in gitlab.requests[before:]
        if "/repository/" in r.path
    ]
    assert looked == ["GET commits", "GET raw"]  # the record found in two requests
    data = report()
    assert data["inputs"]["baseline"]["provenance"] == (
        f"origin/main @ {main[:7]} (recorded by run 77)"
    )
    assert gate(data, F1_GATE)["status"] == "fail"
    assert metric(data, "accuracy")["paired"]

    noise = commit("another seed", QUALITY="0.95", NOISE="0.03", SEED="5")
    gitlab_pipeline(monkeypatch, gitlab, noise, merge_request=True)
    result = cli(*argv)
    assert result.code == 0, result.output
    assert gate(report(), F1_GATE)["status"] == "pass"
    assert metric(report(), "accuracy")["change"] == "noise"
    assert gitlab.branch_files(GITLAB_PROJECT, "mlreport-records").keys() == files.keys()
