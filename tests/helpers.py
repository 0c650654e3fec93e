"""Writers for the input files tests need, and a Markdown-to-HTML parser for assertions."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mlreport.inputs.labels import Labels
    from mlreport.inputs.predictions import Predictions
    from tests.conftest import Result


def write_text(path: Path, text: str) -> Path:
    """*text* as written, byte for byte: no newline translation."""
    path.write_text(text, encoding="utf-8", newline="")
    return path


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


def render_report(
    folder: Path, *args: str, workers: str = "0", check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    """``mlreport render -p p.csv --history h.csv ARGS`` in a fresh process in *folder*
    (charts drawn by *workers* chart workers)."""
    return subprocess.run(
        [sys.executable, "-m", "mlreport", "render", "-p", "p.csv", "--history", "h.csv", *args],
        cwd=folder,
        check=check,
        capture_output=True,
        env={**os.environ, "MLREPORT_CHART_WORKERS": workers},
    )


def write_inputs(folder: Path, n: int, k: int, epochs: int) -> None:
    """p.csv (classification with probabilities) and h.csv (a loss per epoch) in *folder*."""
    write_classification(folder / "p.csv", n=n, k=k)
    write_csv(folder / "h.csv", ["epoch", "loss"], [[i, 1 / i] for i in range(1, epochs + 1)])


def markdown_html(markdown: str) -> str:
    """Render like GitHub does (cmark-gfm with its extensions and tag filter)."""
    from mlreport.report.html import markdown_to_html

    return markdown_to_html(markdown)


# --- Published reports and what the CLI printed ----------------------------------------------

# The interval keys of a report.json metric row that has none (a metrics file's value).
NO_INTERVAL = {
    "ci_low": None,
    "ci_high": None,
    "ci_method": None,
    "delta_low": None,
    "delta_high": None,
    "p_value": None,
    "paired": False,
}
MARKER = "<!-- mlreport:report id=default -->"  # the default report's comment marker


def image_urls(body: str) -> list[str]:
    """The targets of the Markdown images in a comment *body*."""
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", body)


def fetch(url: str) -> bytes:
    """GET *url* (an image link the report points to); fail on any error status."""
    import requests

    with requests.get(url, timeout=10) as answer:
        answer.raise_for_status()
        return answer.content


def step_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT's ``name=value`` and ``name<<DELIMITER`` … ``DELIMITER`` entries."""
    values: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            for item in lines:
                if item == delimiter:
                    break
                body.append(item)
            else:
                raise AssertionError(f"GITHUB_OUTPUT: {name} is not closed by {delimiter}")
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        elif line.strip():
            raise AssertionError(f"GITHUB_OUTPUT: a line the runner would reject: {line!r}")
    return values


def one_error(result: Result) -> str:
    """The single ``mlreport: error:`` line on stderr (other lines may come before it)."""
    lines = [line for line in result.err.splitlines() if line.startswith("mlreport: error:")]
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    return lines[0]


# --- Predictions built in memory (unit tests of mlreport.evaluate) ---------------------------

SKLEARN_REL = 1e-12  # mlreport's metrics equal scikit-learn's up to summation order


def sk_approx(expected: Any) -> Any:
    """``pytest.approx`` at the tolerance mlreport promises against scikit-learn (NaN equal)."""
    import pytest

    return pytest.approx(expected, rel=SKLEARN_REL, abs=1e-14, nan_ok=True)


def group_labels(codes: Sequence[int] | np.ndarray, names: Sequence[str] | None = None) -> Labels:
    """A slice or fold column: ``codes`` index ``names`` (default ``"g0"``, ``"g1"``, …)."""
    from mlreport.inputs.labels import Labels

    array = np.asarray(codes, dtype=np.int64)
    if names is None:
        names = [f"g{i}" for i in range(int(array.max()) + 1 if array.size else 0)]
    return Labels(array, tuple(names), False)


def classification_predictions(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    k: int,
    *,
    proba: np.ndarray | None = None,
    score: np.ndarray | None = None,
    pos_label: int | None = None,
    slices: dict[str, Labels] | None = None,
    folds: Labels | None = None,
) -> Predictions:
    """Class codes ``0..k-1`` labelled ``"c0"``, ``"c1"``, …"""
    from mlreport.inputs.predictions import Predictions

    return Predictions(
        path=Path("predictions.csv"),
        task="classification",
        task_inferred=False,
        y_true=np.asarray(y_true, dtype=np.int64),
        y_pred=np.asarray(y_pred, dtype=np.int64),
        labels=tuple(f"c{i}" for i in range(k)),
        proba=proba,
        score=score,
        pos_label=pos_label,
        slices=slices or {},
        folds=folds,
        fold_column="fold" if folds is not None else None,
    )


def regression_predictions(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    *,
    slices: dict[str, Labels] | None = None,
    folds: Labels | None = None,
) -> Predictions:
    from mlreport.inputs.predictions import Predictions

    return Predictions(
        path=Path("predictions.csv"),
        task="regression",
        task_inferred=False,
        y_true=np.asarray(y_true, dtype=np.float64),
        y_pred=np.asarray(y_pred, dtype=np.float64),
        slices=slices or {},
        folds=folds,
        fold_column="fold" if folds is not None else None,
    )
