"""`mlreport render` end to end, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import CLI
from tests.helpers import NO_INTERVAL, write_classification, write_csv, write_json


def load(report: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((report / "report.json").read_text())
    return data


def metric(report: dict[str, Any], name: str) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {row["name"]: row for row in report["metrics"]}
    return rows[name]


def test_classification_report(workdir: Path, cli: CLI) -> None:
    write_json(workdir / "metrics.json", {"train": {"loss": 0.2, "epochs": 3}, "model": "mlp"})
    write_json(workdir / "base.json", {"train": {"loss": 0.25}, "accuracy": 0.5})
    region = ["north" if i % 2 else "south" for i in range(300)]
    write_classification(workdir / "preds.csv", n=300, k=3, extra={"region": region})
    write_csv(
        workdir / "history.csv",
        ["epoch", "loss", "val_loss"],
        [[1, 1.0, 1.1], [2, 0.5, 0.6], [3, 0.2, 0.4]],
    )
    result = cli(
        "render",
        "--metrics",
        "metrics.json",
        "--predictions",
        "preds.csv",
        "--history",
        "history.csv",
        "--baseline",
        "base.json",
        "--slice-by",
        "region",
        "--gate",
        "accuracy >= 0.5",
        "--gate",
        "train.loss <= baseline",
        "-o",
        "out",
    )
    assert result.code == 0, result.output
    assert "Wrote out/report.md (3 charts)" in result.out
    assert result.out.splitlines()[1].startswith("PASS: all 2 gates")

    report = load(workdir / "out")
    assert report["status"] == "pass"
    assert report["task"] == "classification" and report["n_predictions"] == 300
    assert metric(report, "train.loss") == {
        "name": "train.loss",
        "value": 0.2,
        "baseline": 0.25,
        "delta": pytest.approx(-0.05),
        "change": "better",
        "direction": "lower",
        "source": "metrics.json",
        **NO_INTERVAL,  # a metrics file's value has no interval
    }
    assert metric(report, "model")["value"] == "mlp"
    for name in ("accuracy", "f1_macro", "roc_auc", "log_loss", "slice_gap.accuracy"):
        assert isinstance(metric(report, name)["value"], float)
    assert metric(report, "accuracy")["change"] in ("better", "worse")
    assert [c["name"] for c in report["checks"]] == [
        "finite",
        "proba_range",
        "proba_sum",
        "category_count",
    ]
    assert set(report["images"]) == {"confusion_matrix", "curves", "history"}

    markdown = (workdir / "out" / "report.md").read_text()
    for heading in (
        "### Metrics",
        "### Gates",
        "### Sanity checks",
        "### Confusion matrix",
        "### ROC and precision–recall curves",
        "### Slices by `region`",
        "### Training history",
    ):
        assert heading in markdown
    for image in report["images"].values():
        assert f"]({image['path']})" in markdown
        assert (workdir / "out" / image["path"]).is_file()


def test_failing_gate_exits_1_and_still_writes(workdir: Path, cli: CLI) -> None:
    write_classification(workdir / "preds.csv")
    result = cli("render", "-p", "preds.csv", "-g", "accuracy >= 0.99", "-o", "out")
    assert result.code == 1
    assert "FAIL: 1 of 1 gate failed" in result.out
    assert "gate  fail    accuracy >= 0.99" in result.out
    report = load(workdir / "out")
    assert report["status"] == "fail"
    assert report["gates"][0]["passed"] is False
    assert report["failures"] == ["gate accuracy >= 0.99"]
    markdown = (workdir / "out" / "report.md").read_text()
    assert markdown.startswith("## ❌ ML report: 1 of 1 gate failed")
    assert "- ❌ Gate `accuracy >= 0.99`" in markdown


def test_failing_sanity_check_exits_1(workdir: Path, cli: CLI) -> None:
    write_csv(
        workdir / "p.csv",
        ["y_true", "y_pred", "proba_a", "proba_b"],
        [["a", "a", 0.9, 0.3], ["b", "b", 0.2, 0.8], ["a", "b", 0.4, 0.6]],
    )
    result = cli("render", "-p", "p.csv", "-o", "out")
    assert result.code == 1
    assert "check fail   proba_sum: 1 row whose probabilities do not sum to 1" in result.out
    assert load(workdir / "out")["checks"][2]["passed"] is False


def test_regression_report(workdir: Path, cli: CLI) -> None:
    rng = np.random.default_rng(1)
    truth = rng.normal(10, 3, 500)
    write_csv(
        workdir / "p.csv",
        ["y_true", "y_pred"],
        [[f"{t:.4f}", f"{t + e:.4f}"] for t, e in zip(truth, rng.normal(0, 1, 500), strict=True)],
    )
    result = cli("render", "-p", "p.csv", "-o", "out", "-g", "rmse <= 2", "-g", "r2 >= 0.5")
    assert result.code == 0, result.output
    report = load(workdir / "out")
    assert report["task"] == "regression" and report["task_inferred"] is True
    assert set(report["images"]) == {"regression"}
    assert [c["name"] for c in report["checks"]] == ["finite"]
    assert 0.5 < metric(report, "rmse")["value"] < 1.5


def test_binary_score_column(workdir: Path, cli: CLI) -> None:
    rng = np.random.default_rng(2)
    truth = rng.integers(0, 2, 400)
    score = np.clip(truth * 0.6 + rng.random(400) * 0.5, 0, 1)
    write_csv(
        workdir / "p.csv",
        ["y_true", "y_pred", "score"],
        [[t, int(s > 0.5), f"{s:.4f}"] for t, s in zip(truth, score, strict=True)],
    )
    result = cli("render", "-p", "p.csv", "-o", "out")
    assert result.code == 0, result.output
    report = load(workdir / "out")
    assert report["classification"]["pos_label"] == "1"
    names = {m["name"] for m in report["metrics"]}
    assert {"precision", "recall", "f1", "roc_auc", "average_precision", "log_loss"} <= names
    assert "curves" in report["images"]


def test_many_classes_show_the_most_confused(workdir: Path, cli: CLI) -> None:
    write_classification(workdir / "p.csv", n=3000, k=200, proba=False)
    result = cli("render", "-p", "p.csv", "-o", "out")
    assert result.code in (0, 1), result.output
    markdown = (workdir / "out" / "report.md").read_text()
    assert "Showing the 20 most-confused of 200 classes" in markdown
    assert "Per-class metrics (200 classes, the 25 with the lowest F1)" in markdown
    report = load(workdir / "out")
    assert report["classification"]["confusion_matrix"] is None
    assert len(report["classification"]["per_class"]) == 200
    assert len(report["classification"]["top_confusions"]) == 20


def test_slices_gap_gate_and_small_slices(workdir: Path, cli: CLI) -> None:
    rows = [["a", "a", "big"]] * 60 + [["a", "b", "big"]] * 40 + [["b", "b", "other"]] * 50
    rows += [["a", "b", "tiny"]] * 3 + [["b", "a", "other"]] * 50
    write_csv(workdir / "p.csv", ["y_true", "y_pred", "group"], rows)
    result = cli(
        "render",
        "-p",
        "p.csv",
        "--slice-by",
        "group",
        "-o",
        "out",
        "-g",
        "slice_gap.accuracy <= 0.05",
    )
    assert result.code == 1
    report = load(workdir / "out")
    table = report["slices"][0]
    assert table["column"] == "group"
    rows_by_value = {r["value"]: r for r in table["rows"]}
    assert rows_by_value["tiny"]["included"] is False
    assert rows_by_value["big"]["metrics"]["accuracy"] == pytest.approx(0.6)
    assert rows_by_value["other"]["metrics"]["accuracy"] == pytest.approx(0.5)
    assert metric(report, "slice_gap.accuracy")["value"] == pytest.approx(0.1)
    assert metric(report, "slice_gap.group.accuracy")["value"] == pytest.approx(0.1)
    markdown = (workdir / "out" / "report.md").read_text()
    assert "`tiny` *" in markdown
    assert "fewer than 10 rows: not counted in the gaps below" in markdown


def test_fold_outlier_fails(workdir: Path, cli: CLI) -> None:
    rows = []
    for fold, errors in enumerate([10, 11, 10, 12, 60]):
        rows += [[1, 1, fold]] * (100 - errors) + [[1, 0, fold]] * errors + [[0, 0, fold]] * 50
    write_csv(workdir / "p.csv", ["y_true", "y_pred", "fold"], rows)
    result = cli("render", "-p", "p.csv", "-o", "out")
    assert result.code == 1
    report = load(workdir / "out")
    check = report["checks"][-1]
    assert check["name"] == "fold_outliers" and check["passed"] is False
    assert check["detail"].startswith("fold 4 accuracy 0.6")
    assert [r["value"] for r in report["folds"]["rows"]] == ["0", "1", "2", "3", "4"]
    assert "folds.accuracy.mean" in {m["name"] for m in report["metrics"]}
    assert "### Cross-validation folds" in (workdir / "out" / "report.md").read_text()


def test_previous_report_json_as_baseline(workdir: Path, cli: CLI) -> None:
    write_classification(workdir / "p.csv", seed=1)
    assert cli("render", "-p", "p.csv", "-o", "main").code == 0
    write_classification(workdir / "p.csv", seed=2)
    result = cli(
        "render",
        "-p",
        "p.csv",
        "-o",
        "pr",
        "--baseline",
        "main/report.json",
        "-g",
        "accuracy >= baseline - 0.5",
    )
    assert result.code == 0, result.output
    report = load(workdir / "pr")
    assert report["inputs"]["baseline"] == {
        "source": "main/report.json",
        "kind": "report",
        "provenance": "main/report.json",
        "outcomes": False,
    }
    old = load(workdir / "main")
    accuracy = metric(report, "accuracy")
    assert accuracy["baseline"] == metric(old, "accuracy")["value"]
    assert accuracy["delta"] == pytest.approx(accuracy["value"] - accuracy["baseline"])


def test_charts_are_byte_identical_across_runs(workdir: Path, cli: CLI) -> None:
    write_classification(workdir / "p.csv", n=500, k=4)
    write_csv(workdir / "h.csv", ["step", "loss"], [[i, 1 / i] for i in range(1, 20)])
    assert cli("render", "-p", "p.csv", "--history", "h.csv", "-o", "one").code == 0
    assert cli("render", "-p", "p.csv", "--history", "h.csv", "-o", "two").code == 0
    one, two = load(workdir / "one"), load(workdir / "two")
    assert one["images"] == two["images"]
    for image in one["images"].values():
        first = (workdir / "one" / image["path"]).read_bytes()
        assert first == (workdir / "two" / image["path"]).read_bytes()
        assert first.startswith(b"\x89PNG") and b"Software" not in first
        assert b"tIME" not in first
    assert (workdir / "one" / "report.md").read_text().replace("one", "two") == (
        workdir / "two" / "report.md"
    ).read_text().replace("one", "two")


def test_options_from_environment(workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    write_classification(workdir / "p.csv")
    monkeypatch.setenv("MLREPORT_PREDICTIONS", "p.csv")
    monkeypatch.setenv("MLREPORT_GATES", "accuracy >= 0.1\naccuracy <= 0.1\n")
    monkeypatch.setenv("MLREPORT_OUTPUT", "env-out")
    result = cli("render")
    assert result.code == 1
    assert [g["expression"] for g in load(workdir / "env-out")["gates"]] == [
        "accuracy >= 0.1",
        "accuracy <= 0.1",
    ]


def test_nothing_to_report_is_a_usage_error(workdir: Path, cli: CLI) -> None:
    result = cli("render")
    assert result.code == 2
    assert result.err == (
        "mlreport: error: nothing to report; pass --metrics, --predictions, --history or --data\n"
    )


def test_unknown_option_is_one_line(workdir: Path, cli: CLI) -> None:
    result = cli("render", "--nope")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert result.err.startswith("mlreport: error: No such option")
    assert "--nope" in result.err
    assert result.err.endswith(" (see 'mlreport render --help')\n")
