"""Training history: one row per epoch or step, any number of numeric series -- from one
file, or several files and folders merged on their steps (DVCLive writes one TSV per metric,
``dvclive/plots/metrics/train/loss.tsv`` with ``step`` and ``loss`` columns: in a folder, such
a file's series is named by its path, ``train/loss``, as DVCLive names the metric).

A series name two files share is qualified by its file's path; a ``timestamp`` column is not a
series.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from mlreport.errors import InputError
from mlreport.inputs.tables import floats_or_none, open_table

X_COLUMNS = ("epoch", "step", "iteration", "iter")
NOT_SERIES = ("timestamp",)
SUFFIXES = (".tsv", ".csv", ".jsonl")


@dataclass(frozen=True)
class History:
    path: Path
    x_name: str
    x: np.ndarray
    series: dict[str, np.ndarray]
    ignored: tuple[str, ...] = ()
    paths: tuple[Path, ...] = ()  # every file read, when several
    notes: tuple[str, ...] = ()


def load_history(path: Path) -> History:
    table = open_table(path, "history")
    raws = table.raw(table.columns)
    x_name = next((name for name in X_COLUMNS if name in table.columns), None)
    series: dict[str, np.ndarray] = {}
    ignored: list[str] = []
    x = None
    for raw in raws:
        values = floats_or_none(raw) if raw.name not in NOT_SERIES else None
        if values is None:
            ignored.append(raw.name)
            continue
        if raw.name == x_name:
            x = values
        else:
            series[raw.name] = values
    if x_name is not None and x is None:
        raise InputError(path, f"column '{x_name}' is not numeric")
    if not series:
        raise InputError(
            path,
            "has no numeric series to plot",
            "write one row per epoch with numeric columns, e.g. epoch,loss,val_loss",
        )
    if x_name is None or x is None:
        x_name, x = "step", np.arange(1, len(raws[0]) + 1, dtype=np.float64)
    return History(path, x_name, x, series, tuple(ignored))


def load_histories(paths: Sequence[Path]) -> History:
    """One history from *paths*: files, and folders of ``.tsv``/``.csv``/``.jsonl`` files."""
    files: list[tuple[Path, str | None]] = []  # a file, and its name inside a folder given
    for path in paths:
        if not path.is_dir():
            files.append((path, None))
            continue
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
        if not found:
            raise InputError(
                path, "is a folder without history files", "it should hold .tsv or .csv files"
            )
        files += [(f, f.relative_to(path).with_suffix("").as_posix()) for f in found]
    if len(files) == 1 and files[0][1] is None:
        return load_history(files[0][0])
    return _merged([(load_history(f), inside) for f, inside in files])


def _merged(histories: list[tuple[History, str | None]]) -> History:
    named = _names(histories)
    xs = np.unique(np.concatenate([h.x[np.isfinite(h.x)] for h, _ in histories]))
    series: dict[str, np.ndarray] = {}
    for (history, _), names in zip(histories, named, strict=True):
        finite = np.isfinite(history.x)
        where = np.searchsorted(xs, history.x[finite])
        for column, name in names.items():
            values = np.full(xs.size, np.nan)
            values[where] = history.series[column][finite]  # a repeated step: the last row
            series[name] = values
    x_names = list(dict.fromkeys(h.x_name for h, _ in histories))
    notes = []
    if len(x_names) > 1:
        notes.append(f"history files count in {' and '.join(x_names)}: plotted on one axis")
    first = histories[0][0]
    ignored = tuple(dict.fromkeys(c for h, _ in histories for c in h.ignored))
    paths = tuple(h.path for h, _ in histories)
    return replace(
        first,
        x_name=x_names[0],
        x=xs,
        series=series,
        ignored=ignored,
        paths=paths,
        notes=tuple(notes),
    )


def _names(histories: list[tuple[History, str | None]]) -> list[dict[str, str]]:
    """Each file's series names: a DVCLive file in a folder (its one series named as the
    file) by its path there; else the column, qualified by the file when two share it."""
    bare = [
        {c: inside if inside is not None and c == h.path.stem else c for c in h.series}
        for h, inside in histories
    ]
    counts = Counter(name for names in bare for name in names.values())
    parent = _common_parent([h.path for h, _ in histories])
    out = []
    for (history, inside), names in zip(histories, bare, strict=True):
        where = inside if inside is not None else _stem_path(history.path, parent)
        out.append(
            {
                c: n if counts[n] == 1 else (where if c == history.path.stem else f"{where}/{c}")
                for c, n in names.items()
            }
        )
    return out


def _common_parent(paths: list[Path]) -> Path:
    parts = [p.resolve().parent.parts for p in paths]
    common = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return Path(*common) if common else Path("/")


def _stem_path(path: Path, parent: Path) -> str:
    try:
        return path.resolve().relative_to(parent).with_suffix("").as_posix()
    except ValueError:
        return path.with_suffix("").as_posix()
