"""Sanity checks on predictions, from CD4ML practice; any failure fails the run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlreport.config import SanityOptions
from mlreport.evaluate.groups import GroupRow
from mlreport.inputs.predictions import Predictions

PROBA_SUM_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    passed: bool
    detail: str


def run_checks(
    pred: Predictions, options: SanityOptions, folds: list[GroupRow] | None = None
) -> list[Check]:
    checks = [_finite(pred)]
    if pred.task == "classification":
        checks += [_proba_range(pred), _proba_sum(pred), _categories(pred, options)]
    if folds is not None:
        checks.append(_fold_outliers(folds, pred, options))
    return [c for c in checks if c is not None]


def _numeric_outputs(pred: Predictions) -> list[tuple[str, np.ndarray]]:
    if pred.task == "regression":
        return [("y_pred", pred.y_pred)]
    if pred.proba is not None:
        return [("probabilities", pred.proba)]
    if pred.score is not None:
        return [("score", pred.score)]
    return []


def _rows(count: int) -> str:
    return f"{count:,} row" + ("" if count == 1 else "s")


def _finite(pred: Predictions) -> Check | None:
    outputs = _numeric_outputs(pred)
    if not outputs:
        return None
    name, values = outputs[0]
    bad = ~np.isfinite(values)
    if values.ndim == 2:
        bad = bad.any(axis=1)
    count = int(bad.sum())
    if count:
        first = int(np.argmax(bad))
        detail = f"{_rows(count)} with NaN or infinite {name} (first: row {first + 1})"
    else:
        detail = f"no NaN or infinite {name} in {_rows(bad.size)}"
    return Check("finite", "No NaN or infinite predictions", count == 0, detail)


def _proba_range(pred: Predictions) -> Check | None:
    outputs = _numeric_outputs(pred)
    if not outputs:
        return None
    name, values = outputs[0]
    finite = values[np.isfinite(values)]
    outside = int(np.count_nonzero((finite < 0) | (finite > 1)))
    if outside:
        detail = (
            f"{outside:,} {name} value{'s' if outside != 1 else ''} outside [0, 1] "
            f"(min {finite.min():.4g}, max {finite.max():.4g})"
        )
    else:
        detail = f"all {finite.size:,} values in [0, 1]"
    return Check("proba_range", "Probabilities within [0, 1]", outside == 0, detail)


def _proba_sum(pred: Predictions) -> Check | None:
    if pred.proba is None:
        return None
    sums = pred.proba.sum(axis=1)
    bad = ~(np.abs(sums - 1.0) <= PROBA_SUM_TOLERANCE)  # NaN sums count as bad
    count = int(bad.sum())
    if count:
        worst = float(np.nanmax(np.abs(sums - 1.0))) if np.isfinite(sums).any() else float("nan")
        detail = (
            f"{_rows(count)} whose probabilities do not sum to 1 ± {PROBA_SUM_TOLERANCE:g} "
            f"(first: row {int(np.argmax(bad)) + 1}, largest deviation {worst:.4g})"
        )
    else:
        detail = f"all {_rows(sums.size)} sum to 1 ± {PROBA_SUM_TOLERANCE:g}"
    return Check("proba_sum", "Probabilities of each row sum to 1", count == 0, detail)


def _categories(pred: Predictions, options: SanityOptions) -> Check:
    k = len(pred.labels)
    n_true = int(np.count_nonzero(np.bincount(pred.y_true, minlength=k)))
    n_pred = int(np.count_nonzero(np.bincount(pred.y_pred, minlength=k)))
    off = abs(n_pred - n_true) / n_true
    passed = off <= options.category_tolerance + 1e-12
    detail = (
        f"{n_pred} distinct predicted categories vs {n_true} true ({off:.0%} off, "
        f"limit {options.category_tolerance:.0%})"
    )
    return Check("category_count", "Predicted categories match the true ones", passed, detail)


def fold_metric(pred: Predictions) -> str:
    return "accuracy" if pred.task == "classification" else "rmse"


def _fold_outliers(rows: list[GroupRow], pred: Predictions, options: SanityOptions) -> Check:
    metric = fold_metric(pred)
    title = "Folds agree (no outlier fold)"
    if len(rows) < 3:
        return Check("fold_outliers", title, True, f"{len(rows)} folds: needs 3 or more to judge")
    values = np.array([r.metrics[metric] for r in rows])
    median = float(np.median(values))
    mad = max(float(np.median(np.abs(values - median))), options.fold_mad_floor)
    distance = np.abs(values - median) / mad
    outliers = [
        (r.value, float(r.metrics[metric]), float(d))
        for r, d in zip(rows, distance, strict=False)
        if d > options.fold_mad
    ]
    if outliers:
        listed = ", ".join(f"fold {v} {metric} {m:.4g} ({d:.1f} MADs)" for v, m, d in outliers)
        detail = f"{listed}; median {median:.4g}, limit {options.fold_mad:g} MADs"
    else:
        detail = (
            f"{len(rows)} folds within {options.fold_mad:g} MADs of the median {metric} "
            f"{median:.4g}"
        )
    return Check("fold_outliers", title, not outliers, detail)
