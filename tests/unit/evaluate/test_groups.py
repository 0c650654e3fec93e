"""Metrics per slice and per fold: rows, gaps (best/worst by direction), fold mean and std."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from sklearn import metrics as skm

from mlreport.evaluate.groups import (
    Gap,
    GroupRow,
    GroupTable,
    fold_summary,
    gap_metrics,
    group_rows,
    slice_table,
)
from mlreport.inputs.labels import Labels
from tests.helpers import (
    classification_data,
    classification_predictions,
    group_labels,
    regression_predictions,
    sk_approx,
)


def regression_slices(
    errors: dict[str, list[float]], column: str = "region"
) -> tuple[np.ndarray, np.ndarray, dict[str, Labels]]:
    """y_true 0, 1, 2, … and y_pred = y_true + the error, grouped as *errors* lists them."""
    names = list(errors)
    codes = np.repeat(np.arange(len(names)), [len(e) for e in errors.values()])
    error = np.concatenate([np.asarray(e, dtype=np.float64) for e in errors.values()])
    y_true = np.arange(error.size, dtype=np.float64)
    return y_true, y_true + error, {column: group_labels(codes, names)}


def regression_table(errors: dict[str, list[float]], min_size: int) -> GroupTable:
    y_true, y_pred, slices = regression_slices(errors)
    pred = regression_predictions(y_true, y_pred, slices=slices)
    return slice_table(pred, "region", min_size)


def gap_of(gap: Gap) -> tuple[object, str, str]:
    return gap.gap, gap.best, gap.worst


# --- group_rows ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_classification_rows_equal_sklearn_on_each_group(seed: int) -> None:
    y_true, y_pred, _ = classification_data(n=300, k=5, seed=seed)
    codes = np.random.default_rng(seed).integers(0, 3, y_true.size)  # "g3" has no rows
    groups = group_labels(codes, ["g0", "g1", "g2", "g3"])

    rows = group_rows(classification_predictions(y_true, y_pred, 5), groups)

    assert [r.value for r in rows] == ["g0", "g1", "g2"]
    for g, row in enumerate(rows):
        mask = codes == g
        assert row.n == int(mask.sum())
        assert row.metrics == sk_approx(
            {
                "accuracy": skm.accuracy_score(y_true[mask], y_pred[mask]),
                "f1_macro": skm.f1_score(
                    y_true[mask], y_pred[mask], average="macro", zero_division=0
                ),
            }
        )


@pytest.mark.parametrize("seed", range(4))
def test_regression_rows_equal_sklearn_on_each_group(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y_true = rng.normal(size=200)
    y_pred = y_true + rng.normal(scale=0.5, size=200)
    codes = rng.integers(0, 3, y_true.size)

    rows = group_rows(regression_predictions(y_true, y_pred), group_labels(codes))

    for g, row in enumerate(rows):
        mask = codes == g
        assert row.value == f"g{g}"
        assert row.n == int(mask.sum())
        assert row.metrics == sk_approx(
            {
                "mae": skm.mean_absolute_error(y_true[mask], y_pred[mask]),
                "rmse": skm.root_mean_squared_error(y_true[mask], y_pred[mask]),
                "r2": skm.r2_score(y_true[mask], y_pred[mask]),
            }
        )


# --- slice_table -----------------------------------------------------------------------------


def test_rows_sorted_by_size_then_name_and_flagged_by_min_size() -> None:
    table = regression_table(
        {"b": [1.0] * 4, "a": [1.0] * 4, "c": [1.0] * 6, "tiny": [1.0] * 2}, min_size=3
    )

    assert [(r.value, r.n, r.included) for r in table.rows] == [
        ("c", 6, True),
        ("a", 4, True),
        ("b", 4, True),
        ("tiny", 2, False),
    ]
    assert table.column == "region"
    assert table.min_size == 3


def test_min_size_is_inclusive() -> None:
    table = regression_table({"a": [1.0] * 3, "b": [2.0] * 2}, min_size=3)
    assert [(r.value, r.included) for r in table.rows] == [("a", True), ("b", False)]


def test_regression_gaps_lower_error_is_better() -> None:
    # north: errors ±1 (MAE 1, RMSE 1); south: errors 3, -1, 3, -1 (MAE 2, RMSE √5)
    table = regression_table(
        {"north": [1.0, -1.0, 1.0, -1.0], "south": [3.0, -1.0, 3.0, -1.0]}, min_size=1
    )

    gaps = {g.metric: g for g in table.gaps}
    assert gap_of(gaps["mae"]) == (pytest.approx(1.0), "north", "south")
    assert gap_of(gaps["rmse"]) == (pytest.approx(np.sqrt(5) - 1), "north", "south")
    # R²: higher is better, so north is best here too
    r2 = {r.value: r.metrics["r2"] for r in table.rows}
    assert r2["north"] > r2["south"]
    assert gap_of(gaps["r2"]) == (pytest.approx(r2["north"] - r2["south"]), "north", "south")


def test_classification_gaps_higher_is_better() -> None:
    # "ok": 3 of 4 right; "bad": 1 of 4 right
    y_true = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    y_pred = np.array([0, 1, 0, 0, 1, 0, 1, 1])
    slices = {"team": group_labels([0, 0, 0, 0, 1, 1, 1, 1], ["ok", "bad"])}

    table = slice_table(classification_predictions(y_true, y_pred, 2, slices=slices), "team", 1)

    gaps = {g.metric: g for g in table.gaps}
    assert gaps["accuracy"] == Gap("accuracy", 0.5, "ok", "bad")
    f1 = {
        name: skm.f1_score(y_true[rows], y_pred[rows], average="macro")
        for name, rows in (("ok", slice(0, 4)), ("bad", slice(4, 8)))
    }
    assert gap_of(gaps["f1_macro"]) == (pytest.approx(f1["ok"] - f1["bad"]), "ok", "bad")


def test_small_slices_do_not_count_towards_the_gap() -> None:
    # "tiny" has the worst MAE by far, but too few rows
    table = regression_table({"a": [1.0] * 5, "b": [2.0] * 5, "tiny": [50.0] * 2}, min_size=5)

    gaps = {g.metric: g for g in table.gaps}
    assert gaps["mae"] == Gap("mae", 1.0, "a", "b")
    assert [r.value for r in table.rows if not r.included] == ["tiny"]


def test_no_gaps_with_fewer_than_two_counted_slices() -> None:
    table = regression_table({"big": [1.0] * 5, "small": [2.0] * 2}, min_size=3)
    assert table.gaps == []
    assert len(table.rows) == 2


def test_nan_metrics_are_skipped_in_gaps() -> None:
    # a one-row slice has no R² (NaN) but an MAE
    table = regression_table({"a": [1.0, -1.0], "b": [2.0, 1.0], "one": [5.0]}, min_size=1)

    gaps = {g.metric: g for g in table.gaps}
    assert gaps["mae"] == Gap("mae", 4.0, "a", "one")  # MAE 1, 1.5 and 5
    assert {gaps["r2"].best, gaps["r2"].worst} == {"a", "b"}


# --- gap_metrics -----------------------------------------------------------------------------


def table_of(column: str, gaps: dict[str, float]) -> GroupTable:
    return GroupTable(column, [], [Gap(m, v, "x", "y") for m, v in gaps.items()], 1)


def test_gap_metrics_per_column_and_largest_overall() -> None:
    tables = [
        table_of("region", {"mae": 0.5, "rmse": 0.75}),
        table_of("device", {"mae": 1.25, "rmse": 0.25}),
        table_of("age", {"mae": 0.125}),
    ]

    assert gap_metrics(tables) == {
        "slice_gap.region.mae": 0.5,
        "slice_gap.region.rmse": 0.75,
        "slice_gap.device.mae": 1.25,
        "slice_gap.device.rmse": 0.25,
        "slice_gap.age.mae": 0.125,
        "slice_gap.mae": 1.25,
        "slice_gap.rmse": 0.75,
    }


def test_gap_metrics_of_real_tables() -> None:
    first = regression_table({"a": [1.0] * 3, "b": [4.0] * 3}, min_size=1)
    y_true, y_pred, slices = regression_slices({"x": [0.5] * 3, "y": [1.0] * 3}, "shop")
    second = slice_table(regression_predictions(y_true, y_pred, slices=slices), "shop", 1)

    metrics = gap_metrics([first, second])

    assert metrics["slice_gap.region.mae"] == 3.0
    assert metrics["slice_gap.shop.mae"] == 0.5
    assert metrics["slice_gap.mae"] == 3.0


def test_gap_metrics_empty() -> None:
    assert gap_metrics([]) == {}
    assert gap_metrics([table_of("region", {})]) == {}


# --- fold_summary ----------------------------------------------------------------------------


def folds(values: list[dict[str, float]]) -> list[GroupRow]:
    return [GroupRow(str(i), 10, metrics) for i, metrics in enumerate(values)]


def test_fold_summary_mean_and_population_std() -> None:
    rows = folds(
        [
            {"accuracy": 0.8, "f1_macro": 0.7},
            {"accuracy": 0.9, "f1_macro": 0.6},
            {"accuracy": 0.85, "f1_macro": 0.65},
            {"accuracy": 0.7, "f1_macro": 0.75},
        ]
    )

    summary = fold_summary(rows)

    expected = {}
    for metric in ("accuracy", "f1_macro"):
        values = [r.metrics[metric] for r in rows]
        expected[f"folds.{metric}.mean"] = statistics.fmean(values)
        expected[f"folds.{metric}.std"] = statistics.pstdev(values)
    assert summary == sk_approx(expected)


def test_fold_summary_of_two_folds_by_hand() -> None:
    summary = fold_summary(folds([{"rmse": 1.0}, {"rmse": 3.0}]))
    assert summary == {"folds.rmse.mean": 2.0, "folds.rmse.std": 1.0}


@pytest.mark.parametrize("count", [0, 1])
def test_fold_summary_needs_two_folds(count: int) -> None:
    assert fold_summary(folds([{"rmse": 1.0}] * count)) == {}


def test_regression_slices_leave_out_nan_predictions() -> None:
    y_true, y_pred, slices = regression_slices({"a": [1.0, 1.0, 1.0], "b": [2.0, 2.0]})
    y_pred[1] = np.nan
    pred = regression_predictions(y_true, y_pred, slices=slices)
    rows = {row.value: row for row in group_rows(pred, slices["region"])}
    assert rows["a"].n == 3  # the slice keeps its size ...
    assert rows["a"].metrics["mae"] == 1.0  # ... and its metrics come from finite rows
    assert rows["b"].metrics["rmse"] == 2.0
