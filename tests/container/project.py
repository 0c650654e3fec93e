"""A small ML project to run the image on: a git checkout whose ``main`` holds the baseline
metrics, and a ``train.py`` (standard library only) that writes metrics.json and
predictions.csv, getting *wrong* of its 100 predictions wrong."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

BASELINE = {"accuracy": 0.93, "f1_macro": 0.93}

TRAIN_PY = '''\
"""Stands in for training: a fixed "model", its predictions and metrics (stdlib only)."""

import csv
import json

WRONG = {wrong}  # of the 100 predictions
LABELS = ["bird", "cat", "dog"]

rows = []
for i in range(100):
    truth = LABELS[i % 3]
    rows.append((truth, LABELS[(i + 1) % 3] if i < WRONG else truth))

with open("predictions.csv", "w", newline="") as handle:
    writer = csv.writer(handle)
    writer.writerow(["y_true", "y_pred"])
    writer.writerows(rows)

f1 = []
for label in LABELS:
    tp = sum(t == label and p == label for t, p in rows)
    fp = sum(t != label and p == label for t, p in rows)
    fn = sum(t == label and p != label for t, p in rows)
    f1.append(2 * tp / (2 * tp + fp + fn))
metrics = {{"accuracy": sum(t == p for t, p in rows) / len(rows), "f1_macro": sum(f1) / len(f1)}}
with open("metrics.json", "w") as handle:
    json.dump(metrics, handle)
print("trained:", metrics)
'''

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Monalisa Octocat",
    "GIT_AUTHOR_EMAIL": "octocat@github.com",
    "GIT_COMMITTER_NAME": "Monalisa Octocat",
    "GIT_COMMITTER_EMAIL": "octocat@github.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(path: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=path,
        env={**os.environ, **_GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def make_project(path: Path, *, wrong: int) -> str:
    """The checkout of a pull request's merge commit (detached, as actions/checkout leaves
    it) with ``origin/main`` fetched; returns the commit's SHA."""
    path.mkdir(parents=True)
    git(path, "init", "--quiet")
    (path / "metrics.json").write_text(json.dumps(BASELINE) + "\n", encoding="utf-8")
    (path / "train.py").write_text(TRAIN_PY.format(wrong=7), encoding="utf-8")
    (path / "requirements.txt").write_text("# train.py needs the standard library only\n")
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "-m", "Baseline model")
    git(path, "update-ref", "refs/remotes/origin/main", "HEAD")
    (path / "train.py").write_text(TRAIN_PY.format(wrong=wrong), encoding="utf-8")
    git(path, "commit", "--quiet", "--all", "-m", f"Merge: a model with {wrong} errors")
    git(path, "checkout", "--quiet", "--detach")
    return git(path, "rev-parse", "HEAD")
