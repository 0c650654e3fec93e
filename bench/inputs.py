"""The input files the benches write: predictions with and without probabilities, labels
of ten classes fast enough for ten million rows, and a baseline model's predictions of the
same rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def classification_csv(path: Path, n: int, k: int, proba: bool, seed: int = 0) -> None:
    """Predictions with probabilities that agree with y_pred (rows sum to 1)."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.85, y_true, rng.integers(0, k, n))
    with path.open("w") as handle:
        header = ["y_true", "y_pred"] + ([f"proba_{i}" for i in range(k)] if proba else [])
        handle.write(",".join(header) + "\n")
        if proba:
            logits = rng.normal(size=(n, k))
            logits[np.arange(n), y_pred] += 3
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            np.savetxt(
                handle, np.c_[y_true, y_pred, p], delimiter=",", fmt=["%d", "%d"] + ["%.6f"] * k
            )
        else:
            np.savetxt(handle, np.c_[y_true, y_pred], delimiter=",", fmt="%d")


def digit_labels_csv(path: Path, n: int, seed: int = 0, prefix: bytes = b"") -> None:
    """Rows of 'd,d' (or 'class_d,class_d' with a prefix) for ten classes, written as raw
    bytes: ten million rows in a second."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 10, n, dtype=np.uint8)
    y_pred = np.where(rng.random(n) < 0.85, y_true, rng.integers(0, 10, n, dtype=np.uint8))
    write_digits(path, y_true, y_pred, prefix)


def paired_labels_csv(new: Path, old: Path, n: int, changed: float, seed: int = 0) -> None:
    """*new*: as digit_labels_csv; *old*: a baseline model's predictions of the same rows,
    different on a share *changed* of them -- where the new model is right the baseline
    was wrong (fixed), where it is wrong the baseline was right half the time (broken)."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 10, n, dtype=np.uint8)
    y_pred = np.where(rng.random(n) < 0.85, y_true, rng.integers(0, 10, n, dtype=np.uint8))
    write_digits(new, y_true, y_pred)
    other = (y_pred + rng.integers(1, 10, n, dtype=np.uint8)) % 10  # never y_pred
    was_right = (y_pred != y_true) & (rng.random(n) < 0.5)
    baseline = np.where(was_right, y_true, other).astype(np.uint8)
    write_digits(old, y_true, np.where(rng.random(n) < changed, baseline, y_pred))


def write_digits(path: Path, y_true: np.ndarray, y_pred: np.ndarray, prefix: bytes = b"") -> None:
    n = y_true.size
    p = len(prefix)
    rows = np.empty((n, 2 * p + 4), dtype=np.uint8)
    rows[:, :p] = np.frombuffer(prefix, dtype=np.uint8)
    rows[:, p] = y_true + ord("0")
    rows[:, p + 1] = ord(",")
    rows[:, p + 2 : 2 * p + 2] = np.frombuffer(prefix, dtype=np.uint8)
    rows[:, 2 * p + 2] = y_pred + ord("0")
    rows[:, 2 * p + 3] = ord("\n")
    with path.open("wb") as handle:
        handle.write(b"y_true,y_pred\n")
        rows.tofile(handle)
