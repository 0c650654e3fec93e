"""ROC and precision-recall curves, one axis each, in one image."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlreport.charts.figure import COLORS, Image, figure, save, short
from mlreport.evaluate.ranking import Curve, macro_roc

MAX_CURVES = 10
WORST_SHOWN = 5


def draw_curves(curves: list[Curve], directory: Path, binary: bool) -> Image:
    note = ""
    shown = curves
    if len(curves) > MAX_CURVES:
        shown = sorted(curves, key=lambda c: c.roc_auc)[:WORST_SHOWN]
        note = (
            f"{len(curves)} classes: showing the macro average and the {WORST_SHOWN} classes "
            "with the lowest ROC AUC."
        )
    with figure(11, 4.6) as fig:
        roc, pr = fig.subplots(1, 2)
        roc.plot([0, 1], [0, 1], color="#8c8c8c", linestyle="--", linewidth=0.8)
        for i, curve in enumerate(shown):
            color = COLORS[i % len(COLORS)]
            name = (
                f"positive class {short(curve.label, 18)} "
                if binary
                else f"{short(curve.label, 18)} "
            )
            roc.plot(
                curve.fpr,
                curve.tpr,
                color=color,
                linewidth=1.4,
                label=f"{name}(AUC {curve.roc_auc:.3f})",
            )
            pr.plot(
                curve.recall,
                curve.precision,
                color=color,
                linewidth=1.4,
                drawstyle="steps-post",
                label=f"{name}(AP {curve.average_precision:.3f})",
            )
        if len(curves) > 1:
            grid, mean = macro_roc(curves)
            macro_auc = float(np.mean([c.roc_auc for c in curves]))
            roc.plot(
                grid,
                mean,
                color="#1f2328",
                linewidth=2.0,
                label=f"macro average (AUC {macro_auc:.3f})",
            )
        if binary and shown:
            pr.axhline(
                shown[0].prevalence,
                color="#8c8c8c",
                linestyle="--",
                linewidth=0.8,
                label=f"chance ({shown[0].prevalence:.2f})",
            )
        roc.set(
            title="ROC curve",
            xlabel="False positive rate",
            ylabel="True positive rate",
            xlim=(-0.01, 1.01),
            ylim=(-0.01, 1.01),
        )
        pr.set(
            title="Precision–recall curve",
            xlabel="Recall",
            ylabel="Precision",
            xlim=(-0.01, 1.01),
            ylim=(-0.01, 1.01),
        )
        roc.legend(loc="lower right")
        pr.legend(loc="lower left")
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.91, wspace=0.22)
        return save(fig, directory, "curves", "ROC and precision–recall curves", note)
