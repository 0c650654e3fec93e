"""Everything computed from a predictions file: metrics, per-class rows, curves."""

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
from mlreport.evaluate.ranking import Curve, binary_curve
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


@dataclass(frozen=True)
class RegressionEval:
    metrics: dict[str, float]
    y_true: np.ndarray  # finite rows only
    y_pred: np.ndarray
    notes: list[str] = field(default_factory=list)


def evaluate_classification(pred: Predictions) -> ClassificationEval:
    labels = pred.labels
    k = len(labels)
    counts = class_counts(pred.y_true, pred.y_pred, k)
    metrics = scores(counts)[0]
    notes: list[str] = []
    pos = pred.pos_label
    if k == 2 and pos is not None:
        metrics.update(binary_scores(counts, pos))
    curves: list[Curve] = []
    p_true: np.ndarray | None = None
    if k == 2 and pred.score is not None and pos is not None:
        positive = pred.y_true == pos
        curve = binary_curve(positive, pred.score, labels[pos])
        curves = [curve] if curve else []
        p_true = np.where(positive, pred.score, 1.0 - pred.score)
    elif pred.proba is not None:
        for index, label in enumerate(labels):
            curve = binary_curve(pred.y_true == index, pred.proba[:, index], label)
            if curve is None:
                notes.append(f"class {label} has no true instances: left out of ROC AUC")
            else:
                curves.append(curve)
        p_true = pred.proba[np.arange(pred.n), pred.y_true]
    if curves:
        metrics["roc_auc"] = float(np.mean([c.roc_auc for c in curves]))
        metrics["average_precision"] = float(np.mean([c.average_precision for c in curves]))
    elif pred.proba is not None or pred.score is not None:
        notes.append("ROC AUC needs both classes among the true labels")
    if p_true is not None:
        if np.all(np.isfinite(p_true)) and np.all((p_true >= 0) & (p_true <= 1)):
            metrics["log_loss"] = log_loss(p_true)
        else:
            notes.append("log loss not computed: some probabilities are NaN or outside [0, 1]")
    return ClassificationEval(
        labels,
        metrics,
        class_rows(counts, labels),
        confusion_matrix(pred.y_true, pred.y_pred, k),
        curves,
        labels[pos] if k == 2 and pos is not None else None,
        notes,
    )


def evaluate_regression(pred: Predictions) -> RegressionEval:
    finite = np.isfinite(pred.y_pred)
    notes = []
    y_true, y_pred = pred.y_true, pred.y_pred
    if not finite.all():
        y_true, y_pred = y_true[finite], y_pred[finite]
        notes.append(f"{int((~finite).sum()):,} rows with NaN or infinite y_pred left out")
    if y_true.size == 0:
        return RegressionEval({}, y_true, y_pred, [*notes, "no finite predictions"])
    return RegressionEval(regression_scores(y_true, y_pred)[0], y_true, y_pred, notes)
