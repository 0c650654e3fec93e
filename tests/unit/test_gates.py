from __future__ import annotations

from pathlib import Path

import pytest

from mlreport.errors import InputError, UsageError
from mlreport.gates import load_gates_file, parse_gate
from mlreport.verdicts import evaluate_gates


@pytest.mark.parametrize(
    ("text", "metric", "op", "baseline", "expected"),
    [
        ("accuracy >= 0.9", "accuracy", ">=", None, 0.9),
        ("accuracy>=0.9", "accuracy", ">=", None, 0.9),
        ("loss < 1e-3", "loss", "<", None, 0.001),
        ("delta > -0.5", "delta", ">", None, -0.5),
        ("n == 10", "n", "==", None, 10.0),
        ("n != 3", "n", "!=", None, 3.0),
        ("f1 <= .5", "f1", "<=", None, 0.5),
        ("f1_macro >= baseline", "f1_macro", ">=", 0.8, 0.8),
        ("f1_macro >= baseline - 0.01", "f1_macro", ">=", 0.8, 0.79),
        ("rmse <= baseline + 0.5", "rmse", "<=", 2.0, 2.5),
        ("latency <= baseline * 1.1", "latency", "<=", 100.0, 110.0),
        ("accuracy >= baseline - 2%", "accuracy", ">=", 0.5, 0.49),
        ("loss <= baseline + 10 %", "loss", "<=", 2.0, 2.2),
        ("loss <= baseline + 10%", "loss", "<=", -2.0, -1.8),
        ("test.acc >= 0.9", "test.acc", ">=", None, 0.9),
        ("slice_gap.accuracy <= 0.05", "slice_gap.accuracy", "<=", None, 0.05),
        ("val/loss < 2", "val/loss", "<", None, 2.0),
        ('"top-1 acc >= x" >= 0.8', "top-1 acc >= x", ">=", None, 0.8),
    ],
)
def test_gate_forms(
    text: str, metric: str, op: str, baseline: float | None, expected: float
) -> None:
    gate = parse_gate(text)
    assert (gate.metric, gate.op) == (metric, op)
    assert gate.uses_baseline == (baseline is not None)
    assert gate.threshold(baseline) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("accuracy => 0.9", "unknown operator"),
        ("accuracy = 0.9", "unknown operator"),
        ("accuracy >=", "nothing after '>='"),
        ("accuracy >= basline", "cannot read 'basline'"),
        ("accuracy >= 0.9 and loss < 1", "cannot read"),
        (">= 0.9", "expected NAME OP VALUE"),
        ("accuracy", "expected NAME OP VALUE"),
        ("accuracy >= baseline * 2%", "'%' goes with + or -"),
        ("accuracy >= __import__('os')", "cannot read"),
    ],
)
def test_malformed_gates_are_usage_errors(text: str, fragment: str) -> None:
    with pytest.raises(UsageError, match="gate") as info:
        parse_gate(text)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_evaluate_pass_fail_and_skip() -> None:
    gates = [
        parse_gate("accuracy >= 0.9"),
        parse_gate("loss <= 0.1"),
        parse_gate("f1 >= baseline - 0.01"),
        parse_gate("auc >= baseline"),
    ]
    current = {"accuracy": 0.95, "loss": 0.2, "f1": 0.80, "auc": 0.7}
    results = evaluate_gates(gates, current, {"f1": 0.805})
    assert [r.status for r in results] == ["pass", "fail", "pass", "skipped"]
    assert results[2].expected == pytest.approx(0.795)
    assert results[2].baseline == 0.805
    assert results[3].reason == "no baseline for auc"
    assert [r.passed for r in results] == [True, False, True, None]


def test_strict_baseline_fails_instead_of_skipping() -> None:
    (result,) = evaluate_gates(
        [parse_gate("auc >= baseline")], {"auc": 0.7}, None, strict_baseline=True
    )
    assert result.status == "fail"
    assert result.reason == "no baseline for auc"


def test_nan_value_fails() -> None:
    (result,) = evaluate_gates([parse_gate("auc >= 0.5")], {"auc": float("nan")}, None)
    assert result.status == "fail"
    assert result.reason == "value is NaN"


def test_unknown_metric_suggests_close_names() -> None:
    with pytest.raises(UsageError) as info:
        evaluate_gates([parse_gate("acuracy >= 0.9")], {"accuracy": 1.0, "loss": 0.1}, None)
    assert "unknown metric 'acuracy'" in str(info.value)
    assert "did you mean 'accuracy'" in str(info.value)


def test_text_metric_cannot_be_gated() -> None:
    with pytest.raises(UsageError, match="not a number"):
        evaluate_gates([parse_gate("model >= 1")], {"model": "resnet"}, None)


def test_gates_file_list_and_mapping(tmp_path: Path) -> None:
    listed = tmp_path / "gates.yml"
    listed.write_text("- accuracy >= 0.9\n- loss <= baseline * 1.05\n")
    gates, directions = load_gates_file(listed)
    assert [g.expression for g in gates] == ["accuracy >= 0.9", "loss <= baseline * 1.05"]
    assert directions.lower == () and directions.higher == ()

    mapping = tmp_path / "more.yaml"
    mapping.write_text(
        "gates:\n  - score > 1\nlower_is_better: [score*]\nhigher_is_better: [speed]\n"
    )
    gates, directions = load_gates_file(mapping)
    assert [g.metric for g in gates] == ["score"]
    assert directions.of("score_x") == "lower"
    assert directions.of("speed") == "higher"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("gates: [accuracy => 1]\n", "unknown operator"),
        ("gates:\n  - 3\n", "must be a list of strings"),
        ("gate: [a > 1]\n", "unknown key(s) gate"),
        ("just text\n", "expected a list of gates"),
        ("gates: [a > 1\n", "invalid YAML"),
    ],
)
def test_gates_file_errors_name_the_file(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "gates.yml"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        load_gates_file(path)
    assert str(info.value).startswith(str(path))
    assert fragment in str(info.value)
