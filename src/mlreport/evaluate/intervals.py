"""Confidence intervals for the metrics computed from predictions, at a cost independent of N
where that is possible.

- Every confusion-matrix metric (accuracy, balanced accuracy, precision/recall/F1: macro,
  weighted and binary): a bootstrap that resamples the confusion matrix's cells. A
  multinomial draw of N over the cells that occur is exactly the row bootstrap for any
  function of the confusion matrix, and costs O(resamples × cells) -- cells ≤ min(K², N).
- ROC AUC: DeLong's variance (:mod:`.delong`); log loss and MAE: the mean's normal interval
  (CLT); RMSE and R²: the delta method on the means they are made of.
- Average precision: a Poisson bootstrap of the positives and negatives at ≤ 1,000 score
  levels, shifted onto the exact value (an approximation: AP has no closed form).

A :class:`Spread` gives the interval at any level (gates may ask for another level than the
report's), and is deterministic: every bootstrap is seeded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

RESAMPLES = 1000
SEED = 20261201
_MAX_DRAWN = 20_000_000  # resamples × cells drawn at most (memory and time)


@dataclass(frozen=True)
class Spread:
    """How uncertain a value is: a standard error (normal interval), bootstrap draws, or
    exact *bounds* (a function of the level)."""

    value: float
    method: str
    se: float | None = None
    draws: np.ndarray | None = None
    low_limit: float = -math.inf
    high_limit: float = math.inf
    bounds: Callable[[float], tuple[float, float]] | None = None

    def interval(self, level: float) -> tuple[float, float] | None:
        """The two-sided interval at *level* (0.95), within the metric's range; None when
        the value has no uncertainty to speak of (a NaN value, a degenerate sample)."""
        if not math.isfinite(self.value):
            return None
        if self.bounds is not None:
            low, high = self.bounds(level)
        elif self.draws is not None:
            finite = self.draws[np.isfinite(self.draws)]
            if finite.size < 10:
                return None
            tail = (1 - level) / 2 * 100
            low, high = (float(v) for v in np.percentile(finite, [tail, 100 - tail]))
        elif self.se is not None and math.isfinite(self.se):
            half = z_of(level) * self.se
            low, high = self.value - half, self.value + half
        else:
            return None
        return max(low, self.low_limit), min(high, self.high_limit)


def z_of(level: float) -> float:
    """The standard normal quantile of a two-sided *level* (1.96 for 0.95)."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(0.5 + level / 2)


# -- the confusion matrix ------------------------------------------------------------------


def confusion_spreads(
    cm: np.ndarray, pos: int | None, resamples: int = RESAMPLES, seed: int = SEED
) -> dict[str, Spread]:
    """Bootstrap spreads of every confusion-matrix metric (*pos*: a binary task's positive
    class, for precision, recall and F1)."""
    k = cm.shape[0]
    rows, cols = np.nonzero(cm)
    counts = cm[rows, cols].astype(np.float64)
    n = int(counts.sum())
    if n == 0:
        return {}
    draws = draw_counts(counts, resamples, seed)
    tp = cell_sums(draws, rows, k, rows == cols)
    support = cell_sums(draws, rows, k)
    predicted = cell_sums(draws, cols, k)
    values = confusion_metrics(tp, support, predicted, pos)
    point = confusion_metrics(
        np.diag(cm)[None, :].astype(np.float64),
        cm.sum(axis=1)[None, :].astype(np.float64),
        cm.sum(axis=0)[None, :].astype(np.float64),
        pos,
    )
    method = "bootstrap of the confusion matrix"
    return {
        name: Spread(float(point[name][0]), method, draws=draws_, low_limit=0.0, high_limit=1.0)
        for name, draws_ in values.items()
    }


def draw_counts(counts: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Multinomial resamples of *counts* (the cells that occur): shape (resamples, cells),
    fewer resamples when there are very many cells (at least 200)."""
    n = int(counts.sum())
    size = min(resamples, max(200, _MAX_DRAWN // max(1, counts.size)))
    rng = np.random.default_rng(seed)
    return rng.multinomial(n, counts / n, size=size).astype(np.float64)


def cell_sums(
    draws: np.ndarray, index: np.ndarray, k: int, mask: np.ndarray | None = None
) -> np.ndarray:
    """For each resample, the sum of its cells by *index* (a class): shape (resamples, k)."""
    if mask is not None:
        draws, index = draws[:, mask], index[mask]
    out = np.zeros((draws.shape[0], k))
    if index.size:
        order = np.argsort(index, kind="stable")
        sorted_index = index[order]
        starts = np.flatnonzero(np.r_[True, sorted_index[1:] != sorted_index[:-1]])
        out[:, sorted_index[starts]] = np.add.reduceat(draws[:, order], starts, axis=1)
    return out


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den > 0)
    return out


def confusion_metrics(
    tp: np.ndarray, support: np.ndarray, predicted: np.ndarray, pos: int | None
) -> dict[str, np.ndarray]:
    """The metrics of :func:`mlreport.evaluate.classification.scores` for many confusion
    matrices at once (arrays of shape (matrices, classes)); the same definitions."""
    total = support.sum(axis=1)
    precision, recall = _divide(tp, predicted), _divide(tp, support)
    f1 = _divide(2 * tp, support + predicted)
    present = (support + predicted) > 0
    n_present = np.maximum(present.sum(axis=1), 1)
    in_truth = support > 0
    weights = _divide(support, total[:, None])
    out = {
        "accuracy": _divide(tp.sum(axis=1), total),
        "balanced_accuracy": _divide((recall * in_truth).sum(axis=1), in_truth.sum(axis=1)),
        "precision_macro": (precision * present).sum(axis=1) / n_present,
        "recall_macro": (recall * present).sum(axis=1) / n_present,
        "f1_macro": (f1 * present).sum(axis=1) / n_present,
        "precision_weighted": (precision * weights).sum(axis=1),
        "recall_weighted": (recall * weights).sum(axis=1),
        "f1_weighted": (f1 * weights).sum(axis=1),
    }
    if pos is not None:
        out |= {"precision": precision[:, pos], "recall": recall[:, pos], "f1": f1[:, pos]}
    return out


# -- means and what is made of them ----------------------------------------------------------


def mean_spread(values: np.ndarray, method: str = "normal (CLT)", low: float = 0.0) -> Spread:
    """The mean of *values* and its standard error."""
    n = values.size
    mean = float(values.mean()) if n else math.nan
    se = float(values.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return Spread(mean, method, se=se, low_limit=low)


def regression_spreads(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Spread]:
    """MAE (CLT), RMSE and R² (delta method), for the finite rows given."""
    n = y_true.size
    if n < 2:
        return {}
    error = y_pred - y_true
    squared = error * error
    mae = mean_spread(np.abs(error))
    mse = float(squared.mean())
    rmse = math.sqrt(mse)
    se_mse = float(squared.std(ddof=1) / math.sqrt(n))
    se_rmse = se_mse / (2 * rmse) if rmse > 0 else math.nan
    out = {"mae": mae, "rmse": Spread(rmse, "delta method", se=se_rmse, low_limit=0.0)}
    centred = y_true - y_true.mean()
    sst = float((centred * centred).mean())
    if sst > 0:
        # R² = 1 - mse / var(y): the influence of each row on it, from both means
        influence = -((squared - mse) - (mse / sst) * (centred * centred - sst)) / sst
        se_r2 = float(influence.std(ddof=1) / math.sqrt(n))
        out["r2"] = Spread(1 - mse / sst, "delta method", se=se_r2, high_limit=1.0)
    return out


# -- average precision ------------------------------------------------------------------------

LEVELS = 250  # score levels bootstrapped: within Monte-Carlo error of 1,000 levels, 4x faster


def average_precision_spread(
    tps: np.ndarray, fps: np.ndarray, exact: float, resamples: int = RESAMPLES, seed: int = SEED
) -> Spread:
    """Poisson bootstrap of the positives and negatives gained at each score threshold
    (cumulative *tps*, *fps*, highest score first), grouped into ≤ LEVELS levels; the draws
    are shifted by the exact AP minus the grouped one."""
    gained_p = np.diff(np.r_[0, tps]).astype(np.float64)
    gained_n = np.diff(np.r_[0, fps]).astype(np.float64)
    if gained_p.size > LEVELS:
        edges = np.linspace(0, gained_p.size, LEVELS + 1).astype(np.int64)[:-1]
        gained_p, gained_n = np.add.reduceat(gained_p, edges), np.add.reduceat(gained_n, edges)
    rng = np.random.default_rng(seed)
    levels = gained_p.size
    p = np.empty((resamples, levels))
    for rows in _chunks(resamples, levels):  # one stream, in pieces: the same draws
        drawn = rng.poisson(gained_p, size=(rows.stop - rows.start, levels))
        np.cumsum(drawn, axis=1, out=p[rows])
    draws = np.empty(resamples)
    for rows in _chunks(resamples, levels):  # the negatives after all the positives
        drawn = rng.poisson(gained_n, size=(rows.stop - rows.start, levels))
        draws[rows] = _ap(p[rows], drawn.cumsum(axis=1, dtype=np.float64))
    grouped = _ap(gained_p.cumsum()[None, :], gained_n.cumsum()[None, :])[0]
    draws += exact - grouped
    return Spread(exact, "bootstrap of score levels", draws=draws, low_limit=0.0, high_limit=1.0)


def _chunks(resamples: int, levels: int, cells: int = 1 << 16) -> list[slice]:
    """Resamples in runs of about *cells* draws (half a megabyte): held in the CPU's cache."""
    step = max(1, cells // max(1, levels))
    return [slice(start, min(start + step, resamples)) for start in range(0, resamples, step)]


def _ap(tps: np.ndarray, fps: np.ndarray) -> np.ndarray:
    """Average precision of cumulative counts (rows: curves; float64, *fps* overwritten),
    scikit-learn's step sum: Σ (recall step × precision). Computed in place, a few arrays
    the size of the draws in all (their memory, not the arithmetic, is most of the time)."""
    positives = tps[:, -1:]
    precision = tps + fps
    np.divide(tps, precision, out=precision, where=precision > 0)  # 0 where no predictions
    recall = fps  # not needed any more
    recall[...] = 0.0
    np.divide(tps, positives, out=recall, where=positives > 0)
    steps = np.empty_like(recall)
    steps[:, 0] = recall[:, 0]
    np.subtract(recall[:, 1:], recall[:, :-1], out=steps[:, 1:])
    steps *= precision
    out: np.ndarray = steps.sum(axis=1)
    out[positives[:, 0] == 0] = np.nan
    return out
