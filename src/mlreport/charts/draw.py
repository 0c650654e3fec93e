"""Every chart an evaluation calls for, as jobs that can be drawn in parallel."""

from __future__ import annotations

from pathlib import Path

from mlreport.charts.pool import ChartJob
from mlreport.pipeline import Evaluation

MAX_POINTS = 1_000_000  # a density plot of a million points looks like one of ten million


def chart_jobs(evaluation: Evaluation, directory: Path) -> list[ChartJob]:
    """The charts to draw, slowest first; arguments are small and picklable."""
    from mlreport.charts.confusion import draw_confusion
    from mlreport.charts.curves import draw_curves
    from mlreport.charts.history import draw_history
    from mlreport.charts.regression import draw_regression

    jobs: list[ChartJob] = []
    classification = evaluation.classification
    if classification is not None:
        jobs.append((draw_confusion, (classification.confusion, classification.labels, directory)))
        if classification.curves:
            binary = len(classification.labels) == 2
            jobs.append((draw_curves, (classification.curves, directory, binary)))
    regression = evaluation.regression
    if regression is not None and regression.y_true.size:
        step = max(1, regression.y_true.size // MAX_POINTS)
        jobs.append(
            (draw_regression, (regression.y_true[::step], regression.y_pred[::step], directory))
        )
    if evaluation.history is not None:
        jobs.append((draw_history, (evaluation.history, directory)))
    return jobs
