"""Fairness across the groups of a sensitive column: each group's rates, and fairlearn's
disparity measures between them.

The measures are fairlearn's (``fairlearn.metrics``, ``method="between_groups"``):

- ``demographic_parity_difference``: the largest minus the smallest selection rate (the share
  of the group predicted positive);
- ``demographic_parity_ratio``: the smallest over the largest selection rate (NaN when no
  group is predicted positive at all: 0/0, as fairlearn);
- ``equalized_odds_difference``: the larger of the TPR and the FPR differences, each the
  largest minus the smallest over the groups (``agg="worst_case"``).

Choices, each as fairlearn makes it unless said otherwise:

- **Undefined rates.** A group with no positives has no TPR, one with no negatives no FPR:
  the group's row shows NaN, but ``equalized_odds_difference`` counts it as 0 — fairlearn
  takes the rates from scikit-learn's ``confusion_matrix(normalize="true")``, which fills
  0/0 with 0. A note names those groups, since a rate of 0 can be what makes the measure.
- **Small groups** (fewer than *min_size* rows) are flagged and named in a note, and still
  counted in the measures, as fairlearn counts every group.
- **Missing values** of the sensitive column form no group (fairlearn refuses them): their
  rows are left out, and a note says how many.
- **Numeric columns**: each distinct value is a group, as in fairlearn; with more than
  MAX_NUMERIC_GROUPS distinct values (an age, an income) the values are cut at their deciles
  instead (``[18, 25)``, …, the last bin closed), and a note says so.
- **Multiclass** (no *pos_label*, more than two labels): one-vs-rest for each class, and each
  measure is its worst over the classes (the largest difference, the smallest ratio — a
  class predicted for no row has a NaN ratio and is passed over), the first class in label
  order on ties; so a gate on a measure holds for every class. ``positive``, and the groups'
  selection rate, TPR and FPR, are those of the class with the largest demographic parity
  difference; a note names each measure's class. ``accuracy`` is over all classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlreport.data.frame import Column
from mlreport.inputs.labels import canonical_number

MAX_NUMERIC_GROUPS = 50
N_BINS = 10
MAX_NAMED = 10  # groups named in one note
MEASURES = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
)


@dataclass(frozen=True)
class GroupRates:
    group: str
    n: int
    selection_rate: float  # share predicted positive
    tpr: float  # NaN when the group has no positives
    fpr: float  # NaN when it has no negatives
    accuracy: float  # over all classes
    small: bool  # n < min_size: flagged, still counted in the measures (as fairlearn)


@dataclass(frozen=True)
class Fairness:
    column: str
    groups: list[GroupRates]
    demographic_parity_difference: float
    demographic_parity_ratio: float
    equalized_odds_difference: float
    positive: str  # the positive label (binary), or the worst class (multiclass; "" if no rows)
    notes: list[str]


@dataclass(frozen=True)
class _Counts:
    """Per (group, class) one-vs-rest counts, shape (groups, classes); n per group."""

    n: np.ndarray
    positives: np.ndarray  # true instances of the class
    predicted: np.ndarray  # predicted as the class
    tp: np.ndarray


@dataclass(frozen=True)
class _ClassRates:
    """Per (group, class) rates, shape (groups, classes); TPR/FPR NaN where undefined."""

    selection: np.ndarray
    tpr: np.ndarray
    fpr: np.ndarray

    @classmethod
    def of(cls, counts: _Counts, classes: np.ndarray) -> _ClassRates:
        n = counts.n[:, None].astype(np.float64)
        positives, predicted, tp = (
            a[:, classes] for a in (counts.positives, counts.predicted, counts.tp)
        )
        return cls(predicted / n, _rate(tp, positives), _rate(predicted - tp, n - positives))

    def measures(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each class's demographic parity difference and ratio and equalized odds
        difference, as fairlearn: an undefined TPR/FPR counts as 0."""
        high, low = self.selection.max(axis=0), self.selection.min(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = low / high
        odds = np.maximum(_spread(np.nan_to_num(self.tpr)), _spread(np.nan_to_num(self.fpr)))
        return high - low, ratio, odds


def fairness(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    labels: Sequence[str],
    pos_label: int | None,
    sensitive: Column,
    min_size: int = 10,
) -> Fairness:
    """Each group's rates and the disparity measures between the groups of *sensitive*.

    *y_true*/*y_pred* are codes into *labels*. The positive class is ``labels[pos_label]``;
    without *pos_label*, ``labels[1]`` of two labels, and one-vs-rest for each of more (see
    the module's docstring).
    """
    if not len(y_true) == len(y_pred) == len(sensitive):
        raise ValueError(
            f"{len(y_true)} true values, {len(y_pred)} predictions and {len(sensitive)} "
            f"values of '{sensitive.name}': they should be as many"
        )
    codes, names, notes = _groups(sensitive)
    n_missing = int(np.count_nonzero(codes < 0))
    if n_missing:
        notes.append(f"{n_missing:,} rows with no value of '{sensitive.name}' are in no group")
    counts = _count(y_true, y_pred, len(labels), codes, len(names))
    names = [name for name, n in zip(names, counts.n, strict=True) if n > 0]
    counts = _Counts(*(a[counts.n > 0] for a in vars(counts).values()))
    binary = pos_label is not None or len(labels) == 2
    classes = np.array([1 if pos_label is None else pos_label] if binary else range(len(labels)))
    if not names:
        notes.append(f"no rows with a value of '{sensitive.name}': nothing to compare")
        nan = float("nan")
        return Fairness(
            sensitive.name, [], nan, nan, nan, labels[classes[0]] if binary else "", notes
        )

    rates = _ClassRates.of(counts, classes)
    dpd, dpr, eod = rates.measures()
    worst = int(np.argmax(dpd))  # the first on ties
    worst_ratio = worst if np.isnan(dpr).all() else int(np.nanargmin(dpr))
    worst_odds = int(np.argmax(eod))
    positive = labels[classes[worst]]
    if not binary:
        notes.append(
            _multiclass_note([labels[c] for c in classes[[worst, worst_ratio, worst_odds]]])
        )
    groups = _rows(names, counts, rates, worst, min_size)
    notes += _group_notes(groups, min_size, positive, float(dpr[worst_ratio]))
    return Fairness(
        sensitive.name,
        groups,
        float(dpd[worst]),
        float(dpr[worst_ratio]),
        float(eod[worst_odds]),
        positive,
        notes,
    )


def measures(f: Fairness) -> dict[str, float]:
    """The three measures by name, for the gate metrics ``fairness.<column>.<measure>``."""
    return {name: float(getattr(f, name)) for name in MEASURES}


def _rows(
    names: list[str], counts: _Counts, rates: _ClassRates, c: int, min_size: int
) -> list[GroupRates]:
    """The groups' rates for the class at *c* in *rates*; accuracy over all classes."""
    accuracy = counts.tp.sum(axis=1) / counts.n
    return [
        GroupRates(
            name,
            int(counts.n[g]),
            float(rates.selection[g, c]),
            float(rates.tpr[g, c]),
            float(rates.fpr[g, c]),
            float(accuracy[g]),
            bool(counts.n[g] < min_size),
        )
        for g, name in enumerate(names)
    ]


def _count(
    y_true: np.ndarray, y_pred: np.ndarray, k: int, codes: np.ndarray, n_groups: int
) -> _Counts:
    """One-vs-rest counts per (group, class) with ``bincount``; missing (-1) rows dropped."""
    keep = codes >= 0
    if not keep.all():
        codes, y_true, y_pred = codes[keep], y_true[keep], y_pred[keep]
    offset = codes.astype(np.int64) * k
    size, shape = n_groups * k, (n_groups, k)
    at_true = offset + y_true
    positives = np.bincount(at_true, minlength=size).reshape(shape)
    predicted = np.bincount(offset + y_pred, minlength=size).reshape(shape)
    tp = np.bincount(at_true[y_true == y_pred], minlength=size).reshape(shape)
    return _Counts(positives.sum(axis=1), positives, predicted, tp)


def _rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(num.shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _spread(rates: np.ndarray) -> np.ndarray:
    spread: np.ndarray = rates.max(axis=0) - rates.min(axis=0)
    return spread


def _groups(column: Column) -> tuple[np.ndarray, list[str], list[str]]:
    """Group codes (-1: missing), group names, and notes on how the groups were made."""
    if column.codes is not None:
        return column.codes, list(column.categories), []
    assert column.values is not None
    missing = np.isnan(column.values)
    distinct, counts, inverse = _distinct(column.values[~missing])
    notes = []
    if distinct.size <= MAX_NUMERIC_GROUPS:
        group_of = np.arange(distinct.size)
        names = [canonical_number(float(v)) for v in distinct]
    else:
        group_of, names = _bins(distinct, counts)
        notes.append(
            f"'{column.name}' has {distinct.size:,} distinct values, more than "
            f"{MAX_NUMERIC_GROUPS}: grouped into {len(names)} quantile bins (fairlearn would "
            "make each value a group)"
        )
    codes = np.full(missing.size, -1, dtype=np.int64)
    codes[~missing] = group_of[inverse]
    return codes, names, notes


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(values, return_counts=True, return_inverse=True)``, in that order; whole
    numbers in a short range by ``bincount``, faster."""
    if values.size:
        low, high = values.min(), values.max()
        if high - low < 1_000_000 and np.array_equal(values, np.floor(values)):  # no inf
            offsets = (values - low).astype(np.int64)
            seen = np.bincount(offsets)
            found = np.flatnonzero(seen)
            index = np.cumsum(seen > 0) - 1  # offset -> position in found
            return low + found.astype(np.float64), seen[found], index[offsets]
    distinct, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    return distinct, counts, inverse


def _bins(distinct: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The quantile bin of each distinct value, and the bins' names: cut at the values where
    the cumulative share reaches 0, 0.1, … 1 (numpy's ``inverted_cdf`` quantiles), each bin
    ``[cut, next cut)``, the last one closed."""
    total = np.cumsum(counts)
    cuts = np.unique(np.searchsorted(total, np.linspace(0, 1, N_BINS + 1) * total[-1]))
    last = cuts.size - 2
    bin_of = np.minimum(np.searchsorted(cuts, np.arange(distinct.size), side="right") - 1, last)
    shown = [canonical_number(float(v)) for v in distinct[cuts]]
    names = [f"[{shown[i]}, {shown[i + 1]})" for i in range(last)]
    return bin_of, [*names, f"[{shown[last]}, {shown[last + 1]}]"]


def _multiclass_note(worst: list[str]) -> str:
    """*worst*: the classes of the largest parity difference, smallest ratio, largest odds."""
    dpd, dpr, eod = (f"'{label}'" for label in worst)
    return (
        "one-vs-rest for each class; each measure is its worst over them: demographic parity "
        f"difference for {dpd}, ratio for {dpr}, equalized odds difference for {eod}; the "
        f"groups' rates are {dpd}'s"
    )


def _group_notes(groups: list[GroupRates], min_size: int, positive: str, ratio: float) -> list[str]:
    notes = []
    if len(groups) == 1:
        notes.append(f"one group only ('{groups[0].group}'): nothing to compare it with")
    small = [f"'{g.group}' ({g.n})" for g in groups if g.small]
    if small:
        notes.append(
            f"{_named(small)} {'has' if len(small) == 1 else 'have'} fewer than {min_size} rows: "
            "noisy rates, still counted in the measures (as fairlearn does)"
        )
    for rate, what in (("tpr", "no true"), ("fpr", "only true")):
        undefined = [f"'{g.group}'" for g in groups if np.isnan(getattr(g, rate))]
        if undefined:
            notes.append(
                f"{what} '{positive}' in {_named(undefined)}: {rate.upper()} undefined, "
                "counted as 0 in the equalized odds difference (as fairlearn does)"
            )
    if np.isnan(ratio):
        notes.append("no group has a prediction of the positive class: the ratio is undefined")
    return notes


def _named(items: list[str]) -> str:
    more = len(items) - MAX_NAMED
    return ", ".join(items[:MAX_NAMED]) + (f" and {more} more" if more > 0 else "")
