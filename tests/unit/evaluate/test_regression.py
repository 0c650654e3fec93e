"""MAE, RMSE and R², overall and per group, against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning

from mlreport.evaluate.predictions import evaluate_regression
from mlreport.evaluate.regression import REGRESSION_METRICS, regression_scores
from tests.helpers import regression_predictions, sk_approx

SEEDS = range(6)


def regression_case(seed: int, n: int, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A target around ``scale`` and a prediction of it with errors about a third its spread."""
    rng = np.random.default_rng(seed)
    y_true = scale * (1 + rng.normal(size=n))
    y_pred = y_true + scale * rng.normal(scale=0.3, size=n) + 0.05 * scale
    return y_true, y_pred


def sklearn_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    return {
        "mae": float(skm.mean_absolute_error(y_true, y_pred)),
        "rmse": float(skm.root_mean_squared_error(y_true, y_pred)),
        "r2": float(skm.r2_score(y_true, y_pred)),
    }


@pytest.mark.parametrize("scale", [1e-6, 1.0, 1e6])
@pytest.mark.parametrize("n", [2, 3, 50, 1000])
@pytest.mark.parametrize("seed", SEEDS)
def test_scores_match_sklearn(seed: int, n: int, scale: float) -> None:
    y_true, y_pred = regression_case(seed, n, scale)

    (ours,) = regression_scores(y_true, y_pred)

    assert set(ours) == set(REGRESSION_METRICS)
    assert ours == sk_approx(sklearn_scores(y_true, y_pred))


def test_scores_by_hand() -> None:
    y_true = np.array([1.0, 2.0, 3.0, 4.0])
    y_pred = np.array([2.0, 2.0, 3.0, 2.0])  # errors 1, 0, 0, -2

    (ours,) = regression_scores(y_true, y_pred)

    # MAE 3/4, MSE 5/4; total sum of squares around the mean 2.5 is 5
    assert ours == pytest.approx({"mae": 0.75, "rmse": np.sqrt(1.25), "r2": 1 - 5 / 5})


def test_r2_can_be_negative() -> None:
    y_true = np.array([1.0, 2.0, 3.0])
    y_pred = np.array([3.0, 2.0, 1.0])
    (ours,) = regression_scores(y_true, y_pred)
    assert ours["r2"] == pytest.approx(-3.0) == skm.r2_score(y_true, y_pred)


@pytest.mark.parametrize("seed", SEEDS)
def test_per_group_equals_sklearn_on_each_group_alone(seed: int) -> None:
    y_true, y_pred = regression_case(seed, 300, scale=10.0)
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, 4, y_true.size)  # groups 0-3; 4 is empty
    groups[groups == 3] = 0
    groups[0:2] = 3  # group 3 has two rows

    per_group = regression_scores(y_true, y_pred, groups, 5)

    assert len(per_group) == 5
    for g in range(4):
        rows = groups == g
        assert per_group[g] == sk_approx(sklearn_scores(y_true[rows], y_pred[rows])), g


def test_empty_groups_are_nan() -> None:
    y_true, y_pred = regression_case(0, 10)
    groups = np.array([0, 2] * 5)

    per_group = regression_scores(y_true, y_pred, groups, 4)

    for g in (1, 3):
        assert set(per_group[g]) == set(REGRESSION_METRICS)
        assert all(np.isnan(v) for v in per_group[g].values())
    assert not any(np.isnan(v) for v in per_group[0].values())


def test_a_single_row_has_no_r2_as_in_sklearn() -> None:
    y_true = np.array([1.0, 2.0, 3.0, 7.0])
    y_pred = np.array([1.5, 2.0, 2.0, 7.0])
    groups = np.array([0, 0, 0, 1])  # group 1: one row, predicted exactly

    per_group = regression_scores(y_true, y_pred, groups, 2)

    with pytest.warns(UndefinedMetricWarning):
        expected = sklearn_scores(y_true[3:], y_pred[3:])
    assert np.isnan(expected["r2"])
    assert per_group[1] == sk_approx(expected)
    assert per_group[1]["mae"] == 0.0


# --- constant targets: R² is 1.0 when predicted exactly, else 0.0 (force_finite) -------------


@pytest.mark.parametrize("value", [3.0, -2.5, 0.0])
@pytest.mark.parametrize("n", [2, 10, 1000])
def test_constant_target_like_sklearn(n: int, value: float) -> None:
    # values whose mean is exact, where scikit-learn applies force_finite reliably too
    y_true = np.full(n, value)
    y_off = y_true.copy()
    y_off[0] += 0.5

    (exact,) = regression_scores(y_true, y_true)
    (off,) = regression_scores(y_true, y_off)

    assert exact["r2"] == 1.0 == skm.r2_score(y_true, y_true)
    assert off["r2"] == 0.0 == skm.r2_score(y_true, y_off)
    assert off == sk_approx(sklearn_scores(y_true, y_off))


@pytest.mark.parametrize("value", [0.1, 1 / 3, 1e6 + 0.1])
@pytest.mark.parametrize("n", [3, 10, 100, 12345])
def test_constant_target_whose_mean_rounds(n: int, value: float) -> None:
    # the floating-point mean of n copies of 0.1 is not 0.1: the target is still constant
    y_true = np.full(n, value)
    y_off = y_true + 0.25

    assert regression_scores(y_true, y_true)[0]["r2"] == 1.0
    assert regression_scores(y_true, y_off)[0]["r2"] == 0.0


def test_constant_target_per_group() -> None:
    y_true = np.array([0.1, 0.1, 0.1, 5.0, 5.0, 1.0, 2.0])
    y_pred = np.array([0.1, 0.1, 0.1, 5.0, 6.0, 1.0, 2.5])
    groups = np.array([0, 0, 0, 1, 1, 2, 2])

    per_group = regression_scores(y_true, y_pred, groups, 3)

    assert [row["r2"] for row in per_group] == [1.0, 0.0, skm.r2_score(y_true[5:], y_pred[5:])]


# --- evaluate_regression ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_evaluate_regression_matches_sklearn(seed: int) -> None:
    y_true, y_pred = regression_case(seed, 200)

    result = evaluate_regression(regression_predictions(y_true, y_pred))

    assert result.metrics == sk_approx(sklearn_scores(y_true, y_pred))
    assert result.notes == []


def test_evaluate_regression_leaves_out_non_finite_predictions() -> None:
    y_true, y_pred = regression_case(1, 100)
    y_pred[[3, 10, 50]] = [np.nan, np.inf, -np.inf]
    finite = np.isfinite(y_pred)

    result = evaluate_regression(regression_predictions(y_true, y_pred))

    assert result.metrics == sk_approx(sklearn_scores(y_true[finite], y_pred[finite]))
    assert result.notes == ["3 rows with NaN or infinite y_pred left out"]
    np.testing.assert_array_equal(result.y_true, y_true[finite])
    np.testing.assert_array_equal(result.y_pred, y_pred[finite])


def test_evaluate_regression_without_finite_predictions() -> None:
    result = evaluate_regression(
        regression_predictions(np.array([1.0, 2.0]), np.array([np.nan, np.nan]))
    )
    assert result.metrics == {}
    assert result.notes == ["2 rows with NaN or infinite y_pred left out", "no finite predictions"]
