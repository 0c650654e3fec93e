"""ROC and precision-recall curves, ROC AUC and average precision (scikit-learn's definitions).

The curves are computed exactly (ties grouped, as ``sklearn.metrics.roc_curve`` does) and then
thinned for plotting: collinear points dropped, at most :data:`MAX_POINTS` kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlreport.evaluate.delong import Placement, placement_sorted

MAX_POINTS = 600


@dataclass(frozen=True)
class Curve:
    """The ROC and precision-recall curves of one class against the rest."""

    label: str
    roc_auc: float
    average_precision: float
    prevalence: float
    fpr: np.ndarray
    tpr: np.ndarray
    recall: np.ndarray
    precision: np.ndarray


def _counts_by_threshold(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative true and false positives at each distinct threshold, highest first.

    The sort need not be stable: only the counts at the end of each run of tied scores
    are kept, and those do not depend on the order within the run.
    """
    order = np.argsort(score)[::-1]
    return _cumulative(score[order], positive[order])


def _cumulative(score: np.ndarray, hits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_counts_by_threshold` of scores already sorted, highest first."""
    last_of_tie = np.r_[np.flatnonzero(score[1:] != score[:-1]), hits.size - 1]  # inf-safe
    tps = np.cumsum(hits, dtype=np.int64)[last_of_tie]
    fps = last_of_tie + 1 - tps
    return tps, fps


@dataclass(frozen=True)
class Ranked:
    """One class against the rest, from one sort of its scores: the curves, DeLong's
    placements, and the counts at each threshold (for average precision's interval)."""

    curve: Curve
    placement: Placement | None
    tps: np.ndarray
    fps: np.ndarray


def binary_curve(positive: np.ndarray, score: np.ndarray, label: str) -> Curve | None:
    """Curves for one class; ``None`` when the class has no positives or no negatives.

    NaN scores are left out (the ``finite`` sanity check reports them); infinite scores
    rank first or last, as any order-based metric would have them.
    """
    ranked = rank_class(positive, score, label, placements=False)
    return ranked.curve if ranked else None


def rank_class(
    positive: np.ndarray,
    score: np.ndarray,
    label: str,
    *,
    placements: bool = True,
    influence_into: np.ndarray | None = None,
) -> Ranked | None:
    """:func:`binary_curve`, and (with *placements*) DeLong's placements from the same sort,
    each row's influence added into *influence_into* when given."""
    rows = np.flatnonzero(~np.isnan(score))
    hits_all, values = positive[rows], score[rows]
    n_pos = int(hits_all.sum())
    n_neg = hits_all.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    # Ascending; read backwards for the curves. Not stable, and need not be: the counts at
    # the end of a run of tied scores, and DeLong's placements (tied positives, or tied
    # negatives, share theirs), do not depend on the order within the run.
    order = np.argsort(values)
    ordered, hits = values[order], hits_all[order]
    tps, fps = _cumulative(ordered[::-1], hits[::-1])
    tpr = np.r_[0.0, tps / n_pos]
    fpr = np.r_[0.0, fps / n_neg]
    roc_auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1])) / 2)  # trapezoidal rule
    precision = tps / (tps + fps)
    recall = tps / n_pos
    average_precision = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
    fpr_t, tpr_t = thin(fpr, tpr)
    recall_t, precision_t = thin(np.r_[0.0, recall], np.r_[1.0, precision])
    curve = Curve(
        label,
        roc_auc,
        average_precision,
        n_pos / hits_all.size,
        fpr_t,
        tpr_t,
        recall_t,
        precision_t,
    )
    found = None
    if placements:
        found = placement_sorted(ordered, hits, rows[order], score.size, influence_into)
    return Ranked(curve, found, tps, fps)


def thin(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop points on a straight line between their neighbours (within float rounding), then
    keep at most MAX_POINTS."""
    if x.size > 2:
        # Twice the area of the triangle each point makes with its neighbours.
        area = (x[2:] - x[:-2]) * (y[1:-1] - y[:-2]) - (y[2:] - y[:-2]) * (x[1:-1] - x[:-2])
        keep = np.r_[True, np.abs(area) > 1e-12, True]
        x, y = x[keep], y[keep]
    if x.size > MAX_POINTS:
        index = np.unique(np.linspace(0, x.size - 1, MAX_POINTS).round().astype(np.int64))
        x, y = x[index], y[index]
    return x, y


def macro_roc(curves: list[Curve]) -> tuple[np.ndarray, np.ndarray]:
    """Mean TPR over classes on a common FPR grid (the macro-average ROC curve)."""
    grid = np.linspace(0.0, 1.0, 201)
    tprs = [np.interp(grid, c.fpr, c.tpr) for c in curves]
    mean = np.mean(tprs, axis=0)
    mean[0] = 0.0
    return grid, mean
