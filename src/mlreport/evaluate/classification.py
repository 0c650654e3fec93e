"""Classification metrics from per-class counts (scikit-learn's definitions, zero_division=0)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASSIFICATION_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
)


@dataclass(frozen=True)
class ClassCounts:
    """Per-group, per-class counts: arrays of shape (groups, classes)."""

    tp: np.ndarray
    support: np.ndarray  # true instances of the class
    predicted: np.ndarray  # predictions of the class


@dataclass(frozen=True)
class ClassRow:
    label: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


def class_counts(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    n_classes: int,
    groups: np.ndarray | None = None,
    n_groups: int = 1,
) -> ClassCounts:
    """Count true positives, support and predictions per (group, class) with ``bincount``."""
    offset = groups * n_classes if groups is not None else 0
    size = n_groups * n_classes
    correct = y_true == y_pred
    shape = (n_groups, n_classes)
    tp = np.bincount((offset + y_true)[correct], minlength=size).reshape(shape)
    support = np.bincount(offset + y_true, minlength=size).reshape(shape)
    predicted = np.bincount(offset + y_pred, minlength=size).reshape(shape)
    return ClassCounts(tp, support, predicted)


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows are true classes, columns predicted classes (as scikit-learn)."""
    return count_codes((y_true, y_pred), n_classes).reshape(n_classes, n_classes)


CHUNK = 1 << 20  # rows coded at a time


def count_codes(columns: tuple[np.ndarray, ...], k: int) -> np.ndarray:
    """How many rows have each combination of *columns*' codes (each in range(k)): the
    ``np.bincount`` of ``(a * k + b) * k + c ...``, of length k ** len(columns), coded a
    million rows at a time -- a temporary of 8 MB used again, not a new one the size of the
    columns (fresh memory costs more than the arithmetic)."""
    size = k ** len(columns)
    counts = np.zeros(size, dtype=np.int64)
    for start in range(0, columns[0].size, CHUNK):
        rows = slice(start, start + CHUNK)
        codes = columns[0][rows].astype(np.int64)
        for column in columns[1:]:
            codes *= k
            codes += column[rows]
        counts += np.bincount(codes, minlength=size)
    return counts


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast(num, den).shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def per_class_scores(counts: ClassCounts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 per (group, class); 0 where undefined."""
    precision = _divide(counts.tp, counts.predicted)
    recall = _divide(counts.tp, counts.support)
    f1 = _divide(2 * counts.tp, counts.support + counts.predicted)
    return precision, recall, f1


def scores(counts: ClassCounts) -> list[dict[str, float]]:
    """The summary metrics of each group.

    Macro averages run over the classes present in ``y_true`` or ``y_pred`` of that group,
    weighted ones are weighted by support, balanced accuracy averages recall over the classes
    present in ``y_true`` -- as scikit-learn does when it is given the group alone.
    """
    precision, recall, f1 = per_class_scores(counts)
    present = (counts.support + counts.predicted) > 0
    n_present = np.maximum(present.sum(axis=1), 1)
    total = counts.support.sum(axis=1)
    weights = _divide(counts.support, total[:, None])
    in_truth = counts.support > 0
    out = []
    for g in range(counts.tp.shape[0]):
        row = {
            "accuracy": float(counts.tp[g].sum() / total[g]) if total[g] else float("nan"),
            "balanced_accuracy": float(recall[g][in_truth[g]].mean())
            if in_truth[g].any()
            else float("nan"),
            "precision_macro": float(precision[g][present[g]].sum() / n_present[g]),
            "recall_macro": float(recall[g][present[g]].sum() / n_present[g]),
            "f1_macro": float(f1[g][present[g]].sum() / n_present[g]),
            "precision_weighted": float((precision[g] * weights[g]).sum()),
            "recall_weighted": float((recall[g] * weights[g]).sum()),
            "f1_weighted": float((f1[g] * weights[g]).sum()),
        }
        out.append(row)
    return out


def binary_scores(counts: ClassCounts, positive: int) -> dict[str, float]:
    """Precision, recall and F1 of the positive class (scikit-learn's ``average='binary'``)."""
    precision, recall, f1 = per_class_scores(counts)
    return {
        "precision": float(precision[0, positive]),
        "recall": float(recall[0, positive]),
        "f1": float(f1[0, positive]),
    }


def class_rows(counts: ClassCounts, labels: tuple[str, ...]) -> list[ClassRow]:
    precision, recall, f1 = per_class_scores(counts)
    return [
        ClassRow(
            label,
            float(precision[0, i]),
            float(recall[0, i]),
            float(f1[0, i]),
            int(counts.support[0, i]),
            int(counts.predicted[0, i]),
        )
        for i, label in enumerate(labels)
    ]


def log_loss(p_true: np.ndarray) -> float:
    """Mean negative log-probability of the true class, clipped like scikit-learn."""
    eps = np.finfo(np.float64).eps
    return float(-np.mean(np.log(np.clip(p_true, eps, 1 - eps))))


def most_confused(cm: np.ndarray, limit: int) -> np.ndarray:
    """Indices of up to *limit* classes that take part in the largest off-diagonal cells."""
    off = cm.copy()
    np.fill_diagonal(off, 0)
    chosen: list[int] = []
    seen: set[int] = set()
    flat = np.argsort(off, axis=None, kind="stable")[::-1]
    n = cm.shape[0]
    for cell in flat:
        if off.flat[cell] == 0 or len(chosen) >= limit:
            break
        for index in divmod(int(cell), n):
            if index not in seen and len(chosen) < limit:
                seen.add(index)
                chosen.append(index)
    if len(chosen) < limit:  # too few errors: fill with the largest classes
        for index in np.argsort(cm.sum(axis=1), kind="stable")[::-1]:
            if int(index) not in seen and len(chosen) < limit:
                seen.add(int(index))
                chosen.append(int(index))
    return np.sort(np.array(chosen, dtype=np.int64))
