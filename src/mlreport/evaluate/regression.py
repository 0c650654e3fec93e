"""Regression metrics: MAE, RMSE and R² (scikit-learn's definitions)."""

from __future__ import annotations

import numpy as np

REGRESSION_METRICS = ("mae", "rmse", "r2")


def regression_scores(
    y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray | None = None, n_groups: int = 1
) -> list[dict[str, float]]:
    """MAE, RMSE and R² per group, from sums collected with ``bincount``.

    R² follows scikit-learn's ``force_finite``: a constant target scores 1.0 when predicted
    exactly, else 0.0 (constant tested exactly: the rounded mean of, say, 0.1s is not 0.1);
    fewer than two rows give NaN, as in scikit-learn.
    """
    g = groups if groups is not None else np.zeros(y_true.size, dtype=np.int64)
    error = y_pred - y_true
    n = np.bincount(g, minlength=n_groups).astype(np.float64)
    abs_sum = np.bincount(g, np.abs(error), minlength=n_groups)
    sq_sum = np.bincount(g, error * error, minlength=n_groups)
    mean = np.bincount(g, y_true, minlength=n_groups) / np.maximum(n, 1)
    centred = y_true - mean[g]
    ss_tot = np.bincount(g, centred * centred, minlength=n_groups)
    low, high = np.full(n_groups, np.inf), np.full(n_groups, -np.inf)
    np.minimum.at(low, g, y_true)
    np.maximum.at(high, g, y_true)
    ss_tot[low == high] = 0.0
    out = []
    for i in range(n_groups):
        if n[i] == 0:
            out.append({name: float("nan") for name in REGRESSION_METRICS})
            continue
        if n[i] < 2:
            r2 = float("nan")
        elif ss_tot[i] > 0:
            r2 = 1.0 - sq_sum[i] / ss_tot[i]
        else:
            r2 = 1.0 if sq_sum[i] == 0 else 0.0
        out.append(
            {
                "mae": float(abs_sum[i] / n[i]),
                "rmse": float(np.sqrt(sq_sum[i] / n[i])),
                "r2": float(r2),
            }
        )
    return out
