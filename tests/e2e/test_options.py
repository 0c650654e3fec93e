"""Every render option, driven through the command line: the flag reaches the behaviour."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLI
from tests.helpers import write_classification, write_csv, write_jsonl


def report(workdir: Path, out: str = "out") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((workdir / out / "report.json").read_text())
    return data


def metric(data: dict[str, Any], name: str) -> Any:
    return next(m for m in data["metrics"] if m["name"] == name)


def test_column_options(workdir: Path, cli: CLI) -> None:
    write_csv(
        workdir / "p.csv",
        ["label", "guess", "p_a", "p_b", "cv", "site"],
        [
            ["a", "a", 0.9, 0.1, 1, "x"],
            ["b", "b", 0.2, 0.8, 2, "y"],
            ["a", "b", 0.4, 0.6, 3, "x"],
            ["b", "b", 0.3, 0.7, 1, "y"],
        ],
    )
    result = cli(
        "render",
        "-p",
        "p.csv",
        "--target-col",
        "label",
        "--pred-col",
        "guess",
        "--proba-prefix",
        "p_",
        "--fold-col",
        "cv",
        "--slice-by",
        "site",
        "--min-slice-size",
        "1",
        "-o",
        "out",
    )
    assert result.code in (0, 1), result.output
    data = report(workdir)
    assert data["classification"]["labels"] == ["a", "b"]
    assert metric(data, "accuracy")["value"] == 0.75
    assert "roc_auc" in {m["name"] for m in data["metrics"]}
    assert data["folds"]["column"] == "cv"
    assert data["slices"][0]["column"] == "site"


def test_score_column_and_positive_label(workdir: Path, cli: CLI) -> None:
    write_csv(
        workdir / "p.csv",
        ["y_true", "y_pred", "p_spam"],
        [["ham", "ham", 0.1], ["spam", "spam", 0.9], ["spam", "ham", 0.4], ["ham", "ham", 0.2]],
    )
    result = cli(
        "render", "-p", "p.csv", "--score-col", "p_spam", "--pos-label", "spam", "-o", "out"
    )
    assert result.code == 0, result.output
    data = report(workdir)
    assert data["classification"]["pos_label"] == "spam"
    assert metric(data, "recall")["value"] == 0.5  # of the positive class, spam
    assert metric(data, "roc_auc")["value"] == 1.0


def test_task_override(workdir: Path, cli: CLI) -> None:
    write_csv(workdir / "p.csv", ["y_true", "y_pred"], [[1, 1], [2, 2], [3, 3], [4, 4], [2, 3]])
    assert cli("render", "-p", "p.csv", "-o", "auto").code == 0
    assert report(workdir, "auto")["task"] == "classification"
    assert cli("render", "-p", "p.csv", "--task", "regression", "-o", "reg").code == 0
    data = report(workdir, "reg")
    assert data["task"] == "regression" and data["task_inferred"] is False
    assert metric(data, "mae")["value"] == 0.2


def test_directions(workdir: Path, cli: CLI) -> None:
    (workdir / "m.json").write_text('{"score": 2, "speed": 5}')
    (workdir / "b.json").write_text('{"score": 1, "speed": 6}')
    result = cli(
        "diff",
        "-m",
        "m.json",
        "-b",
        "b.json",
        "--json",
        "--lower-is-better",
        "sc*",
        "--higher-is-better",
        "speed",
    )
    rows = {r["name"]: r for r in json.loads(result.out)}
    assert rows["score"]["change"] == "worse"
    assert rows["speed"]["change"] == "worse"


def test_sanity_options(workdir: Path, cli: CLI) -> None:
    rows = [[c, c] for c in "abcdefghij"] + [["j", "i"]]
    rows[0] = ["a", "b"]  # 'a' is never predicted: 9 of 10 categories
    write_csv(workdir / "p.csv", ["y_true", "y_pred"], rows)
    assert cli("check", "-p", "p.csv").code == 0  # 10 % off is within the default 10 %
    strict = cli("check", "-p", "p.csv", "--category-tolerance", "0.05")
    assert strict.code == 1
    assert "category_count: 9 distinct predicted categories vs 10 true" in strict.out

    folds = []
    for fold, errors in enumerate([10, 11, 10, 12, 14]):
        folds += [[1, 1, fold]] * (100 - errors) + [[1, 0, fold]] * errors + [[0, 0, fold]] * 50
    write_csv(workdir / "f.csv", ["y_true", "y_pred", "fold"], folds)
    assert cli("check", "-p", "f.csv").code == 0
    assert cli("check", "-p", "f.csv", "--fold-mad", "1").code == 1


def test_strict_baseline(workdir: Path, cli: CLI) -> None:
    (workdir / "m.json").write_text('{"x": 1}')
    (workdir / "b.json").write_text('{"y": 1}')
    args = ("check", "-m", "m.json", "-b", "b.json", "-g", "x >= baseline")
    assert cli(*args).code == 0
    assert cli(*args, "--strict-baseline").code == 1


def test_json_lines_predictions_and_history(workdir: Path, cli: CLI) -> None:
    write_jsonl(
        workdir / "p.jsonl", [{"y_true": "a", "y_pred": "a"}, {"y_true": "b", "y_pred": "a"}]
    )
    write_jsonl(workdir / "h.jsonl", [{"step": 1, "loss": 1.0}, {"step": 2, "loss": 0.5}])
    result = cli("render", "-p", "p.jsonl", "--history", "h.jsonl", "-o", "out")
    assert result.code in (0, 1), result.output
    data = report(workdir)
    assert metric(data, "accuracy")["value"] == 0.5
    assert data["history"]["x"] == "step"


def test_parquet_without_pyarrow_says_what_to_install(
    workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "p.parquet").write_bytes(b"PAR1 not really")
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    result = cli("render", "-p", "p.parquet")
    assert result.code == 2
    assert result.err == (
        "mlreport: error: p.parquet: reading Parquet needs pyarrow; "
        "pip install 'mlreport[parquet]'\n"
    )


def test_title(workdir: Path, cli: CLI) -> None:
    write_classification(workdir / "p.csv")
    assert cli("render", "-p", "p.csv", "--title", "Nightly <eval>", "-o", "out").code == 0
    markdown = (workdir / "out" / "report.md").read_text()
    assert markdown.startswith("## ✅ Nightly &lt;eval&gt;: ")


def test_no_fail_on_gates_and_openmetrics(workdir: Path, cli: CLI) -> None:
    (workdir / "m.json").write_text('{"test": {"acc": 0.5}, "name": "x"}')
    failing = cli(
        "render",
        "-m",
        "m.json",
        "-g",
        "test.acc >= 0.9",
        "-o",
        "out",
        "--openmetrics",
        "gl/metrics.txt",
    )
    assert failing.code == 1
    assert (workdir / "gl" / "metrics.txt").read_text() == "test_acc 0.5\n"
    assert (
        cli(
            "render", "-m", "m.json", "-g", "test.acc >= 0.9", "-o", "out", "--no-fail-on-gates"
        ).code
        == 0
    )
    assert report(workdir)["status"] == "fail"
