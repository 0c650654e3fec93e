"""The samples and bins the drift tests compare, made as Evidently makes them.

Evidently (``legacy/calculations/stattests/utils.py``, ``get_binned_data``) compares either the
values (numeric) or the *distinct values with their counts* (categorical, and numeric columns
with few values). This module makes both from numpy arrays, without pandas:

- :func:`finite_sorted`: a numeric column's values, missing and infinite ones left out (Evidently
  replaces ±inf by NaN and drops them before any test);
- :class:`Tally`: the count of every distinct value on each side, over the values seen on either
  side (a value seen on one side only counts 0 on the other), :func:`numeric_tally` and
  :func:`category_tally`; :func:`capped` merges the rarest categories of a wide column;
- :func:`sturges_edges` and :func:`histogram`: ``np.histogram_bin_edges(ref + cur, "sturges")``
  and ``np.histogram`` on it, from the sorted values;
- :func:`summaries`: what a chart of reference against current needs (:class:`Summary`);
- :func:`wasserstein`: the first Wasserstein distance of two sorted samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlreport.data.frame import Column

OTHER = "(other)"  # the label of merged categories (a real category is rarely written so)
TOP = 10  # categories a chart shows


@dataclass(frozen=True)
class Summary:
    """One side of a column's chart: counts on bins common to both sides (numeric, *edges*)
    or of the top categories (*labels*, the rest summed as :data:`OTHER`). Missing values
    are not counted."""

    n: int
    counts: np.ndarray  # int64
    edges: np.ndarray | None = None  # numeric: float64, len(counts) + 1
    labels: tuple[str, ...] = ()  # categorical


@dataclass(frozen=True)
class Tally:
    """The counts of each distinct value (*keys*: floats or category texts) on both sides;
    *first*: the index of the smallest key (Evidently's Z-test compares it with the rest)."""

    keys: tuple[str, ...] | np.ndarray
    ref: np.ndarray  # int64
    cur: np.ndarray  # int64
    first: int = 0

    def __len__(self) -> int:
        return int(self.ref.size)


def finite_sorted(values: np.ndarray) -> np.ndarray:
    """The finite values, sorted."""
    out: np.ndarray = values[np.isfinite(values)]
    out.sort()
    return out


def distinct(ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and their counts."""
    if ordered.size == 0:
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, ordered.size)).astype(np.int64)
    return ordered[starts], counts


def numeric_tally(ref: tuple[np.ndarray, np.ndarray], cur: tuple[np.ndarray, np.ndarray]) -> Tally:
    """A tally from the :func:`distinct` values and counts of each side."""
    keys = np.union1d(ref[0], cur[0])
    out = []
    for values, counts in (ref, cur):
        aligned = np.zeros(keys.size, dtype=np.int64)
        aligned[np.searchsorted(keys, values)] = counts
        out.append(aligned)
    return Tally(keys, out[0], out[1], 0)


def number_text(value: float) -> str:
    """A number as a category: ``3`` for 3.0 (as it is usually written), else its repr."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _texts_and_counts(column: Column) -> tuple[tuple[str, ...], np.ndarray]:
    if column.values is not None:  # a numeric column compared as categorical
        keys, counts = distinct(finite_sorted(column.values))
        return tuple(number_text(float(v)) for v in keys), counts
    return column.categories, column.counts().astype(np.int64)


def category_tally(reference: Column, current: Column) -> Tally:
    """A tally by category text; categories counted on neither side are left out."""
    ref_texts, ref_counts = _texts_and_counts(reference)
    cur_texts, cur_counts = _texts_and_counts(current)
    index = {text: i for i, text in enumerate(ref_texts)}
    labels = list(ref_texts)
    where = np.empty(len(cur_texts), dtype=np.int64)
    for i, text in enumerate(cur_texts):
        where[i] = index.setdefault(text, len(labels))
        if where[i] == len(labels):
            labels.append(text)
    ref = np.zeros(len(labels), dtype=np.int64)
    ref[: len(ref_texts)] = ref_counts
    cur = np.zeros(len(labels), dtype=np.int64)
    np.add.at(cur, where, cur_counts)
    seen = np.flatnonzero((ref + cur) > 0)
    keys = tuple(labels[i] for i in seen)
    first = min(range(len(keys)), key=keys.__getitem__) if keys else 0
    return Tally(keys, ref[seen], cur[seen], first)


def capped(tally: Tally, limit: int) -> Tally:
    """At most *limit* keys: the ``limit - 1`` most frequent in the reference (ties: the first
    seen), the others merged into one :data:`OTHER` key (which is *first* if the smallest key
    was merged)."""
    if len(tally) <= limit:
        return tally
    order = np.argsort(-tally.ref, kind="stable")
    kept, rest = order[: limit - 1], order[limit - 1 :]
    keys = (*(str(tally.keys[i]) for i in kept), OTHER)
    ref = np.append(tally.ref[kept], tally.ref[rest].sum())
    cur = np.append(tally.cur[kept], tally.cur[rest].sum())
    first = np.flatnonzero(kept == tally.first)
    return Tally(keys, ref, cur, int(first[0]) if first.size else limit - 1)


def sturges_edges(ref: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """``np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")`` for two sorted,
    non-empty arrays, the way numpy computes it (width ptp / (log2 n + 1), then ceil)."""
    low, high = min(ref[0], cur[0]), max(ref[-1], cur[-1])
    if low == high:
        return np.linspace(low - 0.5, high + 0.5, 2)
    width = (high - low) / (np.log2(ref.size + cur.size) + 1.0)
    n_bins = int(np.ceil((high - low) / width)) if width else 1
    return np.linspace(low, high, n_bins + 1)


def histogram(ordered: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """``np.histogram(values, edges)[0]`` from the sorted values (the last bin is closed)."""
    cut = np.append(
        np.searchsorted(ordered, edges[:-1], side="left"),
        np.searchsorted(ordered, edges[-1:], side="right"),
    )
    return np.diff(cut).astype(np.int64)


def fill_empty(percents: np.ndarray) -> np.ndarray:
    """Evidently's replacement of empty bins before PSI: 0.0001, or the smallest non-empty
    share / 10⁶ when that share is itself at most 0.0001."""
    smallest = float(percents[percents != 0].min())
    out: np.ndarray = percents.copy()
    out[out == 0] = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return out


def summaries(
    numeric: tuple[np.ndarray, np.ndarray] | None, tally: Tally | None
) -> tuple[Summary, Summary] | None:
    """The charts' data of both sides: a histogram on common Sturges bins of the sorted
    values (*numeric*), else the :data:`TOP` categories of *tally* by their total count."""
    if numeric is not None:
        ref, cur = numeric
        if ref.size == 0 or cur.size == 0:
            return None
        edges = sturges_edges(ref, cur)
        return (
            Summary(ref.size, histogram(ref, edges), edges),
            Summary(cur.size, histogram(cur, edges), edges),
        )
    if tally is None or len(tally) == 0:
        return None
    order = np.argsort(-(tally.ref + tally.cur), kind="stable")
    shown = order if len(tally) <= TOP else order[: TOP - 1]
    merged = len(shown) < len(tally)
    labels = (*(str(tally.keys[i]) for i in shown), *((OTHER,) if merged else ()))

    def side(counts: np.ndarray) -> Summary:
        out = counts[shown]
        if merged:
            out = np.append(out, counts.sum() - out.sum())
        return Summary(int(counts.sum()), out.astype(np.int64), None, labels)

    return side(tally.ref), side(tally.cur)


def n_distinct(ordered: np.ndarray) -> int:
    """The number of distinct values of a sorted array."""
    return int(np.count_nonzero(ordered[1:] != ordered[:-1])) + 1 if ordered.size else 0


def n_values(ref: np.ndarray, cur: np.ndarray, n_ref: int, n_cur: int) -> int:
    """Evidently's ``n_values``: the distinct values over both sides (NaN not counted), from
    the sorted values and the :func:`n_distinct` of each: exact up to 5, past that the larger
    of *n_ref* and *n_cur* (all the choice of a test needs)."""
    if n_ref > 5 or n_cur > 5:
        return max(n_ref, n_cur)
    return int(np.union1d(distinct(ref)[0], distinct(cur)[0]).size)


def wasserstein(u: np.ndarray, v: np.ndarray) -> float:
    """The first Wasserstein distance of two sorted samples, ``scipy.stats.wasserstein_distance``
    computed as the integral over t in (0, 1] of |u's t-quantile − v's|. Both quantile
    functions step at i/n and j/m, in units of 1/(n·m) at i·m and j·n: each interval ends at
    a step of one sample, where the other's index is found by division, without a search."""
    if u.size == v.size:
        return float(np.mean(np.abs(u - v)))
    total = _steps(u, v, tie=1) + _steps(v, u, tie=0)  # a tie of steps counts on u's side
    return total / (u.size * v.size)


def _steps(a: np.ndarray, b: np.ndarray, tie: int) -> float:
    """The part of the integral on the intervals that end at a step of *a* (few temporaries:
    a million values in a fresh array cost more in page faults than in arithmetic)."""
    n, m = a.size, b.size
    ends = np.arange(m, (n + 1) * m, m, dtype=np.int64)  # a's steps
    at = ends - tie
    at //= n  # b's steps before a's: b's index on the interval
    lengths = np.multiply(at, n, dtype=np.float64)  # exact below 2**53
    np.subtract(ends, lengths, out=lengths)
    np.minimum(lengths, m, out=lengths)  # the interval: from the previous step of either
    del ends
    np.minimum(at, m - 1, out=at)
    gaps = b[at]
    np.subtract(a, gaps, out=gaps)
    np.abs(gaps, out=gaps)
    return float(np.dot(lengths, gaps))


__all__ = [
    "OTHER",
    "Summary",
    "Tally",
    "capped",
    "category_tally",
    "distinct",
    "fill_empty",
    "finite_sorted",
    "histogram",
    "n_distinct",
    "n_values",
    "number_text",
    "numeric_tally",
    "sturges_edges",
    "summaries",
    "wasserstein",
]
