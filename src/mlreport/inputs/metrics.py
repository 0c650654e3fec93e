"""Metrics files: JSON, YAML or CSV, nested objects flattened with dots as DVC does.

``{"test": {"acc": 0.9}}`` becomes ``{"test.acc": 0.9}``; list items get their index
(``{"folds": [0.9, 0.8]}`` becomes ``folds.0`` and ``folds.1``).  Numbers stay numbers; any
other value (strings, booleans, null) is kept to be shown but is never diffed or gated.

Several files are merged as ``dvc exp show`` names their columns: a name that two files give
is namespaced by file (``eval/train.json:acc``, ``eval/test.json:acc``); the others stay bare.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeGuard

from mlreport.errors import InputError, shown_as
from mlreport.inputs._files import read_text
from mlreport.inputs.structured import DuplicateKey, nested_too_deeply, parse_json, parse_yaml

MetricValue = float | int | str | bool | None
Metrics = dict[str, MetricValue]

_INTEGER = re.compile(r"^[-+]?\d+$")
MAX_METRICS = 100_000  # names in one file, once nested keys are joined

_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".tsv": "tsv"}


def is_number(value: object) -> TypeGuard[int | float]:
    """True for int and float values (bool excluded), the values mlreport diffs and gates."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def load_metrics(path: Path) -> Metrics:
    """Read one metrics file into a flat ``{name: value}`` mapping."""
    return parse_metrics(read_text(path, "metrics"), path)


def merge_files(files: Sequence[tuple[Path, Metrics]]) -> Metrics:
    """One mapping of several files' metrics; a name in two files becomes ``file:name``."""
    return {name: value for name, value, _ in named_by_file(files)}


def named_by_file(files: Sequence[tuple[Path, Metrics]]) -> list[tuple[str, MetricValue, Path]]:
    """(name, value, file) of every metric of *files*, namespaced where two files share it."""
    counts = Counter(name for _, metrics in files for name in metrics)
    given = Counter(path.as_posix() for path, _ in files)  # the same file twice is one file
    out = []
    for path, metrics in files:
        for name, value in metrics.items():
            shared = counts[name] > given[path.as_posix()]
            out.append((f"{shown_as(path)}:{name}" if shared else name, value, path))
    return out


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
        data, fmt = _parse_unknown(text, path)
    if not isinstance(data, Mapping):
        kind = type(data).__name__ if data is not None else "null"
        raise InputError(
            path,
            f"expected an object mapping metric names to values, found a {kind}",
            'write e.g. {"accuracy": 0.93}',
        )
    metrics = flatten(data, path)
    if not metrics:
        raise InputError(path, "contains no metrics")
    return metrics


def flatten(data: Mapping[str, Any], path: Path) -> Metrics:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; two ways to the same name are an error."""
    out: Metrics = {}
    try:
        _flatten_into(out, "", data, path)
    except RecursionError:
        raise nested_too_deeply(path) from None
    return out


def _flatten_into(out: Metrics, prefix: str, value: Any, path: Path) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten_into(out, f"{prefix}{key}.", item, path)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _flatten_into(out, f"{prefix}{index}.", item, path)
        return
    name = prefix[:-1]
    if len(out) >= MAX_METRICS:
        raise InputError(path, f"has more than {MAX_METRICS:,} metrics", "keep the file small")
    if name in out:
        raise InputError(path, f"metric '{name}' appears twice once nested keys are joined")
    if not (value is None or isinstance(value, bool | int | float | str)):
        value = str(value)  # YAML dates and the like: shown as text
    out[name] = value


def _number_or_text(text: str) -> MetricValue:
    """A CSV cell: an int, a finite float, or the text itself."""
    if _INTEGER.match(text):
        try:
            return int(text)
        except ValueError:  # more digits than Python converts
            return text
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


def _parse_json(text: str, path: Path) -> Any:
    return parse_json(text, path, pairs=_no_duplicates)


def _parse_yaml(text: str, path: Path) -> Any:
    return parse_yaml(text, path)


def _parse_unknown(text: str, path: Path) -> tuple[Any, str]:
    """Sniff JSON, then YAML; returns the data and the format that read it.  Text that looks
    like JSON gets JSON's error; YAML syntax errors are YAML's."""
    if text.lstrip().startswith(("{", "[")):
        return _parse_json(text, path), "json"
    data = _parse_yaml(text, path)
    if isinstance(data, Mapping):
        return data, "yaml"
    raise InputError(
        path,
        f"unknown metrics format '{path.suffix or '(no extension)'}'",
        "use a .json, .yaml or .csv file",
    )


def _parse_csv(text: str, path: Path, delimiter: str) -> Metrics:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = [row for row in reader if row]
    except csv.Error as exc:
        raise InputError(path, f"invalid CSV at line {reader.line_num}: {exc}") from None
    header = [cell.strip().lower() for cell in rows[0]]
    if header in (["name", "value"], ["metric", "value"]):
        return _long_csv(rows[1:], path, first_line=2)
    # Without a header: name,value rows have names (never numbers) in the first column.
    if all(len(row) == 2 and not is_number(_number_or_text(row[0].strip())) for row in rows):
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
        out[name] = _number_or_text(raw.strip())
    if not out:
        raise InputError(path, "contains no metrics")
    return out
