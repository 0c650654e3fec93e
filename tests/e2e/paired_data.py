"""The test set and models the baseline tests share: 400 examples (ids ``ex-0`` …, three
classes) and four models on it -- A (recorded on main), B (main's head, not recorded), NEW
(the branch's) -- with known differences, so every count and statistic is computed in the
tests independently; and helpers to write them and read reports."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint

from tests.conftest import Result

N = 400
_rng = np.random.default_rng(11)
Y = _rng.integers(0, 3, N)
PERM = _rng.permutation(N)
IDS = [f"ex-{i}" for i in range(N)]


def wrong_at(rows: np.ndarray, shift: int = 1) -> np.ndarray:
    pred: np.ndarray = Y.copy()
    pred[rows] = (Y[rows] + shift) % 3
    return pred


A = wrong_at(PERM[:60])  # accuracy 0.85: recorded on main
B = wrong_at(PERM[100:140])  # accuracy 0.9: main's head
NEW = wrong_at(PERM[30:68])  # fixes PERM[:30], breaks PERM[60:68]: accuracy 0.905
NEW[PERM[50:60]] = (Y[PERM[50:60]] + 2) % 3  # wrong before and now, differently: "changed"


GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@e", "-c", "init.defaultBranch=main"]
GIT += ["-c", "commit.gpgsign=false"]


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True)
    return done.stdout.decode().strip()


def write_preds(
    path: Path,
    pred: np.ndarray,
    *,
    ids: bool | list[str] = True,
    order: Any = None,
    id_col: str = "id",
    y: np.ndarray = Y,
    labels: list[str] | None = None,
) -> Path:
    names = labels or ["0", "1", "2"]
    named = IDS if ids is True else ids or []
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(([id_col] if ids else []) + ["y_true", "y_pred"])
        for i in range(len(y)) if order is None else order:
            writer.writerow(([named[i]] if ids else []) + [names[y[i]], names[pred[i]]])
    return path


def load(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return data


def row(report: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in report["metrics"] if m["name"] == name)
    return found


def reference(old: np.ndarray, new: np.ndarray, level: float = 0.95) -> dict[str, float]:
    """McNemar's exact p, and the accuracy delta's interval: Clopper-Pearson's for the share
    of discordant pairs the new model won, scaled by discordant / n."""
    fixed = int(((old != Y) & (new == Y)).sum())
    broken = int(((old == Y) & (new != Y)).sum())
    p = float(mcnemar([[0, fixed], [broken, 0]], exact=True).pvalue)
    low, high = proportion_confint(fixed, fixed + broken, alpha=1 - level, method="beta")
    scale = (fixed + broken) / N
    return {"p": p, "low": scale * (2 * low - 1), "high": scale * (2 * high - 1)}


def baseline(kind: str, provenance: str, source: str = "main", outcomes: bool = True) -> Any:
    return {"source": source, "kind": kind, "provenance": provenance, "outcomes": outcomes}


def assert_noted(result: Result, report: dict[str, Any], *parts: str) -> None:
    """A note with all of *parts* in report.json and on stderr; the report written; no
    traceback."""
    assert result.code in (0, 1), result.output
    assert "Traceback" not in result.output
    assert any(all(p in note for p in parts) for note in report["notes"]), report["notes"]
    lines = [line for line in result.err.splitlines() if line.startswith("  note  ")]
    assert any(all(p in line for p in parts) for line in lines), result.err
    assert report["schema"].startswith("mlreport/report@")
