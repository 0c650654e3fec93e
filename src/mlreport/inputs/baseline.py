"""The baseline to compare with: the same metrics files at a git ref, a metrics file, or a
previous ``report.json``."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlreport import REPORT_SCHEMA, git
from mlreport.errors import BaselineNotFound, InputError, UsageError
from mlreport.inputs._files import decode_utf8, read_text
from mlreport.inputs.metrics import Metrics, is_number, parse_metrics
from mlreport.inputs.structured import parse_json


@dataclass(frozen=True)
class Baseline:
    """Metrics to compare with, and where they came from (``ref`` or file path)."""

    source: str
    kind: Literal["git", "file", "report"]
    metrics: Metrics


def load_baseline(spec: str, metrics_paths: Sequence[Path]) -> Baseline:
    """``spec`` is an existing file, else a git ref whose copies of *metrics_paths* are read."""
    path = Path(spec)
    if path.is_file():
        return _from_file(path)
    if not metrics_paths:
        raise UsageError(
            f"--baseline {spec}: not a file, and without --metrics there are no files to read "
            "at a git ref",
            "pass --metrics, or a baseline file",
        )
    return _from_git(spec, metrics_paths)


def _from_file(path: Path) -> Baseline:
    text = read_text(path, "baseline")
    if path.suffix.lower() == ".json":
        try:
            data = parse_json(text, path)
        except InputError:
            data = None
        if isinstance(data, dict) and data.get("schema") == REPORT_SCHEMA:
            return Baseline(str(path), "report", _report_metrics(path, data))
    return Baseline(str(path), "file", parse_metrics(text, path))


def _report_metrics(path: Path, report: dict[str, object]) -> Metrics:
    rows = report.get("metrics")
    if not isinstance(rows, list):
        raise InputError(path, "report.json has no 'metrics' list")
    metrics: Metrics = {}
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("name"), str):
            value = row.get("value")
            metrics[row["name"]] = value if is_number(value) or isinstance(value, str) else None
    return metrics


def _git(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    done = git.run(args, cwd)
    if done is None:
        raise UsageError("--baseline needs git, which is not installed")
    return done


def _from_git(ref: str, metrics_paths: Sequence[Path]) -> Baseline:
    top = _git(["rev-parse", "--show-toplevel"])
    if top.returncode != 0:
        stderr = top.stderr.decode(errors="replace")
        if "dubious ownership" in stderr:
            raise UsageError(
                f"--baseline {ref}: git refuses this repository (owned by another user)",
                'run: git config --global --add safe.directory "$PWD"',
            )
        raise UsageError(
            f"--baseline {ref}: no such file, and not inside a git repository",
            "pass a metrics file or a previous report.json, or run inside the repository",
        )
    root = Path(top.stdout.decode().strip())
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"]).returncode != 0:
        raise BaselineNotFound(f"--baseline {ref}", "no such file or git ref", _fetch_hint(ref))
    metrics: Metrics = {}
    for path in metrics_paths:
        relative = _in_repo(path, root, ref)
        shown = _git(["show", f"{ref}:{relative}"], cwd=root)
        if shown.returncode != 0:
            raise BaselineNotFound(
                path,
                f"not found at baseline ref '{ref}' ({relative})",
                "commit it on the baseline branch first, or drop --baseline (or pass "
                "--baseline-optional) for the first run",
            )
        text = decode_utf8(shown.stdout, path)
        metrics.update(parse_metrics(text, path))
    return Baseline(ref, "git", metrics)


def _in_repo(path: Path, root: Path, ref: str) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise InputError(
            path, f"is outside the git repository, so it cannot be read at '{ref}'"
        ) from None


def _fetch_hint(ref: str) -> str:
    shallow = _git(["rev-parse", "--is-shallow-repository"]).stdout.decode().strip() == "true"
    name = ref.removeprefix("origin/")
    fetch = f"git fetch origin {name}" + ("" if ref.startswith("origin/") else f":{name}")
    if shallow:
        return (
            f"this is a shallow clone: fetch it ({fetch}), or check out with "
            "actions/checkout fetch-depth: 0"
        )
    return f"fetch it first ({fetch}), or try --baseline origin/{name}"
