"""Reference against current data, for the drifted columns: small multiples in one PNG."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlreport.charts.figure import COLORS, Image, figure, save, short
from mlreport.data.binning import Summary

MAX_PANELS = 8
COLUMNS = 4


@dataclass(frozen=True)
class Panel:
    """One drifted column: its name (already redacted), how it was scored, both sides."""

    column: str
    method: str
    score: float
    reference: Summary
    current: Summary


def _shares(summary: Summary) -> np.ndarray:
    counts = summary.counts.astype(float)
    total = counts.sum()
    return counts / total if total else counts


def _numeric(ax: object, panel: Panel) -> None:
    edges = panel.reference.edges
    assert edges is not None
    for summary, color, label in (
        (panel.reference, COLORS[0], "reference"),
        (panel.current, COLORS[1], "current"),
    ):
        shares = _shares(summary)
        ax.stairs(shares, edges, color=color, linewidth=1.4, label=label)  # type: ignore[attr-defined]
        ax.stairs(shares, edges, color=color, alpha=0.15, fill=True)  # type: ignore[attr-defined]


def _categorical(ax: object, panel: Panel) -> None:
    labels = panel.reference.labels
    x = np.arange(len(labels))
    width = 0.4
    ax.bar(x - width / 2, _shares(panel.reference), width, color=COLORS[0], label="reference")  # type: ignore[attr-defined]
    ax.bar(x + width / 2, _shares(panel.current), width, color=COLORS[1], label="current")  # type: ignore[attr-defined]
    ax.set_xticks(x, [short(label, 12) for label in labels], rotation=30, ha="right")  # type: ignore[attr-defined]


def draw_drift(panels: Sequence[Panel], directory: Path, drifted: int) -> Image:
    """The first :data:`MAX_PANELS` of *panels*, the most drifted first (of *drifted*
    drifted columns)."""
    shown = list(panels[:MAX_PANELS])
    note = ""
    if drifted > len(shown):
        note = f"The {len(shown)} most drifted of {drifted} drifted columns."
    cols = min(COLUMNS, len(shown))
    rows = math.ceil(len(shown) / cols)
    with figure(3.3 * cols + 0.4, 2.8 * rows + 0.5) as fig:
        axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
        for ax, panel in zip(axes, shown, strict=False):
            if panel.reference.edges is not None:
                _numeric(ax, panel)
            else:
                _categorical(ax, panel)
            ax.set_title(f"{short(panel.column, 26)}\n{panel.method} {panel.score:.3g}")
        for ax in axes[len(shown) :]:
            ax.set_visible(False)
        for ax in axes[::cols]:
            ax.set_ylabel("share of rows")
        axes[0].legend(loc="best")
        fig.set_layout_engine("constrained")
        return save(fig, directory, "data_drift", "Drifted columns: reference vs current", note)
