"""Data drift: each column of the current data against the reference, with Evidently's
defaults, so that the results compare with an Evidently report.

Missing and infinite values are left out first (Evidently replaces ±inf by NaN and drops
NaN). The test is then chosen as Evidently's ``_get_default_stattest`` chooses it
(``legacy/calculations/stattests/registry.py``), from the number of reference values and
*n_values*, the distinct values over both sides:

================  =======================================  ===============================  ========
reference values  column                                   method                           drift
================  =======================================  ===============================  ========
≤ 1000            numeric, n_values > 5                    ``ks``: two-sample K–S p-value   p ≤ 0.05
≤ 1000            n_values > 2 (numeric: ≤ 5)              ``chisquare``: χ² p-value        p < 0.05
≤ 1000            n_values ≤ 2                             ``z``: two proportions, p-value  p < 0.05
> 1000            numeric, n_values > 5                    ``wasserstein``: W1 / ref. std   ≥ 0.1
> 1000            the others                               ``jensenshannon``: distance, ln  ≥ 0.1
================  =======================================  ===============================  ========

PSI (Evidently's binning and empty-bin replacement, :mod:`.binning`) is reported for every
column; it decides drift only when chosen (``psi``, ≥ 0.1). A method named by a schema
(any of :data:`METHODS`) keeps its default threshold unless one is given.

Where this is not Evidently, on purpose: a reference of fewer than 30 values, or a side
without values, is reported as not computed (Evidently tests any size, and raises on an
empty side); a categorical column of more than 1,000 categories keeps the 999 most frequent
in the reference and merges the rest (Evidently does not cap); a column numeric on one side
and categorical on the other is compared as categories (Evidently needs one type);
``chisquare`` and ``z`` may be named for numeric columns (its default rule uses them there,
its registry allows them for categorical columns only); the Z-test's p-value comes from
``erfc`` (Evidently's ``2·(1 − Φ(|z|))`` is 0 below about 1e-16); χ² of a single value
is p = 1 (scipy's, and so Evidently's, is NaN: no drift either way).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

import numpy as np

from mlreport.data import binning
from mlreport.data.binning import Summary, Tally
from mlreport.data.frame import Column

#: The methods a schema may name for a column, with their default thresholds (Evidently's).
METHODS: Mapping[str, float] = MappingProxyType(
    {"ks": 0.05, "chisquare": 0.05, "z": 0.05, "wasserstein": 0.1, "jensenshannon": 0.1, "psi": 0.1}
)
P_VALUES = frozenset({"ks", "chisquare", "z"})  # the others are distances
NUMERIC_ONLY = frozenset({"ks", "wasserstein"})
MIN_REFERENCE = 30
MAX_CATEGORIES = 1000
LARGE = 1000  # Evidently: tests up to this many reference values, distances past it
STURGES_ABOVE = 20  # Evidently bins numeric columns of more distinct reference values


@dataclass(frozen=True)
class Drift:
    """One column's drift: *score* is the p-value (``ks``, ``chisquare``, ``z``) or the
    distance (the others), NaN with ``drifted=None`` when not computed (*note* says why)."""

    column: str
    kind: str  # "numeric" or "categorical": as compared
    method: str
    score: float
    threshold: float
    drifted: bool | None
    psi: float | None
    note: str = ""
    reference: Summary | None = None
    current: Summary | None = None


class _Sides:
    """Both sides of a column, as the tests need them: sorted finite values (numeric) and
    the tally of distinct values (categorical, or numeric when a method counts values)."""

    def __init__(self, reference: Column, current: Column) -> None:
        self.notes: list[str] = []
        ref_values, cur_values = reference.values, current.values
        self.values: tuple[np.ndarray, np.ndarray] | None = None
        self._tally: Tally | None = None
        if ref_values is not None and cur_values is not None:
            self.kind = "numeric"
            self.values = binning.finite_sorted(ref_values), binning.finite_sorted(cur_values)
            self.n_distinct = binning.n_distinct(self.values[0]), binning.n_distinct(self.values[1])
            infinite = sum(int(np.isinf(v).sum()) for v in (ref_values, cur_values))
            if infinite:
                self.notes.append(f"{infinite} infinite values left out, as Evidently does")
            self.n_ref, self.n_cur = self.values[0].size, self.values[1].size
            self.n_values = binning.n_values(*self.values, *self.n_distinct)
            return
        self.kind = "categorical"
        ref_kind, cur_kind = reference.kind, current.kind
        if ref_kind != cur_kind:
            self.notes.append(
                f"{ref_kind} in the reference, {cur_kind} in the current data: "
                "compared as categories (numbers as text)"
            )
        self._tally = binning.category_tally(reference, current)
        self.n_ref, self.n_cur = int(self._tally.ref.sum()), int(self._tally.cur.sum())
        self.n_values = len(self._tally)

    @property
    def tally(self) -> Tally:
        """The distinct values and their counts (numeric: made when a method needs them)."""
        if self._tally is None:
            assert self.values is not None
            ref, cur = self.values
            self._tally = binning.numeric_tally(binning.distinct(ref), binning.distinct(cur))
        return self._tally

    @cached_property
    def tested(self) -> Tally:
        """The tally the tests use: :data:`MAX_CATEGORIES` at most (categorical)."""
        if self.kind == "numeric" or len(self.tally) <= MAX_CATEGORIES:
            return self.tally
        self.notes.append(
            f"{len(self.tally)} categories: the {MAX_CATEGORIES - 1} most frequent in the "
            f"reference kept, the other {len(self.tally) - MAX_CATEGORIES + 1} merged into one "
            "for the tests (Evidently does not merge)"
        )
        return binning.capped(self.tally, MAX_CATEGORIES)

    def percents(self, fill: bool) -> tuple[np.ndarray, np.ndarray]:
        """Evidently's ``get_binned_data``: the share of each side's values in each bin of a
        Sturges histogram of both sides (numeric, more than 20 distinct reference values),
        else of each distinct value; PSI (*fill*) replaces empty bins (:func:`.fill_empty`)."""
        if self.values is not None and self.n_distinct[0] > STURGES_ABOVE:
            ref, cur = self.values
            edges = binning.sturges_edges(ref, cur)
            shares = (
                binning.histogram(ref, edges) / ref.size,
                binning.histogram(cur, edges) / cur.size,
            )
        else:
            shares = self.tested.ref / self.n_ref, self.tested.cur / self.n_cur
        if fill:
            return binning.fill_empty(shares[0]), binning.fill_empty(shares[1])
        return shares

    def summaries(self) -> tuple[Summary, Summary] | tuple[None, None]:
        made = binning.summaries(self.values, None if self.values is not None else self.tally)
        return made if made is not None else (None, None)


def default_method(kind: str, n_reference: int, n_values: int) -> str:
    """Evidently's choice (see the module's docstring)."""
    if n_reference <= LARGE:
        if kind == "numeric" and n_values > 5:
            return "ks"
        return "chisquare" if n_values > 2 else "z"
    return "wasserstein" if kind == "numeric" and n_values > 5 else "jensenshannon"


def column_drift(
    reference: Column, current: Column, method: str | None = None, threshold: float | None = None
) -> Drift:
    """The drift of *current* against *reference* (see the module's docstring); *method* and
    *threshold* override Evidently's choice and the method's default threshold."""
    if method is not None and method not in METHODS:
        raise ValueError(f"unknown drift method {method!r} (methods: {', '.join(METHODS)})")
    sides = _Sides(reference, current)
    chosen = method or default_method(sides.kind, sides.n_ref, sides.n_values)
    limit = METHODS[chosen] if threshold is None else float(threshold)
    ref_summary, cur_summary = sides.summaries()
    problem = _not_computed(sides, chosen)
    if problem:
        score, drifted, psi = math.nan, None, None
    else:
        score = _SCORES[chosen](sides)
        if chosen == "ks":
            drifted = score <= limit
        else:
            drifted = score < limit if chosen in P_VALUES else score >= limit
        psi = _psi(sides)
    return Drift(
        reference.name,
        sides.kind,
        chosen,
        float(score),
        limit,
        None if drifted is None else bool(drifted),
        psi,
        "; ".join([*sides.notes, *([problem] if problem else [])]),
        ref_summary,
        cur_summary,
    )


def dataset_drift(drifts: Sequence[Drift], share: float = 0.5) -> tuple[float, bool]:
    """The share of drifted columns among those computed, and whether it reaches *share*
    (Evidently's ``drift_share``); NaN and False when none was computed."""
    computed = [d for d in drifts if d.drifted is not None]
    if not computed:
        return math.nan, False
    drifted = sum(1 for d in computed if d.drifted) / len(computed)
    return drifted, drifted >= share


def _not_computed(sides: _Sides, method: str) -> str:
    if sides.n_ref == 0:
        return "the reference has no values"
    if sides.n_cur == 0:
        return "the current data has no values"
    if sides.n_ref < MIN_REFERENCE:
        return f"reference has {sides.n_ref} values: drift needs at least {MIN_REFERENCE}"
    if method in NUMERIC_ONLY and sides.kind != "numeric":
        return f"{method} needs a numeric column"
    return ""


def _ks(sides: _Sides) -> float:
    from scipy.stats import ks_2samp  # slow to import: only when a small reference needs it

    assert sides.values is not None
    return float(ks_2samp(*sides.values).pvalue)


def _wasserstein(sides: _Sides) -> float:
    assert sides.values is not None
    ref, cur = sides.values
    return binning.wasserstein(ref, cur) / max(float(np.std(ref)), 0.001)


def _chisquare(sides: _Sides) -> float:
    """Evidently's χ²: the current counts against the reference counts scaled to the
    current size, ``scipy.stats.chisquare`` without its import."""
    from scipy.special import chdtrc

    tally = sides.tested
    if len(tally) < 2:
        return 1.0
    expected = tally.ref * (sides.n_cur / sides.n_ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = float(np.sum((tally.cur - expected) ** 2 / expected))
    return float(chdtrc(len(tally) - 1, statistic))


def _z(sides: _Sides) -> float:
    """Evidently's Z-test: the share of values other than the smallest one, pooled."""
    tally = sides.tally
    if len(tally) < 2:
        return 1.0
    n1, n2 = sides.n_ref, sides.n_cur
    p1 = float(n1 - tally.ref[tally.first]) / n1
    p2 = float(n2 - tally.cur[tally.first]) / n2
    pooled = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


def _jensenshannon(sides: _Sides) -> float:
    """``scipy.spatial.distance.jensenshannon`` (natural log) of the binned shares."""
    p, q = sides.percents(fill=False)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        total = sum(float(np.where(x > 0, x * np.log(x / m), 0.0).sum()) for x in (p, q))
    return math.sqrt(max(total, 0.0) / 2)


def _psi(sides: _Sides) -> float:
    ref, cur = sides.percents(fill=True)
    return float(np.sum((ref - cur) * np.log(ref / cur)))


_SCORES: dict[str, Callable[[_Sides], float]] = {
    "ks": _ks,
    "chisquare": _chisquare,
    "z": _z,
    "wasserstein": _wasserstein,
    "jensenshannon": _jensenshannon,
    "psi": _psi,
}

__all__ = ["METHODS", "Drift", "Summary", "column_drift", "dataset_drift", "default_method"]
