"""DVC plots files, read for what they hold, as DVC and DVCLive write them:

- ROC points, ``{"roc": [{"fpr": ..., "tpr": ..., "threshold": ...}]}``, and precision-recall
  points, ``{"precision_recall": [{"precision": ..., "recall": ..., "threshold": ...}]}``
  (DVCLive's ``dvclive/plots/sklearn/roc.json`` and ``precision_recall.json``): the curves;
- confusion rows, one per example, ``actual`` and ``predicted`` (DVCLive's
  ``confusion_matrix.json``, a JSON list, or a CSV/TSV): predictions without scores, the
  report's confusion matrix and metrics when no ``--predictions`` is given;
- a folder of TSV/CSV series (DVCLive's ``dvclive/plots/metrics``), or a table with a
  ``step``/``epoch`` column: training history, when no ``--history`` is given.

Other shapes (images, custom plots) are left out with a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mlreport.config import ReportInputs
from mlreport.errors import InputError
from mlreport.inputs._files import read_text
from mlreport.inputs.history import SUFFIXES, X_COLUMNS
from mlreport.inputs.structured import parse_json
from mlreport.inputs.tables import open_table

IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".svg")
CURVES = {"roc": ("fpr", "tpr"), "precision_recall": ("recall", "precision")}


@dataclass(frozen=True)
class Points:
    """A curve's points as a plots file gives them: x (fpr, recall) and y (tpr, precision)."""

    path: Path
    x: np.ndarray
    y: np.ndarray


@dataclass
class Plots:
    history: list[Path] = field(default_factory=list)
    confusion: Path | None = None
    roc: Points | None = None
    precision_recall: Points | None = None
    notes: list[str] = field(default_factory=list)


def with_plots(inputs: ReportInputs) -> tuple[ReportInputs, Plots]:
    """*inputs* completed from its plots files: the history and the confusion rows (as
    predictions) where the user gave none."""
    plots = read_plots(inputs.plots)
    if plots.history and not inputs.history:
        inputs = replace(inputs, history=tuple(plots.history))
    if plots.confusion is not None:
        if inputs.predictions is None:
            options = replace(inputs.prediction_options, target_col="actual", pred_col="predicted")
            inputs = replace(inputs, predictions=plots.confusion, prediction_options=options)
        else:
            plots.notes.append(f"confusion rows of {plots.confusion} not used: --predictions given")
    return inputs, plots


def read_plots(paths: Sequence[Path]) -> Plots:
    plots = Plots()
    for path in paths:
        if path.suffix.lower() in IMAGES:
            continue
        if not path.exists():
            plots.notes.append(f"plots file {path} not found; left out")
        elif path.is_dir():
            if any(p.suffix.lower() in SUFFIXES for p in path.rglob("*")):
                plots.history.append(path)
        elif path.suffix.lower() == ".json":
            _json_plot(plots, path)
        elif path.suffix.lower() in SUFFIXES:
            _table_plot(plots, path)
        else:
            plots.notes.append(f"plots file {path}: not a shape mlreport reads; left out")
    return plots


def _json_plot(plots: Plots, path: Path) -> None:
    data = parse_json(read_text(path, "plots"), path)
    if isinstance(data, dict) and len(data) == 1 and next(iter(data)) in CURVES:
        key = next(iter(data))
        x, y = _columns(data[key], CURVES[key], path)
        setattr(plots, key, Points(path, x, y))
    elif isinstance(data, list) and data and all(_confusion_row(r) for r in data):
        _confusion(plots, path)
    else:
        plots.notes.append(f"plots file {path}: not a shape mlreport reads; left out")


def _table_plot(plots: Plots, path: Path) -> None:
    columns = set(open_table(path, "plots").columns)
    if {"actual", "predicted"} <= columns:
        _confusion(plots, path)
    elif columns & set(X_COLUMNS):
        plots.history.append(path)
    else:
        plots.notes.append(f"plots file {path}: no step or actual/predicted column; left out")


def _confusion(plots: Plots, path: Path) -> None:
    if plots.confusion is None:
        plots.confusion = path
    else:
        plots.notes.append(f"confusion rows of {path} not used: {plots.confusion} is")


def _confusion_row(row: Any) -> bool:
    return isinstance(row, dict) and "actual" in row and "predicted" in row


def _columns(rows: Any, names: tuple[str, str], path: Path) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(rows, list) or not rows:
        raise InputError(path, f"expected a list of {names[0]}/{names[1]} points")
    out = []
    for name in names:
        try:
            out.append(np.array([float(row[name]) for row in rows], dtype=np.float64))
        except (TypeError, KeyError, ValueError):
            raise InputError(path, f"every point needs a numeric '{name}'") from None
    return out[0], out[1]
