"""ROC and precision-recall curves from the points a plots file gives (DVCLive's
``roc.json`` and ``precision_recall.json``, scikit-learn's ``roc_curve`` and
``precision_recall_curve`` written out): the area under the ROC points by the trapezoidal
rule (``sklearn.metrics.auc``), average precision as the step sum over recall
(``average_precision_score`` on the same curve, its end point at recall 0 restored)."""

from __future__ import annotations

import numpy as np

from mlreport.evaluate.ranking import Curve
from mlreport.inputs.plots import Points


def plotted_curve(roc: Points | None, pr: Points | None) -> Curve | None:
    if roc is None and pr is None:
        return None
    empty = np.array([], dtype=np.float64)
    fpr, tpr = (roc.x, roc.y) if roc is not None else (empty, empty)
    recall, precision = (pr.x, pr.y) if pr is not None else (empty, empty)
    if recall.size and np.all(np.diff(recall) <= 0) and recall[-1] > 0:
        # DVCLive writes one point per threshold, leaving out scikit-learn's last (0, 1)
        recall, precision = np.append(recall, 0.0), np.append(precision, 1.0)
    auc = abs(float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))) if fpr.size > 1 else np.nan
    ap = _average_precision(recall, precision)
    prevalence = float(precision[np.argmax(recall)]) if recall.size else float("nan")
    label = (roc or pr).path.name  # type: ignore[union-attr]
    return Curve(label, auc, ap, prevalence, fpr, tpr, recall, precision)


def _average_precision(recall: np.ndarray, precision: np.ndarray) -> float:
    """scikit-learn's sum over the steps, each at the precision of its higher recall."""
    if recall.size < 2:
        return float("nan")
    if np.all(np.diff(recall) <= 0):  # scikit-learn's order: recall falling to 0
        return float(-np.sum(np.diff(recall) * precision[:-1]))
    order = np.argsort(-recall, kind="stable")
    return _average_precision(recall[order], precision[order])
