"""A DVC project's ``dvc.yaml``: the metrics, params and plots files it declares.

Read as plain YAML (DVC itself is not needed): the top-level ``metrics:``, ``params:`` and
``plots:`` lists and each stage's ``metrics:``, ``params:`` and ``plots:`` outputs, cached or
``cache: false``.  Paths are relative to dvc.yaml's folder (and a stage's ``wdir``); a stage
param that is a bare key (``train.lr``) is a key of that folder's ``params.yaml``, as in DVC.
Templated paths (``${item}``, ``foreach``/``matrix`` stages) cannot be resolved without DVC
and are left out with a note.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mlreport import git
from mlreport.config import ReportInputs
from mlreport.errors import InputError, UsageError
from mlreport.inputs._files import read_text
from mlreport.inputs.structured import parse_yaml

DVC_YAML = "dvc.yaml"
DEFAULT_PARAMS = "params.yaml"


@dataclass(frozen=True)
class DvcFiles:
    """The files a dvc.yaml declares, as paths relative to the working directory."""

    path: Path  # dvc.yaml itself
    metrics: tuple[Path, ...] = ()
    params: tuple[Path, ...] = ()
    plots: tuple[Path, ...] = ()
    skipped: tuple[str, ...] = ()  # entries that could not be resolved (templated)


def find_dvc_yaml(cwd: Path | None = None) -> Path | None:
    """dvc.yaml in the working directory, else at the root of its git repository."""
    here = cwd or Path.cwd()
    if (here / DVC_YAML).is_file():
        return Path(DVC_YAML)
    top = git.output("rev-parse", "--show-toplevel")
    if top and (Path(top) / DVC_YAML).is_file():
        return _relative(Path(top) / DVC_YAML, here)
    return None


def dvc_files(path: Path) -> DvcFiles:
    """The metrics, params and plots files *path* (a dvc.yaml) declares, in order."""
    data = parse_yaml(read_text(path, "dvc.yaml"), path)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise InputError(path, "expected a mapping (stages:, metrics:, params:, plots:)")
    base = path.parent
    metrics: list[Path] = []
    params: list[Path] = []
    plots: list[Path] = []
    skipped: list[str] = []

    def add(found: list[Path], folder: Path, names: Iterable[str]) -> None:
        for name in names:
            if "${" in name:
                skipped.append(name)
            elif (candidate := Path(os.path.normpath(folder / name))) not in found:
                found.append(candidate)

    add(metrics, base, _out_paths(data.get("metrics"), path))
    add(params, base, _params_files(data.get("params"), path, top_level=True))
    add(plots, base, _plot_paths(data.get("plots"), path))
    stages = data.get("stages") or {}
    if not isinstance(stages, Mapping):
        raise InputError(path, "'stages' is not a mapping of stage names to stages")
    for name, stage in stages.items():
        if not isinstance(stage, Mapping):
            continue
        if "foreach" in stage or "matrix" in stage:
            skipped.append(f"stage {name} (foreach/matrix)")
            continue
        wdir = stage.get("wdir", ".")
        folder = base / (wdir if isinstance(wdir, str) else ".")
        add(metrics, folder, _out_paths(stage.get("metrics"), path))
        add(params, folder, _params_files(stage.get("params"), path, top_level=False))
        add(plots, folder, _out_paths(stage.get("plots"), path))
    return DvcFiles(path, tuple(metrics), tuple(params), tuple(plots), tuple(skipped))


def with_dvc(inputs: ReportInputs) -> ReportInputs:
    """*inputs* completed from dvc.yaml: its metrics files when no ``--metrics`` is given,
    its params files when no ``--params``, its plots files; a note says which were taken."""
    found = dvc_yaml_for(inputs.dvc)
    if found is None:
        return inputs
    files = dvc_files(found)
    changes: dict[str, tuple[Path, ...]] = {}
    if files.metrics and not inputs.metrics:
        changes["metrics"] = files.metrics
    if files.params and not inputs.params:
        changes["params"] = files.params
    if files.plots and not inputs.plots:
        changes["plots"] = files.plots
    taken = [f"{kind} {', '.join(p.as_posix() for p in paths)}" for kind, paths in changes.items()]
    notes = [f"from {found.as_posix()}: {'; '.join(taken)}"] if taken else []
    if files.skipped:
        notes.append(f"{found.as_posix()}: left out (templated): {', '.join(files.skipped)}")
    return replace(inputs, **changes, notes=(*inputs.notes, *notes))  # type: ignore[arg-type]


def dvc_yaml_for(wanted: bool | None) -> Path | None:
    """The dvc.yaml to read: found automatically (*wanted* None), required (True: an error
    when there is none) or not at all (False)."""
    if wanted is False:
        return None
    found = find_dvc_yaml()
    if found is None and wanted:
        raise UsageError(
            "--dvc: no dvc.yaml in the working directory or at the repository root",
            "run mlreport in the DVC project, or drop --dvc",
        )
    return found


def _entries(value: Any, path: Path, key: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | Mapping):
        value = [value]
    if not isinstance(value, list):
        raise InputError(path, f"'{key}' is not a list")
    return value


def _out_paths(value: Any, path: Path) -> Iterator[str]:
    """``- file`` or ``- file: {cache: false, ...}`` entries."""
    for entry in _entries(value, path, "metrics"):
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, Mapping):
            yield from (str(key) for key in entry)


def _plot_paths(value: Any, path: Path) -> Iterator[str]:
    """Top-level plots: a file or folder, ``{file: config}``, or ``{id: {y: {file: col}}}``
    (the files are the keys of its ``x``/``y`` mappings)."""
    for entry in _entries(value, path, "plots"):
        if isinstance(entry, str):
            yield entry
            continue
        if not isinstance(entry, Mapping):
            continue
        for key, config in entry.items():
            axes = [config.get(a) for a in ("x", "y")] if isinstance(config, Mapping) else []
            files = [str(f) for axis in axes if isinstance(axis, Mapping) for f in axis]
            yield from dict.fromkeys(files) if files else (str(key),)


def _params_files(value: Any, path: Path, *, top_level: bool) -> Iterator[str]:
    """Top level: params files. A stage: bare keys of params.yaml, or ``{file: [keys]}``."""
    for entry in _entries(value, path, "params"):
        if isinstance(entry, str):
            yield entry if top_level else DEFAULT_PARAMS
        elif isinstance(entry, Mapping):
            yield from (str(key) for key in entry)


def _relative(path: Path, here: Path) -> Path:
    try:
        return Path(os.path.relpath(path, here))
    except ValueError:  # another drive (Windows)
        return path
