"""Everything computed from a predictions file: metrics, per-class rows, curves -- and how
uncertain each metric is (:mod:`.intervals`), from the same pass."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from mlreport.evaluate.classification import (
    ClassCounts,
    ClassRow,
    binary_scores,
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
from mlreport.evaluate.ranking import Curve, rank_class
from mlreport.evaluate.regression import regression_scores
from mlreport.inputs.predictions import Predictions

Scored = tuple[np.ndarray, np.ndarray, str]  # one class against the rest: positive, score, label


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
    cm = confusion_matrix(pred.y_true, pred.y_pred, k)  # one pass; the counts are its sums
    counts = ClassCounts(np.diag(cm)[None, :], cm.sum(axis=1)[None, :], cm.sum(axis=0)[None, :])
    metrics = scores(counts)[0]
    notes: list[str] = []
    pos = pred.pos_label
    if k == 2 and pos is not None:
        metrics.update(binary_scores(counts, pos))
    found: dict[str, Spread] = confusion_spreads(cm, pos if k == 2 else None) if spreads else {}
    p_true: np.ndarray | None = None
    ranking = _Ranking()
    if k == 2 and pred.score is not None and pos is not None:
        positive = pred.y_true == pos
        ranking = _rank([(positive, pred.score, labels[pos])], pred.n, spreads, notes, False)
        p_true = np.where(positive, pred.score, 1.0 - pred.score)
    elif pred.proba is not None:
        proba = pred.proba
        each = ((pred.y_true == i, proba[:, i], label) for i, label in enumerate(labels))
        ranking = _rank(each, pred.n, spreads, notes, True)
        p_true = proba[np.arange(pred.n), pred.y_true]
    curves, placements = ranking.curves, ranking.placements
    if curves:
        metrics["roc_auc"] = float(np.mean([c.roc_auc for c in curves]))
        metrics["average_precision"] = float(np.mean([c.average_precision for c in curves]))
        if spreads:
            found |= ranking.spreads()
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


@dataclass
class _Ranking:
    """The classes ranked one against the rest, one at a time: their curves, DeLong's
    placements (their influences summed, in order, not kept: no class's arrays of N outlive
    it), and average precision's bootstrap of each."""

    curves: list[Curve] = field(default_factory=list)
    placements: list[Placement] = field(default_factory=list)
    influence: np.ndarray | None = None
    ap: list[Spread] = field(default_factory=list)

    def spreads(self) -> dict[str, Spread]:
        """ROC AUC (DeLong) and average precision (the mean of each class's draws: the
        classes are resampled independently, an approximation for a macro average)."""
        out: dict[str, Spread] = {}
        if len(self.placements) == len(self.curves):
            auc = auc_spread(self.placements, self.influence)
            if auc is not None:
                out["roc_auc"] = auc
        draws = np.mean([s.draws for s in self.ap if s.draws is not None], axis=0)
        value = float(np.mean([s.value for s in self.ap]))
        out["average_precision"] = Spread(
            value, self.ap[0].method, draws=draws, low_limit=0.0, high_limit=1.0
        )
        return out


def _rank(
    scored: Iterable[Scored], n: int, spreads: bool, notes: list[str], per_class: bool
) -> _Ranking:
    """Rank each class of *scored* (of *n* rows); *per_class*: one-vs-rest classes (a
    missing one is a note), not a binary task's positive class."""
    out = _Ranking(influence=np.zeros(n) if spreads and per_class else None)
    ap: list[Future[Spread]] = []
    # Each class's bootstrap (NumPy's draws, which let go of the GIL; a generator of its own,
    # so the same draws in any order) on two threads, while the next classes are ranked.
    with ThreadPoolExecutor(2) as bootstrap:
        for positive, score, label in scored:
            one = rank_class(
                positive, score, label, placements=spreads, influence_into=out.influence
            )
            if one is None:
                if per_class:
                    notes.append(f"class {label} has no true instances: left out of ROC AUC")
                continue
            if one.placement is not None:
                out.placements.append(one.placement)
            if spreads:
                exact, seed = one.curve.average_precision, len(out.curves)
                ap.append(
                    bootstrap.submit(average_precision_spread, one.tps, one.fps, exact, seed=seed)
                )
            out.curves.append(one.curve)
        out.ap = [found.result() for found in ap]
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
