"""The confusion matrix: counts and row-normalised, readable from 2 to 1,000+ classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlreport.charts.figure import Image, figure, save, short
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
    layout = _Layout(len(names), max(len(name) for name in names))
    with figure(layout.width, layout.height) as fig:
        left = fig.add_axes(layout.box(0))
        right = fig.add_axes(layout.box(1))
        _panel(left, counts, names, "Counts", _count_text, counts.max() or 1, layout)
        _panel(right, share, names, "Normalised by true class", _share_text, 1.0, layout)
        right.set_yticks(range(len(names)), [])  # the rows are those of the left panel
        right.set_ylabel("")
        return save(fig, directory, "confusion_matrix", "Confusion matrix", note)


class _Layout:
    """Sizes in inches, from the number of classes and the longest (shortened) label."""

    def __init__(self, n: int, label_chars: int) -> None:
        self.n = n
        self.font = 9 if n <= 8 else 8 if n <= 14 else 7
        char = 0.6 * self.font / 72
        labels = label_chars * char
        self.side = min(7.2, max(2.6, 0.36 * n + 1.0))
        self.rotate = labels > 0.9 * self.side / n  # a label wider than its column
        self.left = 0.45 + labels + 0.1
        self.gap = 0.35
        self.right = 0.2
        self.top = 0.45
        self.bottom = 0.5 + (labels * 0.72 if self.rotate else 0.2)
        self.width = self.left + 2 * self.side + self.gap + self.right
        self.height = self.top + self.side + self.bottom

    def box(self, panel: int) -> tuple[float, float, float, float]:
        x = self.left + panel * (self.side + self.gap)
        return (
            x / self.width,
            self.bottom / self.height,
            self.side / self.width,
            self.side / self.height,
        )


def _count_text(value: float) -> str:
    return f"{int(value):,}"


def _share_text(value: float) -> str:
    return "0" if value == 0 else f"{value:.0%}" if value >= 0.01 else "<1%"


def _panel(ax, values, names, title, text, vmax, layout) -> None:  # type: ignore[no-untyped-def]
    n = len(names)
    ax.imshow(values, cmap="Blues", vmin=0, vmax=vmax, interpolation="nearest", aspect="auto")
    ax.grid(False)
    ax.set_title(title, y=1.0, pad=6)  # a fixed position: no tight-bbox search
    ax.set_xlabel("Predicted")
    ax.set_ylabel("True")
    rotation = {"rotation": 45, "ha": "right", "rotation_mode": "anchor"} if layout.rotate else {}
    ax.set_xticks(range(n), names, fontsize=layout.font, **rotation)
    ax.set_yticks(range(n), names, fontsize=layout.font)
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
                fontsize=layout.font - 1,
                color="white" if dark[i, j] else "#1f2328",
            )
