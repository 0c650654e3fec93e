"""Writers for the input files tests need, and a Markdown-to-HTML parser for assertions."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def classification_data(
    n: int = 300, k: int = 3, seed: int = 0, accuracy: float = 0.8
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(y_true, y_pred, proba) with probabilities that agree with y_pred, rows summing to 1."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < accuracy, y_true, rng.integers(0, k, n))
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y_pred] += 3.0
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y_true, y_pred, proba


def write_classification(
    path: Path,
    n: int = 300,
    k: int = 3,
    seed: int = 0,
    labels: Sequence[str] | None = None,
    proba: bool = True,
    extra: dict[str, Sequence[Any]] | None = None,
) -> Path:
    y_true, y_pred, p = classification_data(n, k, seed)
    names = list(labels) if labels is not None else [str(i) for i in range(k)]
    header = ["y_true", "y_pred"] + ([f"proba_{name}" for name in names] if proba else [])
    extra = extra or {}
    header += list(extra)
    rows = []
    for i in range(n):
        row: list[Any] = [names[y_true[i]], names[y_pred[i]]]
        if proba:
            row += [f"{v:.8f}" for v in p[i]]
        row += [values[i] for values in extra.values()]
        rows.append(row)
    return write_csv(path, header, rows)


def markdown_html(markdown: str) -> str:
    """Render like GitHub does (cmark-gfm with its extensions and tag filter)."""
    from mlreport.preview import markdown_to_html

    return markdown_to_html(markdown)
