"""Sanity checks: each one passing and failing, with the count named in its detail."""

from __future__ import annotations

import numpy as np
import pytest

from mlreport.config import SanityOptions
from mlreport.evaluate.groups import GroupRow
from mlreport.evaluate.sanity import PROBA_SUM_TOLERANCE, Check, run_checks
from mlreport.inputs.predictions import Predictions
from tests.helpers import classification_predictions, regression_predictions

DEFAULTS = SanityOptions()


def check(
    pred: Predictions,
    name: str,
    options: SanityOptions = DEFAULTS,
    folds: list[GroupRow] | None = None,
) -> Check:
    found = [c for c in run_checks(pred, options, folds) if c.name == name]
    assert len(found) == 1, f"no single {name} check"
    return found[0]


def uniform_proba(n: int, k: int) -> np.ndarray:
    return np.full((n, k), 1 / k)


def with_proba(proba: np.ndarray) -> Predictions:
    n, k = proba.shape
    y = np.arange(n) % k  # every class true and predicted
    return classification_predictions(y, y, k, proba=proba)


def test_checks_run_for_each_kind_of_prediction() -> None:
    y = np.arange(8) % 4
    options = SanityOptions()
    assert [c.name for c in run_checks(with_proba(uniform_proba(8, 4)), options)] == [
        "finite",
        "proba_range",
        "proba_sum",
        "category_count",
    ]
    score = classification_predictions(y % 2, y % 2, 2, score=np.full(8, 0.5), pos_label=1)
    assert [c.name for c in run_checks(score, options)] == [
        "finite",
        "proba_range",
        "category_count",
    ]
    labels_only = classification_predictions(y, y, 4)
    assert [c.name for c in run_checks(labels_only, options)] == ["category_count"]
    regression = regression_predictions(np.arange(8.0), np.arange(8.0))
    assert [c.name for c in run_checks(regression, options)] == ["finite"]
    folds = [GroupRow(str(i), 2, {"rmse": 1.0}) for i in range(3)]
    assert [c.name for c in run_checks(regression, options, folds)] == ["finite", "fold_outliers"]


# --- finite ----------------------------------------------------------------------------------


def test_finite_passes() -> None:
    result = check(with_proba(uniform_proba(30, 3)), "finite")
    assert result.passed
    assert result.detail == "no NaN or infinite probabilities in 30 rows"


def test_finite_counts_rows_of_probabilities() -> None:
    proba = uniform_proba(30, 3)
    proba[4, :2] = np.nan  # two bad values, one row
    proba[9, 1] = np.inf

    result = check(with_proba(proba), "finite")

    assert not result.passed
    assert result.detail == "2 rows with NaN or infinite probabilities (first: row 5)"


def test_finite_score() -> None:
    y = np.array([0, 1, 0, 1])
    score = np.array([0.2, 0.8, -np.inf, 0.6])

    result = check(classification_predictions(y, y, 2, score=score, pos_label=1), "finite")

    assert not result.passed
    assert result.detail == "1 row with NaN or infinite score (first: row 3)"


def test_finite_regression() -> None:
    y_pred = np.arange(1200.0)
    assert check(regression_predictions(y_pred, y_pred), "finite").detail == (
        "no NaN or infinite y_pred in 1,200 rows"
    )
    y_pred[[7, 8, 1000]] = np.nan

    result = check(regression_predictions(np.arange(1200.0), y_pred), "finite")

    assert not result.passed
    assert result.detail == "3 rows with NaN or infinite y_pred (first: row 8)"


# --- proba_range -----------------------------------------------------------------------------


def test_proba_range_passes_at_the_bounds() -> None:
    result = check(with_proba(np.eye(3)[np.arange(6) % 3]), "proba_range")  # only 0 and 1
    assert result.passed
    assert result.detail == "all 18 values in [0, 1]"


def test_proba_range_fails_outside() -> None:
    proba = uniform_proba(10, 2)
    proba[2] = [-0.25, 1.25]
    proba[7] = [0.5, 1.0 + 1e-9]

    result = check(with_proba(proba), "proba_range")

    assert not result.passed
    assert result.detail == "3 probabilities values outside [0, 1] (min -0.25, max 1.25)"


def test_proba_range_ignores_nan() -> None:
    proba = uniform_proba(4, 2)
    proba[1, 0] = np.nan
    result = check(with_proba(proba), "proba_range")
    assert result.passed
    assert result.detail == "all 7 values in [0, 1]"


def test_proba_range_of_a_score() -> None:
    y = np.array([0, 1, 1, 0])
    score = np.array([0.1, 1.5, 0.9, 0.2])
    result = check(classification_predictions(y, y, 2, score=score, pos_label=1), "proba_range")
    assert not result.passed
    assert result.detail == "1 score value outside [0, 1] (min 0.1, max 1.5)"


# --- proba_sum -------------------------------------------------------------------------------


def proba_off_by(deviations: list[float]) -> np.ndarray:
    """Rows [0.25, 0.25, 0.5 + deviation]."""
    proba = np.tile([0.25, 0.25, 0.5], (len(deviations), 1))
    proba[:, 2] += deviations
    return proba


@pytest.mark.parametrize("deviation", [0.0, 0.0009, -0.0009, 0.000999])
def test_proba_sum_within_tolerance_passes(deviation: float) -> None:
    result = check(with_proba(proba_off_by([0.0, deviation, 0.0])), "proba_sum")
    assert result.passed
    assert result.detail == "all 3 rows sum to 1 ± 0.001"


@pytest.mark.parametrize("deviation", [0.0011, -0.0011, 0.001001, 0.3])
def test_proba_sum_beyond_tolerance_fails(deviation: float) -> None:
    result = check(with_proba(proba_off_by([0.0, deviation, 0.0])), "proba_sum")
    assert not result.passed
    assert result.detail == (
        "1 row whose probabilities do not sum to 1 ± 0.001 "
        f"(first: row 2, largest deviation {abs(deviation):.4g})"
    )


def test_proba_sum_tolerance_is_1e3() -> None:
    assert PROBA_SUM_TOLERANCE == 1e-3


def test_proba_sum_counts_rows_and_reports_the_largest_deviation() -> None:
    proba = proba_off_by([0.0, 0.0, 0.002, 0.0, -0.05, 0.0005])
    proba[1, 0] = np.nan  # NaN sums are not 1 either

    result = check(with_proba(proba), "proba_sum")

    assert not result.passed
    assert result.detail == (
        "3 rows whose probabilities do not sum to 1 ± 0.001 (first: row 2, largest deviation 0.05)"
    )


# --- category_count --------------------------------------------------------------------------


def categories(n_true: int, n_pred: int) -> Predictions:
    """*n_true* distinct true classes and *n_pred* distinct predicted ones, out of 40."""
    y_true = np.arange(100) % n_true
    y_pred = np.arange(100) % n_pred
    return classification_predictions(y_true, y_pred, 40)


@pytest.mark.parametrize(
    ("n_true", "n_pred"),
    [(10, 10), (10, 9), (10, 11), (20, 22), (20, 18)],  # up to 10% off
)
def test_category_count_within_ten_percent_passes(n_true: int, n_pred: int) -> None:
    result = check(categories(n_true, n_pred), "category_count")
    assert result.passed, result.detail


@pytest.mark.parametrize(
    ("n_true", "n_pred", "detail"),
    [
        (10, 8, "8 distinct predicted categories vs 10 true (20% off, limit 10%)"),
        (10, 12, "12 distinct predicted categories vs 10 true (20% off, limit 10%)"),
        (20, 23, "23 distinct predicted categories vs 20 true (15% off, limit 10%)"),
        (30, 1, "1 distinct predicted categories vs 30 true (97% off, limit 10%)"),
    ],
)
def test_category_count_beyond_ten_percent_fails(n_true: int, n_pred: int, detail: str) -> None:
    result = check(categories(n_true, n_pred), "category_count")
    assert not result.passed
    assert result.detail == detail


def test_category_count_detail_when_passing() -> None:
    result = check(categories(10, 9), "category_count")
    assert result.detail == "9 distinct predicted categories vs 10 true (10% off, limit 10%)"


def test_category_tolerance_is_configurable() -> None:
    loose = SanityOptions(category_tolerance=0.25)
    strict = SanityOptions(category_tolerance=0.0)

    assert check(categories(20, 15), "category_count", loose).passed  # 25% off
    assert not check(categories(20, 14), "category_count", loose).passed  # 30% off
    assert check(categories(20, 20), "category_count", strict).passed
    result = check(categories(20, 19), "category_count", strict)
    assert not result.passed
    assert result.detail == "19 distinct predicted categories vs 20 true (5% off, limit 0%)"


# --- fold_outliers ---------------------------------------------------------------------------


def fold_rows(values: list[float], metric: str = "accuracy") -> list[GroupRow]:
    return [GroupRow(str(i + 1), 50, {metric: v}) for i, v in enumerate(values)]


def fold_check(
    values: list[float], options: SanityOptions = DEFAULTS, task: str = "classification"
) -> Check:
    if task == "classification":
        y = np.arange(20) % 2
        pred = classification_predictions(y, y, 2)
        metric = "accuracy"
    else:
        pred = regression_predictions(np.arange(20.0), np.arange(20.0))
        metric = "rmse"
    return check(pred, "fold_outliers", options, fold_rows(values, metric))


def test_fold_within_three_mads_passes() -> None:
    # median 0.81, deviations 0.01, 0, 0.01, 0.02, 0.02: MAD 0.01, furthest 2 MADs
    result = fold_check([0.80, 0.81, 0.82, 0.79, 0.83])
    assert result.passed
    assert result.detail == "5 folds within 3 MADs of the median accuracy 0.81"


def test_fold_beyond_three_mads_fails() -> None:
    # median 0.8, MAD 0.01: fold 5 is 30 MADs off
    result = fold_check([0.80, 0.81, 0.82, 0.79, 0.50])
    assert not result.passed
    assert result.detail == "fold 5 accuracy 0.5 (30.0 MADs); median 0.8, limit 3 MADs"


@pytest.mark.parametrize(("last", "passed"), [(0.875, True), (1.0, False)])
def test_fold_exactly_three_mads_is_not_an_outlier(last: float, passed: bool) -> None:
    # exact binary fractions: median 0.5, MAD 0.125; 0.875 is 3 MADs off, 1.0 is 4
    assert fold_check([0.375, 0.5, 0.5, 0.625, last]).passed is passed


def test_fold_outliers_use_rmse_for_regression() -> None:
    result = fold_check([1.0, 1.1, 0.9, 1.0, 5.0], task="regression")
    assert not result.passed
    assert result.detail.startswith("fold 5 rmse 5 (")


def test_fold_outliers_lists_every_outlier() -> None:
    result = fold_check([0.8, 0.81, 0.8, 0.79, 0.8, 0.81, 0.79, 0.2, 0.99])
    assert not result.passed
    assert result.detail.startswith("fold 8 accuracy 0.2 (60.0 MADs), fold 9 accuracy 0.99 (")


@pytest.mark.parametrize("count", [0, 1, 2])
def test_fewer_than_three_folds_pass(count: int) -> None:
    result = fold_check([0.9, 0.1][:count])
    assert result.passed
    assert result.detail == f"{count} folds: needs 3 or more to judge"


def test_identical_folds_but_one_are_not_flagged_for_a_tiny_difference() -> None:
    # MAD 0: without the floor any difference would be infinitely many MADs
    result = fold_check([0.9, 0.9, 0.9, 0.9, 0.902])
    assert result.passed
    assert result.detail == "5 folds within 3 MADs of the median accuracy 0.9"


def test_identical_folds_but_one_still_flag_a_real_difference() -> None:
    result = fold_check([0.9, 0.9, 0.9, 0.9, 0.95])
    assert not result.passed
    assert result.detail.startswith("fold 5 accuracy 0.95 (50.0 MADs)")


def test_fold_options_are_configurable() -> None:
    values = [0.80, 0.81, 0.82, 0.79, 0.83]  # furthest fold 2 MADs off
    assert not fold_check(values, SanityOptions(fold_mad=1.5)).passed
    # MAD 0 here: fold 5 is 0.1 / 0.001 = 100 MADs off at the default floor, 0.1 / 0.05 = 2
    # with a floor of 0.05
    assert not fold_check([0.8, 0.81, 0.8, 0.8, 0.9]).passed
    assert fold_check([0.8, 0.81, 0.8, 0.8, 0.9], SanityOptions(fold_mad_floor=0.05)).passed
