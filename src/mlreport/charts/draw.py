"""Every chart an evaluation calls for."""

from __future__ import annotations

from pathlib import Path

from mlreport.charts._figure import Image
from mlreport.pipeline import Evaluation


def draw_all(evaluation: Evaluation, directory: Path) -> list[Image]:
    images = []
    classification = evaluation.classification
    if classification is not None:
        from mlreport.charts.confusion import draw_confusion

        images.append(draw_confusion(classification.confusion, classification.labels, directory))
        if classification.curves:
            from mlreport.charts.curves import draw_curves

            binary = len(classification.labels) == 2
            images.append(draw_curves(classification.curves, directory, binary))
    regression = evaluation.regression
    if regression is not None and regression.y_true.size:
        from mlreport.charts.regression import draw_regression

        images.append(draw_regression(regression.y_true, regression.y_pred, directory))
    if evaluation.history is not None:
        from mlreport.charts.history import draw_history

        images.append(draw_history(evaluation.history, directory))
    return images
