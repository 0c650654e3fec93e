"""What a baseline is made of, read from files: the same metrics files at a git ref, a
metrics file, a previous ``report.json`` (with its intervals), any file as it is at a ref.

Finding the baseline -- a record, or these, in that order -- is :mod:`mlreport.baselines`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mlreport import REPORT_SCHEMAS, git
from mlreport.errors import BaselineNotFound, InputError, UsageError
from mlreport.inputs._files import decode_utf8, read_text
from mlreport.inputs.metrics import Metrics, is_number, merge_files, parse_metrics
from mlreport.inputs.outcomes import Outcomes
from mlreport.inputs.structured import parse_json

Kind = Literal["git", "file", "report", "record", "predictions", "mlflow"]


@dataclass(frozen=True)
class Baseline:
    """Metrics to compare with, and where they came from.

    *intervals*: the baseline's own confidence intervals (a report.json or record has them:
    an unpaired comparison uses them); *outcomes*: its per-example outcomes (a record, or
    baseline predictions: a paired comparison uses them); *provenance*: the line the report
    shows ("main @ 3f2c1a9 (recorded by run 812, 2 commits behind)").
    """

    source: str
    kind: Kind
    metrics: Metrics
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    outcomes: Outcomes | None = None
    provenance: str = ""
    notes: tuple[str, ...] = ()
    level: float = 0.95  # the confidence level of *intervals*
    mlflow: dict[str, str] | None = None  # an MLflow baseline: its model version and run


def load_baseline(spec: str, metrics_paths: Sequence[Path]) -> Baseline:
    """``spec`` is an existing file, else a git ref whose copies of *metrics_paths* are read."""
    from mlreport import remote

    if remote.is_remote(spec):
        return from_file(remote.fetch(spec, "baseline"), shown=spec)
    path = Path(spec)
    if path.is_file():
        return from_file(path)
    if not metrics_paths:
        raise UsageError(
            f"--baseline {spec}: not a file, and without --metrics there are no files to read "
            "at a git ref",
            "pass --metrics, or a baseline file",
        )
    check_ref(spec)
    return Baseline(spec, "git", metrics_at(spec, metrics_paths), provenance=spec)


def from_file(path: Path, shown: str | None = None) -> Baseline:
    """A metrics file or a previous report.json; *shown*: how to name it (its URL)."""
    name = shown or str(path)
    text = read_text(path, "baseline")
    if path.suffix.lower() == ".json":
        try:
            data = parse_json(text, path)
        except InputError:
            data = None
        if isinstance(data, dict) and data.get("schema") in REPORT_SCHEMAS:
            metrics, intervals = report_rows(data, path)
            return Baseline(
                name, "report", metrics, intervals, provenance=name, level=level_of(data)
            )
    return Baseline(name, "file", parse_metrics(text, path), provenance=name)


def report_rows(
    report: dict[str, Any], path: Path | str
) -> tuple[Metrics, dict[str, tuple[float, float]]]:
    """The metrics of a report.json (or a record's), and the intervals it gives them."""
    rows = report.get("metrics")
    if not isinstance(rows, list):
        raise InputError(path, "report.json has no 'metrics' list")
    metrics: Metrics = {}
    intervals: dict[str, tuple[float, float]] = {}
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("name"), str):
            value = row.get("value")
            if row.get("source") == "baseline":
                continue  # a row only that report's own baseline had
            metrics[row["name"]] = value if is_number(value) or isinstance(value, str) else None
            low, high = row.get("ci_low"), row.get("ci_high")
            if is_number(low) and is_number(high):
                intervals[row["name"]] = (float(low), float(high))
    return metrics, intervals


def level_of(report: dict[str, Any]) -> float:
    """The confidence level a report's intervals are at (report@1 had none: 95 %)."""
    level = report.get("confidence")
    if isinstance(level, int | float) and not isinstance(level, bool) and 0 < level < 1:
        return float(level)
    return 0.95


def _git(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    done = git.run(args, cwd)
    if done is None:
        raise UsageError("--baseline needs git, which is not installed")
    return done


def repository_root(ref: str) -> Path:
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
    return Path(top.stdout.decode().strip())


def check_ref(ref: str) -> None:
    """REF names a commit of the repository here (else a BaselineNotFound saying how to
    fetch it)."""
    repository_root(ref)
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"]).returncode != 0:
        raise BaselineNotFound(f"--baseline {ref}", "no such file or git ref", _fetch_hint(ref))


def metrics_at(ref: str, metrics_paths: Sequence[Path]) -> Metrics:
    files: list[tuple[Path, Metrics]] = []
    for path in metrics_paths:
        data = file_at(ref, path)
        if data is None:
            raise BaselineNotFound(
                path,
                f"not found at baseline ref '{ref}' ({_in_repo(path, repository_root(ref), ref)})",
                "commit it on the baseline branch first, or drop --baseline (or pass "
                "--baseline-optional) for the first run",
            )
        files.append((path, parse_metrics(decode_utf8(data, path), path)))
    return merge_files(files)


def file_at(ref: str, path: Path) -> bytes | None:
    """*path* (in the working tree) as it is at REF -- committed, or a DVC-tracked output --
    or None when it is not there."""
    from mlreport.inputs.dvc_rev import read_tracked

    root = repository_root(ref)
    name = _in_repo(path, root, ref)
    shown = _git(["show", f"{ref}:{name}"], cwd=root)
    return shown.stdout if shown.returncode == 0 else read_tracked(ref, root, name, path)


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
