"""Intervals and paired tests, checked against independent references -- scikit-learn,
scipy.stats.bootstrap, statsmodels, a direct O(N²) DeLong -- and by simulation: a 95 %
interval covers the population value in 93-97 % of 1,000 simulated test sets."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from sklearn import metrics as skm

from mlreport.evaluate.classification import class_counts, scores
from mlreport.evaluate.delong import auc_spread, paired_auc_difference, placement
from mlreport.evaluate.intervals import (
    average_precision_spread,
    confusion_metrics,
    confusion_spreads,
    regression_spreads,
)
from mlreport.evaluate.paired import (
    accuracy_delta,
    confusion_deltas,
    mcnemar_p,
    permutation_p,
    permuted_deltas,
    regression_deltas,
)
from mlreport.evaluate.ranking import _counts_by_threshold

RNG = np.random.default_rng(7)


def _labels(n: int, k: int, accuracy: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < accuracy, y, rng.integers(0, k, n))
    return y, pred


@pytest.mark.parametrize("seed", range(5))
def test_confusion_metrics_are_scores_definitions(seed: int) -> None:
    y, pred = _labels(300, 4, 0.7, seed)
    counts = class_counts(y, pred, 4)
    ours = confusion_metrics(
        counts.tp.astype(float), counts.support.astype(float), counts.predicted.astype(float), 1
    )
    expected = scores(counts)[0]
    for name, value in expected.items():
        assert ours[name][0] == pytest.approx(value, abs=1e-12)
    assert ours["f1"][0] == pytest.approx(
        skm.f1_score(y == 1, pred == 1, zero_division=0), abs=1e-12
    )


def _sklearn_metric(name: str, y: np.ndarray, pred: np.ndarray) -> float:
    labels = np.unique(np.r_[y, pred])
    if name == "accuracy":
        return float(skm.accuracy_score(y, pred))
    return float(skm.f1_score(y, pred, average="macro", labels=labels, zero_division=0))


@pytest.mark.parametrize("name", ["accuracy", "f1_macro"])
def test_the_cell_bootstrap_agrees_with_scipys_row_bootstrap(name: str) -> None:
    from scipy import stats

    y, pred = _labels(200, 3, 0.75, 3)
    cm = skm.confusion_matrix(y, pred, labels=[0, 1, 2])
    ours = confusion_spreads(cm, None, resamples=4000)[name].interval(0.95)
    assert ours is not None
    reference = stats.bootstrap(
        (y, pred),
        lambda a, b: _sklearn_metric(name, a, b),
        paired=True,
        vectorized=False,
        n_resamples=2000,
        method="percentile",
        random_state=1,
    ).confidence_interval
    # two Monte-Carlo estimates of the same interval: they agree to within their error
    assert ours[0] == pytest.approx(reference.low, abs=0.015)
    assert ours[1] == pytest.approx(reference.high, abs=0.015)


def _delong_direct(positive: np.ndarray, score: np.ndarray) -> float:
    """DeLong's variance by its definition: every positive against every negative."""
    x, y = score[positive], score[~positive]
    psi = (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return float(v10.var(ddof=1) / x.size + v01.var(ddof=1) / y.size)


@pytest.mark.parametrize("seed", range(6))
def test_delong_variance_is_the_direct_computation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 150
    positive = rng.random(n) < 0.4
    score = rng.normal(size=n) + positive * 0.8
    if seed % 2:
        score = np.round(score, 1)  # ties
    found = placement(positive, score)
    assert found is not None
    assert found.auc == pytest.approx(skm.roc_auc_score(positive, score), abs=1e-12)
    assert found.variance == pytest.approx(_delong_direct(positive, score), rel=1e-10)


def test_paired_delong_of_a_model_with_itself_is_zero() -> None:
    positive = RNG.random(200) < 0.5
    score = RNG.normal(size=200) + positive
    a = placement(positive, score)
    assert a is not None
    spread = paired_auc_difference([a], [a])
    assert spread is not None and spread.value == 0 and spread.se == 0


@pytest.mark.parametrize("seed", range(60))
def test_mcnemar_is_statsmodels_exact(seed: int) -> None:
    from statsmodels.stats.contingency_tables import mcnemar

    rng = np.random.default_rng(seed)
    b, c = (int(v) for v in rng.integers(0, 40 if seed < 50 else 400, 2))
    table = [[int(rng.integers(0, 100)), b], [c, int(rng.integers(0, 100))]]
    assert mcnemar_p(c, b) == pytest.approx(mcnemar(table, exact=True).pvalue, rel=1e-9)


@pytest.mark.parametrize("seed", range(60))
def test_the_accuracy_delta_interval_is_clopper_pearson_and_agrees_with_mcnemar(seed: int) -> None:
    from statsmodels.stats.contingency_tables import mcnemar
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(seed)
    fixed, broken = (int(v) for v in rng.integers(0, 30 if seed < 40 else 300, 2))
    n = fixed + broken + int(rng.integers(1, 500))
    interval = accuracy_delta(fixed, broken, n).interval(0.95)
    assert interval is not None
    if fixed + broken:
        low, high = proportion_confint(fixed, fixed + broken, alpha=0.05, method="beta")
        scale = (fixed + broken) / n
        assert interval[0] == pytest.approx(scale * (2 * low - 1), abs=1e-9)
        assert interval[1] == pytest.approx(scale * (2 * high - 1), abs=1e-9)
    p = mcnemar([[0, broken], [fixed, 0]], exact=True).pvalue
    if abs(p - 0.05) > 1e-9:  # the interval leaves out 0 exactly when the test rejects
        assert (interval[0] > 0 or interval[1] < 0) == (p < 0.05)


def test_the_permutation_p_of_accuracy_is_mcnemars_and_of_f1_a_row_permutation_test() -> None:
    from statsmodels.stats.contingency_tables import mcnemar

    y, old = _labels(300, 3, 0.7, 21)
    _, other = _labels(300, 3, 0.75, 22)
    new = np.where(RNG.random(300) < 0.85, old, other)  # a few dozen predictions changed
    deltas = confusion_deltas(y, old, new, 3, None, resamples=4000)
    fixed = int(((old != y) & (new == y)).sum())
    broken = int(((old == y) & (new != y)).sum())
    exact = mcnemar([[0, broken], [fixed, 0]], exact=True).pvalue
    assert deltas["accuracy"].p_value == pytest.approx(exact, rel=1e-9)
    # the permutation machinery, on accuracy, is McNemar's test by Monte Carlo
    joint = np.bincount((y * 3 + old) * 3 + new, minlength=27)
    cells = np.flatnonzero(joint)
    null = permuted_deltas(
        joint[cells].astype(float), cells // 9, (cells // 3) % 3, cells % 3, 3, None, 4000, 9
    )
    permuted = permutation_p(null["accuracy"], (fixed - broken) / 300)
    assert permuted == pytest.approx(exact, abs=3 * math.sqrt(exact * (1 - exact) / 4000) + 0.002)
    # macro F1: a permutation test written directly, row by row, with scikit-learn's F1
    rng = np.random.default_rng(5)
    observed = _sklearn_metric("f1_macro", y, new) - _sklearn_metric("f1_macro", y, old)
    extreme = 0
    for _ in range(2000):
        swap = rng.random(300) < 0.5
        a, b = np.where(swap, old, new), np.where(swap, new, old)
        delta = _sklearn_metric("f1_macro", y, a) - _sklearn_metric("f1_macro", y, b)
        extreme += abs(delta) >= abs(observed) - 1e-12
    reference = (extreme + 1) / 2001
    ours = deltas["f1_macro"].p_value
    assert ours is not None
    assert ours == pytest.approx(
        reference, abs=3 * math.sqrt(reference * (1 - reference) / 2000) + 0.005
    )


def test_paired_bootstrap_agrees_with_scipys_paired_row_bootstrap() -> None:
    from scipy import stats

    y, old = _labels(250, 3, 0.7, 11)
    _, new = _labels(250, 3, 0.8, 12)
    new = np.where(RNG.random(250) < 0.5, old, new)  # the models share many predictions
    ours = confusion_deltas(y, old, new, 3, None, resamples=4000)["f1_macro"].spread
    interval = ours.interval(0.95)
    assert interval is not None
    reference = stats.bootstrap(
        (y, old, new),
        lambda a, b, c: _sklearn_metric("f1_macro", a, c) - _sklearn_metric("f1_macro", a, b),
        paired=True,
        vectorized=False,
        n_resamples=1500,
        method="percentile",
        random_state=2,
    ).confidence_interval
    assert ours.value == pytest.approx(
        _sklearn_metric("f1_macro", y, new) - _sklearn_metric("f1_macro", y, old), abs=1e-12
    )
    assert interval[0] == pytest.approx(reference.low, abs=0.015)
    assert interval[1] == pytest.approx(reference.high, abs=0.015)


def test_regression_deltas_of_a_model_with_itself_are_exactly_zero() -> None:
    y = RNG.normal(size=100)
    pred = y + RNG.normal(scale=0.3, size=100)
    for delta in regression_deltas(y, pred, pred).values():
        assert delta.spread.value == 0
        assert delta.spread.se == 0


def test_average_precision_interval_contains_the_value_and_scipys_interval_roughly() -> None:
    from scipy import stats

    positive = RNG.random(400) < 0.3
    score = RNG.normal(size=400) + positive * 1.2
    exact = skm.average_precision_score(positive, score)
    tps, fps = _counts_by_threshold(positive, score)
    interval = average_precision_spread(tps, fps, exact, resamples=3000).interval(0.95)
    assert interval is not None and interval[0] < exact < interval[1]
    reference = stats.bootstrap(
        (positive, score),
        lambda a, b: skm.average_precision_score(a, b),
        paired=True,
        vectorized=False,
        n_resamples=2000,
        method="percentile",
        random_state=3,
    ).confidence_interval
    assert interval[0] == pytest.approx(reference.low, abs=0.03)
    assert interval[1] == pytest.approx(reference.high, abs=0.03)


# -- coverage, by simulation ------------------------------------------------------------------

SETS = 1000
PRIORS = np.array([0.5, 0.3, 0.2])
# P(predicted | true): a model that is right 80 %, 70 % and 60 % of the time
CONFUSION = np.array([[0.8, 0.15, 0.05], [0.2, 0.7, 0.1], [0.25, 0.15, 0.6]])


def _population(name: str) -> float:
    joint = PRIORS[:, None] * CONFUSION
    if name == "accuracy":
        return float(np.trace(joint))
    f1 = 2 * np.diag(joint) / (joint.sum(axis=1) + joint.sum(axis=0))
    return float(f1.mean())


def _covered(truth: float, interval: tuple[float, float] | None) -> bool:
    return interval is not None and interval[0] <= truth <= interval[1]


@pytest.mark.parametrize("name", ["accuracy", "f1_macro"])
def test_confusion_intervals_cover_the_population_value(name: str) -> None:
    rng = np.random.default_rng(100)
    joint = (PRIORS[:, None] * CONFUSION).ravel()
    truth, hits = _population(name), 0
    for i in range(SETS):
        cm = rng.multinomial(400, joint).reshape(3, 3)
        hits += _covered(truth, confusion_spreads(cm, None, seed=i)[name].interval(0.95))
    assert 0.93 <= hits / SETS <= 0.97, hits


def test_roc_auc_intervals_cover_the_population_value() -> None:
    rng = np.random.default_rng(200)
    shift = 1.0
    truth = NormalDist().cdf(shift / math.sqrt(2))  # binormal: P(X > Y)
    hits = 0
    for _ in range(SETS):
        positive = rng.random(300) < 0.4
        score = rng.normal(size=300) + positive * shift
        found = placement(positive, score)
        spread = auc_spread([found] if found else [])
        hits += spread is not None and _covered(truth, spread.interval(0.95))
    assert 0.93 <= hits / SETS <= 0.97, hits


def test_mae_intervals_cover_the_population_value() -> None:
    rng = np.random.default_rng(300)
    sigma = 0.5
    truth = sigma * math.sqrt(2 / math.pi)  # E|e|, e ~ N(0, sigma)
    hits = 0
    for _ in range(SETS):
        y = rng.normal(size=200)
        pred = y + rng.normal(scale=sigma, size=200)
        hits += _covered(truth, regression_spreads(y, pred)["mae"].interval(0.95))
    assert 0.93 <= hits / SETS <= 0.97, hits


def test_a_bootstrap_is_deterministic() -> None:
    cm = np.array([[50, 5], [8, 37]])
    first = confusion_spreads(cm, 1)["f1"].interval(0.95)
    assert first == confusion_spreads(cm, 1)["f1"].interval(0.95)
