"""Curves from plots files' points: the same ROC AUC and average precision as scikit-learn
on the scores the points came from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from mlreport.evaluate.plotted import plotted_curve
from mlreport.inputs.plots import Points


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_and_average_precision_match_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 200)
    score = np.round(y * 0.3 + rng.random(200), 2)  # ties too
    fpr, tpr, _ = roc_curve(y, score)
    precision, recall, thresholds = precision_recall_curve(y, score)
    # DVCLive writes one point per threshold: scikit-learn's last point (recall 0) is lost
    n = thresholds.size
    curve = plotted_curve(
        Points(Path("roc.json"), fpr, tpr), Points(Path("pr.json"), recall[:n], precision[:n])
    )
    assert curve is not None
    assert curve.roc_auc == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    assert curve.average_precision == pytest.approx(average_precision_score(y, score), abs=1e-12)
    assert curve.prevalence == pytest.approx(y.mean())


def test_a_roc_file_alone() -> None:
    points = Points(Path("roc.json"), np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0, 1.0]))
    curve = plotted_curve(points, None)
    assert curve is not None and curve.roc_auc == 0.75 and np.isnan(curve.average_precision)
    assert plotted_curve(None, None) is None
