"""Training history: one row per epoch or step, any number of numeric series."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlreport.errors import InputError
from mlreport.inputs.tables import floats_or_none, open_table

X_COLUMNS = ("epoch", "step", "iteration", "iter")


@dataclass(frozen=True)
class History:
    path: Path
    x_name: str
    x: np.ndarray
    series: dict[str, np.ndarray]
    ignored: tuple[str, ...] = ()


def load_history(path: Path) -> History:
    table = open_table(path, "history")
    raws = table.raw(table.columns)
    x_name = next((name for name in X_COLUMNS if name in table.columns), None)
    series: dict[str, np.ndarray] = {}
    ignored: list[str] = []
    x = None
    for raw in raws:
        values = floats_or_none(raw)
        if values is None:
            ignored.append(raw.name)
            continue
        if raw.name == x_name:
            x = values
        else:
            series[raw.name] = values
    if x_name is not None and x is None:
        raise InputError(path, f"column '{x_name}' is not numeric")
    if not series:
        raise InputError(
            path,
            "has no numeric series to plot",
            "write one row per epoch with numeric columns, e.g. epoch,loss,val_loss",
        )
    if x_name is None or x is None:
        x_name, x = "step", np.arange(1, len(raws[0]) + 1, dtype=np.float64)
    return History(path, x_name, x, series, tuple(ignored))
