"""``mlreport demo``: train a small classifier on data scikit-learn ships, write what a
training script in CI would write (metrics, predictions, history), and report on it against
a baseline -- main's model, trained for fewer epochs: its metrics file (bundled) and its
predictions on the same test set, to pair with -- no network, no token."""

from __future__ import annotations

import csv
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BASELINE = Path(__file__).with_name("baseline.json")
GATES = (
    "accuracy >= 0.9",
    "f1_macro >= baseline - 0.01",
    "log_loss <= baseline * 1.1",
    "slice_gap.accuracy <= 0.08",
)
EPOCHS = 30
BASELINE_EPOCHS = 25  # main's model: the same one, trained for fewer epochs
SEED = 7


@dataclass(frozen=True)
class DemoFiles:
    metrics: Path
    predictions: Path
    history: Path
    baseline: Path
    baseline_predictions: Path
    n_train: int
    n_test: int
    seconds: float


def _loss_and_accuracy(proba: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    p_true = np.clip(proba[np.arange(y.size), y], 1e-15, 1.0)
    return float(-np.log(p_true).mean()), float((proba.argmax(axis=1) == y).mean())


def train_demo(directory: Path, epochs: int = EPOCHS, seed: int = SEED) -> DemoFiles:
    """Train an MLP on the 8×8 digits for *epochs* epochs; write its outputs to *directory*."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    started = time.perf_counter()
    images, digits = load_digits(return_X_y=True)
    x = images / 16.0
    # How much ink a digit uses: a slice that should not change accuracy much.
    ink_levels = np.quantile(x.sum(axis=1), [1 / 3, 2 / 3])
    ink = np.array(["light", "medium", "heavy"])[np.searchsorted(ink_levels, x.sum(axis=1))]
    x_train, x_test, y_train, y_test, _, ink_test = train_test_split(
        x, digits, ink, test_size=0.3, stratify=digits, random_state=seed
    )
    x_fit, x_val, y_fit, y_val = train_test_split(
        x_train, y_train, test_size=0.2, stratify=y_train, random_state=seed
    )
    model = MLPClassifier(
        hidden_layer_sizes=(32,),
        learning_rate_init=0.003,
        batch_size=64,
        alpha=1e-3,
        random_state=seed,
    )
    classes = np.arange(10)
    history = []
    main_proba = None
    for epoch in range(1, epochs + 1):
        model.partial_fit(x_fit, y_fit, classes=classes)
        if epoch == min(BASELINE_EPOCHS, epochs):
            main_proba = model.predict_proba(x_test)
        loss, accuracy = _loss_and_accuracy(model.predict_proba(x_fit), y_fit)
        val_loss, val_accuracy = _loss_and_accuracy(model.predict_proba(x_val), y_val)
        history.append((epoch, loss, val_loss, accuracy, val_accuracy))
    seconds = time.perf_counter() - started
    proba = model.predict_proba(x_test)

    directory.mkdir(parents=True, exist_ok=True)
    predictions = directory / "predictions.csv"
    _write_predictions(predictions, y_test, proba, ink_test)
    main_predictions = directory / "baseline_predictions.csv"
    assert main_proba is not None
    _write_predictions(main_predictions, y_test, main_proba, ink_test)
    history_path = directory / "history.csv"
    with history_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["epoch", "loss", "val_loss", "accuracy", "val_accuracy"])
        writer.writerows(
            [e, f"{a:.5f}", f"{b:.5f}", f"{c:.5f}", f"{d:.5f}"] for e, a, b, c, d in history
        )
    metrics = directory / "metrics.json"
    parameters = sum(w.size for w in model.coefs_) + sum(b.size for b in model.intercepts_)
    metrics.write_text(
        json.dumps(
            {
                "train": {
                    "epochs": epochs,
                    "samples": int(y_fit.size),
                    "final_loss": round(history[-1][1], 5),
                },
                "model": {
                    "type": "MLPClassifier",
                    "hidden_units": 32,
                    "parameters": int(parameters),
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    baseline = directory / "baseline.json"  # what main's metrics were, for the comparison
    shutil.copyfile(BASELINE, baseline)
    return DemoFiles(
        metrics,
        predictions,
        history_path,
        baseline,
        main_predictions,
        int(y_train.size),
        int(y_test.size),
        seconds,
    )


def _write_predictions(path: Path, y: np.ndarray, proba: np.ndarray, ink: np.ndarray) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "y_true", "y_pred", *(f"proba_{c}" for c in range(10)), "ink"])
        for i, (truth, row, level) in enumerate(zip(y, proba, ink, strict=True)):
            writer.writerow(
                [f"img-{i:04d}", int(truth), int(row.argmax()), *(f"{p:.6f}" for p in row), level]
            )
