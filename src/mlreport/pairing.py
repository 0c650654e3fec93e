"""The model compared with its baseline example by example: the same examples matched
(:func:`mlreport.inputs.outcomes.match`), then every delta's interval and p-value from the
pairing (:mod:`mlreport.evaluate.paired`), and the predictions that changed.

Pairing is refused -- with a note, never a wrong pairing -- when the examples cannot be
matched, when the matched examples' true values differ, or when the tasks differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from mlreport.evaluate.delong import paired_auc_difference, placement
from mlreport.evaluate.paired import (
    Changes,
    Delta,
    changes,
    confusion_deltas,
    mean_delta,
    regression_deltas,
)
from mlreport.inputs.outcomes import Outcomes, from_predictions, match
from mlreport.inputs.predictions import Predictions


@dataclass(frozen=True)
class Paired:
    examples: int  # matched
    total: int  # of the current predictions
    deltas: dict[str, Delta] = field(default_factory=dict)
    changes: Changes | None = None
    rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # current's
    labels: tuple[str, ...] = ()  # the labels both sides' codes are in
    old: np.ndarray | None = None  # the baseline's predictions of the rows, in those labels
    new: np.ndarray | None = None  # this model's, in the same codes
    true: np.ndarray | None = None  # the true labels, in the same codes
    ids: np.ndarray | None = None  # the rows' ids; None: matched by row order
    by: str = "row order"  # or "id"

    def changed(self) -> np.ndarray:
        """The positions (into ``rows``) whose prediction changed: broken ones first."""
        if self.changes is None:
            return np.zeros(0, dtype=np.int64)
        return self.changes.changed_rows


def pair(pred: Predictions, old: Outcomes) -> Paired | str:
    """The paired comparison of *pred* with the baseline *old*, or why there is none."""
    new = from_predictions(pred)
    if new.task != old.task:
        return f"the baseline is a {old.task}, this a {new.task}: not paired"
    matched = match(new, old)
    if isinstance(matched, str):
        return f"not paired: {matched}"
    rows, old_rows = matched
    if new.task == "regression":
        result = _regression(new, old, rows, old_rows)
    else:
        result = _classification(new, old, rows, old_rows)
    if isinstance(result, str) or new.ids is None or old.ids is None:
        return result
    return replace(result, by="id", ids=new.ids[result.rows])


def _classification(
    new: Outcomes, old: Outcomes, rows: np.ndarray, old_rows: np.ndarray
) -> Paired | str:
    union = tuple(sorted(set(new.labels) | set(old.labels), key=_label_key(new, old)))
    index = {label: i for i, label in enumerate(union)}
    to_new = np.array([index[label] for label in new.labels], dtype=np.int64)
    to_old = np.array([index[label] for label in old.labels], dtype=np.int64)
    mine, theirs = _selection(rows, new.n), _selection(old_rows, old.n, rows)
    y_true = _codes(to_new, new.y_true, mine)
    true_before = _codes(to_old, old.y_true, theirs)
    if not np.array_equal(y_true, true_before):
        wrong = int((y_true != true_before).sum())
        return f"not paired: the true labels differ for {wrong:,} of the matched examples"
    before, after = _codes(to_old, old.y_pred, theirs), _codes(to_new, new.y_pred, mine)
    pos = None
    if len(union) == 2 and new.pos_label is not None:
        pos = int(to_new[new.pos_label])
    deltas = confusion_deltas(y_true, before, after, len(union), pos)
    deltas |= _score_deltas(new, old, rows, old_rows, union, y_true)
    return Paired(
        rows.size,
        new.n,
        deltas,
        changes(y_true, before, after, union),
        rows,
        union,
        before,
        after,
        y_true,
    )


def _selection(rows: np.ndarray, n: int, same_as: np.ndarray | None = None) -> np.ndarray | None:
    """*rows* of a side of *n* rows, or None when they are all of them in order (*same_as*:
    the other side's rows, when those are known to be increasing)."""
    if rows.size != n:
        return rows
    if same_as is None or rows is same_as:  # matched by order, or the current side (sorted)
        return None
    return None if np.array_equal(rows, same_as) else rows


def _codes(table: np.ndarray, codes: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """``table[codes[rows]]`` (rows None: every row), as int64, without the copies that
    change nothing (every row, in order; a table that maps each code to itself)."""
    picked = codes if rows is None else codes[rows]
    if table.size and np.array_equal(table, np.arange(table.size)):
        return picked.astype(np.int64, copy=False)
    mapped: np.ndarray = table[picked]
    return mapped


def _label_key(new: Outcomes, old: Outcomes) -> Callable[[str], float | str]:
    numeric = all(_is_number(label) for label in (*new.labels, *old.labels))
    return (lambda label: float(label)) if numeric else (lambda label: label)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _probabilities(side: Outcomes, rows: np.ndarray, union: tuple[str, ...]) -> np.ndarray | None:
    """Rows × union labels, or None when this side has no probabilities."""
    out = np.zeros((rows.size, len(union)))
    if side.proba is not None:
        for j, label in enumerate(side.labels):
            out[:, union.index(label)] = side.proba[rows, j]
        return out
    if side.score is not None and side.pos_label is not None and len(side.labels) == 2:
        positive = union.index(side.labels[side.pos_label])
        out[:, positive] = side.score[rows]
        out[:, 1 - positive] = 1 - side.score[rows]
        return out
    return None


def _score_deltas(
    new: Outcomes,
    old: Outcomes,
    rows: np.ndarray,
    old_rows: np.ndarray,
    union: tuple[str, ...],
    y_true: np.ndarray,
) -> dict[str, Delta]:
    """ROC AUC (DeLong, paired) and log loss (paired differences), when both sides scored."""
    p_new, p_old = _probabilities(new, rows, union), _probabilities(old, old_rows, union)
    if p_new is None or p_old is None:
        return {}
    out: dict[str, Delta] = {}
    classes = [c for c in range(len(union)) if (y_true == c).any() and (y_true != c).any()]
    if len(union) == 2 and new.pos_label is not None:
        classes = [union.index(new.labels[new.pos_label])]
    placed_new = [placement(y_true == c, p_new[:, c]) for c in classes]
    placed_old = [placement(y_true == c, p_old[:, c]) for c in classes]
    if all(p is not None for p in placed_new + placed_old) and classes:
        spread = paired_auc_difference(
            [p for p in placed_new if p is not None], [p for p in placed_old if p is not None]
        )
        if spread is not None:
            from mlreport.evaluate.paired import normal_p

            out["roc_auc"] = Delta(
                spread, normal_p(spread.value, spread.se or 0.0), "DeLong's paired test"
            )
    eps = np.finfo(np.float64).eps
    take = np.arange(rows.size)
    lost_new = -np.log(np.clip(p_new[take, y_true], eps, 1 - eps))
    lost_old = -np.log(np.clip(p_old[take, y_true], eps, 1 - eps))
    if np.isfinite(lost_new).all() and np.isfinite(lost_old).all():
        out["log_loss"] = mean_delta(lost_new, lost_old)
    return out


def _regression(
    new: Outcomes, old: Outcomes, rows: np.ndarray, old_rows: np.ndarray
) -> Paired | str:
    y_true, y_old = new.y_true[rows], old.y_true[old_rows]
    if not np.allclose(y_true, y_old, rtol=1e-9, atol=1e-12, equal_nan=True):
        wrong = int((~np.isclose(y_true, y_old, rtol=1e-9, atol=1e-12)).sum())
        return f"not paired: the true values differ for {wrong:,} of the matched examples"
    after, before = new.y_pred[rows], old.y_pred[old_rows]
    finite = np.isfinite(after) & np.isfinite(before) & np.isfinite(y_true)
    deltas = regression_deltas(y_true[finite], after[finite], before[finite])
    return Paired(int(finite.sum()), new.n, deltas, None, rows[finite])
