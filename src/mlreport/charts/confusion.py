"""The confusion matrix: counts and row-normalised, readable from 2 to 1,000+ classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlreport.charts._figure import Image, figure, save, short
from mlreport.evaluate.classification import most_confused

MAX_SHOWN = 20


def draw_confusion(cm: np.ndarray, labels: tuple[str, ...], directory: Path) -> Image:
    k = len(labels)
    note = ""
    support = cm.sum(axis=1)
    index = np.arange(k)
    if k > MAX_SHOWN:
        index = most_confused(cm, MAX_SHOWN)
        note = (
            f"Showing the {len(index)} most-confused of {k:,} classes; rows are normalised "
            "over all predictions of each true class."
        )
    counts = cm[np.ix_(index, index)]
    share = np.zeros(counts.shape, dtype=np.float64)
    np.divide(counts, support[index, None], out=share, where=support[index, None] > 0)
    names = [short(labels[i]) for i in index]
    n = len(index)
    side = min(7.5, 1.9 + 0.34 * n)
    with figure(2 * side + 0.8, side + 0.4) as fig:
        axes = fig.subplots(1, 2)
        _panel(axes[0], counts, names, "Counts", _count_text, counts.max() or 1)
        _panel(axes[1], share, names, "Normalised by true class", _share_text, 1.0)
        fig.subplots_adjust(left=0.12, right=0.98, bottom=0.16, top=0.92, wspace=0.35)
        return save(fig, directory, "confusion_matrix", "Confusion matrix", note)


def _count_text(value: float) -> str:
    return f"{int(value):,}"


def _share_text(value: float) -> str:
    return "0" if value == 0 else f"{value:.0%}" if value >= 0.01 else "<1%"


def _panel(ax, values, names, title, text, vmax) -> None:  # type: ignore[no-untyped-def]
    n = len(names)
    ax.imshow(values, cmap="Blues", vmin=0, vmax=vmax, interpolation="nearest", aspect="equal")
    ax.grid(False)
    ax.set_title(title)
    ax.set_xlabel("Predicted")
    ax.set_ylabel("True")
    ax.set_xticks(range(n), names, rotation=45 if n > 4 else 0, ha="right" if n > 4 else "center")
    ax.set_yticks(range(n), names)
    size = 9 if n <= 8 else 7 if n <= 14 else 6
    dark = values > vmax * 0.55
    for i in range(n):
        for j in range(n):
            if values[i, j] == 0 and i != j:
                continue
            ax.text(
                j,
                i,
                text(values[i, j]),
                ha="center",
                va="center",
                fontsize=size,
                color="white" if dark[i, j] else "#1f2328",
            )
