"""`mlreport diff` and `mlreport check`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CLI
from tests.helpers import NO_INTERVAL, write_classification, write_json


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(workdir: Path) -> Path:
    git(workdir, "init", "-q")
    write_json(workdir / "metrics.json", {"accuracy": 0.9, "loss": 0.3, "epochs": 5})
    git(workdir, "add", "metrics.json")
    git(workdir, "commit", "-qm", "main metrics")
    write_json(workdir / "metrics.json", {"accuracy": 0.92, "loss": 0.35, "epochs": 5, "new": 1})
    return workdir


def test_diff_defaults_to_head(repo: Path, cli: CLI) -> None:
    result = cli("diff", "-m", "metrics.json")
    assert result.code == 0, result.output
    lines = result.out.splitlines()
    assert lines[0].split() == ["Metric", "Value", "±", "Baseline", "Change", "±"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert rows["accuracy"] == ["0.92", "0.9", "+0.02", "better"]
    assert rows["loss"] == ["0.35", "0.3", "+0.05", "worse"]
    assert rows["epochs"] == ["5", "5", "0", "same"]
    assert rows["new"] == ["1", "—"]


def test_diff_markdown_and_json(repo: Path, cli: CLI) -> None:
    md = cli("diff", "-m", "metrics.json", "--md", "--baseline", "main")
    assert md.code == 0
    assert md.out.splitlines()[1].startswith("| :--")
    assert "| accuracy | " in md.out.replace("  ", " ").replace("  ", " ")
    data = json.loads(cli("diff", "-m", "metrics.json", "--json").out)
    assert data[0] == {
        "name": "accuracy",
        "value": 0.92,
        "baseline": 0.9,
        "delta": pytest.approx(0.02),
        "change": "better",
        "direction": "higher",
        "source": "metrics.json",
        **NO_INTERVAL,
    }


def test_diff_precision(repo: Path, cli: CLI) -> None:
    write_json(repo / "metrics.json", {"accuracy": 0.912345678})
    result = cli("diff", "-m", "metrics.json", "--precision", "6")
    assert "0.912346" in result.out


def test_baseline_at_a_ref_in_a_subdirectory(repo: Path, cli: CLI) -> None:
    (repo / "sub").mkdir()
    write_json(repo / "sub" / "m.json", {"x": 1})
    git(repo, "add", "sub/m.json")
    git(repo, "commit", "-qm", "sub")
    write_json(repo / "sub" / "m.json", {"x": 2})
    result = cli("diff", "-m", "m.json", "--json", cwd=repo / "sub")
    assert json.loads(result.out)[0]["baseline"] == 1


def test_baseline_optional_turns_a_missing_file_into_a_note(repo: Path, cli: CLI) -> None:
    write_json(repo / "fresh.json", {"x": 1})
    failing = cli("check", "-m", "fresh.json", "-g", "x >= baseline", "-b", "main")
    assert failing.code == 2
    assert "fresh.json: not found at baseline ref 'main'" in failing.err
    passing = cli(
        "check", "-m", "fresh.json", "-g", "x >= baseline", "-b", "main", "--baseline-optional"
    )
    assert passing.code == 0, passing.output
    assert "skipped x >= baseline: no baseline" in passing.out
    assert "note  no baseline: fresh.json: not found at baseline ref 'main'" in passing.err


def test_check_exit_codes(repo: Path, cli: CLI) -> None:
    ok = cli("check", "-m", "metrics.json", "-g", "accuracy >= 0.9", "-g", "loss < 1")
    assert ok.code == 0
    assert ok.out.splitlines()[0] == "PASS: all 2 gates passed"
    bad = cli("check", "-m", "metrics.json", "-g", "accuracy >= baseline + 0.05", "-b", "HEAD")
    assert bad.code == 1
    assert bad.out.splitlines() == [
        "FAIL: 1 of 1 gate failed",
        "  gate  fail    accuracy >= baseline + 0.05  (accuracy = 0.92, expected ≥ 0.95)",
    ]
    assert not Path("report").exists()  # check never writes a report


def test_check_json_and_sanity(workdir: Path, cli: CLI) -> None:
    write_classification(workdir / "p.csv")
    result = cli("check", "-p", "p.csv", "--json", "-g", "accuracy > 0.2")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["status"] == "pass"
    assert [c["name"] for c in data["checks"]] == [
        "finite",
        "proba_range",
        "proba_sum",
        "category_count",
    ]
    assert data["gates"][0]["passed"] is True


def test_check_needs_something(workdir: Path, cli: CLI) -> None:
    result = cli("check", "-m", "x.json")
    assert result.code == 2
    assert "nothing to check; pass --gate, --gates, --predictions or --data" in result.err


def test_gates_file_and_directions(repo: Path, cli: CLI) -> None:
    (repo / "gates.yml").write_text("gates:\n  - accuracy >= 0.9\nlower_is_better: [accuracy]\n")
    result = cli("check", "-m", "metrics.json", "--gates", "gates.yml")
    assert result.code == 0
    data = json.loads(cli("diff", "-m", "metrics.json", "--json", "--lower-is-better", "acc*").out)
    assert data[0]["direction"] == "lower" and data[0]["change"] == "worse"
