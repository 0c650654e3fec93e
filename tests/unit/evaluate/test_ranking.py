"""ROC AUC, average precision and plotted curves, against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize

from mlreport.evaluate.predictions import evaluate_classification
from mlreport.evaluate.ranking import MAX_POINTS, Curve, binary_curve, macro_roc, thin
from tests.helpers import classification_data, classification_predictions, sk_approx

SEEDS = range(6)


def ranking_case(seed: int, n: int, prevalence: float) -> tuple[np.ndarray, np.ndarray]:
    """Positives score higher on average: a realistic, imperfect ranking."""
    rng = np.random.default_rng(seed)
    positive = rng.random(n) < prevalence
    positive[:2] = [True, False]  # both classes, whatever the draw
    score = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.2 * positive)))
    return positive, score


def curve(positive: np.ndarray, score: np.ndarray) -> Curve:
    result = binary_curve(positive, score, "pos")
    assert result is not None
    return result


def trapezoid(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


@pytest.mark.parametrize("decimals", [None, 2, 1, 0])
@pytest.mark.parametrize("prevalence", [0.03, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("seed", SEEDS)
def test_roc_auc_and_average_precision_match_sklearn(
    seed: int, prevalence: float, decimals: int | None
) -> None:
    positive, score = ranking_case(seed, 400, prevalence)
    if decimals is not None:  # heavy ties: 1 decimal leaves ~11 distinct scores, 0 only 2
        score = score.round(decimals)

    result = curve(positive, score)

    assert result.roc_auc == sk_approx(skm.roc_auc_score(positive, score))
    assert result.average_precision == sk_approx(skm.average_precision_score(positive, score))
    assert result.prevalence == pytest.approx(positive.mean())
    assert result.label == "pos"


@pytest.mark.parametrize("seed", SEEDS)
def test_integer_and_boolean_inputs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    positive = np.r_[1, 0, rng.integers(0, 2, 100)]
    score = rng.integers(-3, 4, positive.size)  # integer scores, many ties

    result = curve(positive == 1, score.astype(np.float64))

    assert result.roc_auc == sk_approx(skm.roc_auc_score(positive, score))
    assert result.average_precision == sk_approx(skm.average_precision_score(positive, score))


@pytest.mark.parametrize("prevalence", [0.1, 0.5, 0.8])
def test_constant_scores(prevalence: float) -> None:
    positive, _ = ranking_case(0, 300, prevalence)
    score = np.full(positive.size, 0.7)

    result = curve(positive, score)

    assert result.roc_auc == 0.5 == skm.roc_auc_score(positive, score)
    assert result.average_precision == sk_approx(positive.mean())
    assert result.average_precision == sk_approx(skm.average_precision_score(positive, score))
    np.testing.assert_array_equal(result.fpr, [0.0, 1.0])
    np.testing.assert_array_equal(result.tpr, [0.0, 1.0])


def test_perfect_and_reversed_rankings() -> None:
    positive = np.array([True, True, False, False, False])
    score = np.array([0.9, 0.8, 0.3, 0.2, 0.1])

    assert curve(positive, score).roc_auc == 1.0
    assert curve(positive, score).average_precision == 1.0
    assert curve(positive, -score).roc_auc == 0.0
    # reversed: the positives are found last, at precision 1/4 and 2/5
    assert curve(positive, -score).average_precision == pytest.approx((1 / 4 + 2 / 5) / 2)


@pytest.mark.parametrize("seed", SEEDS)
def test_nan_scores_are_left_out(seed: int) -> None:
    positive, score = ranking_case(seed, 300, 0.4)
    score = score.round(1)
    rng = np.random.default_rng(seed)
    nan = rng.random(score.size) < 0.2
    nan[:2] = False
    score[nan] = np.nan

    result = curve(positive, score)

    kept = ~nan
    assert result.roc_auc == sk_approx(skm.roc_auc_score(positive[kept], score[kept]))
    assert result.average_precision == sk_approx(
        skm.average_precision_score(positive[kept], score[kept])
    )
    assert result.prevalence == pytest.approx(positive[kept].mean())


@pytest.mark.parametrize(
    ("positive", "score"),
    [
        pytest.param([True, True, True], [0.1, 0.5, 0.9], id="no negatives"),
        pytest.param([False, False, False], [0.1, 0.5, 0.9], id="no positives"),
        pytest.param([True, False, False], [np.nan, 0.5, 0.9], id="positive only NaN"),
        pytest.param([True, False], [np.nan, np.nan], id="all NaN"),
    ],
)
def test_no_curve_without_positives_and_negatives(positive: list[bool], score: list[float]) -> None:
    assert binary_curve(np.array(positive), np.array(score), "x") is None


@pytest.mark.parametrize("seed", SEEDS)
def test_curves_run_from_end_to_end(seed: int) -> None:
    positive, score = ranking_case(seed, 500, 0.3)

    result = curve(positive, score.round(2))

    assert (result.fpr[0], result.tpr[0]) == (0.0, 0.0)
    assert (result.fpr[-1], result.tpr[-1]) == (1.0, 1.0)
    assert np.all(np.diff(result.fpr) >= 0)
    assert np.all(np.diff(result.tpr) >= 0)
    assert (result.recall[0], result.precision[0]) == (0.0, 1.0)
    assert result.recall[-1] == 1.0
    assert result.precision[-1] == pytest.approx(positive.mean())  # everything predicted


# --- thin ------------------------------------------------------------------------------------


def on_polyline(x: np.ndarray, y: np.ndarray, kept_x: np.ndarray, kept_y: np.ndarray) -> None:
    """Every point lies on the segment between the kept points around it."""
    kept = {(a, b): i for i, (a, b) in enumerate(zip(kept_x, kept_y, strict=True))}
    previous = 0
    for i in range(x.size):
        if (x[i], y[i]) in kept:
            previous = i
            continue
        after = next(j for j in range(i + 1, x.size) if (x[j], y[j]) in kept)
        cross = (x[i] - x[previous]) * (y[after] - y[previous]) - (y[i] - y[previous]) * (
            x[after] - x[previous]
        )
        assert cross == pytest.approx(0.0, abs=1e-12), f"point {i} dropped but not collinear"


def test_thin_drops_collinear_points() -> None:
    x = np.arange(9) / 8  # exact steps: collinear in floating point too
    thin_x, thin_y = thin(x, 1 - 2 * x)
    np.testing.assert_array_equal(thin_x, [0.0, 1.0])
    np.testing.assert_array_equal(thin_y, [1.0, -1.0])


def test_thin_keeps_corners() -> None:
    # a staircase with collinear runs: the corners stay, the middle of each run goes
    x = np.array([0, 0, 0, 1, 2, 3, 3, 3, 4], dtype=np.float64)
    y = np.array([0, 1, 2, 2, 2, 2, 3, 4, 4], dtype=np.float64)

    thin_x, thin_y = thin(x, y)

    assert list(zip(thin_x.tolist(), thin_y.tolist(), strict=True)) == [
        (0, 0),
        (0, 2),
        (3, 2),
        (3, 4),
        (4, 4),
    ]


@pytest.mark.parametrize("size", [0, 1, 2])
def test_thin_leaves_short_curves_alone(size: int) -> None:
    x = np.arange(size, dtype=np.float64)
    thin_x, thin_y = thin(x, x)
    np.testing.assert_array_equal(thin_x, x)
    np.testing.assert_array_equal(thin_y, x)


@pytest.mark.parametrize("size", [MAX_POINTS - 1, MAX_POINTS, MAX_POINTS + 1, 5000])
def test_thin_keeps_at_most_max_points_with_the_endpoints(size: int) -> None:
    rng = np.random.default_rng(size)
    x = np.cumsum(rng.random(size))  # no three points on a line
    y = np.cumsum(rng.random(size))

    thin_x, thin_y = thin(x, y)

    assert thin_x.size == min(size, MAX_POINTS) == thin_y.size
    assert (thin_x[0], thin_y[0], thin_x[-1], thin_y[-1]) == (x[0], y[0], x[-1], y[-1])
    index = np.searchsorted(x, thin_x)  # a subsequence of the original points
    np.testing.assert_array_equal(x[index], thin_x)
    np.testing.assert_array_equal(y[index], thin_y)


@pytest.mark.parametrize("decimals", [None, 2, 1])
@pytest.mark.parametrize("seed", SEEDS)
def test_thinned_curves_are_exact_when_not_subsampled(seed: int, decimals: int | None) -> None:
    positive, score = ranking_case(seed, 300, 0.3)
    if decimals is not None:
        score = score.round(decimals)
    roc = skm.roc_curve(positive, score, drop_intermediate=False)
    precision, recall, _ = skm.precision_recall_curve(positive, score)

    result = curve(positive, score)

    assert result.fpr.size < MAX_POINTS  # only collinear points dropped
    assert trapezoid(result.fpr, result.tpr) == sk_approx(skm.roc_auc_score(positive, score))
    on_polyline(roc[0], roc[1], result.fpr, result.tpr)
    # sklearn's PR curve runs from recall 1 down to its (recall 0, precision 1) end point
    on_polyline(recall[::-1], precision[::-1], result.recall, result.precision)


@pytest.mark.parametrize("seed", range(2))
def test_long_curves_are_subsampled(seed: int) -> None:
    positive, score = ranking_case(seed, 20_000, 0.5)

    result = curve(positive, score)

    assert result.fpr.size <= MAX_POINTS
    assert result.recall.size <= MAX_POINTS
    assert result.roc_auc == sk_approx(skm.roc_auc_score(positive, score))  # from the full curve
    assert trapezoid(result.fpr, result.tpr) == pytest.approx(result.roc_auc, abs=2e-3)


def test_macro_roc_of_one_curve_follows_it() -> None:
    positive, score = ranking_case(0, 200, 0.5)
    one = curve(positive, score)

    grid, mean = macro_roc([one, one])

    assert grid[0] == 0.0 and grid[-1] == 1.0 and grid.size == 201
    assert mean[0] == 0.0 and mean[-1] == 1.0
    np.testing.assert_allclose(mean[1:], np.interp(grid[1:], one.fpr, one.tpr))


# --- through evaluate_classification -------------------------------------------------------


@pytest.mark.parametrize("k", [3, 5, 10])
@pytest.mark.parametrize("seed", SEEDS)
def test_multiclass_auc_is_sklearn_one_vs_rest_macro(seed: int, k: int) -> None:
    y_true, y_pred, proba = classification_data(n=400, k=k, seed=seed)
    assert set(y_true.tolist()) == set(range(k))
    proba = proba.round(2)  # ties in every class
    proba /= proba.sum(axis=1, keepdims=True)

    result = evaluate_classification(classification_predictions(y_true, y_pred, k, proba=proba))

    auc = skm.roc_auc_score(y_true, proba, multi_class="ovr", average="macro")
    per_class_ap = [skm.average_precision_score(y_true == c, proba[:, c]) for c in range(k)]
    assert result.metrics["roc_auc"] == sk_approx(auc)
    assert result.metrics["average_precision"] == sk_approx(np.mean(per_class_ap))
    assert result.metrics["average_precision"] == sk_approx(
        skm.average_precision_score(label_binarize(y_true, classes=range(k)), proba)
    )
    assert [c.label for c in result.curves] == [f"c{i}" for i in range(k)]
    assert result.notes == []


def test_multiclass_class_without_true_rows_is_left_out() -> None:
    y_true, y_pred, proba = classification_data(n=300, k=4, seed=3)
    y_true = np.where(y_true == 2, 0, y_true)  # class 2 only predicted

    result = evaluate_classification(classification_predictions(y_true, y_pred, 4, proba=proba))

    present = [0, 1, 3]
    aucs = [skm.roc_auc_score(y_true == c, proba[:, c]) for c in present]
    aps = [skm.average_precision_score(y_true == c, proba[:, c]) for c in present]
    assert result.metrics["roc_auc"] == sk_approx(np.mean(aucs))
    assert result.metrics["average_precision"] == sk_approx(np.mean(aps))
    assert [c.label for c in result.curves] == ["c0", "c1", "c3"]
    assert result.notes == ["class c2 has no true instances: left out of ROC AUC"]


@pytest.mark.parametrize("positive", [0, 1])
def test_binary_score_without_both_classes_has_no_auc(positive: int) -> None:
    y = np.full(20, positive)
    score = np.linspace(0.0, 1.0, 20)

    result = evaluate_classification(
        classification_predictions(y, y, 2, score=score, pos_label=positive)
    )

    assert "roc_auc" not in result.metrics
    assert result.curves == []
    assert "ROC AUC needs both classes among the true labels" in result.notes


@pytest.mark.parametrize("seed", range(3))
def test_infinite_scores_rank_first_and_last(seed: int) -> None:
    rng = np.random.default_rng(seed)
    positive = rng.random(300) < 0.4
    score = rng.random(300)
    score[rng.choice(300, 20, replace=False)] = np.inf
    score[rng.choice(300, 10, replace=False)] = -np.inf
    curve = binary_curve(positive, score, "x")
    assert curve is not None
    stand_in = np.clip(score, -1e300, 1e300)  # the same order, with finite numbers
    assert curve.roc_auc == sk_approx(skm.roc_auc_score(positive, stand_in))
    assert curve.average_precision == sk_approx(skm.average_precision_score(positive, stand_in))


def test_thin_drops_points_collinear_within_rounding() -> None:
    x = np.arange(0, 701) / 7.0  # k/7 is not exact in binary floating point
    y = 2 * x
    thinned_x, thinned_y = thin(x, y)
    assert thinned_x.tolist() == [x[0], x[-1]]
    assert thinned_y.tolist() == [y[0], y[-1]]
