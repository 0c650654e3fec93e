"""Everything computed from a predictions file: metrics, per-class rows, curves -- and how
uncertain each metric is (:mod:`.intervals`), from the same pass."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mlreport.evaluate.classification import (
    ClassRow,
    binary_scores,
    class_counts,
    class_rows,
    confusion_matrix,
    log_loss,
    scores,
)
from mlreport.evaluate.delong import Placement, auc_spread
from mlreport.evaluate.intervals import (
    Spread,
    average_precision_spread,
    confusion_spreads,
    mean_spread,
    regression_spreads,
)
from mlreport.evaluate.ranking import Curve, Ranked, rank_class
from mlreport.evaluate.regression import regression_scores
from mlreport.inputs.predictions import Predictions


@dataclass(frozen=True)
class ClassificationEval:
    labels: tuple[str, ...]
    metrics: dict[str, float]
    per_class: list[ClassRow]
    confusion: np.ndarray
    curves: list[Curve]
    pos_label: str | None
    notes: list[str] = field(default_factory=list)
    spreads: dict[str, Spread] = field(default_factory=dict)
    placements: list[Placement] = field(default_factory=list)  # for a paired AUC test
    losses: np.ndarray | None = None  # each row's log loss, for a paired test


@dataclass(frozen=True)
class RegressionEval:
    metrics: dict[str, float]
    y_true: np.ndarray  # finite rows only
    y_pred: np.ndarray
    notes: list[str] = field(default_factory=list)
    spreads: dict[str, Spread] = field(default_factory=dict)
    finite: np.ndarray | None = None  # which rows of the file y_true/y_pred are


def evaluate_classification(pred: Predictions, *, spreads: bool = True) -> ClassificationEval:
    labels = pred.labels
    k = len(labels)
    counts = class_counts(pred.y_true, pred.y_pred, k)
    metrics = scores(counts)[0]
    notes: list[str] = []
    pos = pred.pos_label
    if k == 2 and pos is not None:
        metrics.update(binary_scores(counts, pos))
    cm = confusion_matrix(pred.y_true, pred.y_pred, k)
    found: dict[str, Spread] = confusion_spreads(cm, pos if k == 2 else None) if spreads else {}
    ranked = []
    p_true: np.ndarray | None = None
    if k == 2 and pred.score is not None and pos is not None:
        positive = pred.y_true == pos
        one = rank_class(positive, pred.score, labels[pos], placements=spreads)
        ranked = [one] if one else []
        p_true = np.where(positive, pred.score, 1.0 - pred.score)
    elif pred.proba is not None:
        for index, label in enumerate(labels):
            one = rank_class(pred.y_true == index, pred.proba[:, index], label, placements=spreads)
            if one is None:
                notes.append(f"class {label} has no true instances: left out of ROC AUC")
            else:
                ranked.append(one)
        p_true = pred.proba[np.arange(pred.n), pred.y_true]
    curves = [r.curve for r in ranked]
    placements = [r.placement for r in ranked if r.placement is not None]
    if curves:
        metrics["roc_auc"] = float(np.mean([c.roc_auc for c in curves]))
        metrics["average_precision"] = float(np.mean([c.average_precision for c in curves]))
        if spreads:
            found |= _ranking_spreads(ranked, placements)
    elif pred.proba is not None or pred.score is not None:
        notes.append("ROC AUC needs both classes among the true labels")
    losses = None
    if p_true is not None:
        if np.all(np.isfinite(p_true)) and np.all((p_true >= 0) & (p_true <= 1)):
            metrics["log_loss"] = log_loss(p_true)
            eps = np.finfo(np.float64).eps
            losses = -np.log(np.clip(p_true, eps, 1 - eps))
            if spreads:
                found["log_loss"] = mean_spread(losses)
        else:
            notes.append("log loss not computed: some probabilities are NaN or outside [0, 1]")
    return ClassificationEval(
        labels,
        metrics,
        class_rows(counts, labels),
        cm,
        curves,
        labels[pos] if k == 2 and pos is not None else None,
        notes,
        found,
        placements,
        losses,
    )


def _ranking_spreads(ranked: list[Ranked], placements: list[Placement]) -> dict[str, Spread]:
    """ROC AUC (DeLong) and average precision (the mean of each class's draws: the classes
    are resampled independently, an approximation for a macro average)."""
    out: dict[str, Spread] = {}
    auc = auc_spread(placements) if len(placements) == len(ranked) else None
    if auc is not None:
        out["roc_auc"] = auc
    ap = [
        average_precision_spread(r.tps, r.fps, r.curve.average_precision, seed=i)
        for i, r in enumerate(ranked)
    ]
    draws = np.mean([s.draws for s in ap if s.draws is not None], axis=0)
    value = float(np.mean([s.value for s in ap]))
    out["average_precision"] = Spread(
        value, ap[0].method, draws=draws, low_limit=0.0, high_limit=1.0
    )
    return out


def evaluate_regression(pred: Predictions, *, spreads: bool = True) -> RegressionEval:
    finite = np.isfinite(pred.y_pred)
    notes = []
    y_true, y_pred = pred.y_true, pred.y_pred
    if not finite.all():
        y_true, y_pred = y_true[finite], y_pred[finite]
        notes.append(f"{int((~finite).sum()):,} rows with NaN or infinite y_pred left out")
    if y_true.size == 0:
        return RegressionEval({}, y_true, y_pred, [*notes, "no finite predictions"])
    found = regression_spreads(y_true, y_pred) if spreads else {}
    return RegressionEval(
        regression_scores(y_true, y_pred)[0], y_true, y_pred, notes, found, finite
    )
