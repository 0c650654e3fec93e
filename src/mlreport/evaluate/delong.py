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
    the AUC (rows whose score is NaN: 0; None when it was added into a sum instead)."""

    auc: float
    variance: float
    influence: np.ndarray | None


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
    order = known[np.argsort(score[known])]  # ties share their placements: any order
    return placement_sorted(score[order], positive[order], order, score.size)


def placement_sorted(
    ordered: np.ndarray,
    hit: np.ndarray,
    rows: np.ndarray,
    n_rows: int,
    into: np.ndarray | None = None,
) -> Placement | None:
    """:func:`placement` from scores already sorted ascending (*ordered*, with *hit* their
    classes and *rows* their positions among the *n_rows* rows): no sort of its own. With
    *into* (an array of *n_rows*), the influences are added into it, not kept.

    The midranks are taken per run of tied scores: a positive's rank among all rows less its
    rank among the positives is the negatives below its run plus half of those in it (and
    the other way round for a negative) -- the same exact half-integers, one per run.
    """
    m = int(hit.sum())
    n = hit.size - m
    if m == 0 or n == 0:
        return None
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # runs of ties
    pos_in = np.add.reduceat(hit.astype(np.int64), starts)
    neg_in = np.diff(np.r_[starts, hit.size]) - pos_in
    neg_below, pos_below = np.cumsum(neg_in) - neg_in, np.cumsum(pos_in) - pos_in
    v10_run = (neg_below + neg_in / 2) / n  # negatives below each positive
    v01_run = 1.0 - (pos_below + pos_in / 2) / m  # positives above each negative
    v10, v01 = np.repeat(v10_run, pos_in), np.repeat(v01_run, neg_in)
    auc = float(v10.mean())
    s10 = float(v10.var(ddof=1)) if m > 1 else 0.0
    s01 = float(v01.var(ddof=1)) if n > 1 else 0.0
    influence_sorted = np.repeat((v01_run - auc) / n, neg_in + pos_in)
    influence_sorted[hit] = np.repeat((v10_run - auc) / m, pos_in)
    if into is not None:  # the rows are distinct: one addition each
        into[rows] += influence_sorted
        return Placement(auc, s10 / m + s01 / n, None)
    influence = np.zeros(n_rows)
    influence[rows] = influence_sorted
    return Placement(auc, s10 / m + s01 / n, influence)


def auc_spread(placements: list[Placement], summed: np.ndarray | None = None) -> Spread | None:
    """The spread of the mean AUC of *placements* (one: DeLong's; several, one-vs-rest: the
    variance of the mean of their influences, which counts how the classes covary).
    *summed*: their influences added up in order, when the placements do not keep them."""
    if not placements:
        return None
    auc = float(np.mean([p.auc for p in placements]))
    if len(placements) == 1:
        se = math.sqrt(placements[0].variance)
    else:
        if summed is None:
            summed = np.zeros(0)
            for p in placements:
                assert p.influence is not None, "a placement without its influences"
                summed = summed + p.influence if summed.size else p.influence.copy()
        mean_influence = summed / len(placements)  # as np.mean of them: the same sums
        se = float(np.sqrt((mean_influence * mean_influence).sum()))
    return Spread(auc, "DeLong", se=se, low_limit=0.0, high_limit=1.0)


def paired_auc_difference(new: list[Placement], old: list[Placement]) -> Spread | None:
    """The spread of mean AUC(new) − mean AUC(old), the two scored on the same rows (the
    same classes in the same order): the influences of the difference, summed in square."""
    if not new or len(new) != len(old):
        return None
    delta = float(np.mean([p.auc for p in new]) - np.mean([p.auc for p in old]))
    differences = []
    for a, b in zip(new, old, strict=True):
        assert a.influence is not None and b.influence is not None, "placements without them"
        differences.append(a.influence - b.influence)
    influence = np.mean(differences, axis=0)
    se = float(np.sqrt((influence * influence).sum()))
    return Spread(delta, "DeLong (paired)", se=se, low_limit=-1.0, high_limit=1.0)
