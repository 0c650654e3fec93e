"""Training curves: one panel per quantity, training and validation series together."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from mlreport.charts.figure import COLORS, Image, figure, save, short
from mlreport.inputs.history import History

MAX_PANELS = 6
_SPLIT = re.compile(
    r"^(train|training|val|valid|validation|test|eval)[_/.-]|"
    r"[_/.-](train|training|val|valid|validation|test|eval)$"
)


def quantity(series: str) -> str:
    """'val_loss', 'loss/train' and 'train_loss' all plot on the 'loss' panel."""
    return _SPLIT.sub("", series) or series


def panels(history: History) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name in history.series:
        grouped.setdefault(quantity(name), []).append(name)
    return dict(list(grouped.items())[:MAX_PANELS])


def draw_history(history: History, directory: Path) -> Image:
    grouped = panels(history)
    note = ""
    if len({quantity(n) for n in history.series}) > MAX_PANELS:
        note = f"Showing the first {MAX_PANELS} quantities of the history file."
    cols = min(3, len(grouped))
    rows = math.ceil(len(grouped) / cols)
    with figure(4.1 * cols + 0.4, 3.1 * rows + 0.3) as fig:
        axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
        for ax, (title, names) in zip(axes, grouped.items(), strict=False):
            for i, name in enumerate(names):
                y = history.series[name]
                finite = np.isfinite(y)
                marker = "o" if finite.sum() <= 30 else None
                ax.plot(
                    history.x[finite],
                    y[finite],
                    color=COLORS[i % len(COLORS)],
                    linewidth=1.5,
                    marker=marker,
                    markersize=3,
                    label=short(name, 20),
                )
            ax.set_title(short(title, 30))
            ax.set_xlabel(history.x_name)
            if len(names) > 1:
                ax.legend()
        for ax in axes[len(grouped) :]:
            ax.set_visible(False)
        fig.subplots_adjust(
            left=0.08,
            right=0.98,
            bottom=0.14 if rows == 1 else 0.09,
            top=0.9 if rows == 1 else 0.94,
            wspace=0.28,
            hspace=0.45,
        )
        return save(fig, directory, "history", "Training history", note)
