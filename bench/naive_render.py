"""The naive way to do what `mlreport render` does, as a baseline for bench/run.py.

Reads a predictions CSV (y_true, y_pred, proba_0..proba_K), computes the metrics with
scikit-learn, draws the confusion matrix (counts and normalised) and ROC / precision-recall
curves with pyplot, diffs the metrics against a baseline JSON and writes a Markdown report.

Usage: python bench/naive_render.py PREDICTIONS.csv BASELINE.json OUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: TID251  (the naive script uses pyplot, on purpose)
import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_recall_curve,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)


def main(predictions: str, baseline: str, out: str) -> None:
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    with Path(predictions).open() as handle:
        header = handle.readline().strip().split(",")
    data = np.loadtxt(predictions, delimiter=",", skiprows=1)
    y_true = data[:, header.index("y_true")].astype(int)
    y_pred = data[:, header.index("y_pred")].astype(int)
    proba = data[:, [i for i, h in enumerate(header) if h.startswith("proba_")]]
    labels = np.arange(proba.shape[1])
    metrics = {
        "accuracy": accuracy_score(y_true, y_pred),
        "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
        "precision_macro": precision_score(y_true, y_pred, average="macro", zero_division=0),
        "recall_macro": recall_score(y_true, y_pred, average="macro", zero_division=0),
        "f1_macro": f1_score(y_true, y_pred, average="macro", zero_division=0),
        "f1_weighted": f1_score(y_true, y_pred, average="weighted", zero_division=0),
        "roc_auc": roc_auc_score(y_true, proba, multi_class="ovr", labels=labels),
        "log_loss": log_loss(y_true, proba, labels=labels),
    }
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
    for ax, values, fmt in ((axes[0], cm, "d"), (axes[1], cm / cm.sum(1, keepdims=True), ".0%")):
        ax.imshow(values, cmap="Blues")
        for i in range(len(labels)):
            for j in range(len(labels)):
                ax.text(j, i, format(values[i, j], fmt), ha="center", va="center", fontsize=7)
        ax.set_xlabel("Predicted")
        ax.set_ylabel("True")
    fig.savefig(directory / "confusion_matrix.png")
    plt.close(fig)
    fig, (roc, pr) = plt.subplots(1, 2, figsize=(11, 4.6))
    ap = []
    for k in labels:
        fpr, tpr, _ = roc_curve(y_true == k, proba[:, k])
        roc.plot(fpr, tpr, label=f"{k}")
        precision, recall, _ = precision_recall_curve(y_true == k, proba[:, k])
        pr.plot(recall, precision, label=f"{k}")
        ap.append(average_precision_score(y_true == k, proba[:, k]))
    metrics["average_precision"] = float(np.mean(ap))
    roc.legend()
    pr.legend()
    fig.savefig(directory / "curves.png")
    plt.close(fig)
    base = json.loads(Path(baseline).read_text())
    lines = ["| Metric | Value | Baseline | Δ |", "|---|---:|---:|---:|"]
    for name, value in metrics.items():
        old = base.get(name)
        delta = f"{value - old:+.4f}" if old is not None else ""
        lines.append(f"| {name} | {value:.4f} | {old if old is not None else ''} | {delta} |")
    lines += ["", "![](confusion_matrix.png)", "![](curves.png)"]
    (directory / "report.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
