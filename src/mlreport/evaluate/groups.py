"""Metrics per group of rows: slices (``--slice-by``) and cross-validation folds."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from mlreport.evaluate.classification import class_counts, scores
from mlreport.evaluate.regression import regression_scores
from mlreport.inputs.labels import Labels
from mlreport.inputs.predictions import Predictions

SLICE_METRICS = {
    "classification": ("accuracy", "f1_macro"),
    "regression": ("mae", "rmse", "r2"),
}
LOWER_IS_BETTER = frozenset({"mae", "rmse"})


MAX_WITH_INTERVALS = 100  # the largest slices get confidence intervals


@dataclass(frozen=True)
class GroupRow:
    value: str
    n: int
    metrics: dict[str, float]
    included: bool = True  # large enough to count towards the gap
    ci: dict[str, list[float]] = field(default_factory=dict)  # metric -> [low, high]


@dataclass(frozen=True)
class Gap:
    metric: str
    gap: float
    best: str
    worst: str


@dataclass(frozen=True)
class GroupTable:
    column: str
    rows: list[GroupRow]
    gaps: list[Gap]
    min_size: int


def group_rows(pred: Predictions, groups: Labels) -> list[GroupRow]:
    n_groups = len(groups.names)
    sizes = np.bincount(groups.codes, minlength=n_groups)
    if pred.task == "classification":
        counts = class_counts(pred.y_true, pred.y_pred, len(pred.labels), groups.codes, n_groups)
        per_group = scores(counts)
    else:
        finite = np.isfinite(pred.y_pred)  # as evaluate_regression: NaN predictions left out
        per_group = regression_scores(
            pred.y_true[finite], pred.y_pred[finite], groups.codes[finite], n_groups
        )
    names = SLICE_METRICS[pred.task]
    return [
        GroupRow(groups.names[g], int(sizes[g]), {m: per_group[g][m] for m in names})
        for g in range(n_groups)
        if sizes[g] > 0
    ]


def slice_table(
    pred: Predictions, column: str, min_size: int, level: float | None = None
) -> GroupTable:
    """The slices of *column*, largest first; with *level*, the confidence intervals of the
    largest MAX_WITH_INTERVALS slices' metrics."""
    groups = pred.slices[column]
    rows = [GroupRow(r.value, r.n, r.metrics, r.n >= min_size) for r in group_rows(pred, groups)]
    rows.sort(key=lambda r: (-r.n, r.value))
    if level is not None:
        intervals = group_intervals(
            pred, groups, [r.value for r in rows[:MAX_WITH_INTERVALS]], level
        )
        rows = [replace(r, ci=intervals.get(r.value, {})) for r in rows]
    counted = [r for r in rows if r.included]
    gaps = []
    if len(counted) >= 2:
        for metric in SLICE_METRICS[pred.task]:
            values = [
                (r.metrics[metric], r.value) for r in counted if np.isfinite(r.metrics[metric])
            ]
            if len(values) < 2:
                continue
            low, high = min(values), max(values)
            best, worst = (low, high) if metric in LOWER_IS_BETTER else (high, low)
            gaps.append(Gap(metric, high[0] - low[0], best[1], worst[1]))
    return GroupTable(column, rows, gaps, min_size)


def gap_metrics(tables: list[GroupTable]) -> dict[str, float]:
    """``slice_gap.<metric>`` (largest over all columns) and ``slice_gap.<column>.<metric>``."""
    out: dict[str, float] = {}
    for table in tables:
        for gap in table.gaps:
            out[f"slice_gap.{table.column}.{gap.metric}"] = gap.gap
            key = f"slice_gap.{gap.metric}"
            out[key] = max(out.get(key, gap.gap), gap.gap)
    return out


def fold_summary(rows: list[GroupRow]) -> dict[str, float]:
    """``folds.<metric>.mean`` and ``.std`` (population std, as numpy) over the folds."""
    out: dict[str, float] = {}
    if len(rows) < 2:
        return out
    for metric in rows[0].metrics:
        values = np.array([r.metrics[metric] for r in rows])
        out[f"folds.{metric}.mean"] = float(values.mean())
        out[f"folds.{metric}.std"] = float(values.std())
    return out


def group_intervals(
    pred: Predictions, groups: Labels, values: list[str], level: float
) -> dict[str, dict[str, list[float]]]:
    """For the groups named *values*: each slice metric's interval at *level*."""
    from mlreport.evaluate.intervals import confusion_spreads, regression_spreads

    wanted = {groups.names.index(v) for v in values}
    order = np.argsort(groups.codes, kind="stable")
    bounds = np.searchsorted(groups.codes[order], np.arange(len(groups.names) + 1))
    names = SLICE_METRICS[pred.task]
    out: dict[str, dict[str, list[float]]] = {}
    k = len(pred.labels)
    for g in sorted(wanted):
        rows = order[bounds[g] : bounds[g + 1]]
        if pred.task == "classification":
            cm = np.bincount(pred.y_true[rows] * k + pred.y_pred[rows], minlength=k * k)
            spreads = confusion_spreads(cm.reshape(k, k), None, seed=g)
        else:
            keep = rows[np.isfinite(pred.y_pred[rows])]
            spreads = regression_spreads(pred.y_true[keep], pred.y_pred[keep])
        found = {m: spreads[m].interval(level) for m in names if m in spreads}
        out[groups.names[g]] = {m: list(i) for m, i in found.items() if i is not None}
    return out
