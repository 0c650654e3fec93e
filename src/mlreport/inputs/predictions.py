"""Prediction files: true and predicted values, class probabilities, slices and folds.

Columns (names configurable): ``y_true``, ``y_pred``; ``proba_<label>`` per class or a single
``score`` (binary tasks); any ``--slice-by`` columns; a ``fold`` column for cross-validation.
The task is inferred like scikit-learn's ``type_of_target``: text or whole numbers are classes
(up to 1,000 of them), non-integral numbers are a regression; ``--task`` overrides.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mlreport.config import PredictionOptions, Task
from mlreport.errors import InputError
from mlreport.inputs.labels import (
    Labels,
    as_floats,
    canonical_number,
    encode,
    refuse_label_sets,
    unify,
)
from mlreport.inputs.tables import Raw, Table, missing_columns_error, open_table

MAX_INFERRED_CLASSES = 1_000
MAX_CLASSES = 10_000


@dataclass(frozen=True)
class Predictions:
    """Predictions ready to evaluate.

    Classification: ``y_true``/``y_pred`` are int codes into ``labels``; ``proba`` (rows ×
    labels) or ``score`` (binary: the positive class, ``labels[pos_label]``) when given.
    Regression: ``y_true``/``y_pred`` are float64 values.
    """

    path: Path
    task: Task
    task_inferred: bool
    y_true: np.ndarray
    y_pred: np.ndarray
    labels: tuple[str, ...] = ()
    proba: np.ndarray | None = None
    score: np.ndarray | None = None
    pos_label: int | None = None
    slices: dict[str, Labels] = field(default_factory=dict)
    folds: Labels | None = None
    fold_column: str | None = None
    ids: Raw | None = None  # the id column (--id-col, or "id"): matches rows across models

    @property
    def n(self) -> int:
        return len(self.y_true)


def load_predictions(path: Path, options: PredictionOptions) -> Predictions:
    table = open_table(path, "predictions")
    _require(table, [options.target_col], "set the true-value column with --target-col")
    _require(table, [options.pred_col], "set the prediction column with --pred-col")
    _require(table, list(options.slice_by), "check the --slice-by column names")
    fold_col = options.fold_col
    if fold_col is not None:
        _require(table, [fold_col], "check --fold-col")
    elif "fold" in table.columns:
        fold_col = "fold"
    id_col = options.id_col
    if id_col is not None:
        _require(table, [id_col], "check --id-col")
    elif "id" in table.columns:
        id_col = "id"
    proba_cols = [
        c for c in table.columns if c.startswith(options.proba_prefix) and c != options.proba_prefix
    ]
    has_score = options.score_col in table.columns
    if proba_cols and has_score:
        raise InputError(
            path,
            f"has both '{options.score_col}' and {options.proba_prefix}<label> columns",
            "keep one: a score column for binary tasks, or one probability column per class",
        )

    raw_true, raw_pred = table.raw([options.target_col, options.pred_col])
    for raw in (raw_true, raw_pred):
        refuse_label_sets(raw, path)
    task, inferred = options.task, False
    if task is None:
        task, inferred = _infer_task(raw_true, raw_pred, table, bool(proba_cols or has_score))
    slices = {name: _group_column(table, name) for name in options.slice_by}
    folds = _group_column(table, fold_col) if fold_col else None
    ids = table.raw([id_col])[0] if id_col else None

    if task == "regression":
        y_true = as_floats(raw_true, table, "target", inferred)
        bad = ~np.isfinite(y_true)
        if bad.any():
            first, count = int(np.argmax(bad)), int(bad.sum())
            many = (
                f"{count:,} missing or infinite values"
                if count > 1
                else ("a missing or infinite value")
            )
            raise InputError(
                path,
                f"column '{raw_true.name}' has {many} (first at {table.where(first)})",
                "drop or fill those rows",
            )
        return Predictions(
            path,
            task,
            inferred,
            y_true,
            as_floats(raw_pred, table, "prediction", inferred),
            slices=slices,
            folds=folds,
            fold_column=fold_col,
            ids=ids,
        )

    true_labels, pred_labels = encode(raw_true, table), encode(raw_pred, table)
    labels, (y_true, y_pred) = unify(true_labels, pred_labels)
    _check_class_count(path, labels, raw_true.name, raw_pred.name, true_labels.numeric)
    numeric = true_labels.numeric and pred_labels.numeric
    proba, score, scored = None, None, None
    if proba_cols:
        proba, score, scored = _read_proba(table, proba_cols, options.proba_prefix, labels, numeric)
    elif has_score:
        if len(labels) != 2:
            raise InputError(
                path,
                f"a '{options.score_col}' column is for binary tasks, found {len(labels)} labels",
                f"give one {options.proba_prefix}<label> column per class instead",
            )
        score = table.numbers([options.score_col])[:, 0]
    pos = None
    if len(labels) == 2:
        default = 1 if scored is None else scored
        pos = _positive_label(path, labels, options.pos_label, default)
        if proba is not None:
            score = proba[:, pos]
        elif score is not None and pos != default:
            score = 1.0 - score  # the column scores the other class
    return Predictions(
        path,
        "classification",
        inferred,
        y_true,
        y_pred,
        labels,
        proba,
        score,
        pos,
        slices,
        folds,
        fold_col,
        ids,
    )


def _require(table: Table, names: list[str], hint: str) -> None:
    missing = [name for name in names if name not in table.columns]
    if missing:
        raise missing_columns_error(table, missing, hint)


def _group_column(table: Table, name: str) -> Labels:
    (raw,) = table.raw([name])
    return encode(raw, table, allow_missing=True)


def _looks_continuous(raw: Raw) -> bool:
    """True when some value is a number with a fractional part (a regression target)."""
    if raw.kind == "int":
        return False
    if raw.kind == "float":
        finite = raw.data[np.isfinite(raw.data)]
        return bool(np.any(finite != np.floor(finite)))
    numbers = []
    for value in raw.values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            numbers.append(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False  # text labels: classes
    return any(math.isfinite(n) and not n.is_integer() for n in numbers)


def _infer_task(raw_true: Raw, raw_pred: Raw, table: Table, has_proba: bool) -> tuple[Task, bool]:
    """Probabilities or text labels: classes; a fractional number: a regression; whole
    numbers: classes, unless there are more than MAX_INFERRED_CLASSES of them."""
    if has_proba:
        return "classification", True
    if _looks_continuous(raw_true) or _looks_continuous(raw_pred):
        return "regression", True
    true_labels = encode(raw_true, table, allow_missing=True)
    pred_labels = encode(raw_pred, table, allow_missing=True)
    if not (true_labels.numeric and pred_labels.numeric):
        return "classification", True  # text is never a regression target
    if len(set(true_labels.names) | set(pred_labels.names)) > MAX_INFERRED_CLASSES:
        return "regression", True
    return "classification", True


def _check_class_count(
    path: Path, labels: tuple[str, ...], true_col: str, pred_col: str, numeric: bool
) -> None:
    if len(labels) < 2:
        only = labels[0] if labels else ""
        raise InputError(
            path,
            f"only one class ('{only}') in {true_col} and {pred_col}; classification metrics "
            "need at least two",
            "evaluate on a sample with more than one class",
        )
    if len(labels) > MAX_CLASSES:
        raise InputError(
            path,
            f"{len(labels):,} distinct labels is more than {MAX_CLASSES:,} classes",
            "if the target is a number, pass --task regression"
            if numeric
            else f"mlreport reports on up to {MAX_CLASSES:,} classes; are these labels ids?",
        )


def _read_proba(
    table: Table, columns: list[str], prefix: str, labels: tuple[str, ...], numeric: bool
) -> tuple[np.ndarray | None, np.ndarray | None, int | None]:
    index = {name: i for i, name in enumerate(labels)}
    order: list[int] = []
    for column in columns:
        label = column[len(prefix) :]
        if numeric:
            with contextlib.suppress(ValueError):
                label = canonical_number(float(label))
        if label not in index:
            shown = ", ".join(labels[:10]) + (", …" if len(labels) > 10 else "")
            raise InputError(
                table.path,
                f"column '{column}' is for label '{label}', which is in neither y_true nor "
                f"y_pred (labels: {shown})",
                f"name probability columns {prefix}<label>, or set --proba-prefix",
            )
        order.append(index[label])
    values = table.numbers(columns)
    if len(labels) == 2 and len(columns) == 1:
        return None, values[:, 0], order[0]
    missing = [labels[i] for i in range(len(labels)) if i not in set(order)]
    if missing:
        raise InputError(
            table.path,
            f"no probability column for label(s) {', '.join(missing[:10])}",
            f"give one {prefix}<label> column per class",
        )
    proba = np.empty_like(values)
    proba[:, order] = values
    return proba, None, None


def _positive_label(path: Path, labels: tuple[str, ...], wanted: str | None, default: int) -> int:
    """Index of the positive class: --pos-label, else the class the score is for, else the
    second label in sorted order (scikit-learn's ``classes_[1]``)."""
    if wanted is None:
        return default
    if wanted not in labels:
        with contextlib.suppress(ValueError):
            wanted = canonical_number(float(wanted))
    if wanted not in labels:
        raise InputError(
            path, f"--pos-label '{wanted}' is not one of the labels ({', '.join(labels)})"
        )
    return labels.index(wanted)
