from __future__ import annotations

from mlreport.compare import MetricRow
from mlreport.report.openmetrics import metric_name, openmetrics


def row(name: str, value: object) -> MetricRow:
    return MetricRow(name, value, None, None, None, "higher", "x")  # type: ignore[arg-type]


def test_numeric_metrics_become_lines() -> None:
    rows = [
        row("accuracy", 0.93),
        row("test.acc", 0.9),
        row("epochs", 3),
        row("model", "mlp"),
        row("nan", float("nan")),
        row("2nd/metric-x", 1.5),
        row("flag", True),
    ]
    assert openmetrics(rows) == "accuracy 0.93\ntest_acc 0.9\nepochs 3.0\n_2nd_metric_x 1.5\n"


def test_names_collapsing_together_are_both_written_and_said() -> None:
    notes: list[str] = []
    assert openmetrics([row("a.b", 1.0), row("a_b", 2.0), row("a-b", 3.0)], notes) == (
        "a_b 1.0\na_b_2 2.0\na_b_3 3.0\n"
    )
    assert notes == [
        "OpenMetrics: 'a_b' is written as a_b_2 ('a.b' is a_b)",
        "OpenMetrics: 'a-b' is written as a_b_3 ('a.b' is a_b)",
    ]
    assert metric_name("") == "_"
    assert metric_name("ok:name_1") == "ok:name_1"
    assert openmetrics([]) == ""
