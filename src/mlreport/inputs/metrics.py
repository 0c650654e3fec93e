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
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeGuard

from mlreport.errors import InputError
from mlreport.inputs._files import read_text

MetricValue = float | int | str | bool | None
Metrics = dict[str, MetricValue]

_INTEGER = re.compile(r"^[-+]?\d+$")
_YAML_FLOAT = re.compile(
    r"""^(?:[-+]?(?:\d[\d_]*)?\.\d[\d_]*(?:[eE][-+]?\d+)?
        |[-+]?\d[\d_]*(?:\.[\d_]*)?[eE][-+]?\d+
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    re.VERBOSE,
)

_FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".tsv": "tsv"}


def is_number(value: object) -> TypeGuard[int | float]:
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
    _flatten_into(out, "", data, path)
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
    if name in out:
        raise InputError(path, f"metric '{name}' appears twice once nested keys are joined")
    if not (value is None or isinstance(value, bool | int | float | str)):
        value = str(value)  # YAML dates and the like: shown as text
    out[name] = value


def _number_or_text(text: str) -> MetricValue:
    """A CSV cell: an int, a finite float, or the text itself."""
    if _INTEGER.match(text):
        return int(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _parse_json(text: str, path: Path) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(
            path,
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            "fix the file at that position (a JSON linter shows the context)",
        ) from None
    except _DuplicateKey as exc:
        raise InputError(path, f"key '{exc}' appears twice in one object") from None


def _yaml_loader() -> Any:
    """PyYAML's safe loader, reading ``1e-3`` as a number (YAML 1.2; 1.1 made it a string)
    and refusing duplicate keys instead of keeping the last one silently."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *defaults`; keys given here may override merged ones
                key = self.construct_object(key_node, deep=deep)
                try:
                    duplicate = key in seen
                except TypeError:
                    continue  # an unhashable key: SafeLoader reports it as invalid YAML
                if duplicate:
                    raise _DuplicateKey(key)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    Loader.add_implicit_resolver("tag:yaml.org,2002:float", _YAML_FLOAT, list("-+0123456789."))
    return Loader


def _parse_yaml(text: str, path: Path) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_yaml_loader())  # a SafeLoader subclass
    except _DuplicateKey as exc:
        raise InputError(path, f"key '{exc}' appears twice in one mapping") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            path,
            f"invalid YAML{where}: {problem}",
            "fix the file at that position (check indentation and quotes)",
        ) from None


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
