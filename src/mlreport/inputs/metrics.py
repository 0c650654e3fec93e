"""Metrics files: JSON, YAML or CSV, nested objects flattened with dots as DVC does.

``{"test": {"acc": 0.9}}`` becomes ``{"test.acc": 0.9}``; list items get their index
(``{"folds": [0.9, 0.8]}`` becomes ``folds.0`` and ``folds.1``).  Numbers stay numbers; any
other value (strings, booleans, null) is kept to be shown but is never diffed or gated.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mlreport.errors import InputError
from mlreport.inputs._files import read_text

MetricValue = float | int | str | bool | None
Metrics = dict[str, MetricValue]

_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".tsv": "tsv"}


def is_number(value: object) -> bool:
    """True for int and float values (bool excluded), the values mlreport diffs and gates."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def load_metrics(path: Path) -> Metrics:
    """Read one metrics file into a flat ``{name: value}`` mapping."""
    return parse_metrics(read_text(path, "metrics"), path)


def parse_metrics(text: str, path: Path, *, fmt: str | None = None) -> Metrics:
    """Parse metrics *text*; *fmt* defaults to the format *path*'s extension names."""
    fmt = fmt or _FORMATS.get(path.suffix.lower())
    if fmt == "csv" or fmt == "tsv":
        return _parse_csv(text, path, "\t" if fmt == "tsv" else ",")
    if fmt == "json":
        data = _parse_json(text, path)
    elif fmt == "yaml":
        data = _parse_yaml(text, path)
    else:
        data = _parse_unknown(text, path)
    if not isinstance(data, Mapping):
        kind = type(data).__name__ if data is not None else "null"
        raise InputError(
            path,
            f"expected an object mapping metric names to values, found a {kind}",
            'write e.g. {"accuracy": 0.93}',
        )
    metrics = flatten(data, from_yaml=fmt == "yaml")
    if not metrics:
        raise InputError(path, "contains no metrics")
    return metrics


def flatten(data: Mapping[str, Any], *, from_yaml: bool = False) -> Metrics:
    out: Metrics = {}
    _flatten_into(out, "", data, from_yaml)
    return out


def _flatten_into(out: Metrics, prefix: str, value: Any, from_yaml: bool) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten_into(out, f"{prefix}{key}.", item, from_yaml)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _flatten_into(out, f"{prefix}{index}.", item, from_yaml)
        return
    name = prefix[:-1]
    if from_yaml and isinstance(value, str):
        value = _maybe_number(value)
    elif not (value is None or isinstance(value, bool | int | float | str)):
        value = str(value)  # YAML dates and the like: shown as text
    out[name] = value


def _maybe_number(text: str) -> MetricValue:
    """``"1e-3"`` (YAML 1.1 reads it as a string) -> 0.001; anything else unchanged."""
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _parse_json(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None


def _parse_yaml(text: str, path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(path, f"invalid YAML{where}: {problem}") from None


def _parse_unknown(text: str, path: Path) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    if isinstance(data, Mapping):
        return data
    raise InputError(
        path,
        f"unknown metrics format '{path.suffix or '(no extension)'}'",
        "use a .json, .yaml or .csv file",
    )


def _parse_csv(text: str, path: Path, delimiter: str) -> Metrics:
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
    header = [cell.strip().lower() for cell in rows[0]]
    if header in (["name", "value"], ["metric", "value"]):
        return _long_csv(rows[1:], path, first_line=2)
    if all(len(row) == 2 for row in rows) and is_number(_maybe_number(rows[0][1])):
        return _long_csv(rows, path, first_line=1)
    if len(rows) == 2 and len(rows[0]) == len(rows[1]):
        return _checked(zip(rows[0], rows[1], strict=False), path, [2] * len(rows[0]))
    raise InputError(
        path,
        "expected 'name,value' rows (or a header of names over one row of values)",
        "write e.g. 'accuracy,0.93' on each line",
    )


def _long_csv(rows: list[list[str]], path: Path, first_line: int) -> Metrics:
    for number, row in enumerate(rows, start=first_line):
        if len(row) != 2:
            raise InputError(path, f"line {number} has {len(row)} fields, expected 2 (name,value)")
    lines = list(range(first_line, first_line + len(rows)))
    return _checked(((row[0], row[1]) for row in rows), path, lines)


def _checked(pairs: Iterable[tuple[str, str]], path: Path, lines: list[int]) -> Metrics:
    out: Metrics = {}
    seen: dict[str, int] = {}
    for (name, raw), line in zip(pairs, lines, strict=False):
        name = name.strip()
        if not name:
            raise InputError(path, f"line {line}: empty metric name")
        if name in seen:
            raise InputError(path, f"metric '{name}' appears twice (lines {seen[name]} and {line})")
        seen[name] = line
        out[name] = _maybe_number(raw.strip())
    if not out:
        raise InputError(path, "contains no metrics")
    return out
