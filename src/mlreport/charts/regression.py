"""Predicted against actual values, and residuals, as scatter or density plots."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlreport.charts.figure import COLORS, Image, figure, save

SCATTER_LIMIT = 5_000


def draw_regression(y_true: np.ndarray, y_pred: np.ndarray, directory: Path) -> Image:
    residual = y_pred - y_true
    with figure(11, 4.6) as fig:
        left, right = fig.subplots(1, 2)
        _points(left, y_true, y_pred)
        low = float(min(y_true.min(), y_pred.min()))
        high = float(max(y_true.max(), y_pred.max()))
        left.plot(
            [low, high],
            [low, high],
            color="#c44e52",
            linewidth=1,
            linestyle="--",
            label="perfect prediction",
        )
        left.set(title="Predicted vs actual", xlabel="Actual", ylabel="Predicted")
        left.legend(loc="upper left")
        _points(right, y_pred, residual)
        right.axhline(0, color="#c44e52", linewidth=1, linestyle="--")
        right.set(title="Residuals", xlabel="Predicted", ylabel="Predicted − actual")
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.91, wspace=0.22)
        return save(fig, directory, "regression", "Predicted vs actual and residuals")


def _points(ax, x: np.ndarray, y: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    if x.size <= SCATTER_LIMIT:
        ax.scatter(x, y, s=8, alpha=0.5, color=COLORS[0], linewidths=0)
    else:
        ax.hexbin(x, y, gridsize=70, bins="log", mincnt=1, cmap="Blues", linewidths=0)
