"""ROC AUC's uncertainty by DeLong's method (DeLong, DeLong & Clarke-Pearson 1988), with the
midrank computation of Sun & Xu (2014): one sort of the scores per class.

For positives X (m) and negatives Y (n), the placements are V10(x) = the share of negatives
below x (ties count half) and V01(y) = the share of positives above y; AUC is their mean, and

    Var(AUC) = S10 / m + S01 / n,    S10 = var(V10), S01 = var(V01)   (ddof = 1).

The same placements give each row's influence on the AUC, which is what averaging over
classes (macro AUC) and comparing two models on the same rows (a paired test) need: the
variance of a mean, or of a difference, of AUCs is the sum of the squared influences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlreport.evaluate.intervals import Spread


@dataclass(frozen=True)
class Placement:
    """One class against the rest: its AUC, DeLong's variance, and each row's influence on
    the AUC (rows whose score is NaN: 0)."""

    auc: float
    variance: float
    influence: np.ndarray


def midranks(sorted_values: np.ndarray) -> np.ndarray:
    """1-based ranks of already sorted values, ties sharing their mean rank."""
    n = sorted_values.size
    if n == 0:
        return np.zeros(0)
    bounds = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1], True])
    mean_rank = (bounds[:-1] + bounds[1:] + 1) / 2  # (first + last) / 2, 1-based
    ranks: np.ndarray = np.repeat(mean_rank, np.diff(bounds))
    return ranks


def placement(positive: np.ndarray, score: np.ndarray) -> Placement | None:
    """DeLong's AUC, variance and influences for *positive* rows scored *score*; None when a
    class is missing (no positive or no negative)."""
    known = np.flatnonzero(~np.isnan(score))
    order = known[np.argsort(score[known], kind="stable")]
    return placement_sorted(score[order], positive[order], order, score.size)


def placement_sorted(
    ordered: np.ndarray, hit: np.ndarray, rows: np.ndarray, n_rows: int
) -> Placement | None:
    """:func:`placement` from scores already sorted ascending (*ordered*, with *hit* their
    classes and *rows* their positions among the *n_rows* rows): no sort of its own."""
    m = int(hit.sum())
    n = hit.size - m
    if m == 0 or n == 0:
        return None
    all_ranks = midranks(ordered)  # ranks among all rows
    pos_ranks = midranks(ordered[hit])  # ... among the positives
    neg_ranks = midranks(ordered[~hit])  # ... among the negatives
    v10 = (all_ranks[hit] - pos_ranks) / n  # negatives below each positive
    v01 = 1.0 - (all_ranks[~hit] - neg_ranks) / m  # positives above each negative
    auc = float(v10.mean())
    s10 = float(v10.var(ddof=1)) if m > 1 else 0.0
    s01 = float(v01.var(ddof=1)) if n > 1 else 0.0
    influence_sorted = np.empty(ordered.size)
    influence_sorted[hit] = (v10 - auc) / m
    influence_sorted[~hit] = (v01 - auc) / n
    influence = np.zeros(n_rows)
    influence[rows] = influence_sorted
    return Placement(auc, s10 / m + s01 / n, influence)


def auc_spread(placements: list[Placement]) -> Spread | None:
    """The spread of the mean AUC of *placements* (one: DeLong's; several, one-vs-rest: the
    variance of the mean of their influences, which counts how the classes covary)."""
    if not placements:
        return None
    auc = float(np.mean([p.auc for p in placements]))
    if len(placements) == 1:
        se = math.sqrt(placements[0].variance)
    else:
        mean_influence = np.mean([p.influence for p in placements], axis=0)
        se = float(np.sqrt((mean_influence * mean_influence).sum()))
    return Spread(auc, "DeLong", se=se, low_limit=0.0, high_limit=1.0)


def paired_auc_difference(new: list[Placement], old: list[Placement]) -> Spread | None:
    """The spread of mean AUC(new) − mean AUC(old), the two scored on the same rows (the
    same classes in the same order): the influences of the difference, summed in square."""
    if not new or len(new) != len(old):
        return None
    delta = float(np.mean([p.auc for p in new]) - np.mean([p.auc for p in old]))
    influence = np.mean([a.influence - b.influence for a, b in zip(new, old, strict=True)], axis=0)
    se = float(np.sqrt((influence * influence).sum()))
    return Spread(delta, "DeLong (paired)", se=se, low_limit=-1.0, high_limit=1.0)
