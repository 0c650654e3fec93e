"""A data schema: per column its type, whether it may be missing, its range or categories,
and optionally how its drift is measured -- read from YAML, inferred from a data file, and
the data checked against it.

```yaml
columns:
  age: {type: integer, nullable: false, min: 0, max: 120}
  region: {type: categorical, categories: [north, south], drift: {method: psi, threshold: 0.2}}
extra_columns: fail        # or allow: columns the schema does not name
```
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mlreport.data.frame import Column, Frame
from mlreport.errors import InputError

TYPES = ("numeric", "integer", "categorical", "boolean", "text")
BOOLEAN = {"true", "false", "0", "1", "yes", "no"}
EXAMPLES = 5  # values shown per violation


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    nullable: bool = True
    min: float | None = None
    max: float | None = None
    categories: tuple[str, ...] | None = None
    drift_method: str | None = None
    drift_threshold: float | None = None


@dataclass(frozen=True)
class Schema:
    path: str
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    extra_columns: str = "fail"  # or "allow"


@dataclass(frozen=True)
class Violation:
    column: str
    kind: str  # missing_column, unexpected_column, type, range, category, null, mixed
    count: int  # rows concerned (1 for a column-level violation)
    detail: str
    examples: tuple[str, ...] = ()


def load_schema(path: Path) -> Schema:
    """The schema in *path*; an InputError (exit 2) that says what is wrong otherwise."""
    from mlreport.inputs._files import read_text
    from mlreport.inputs.structured import parse_yaml

    data = parse_yaml(read_text(path, "schema"), path)
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise InputError(path, "a schema is a mapping with 'columns:'", "see mlreport schema infer")
    extra = data.get("extra_columns", "fail")
    if extra not in ("fail", "allow"):
        raise InputError(path, f"extra_columns: {extra!r} (fail or allow)")
    columns = {str(name): _spec(path, str(name), spec) for name, spec in data["columns"].items()}
    return Schema(str(path), columns, extra)


def _spec(path: Path, name: str, spec: object) -> ColumnSpec:
    from mlreport.data.drift import METHODS

    where = f"column '{name}'"
    if isinstance(spec, str):
        spec = {"type": spec}
    if not isinstance(spec, dict):
        raise InputError(path, f"{where}: a mapping such as {{type: numeric}}")
    kind = spec.get("type")
    if kind not in TYPES:
        raise InputError(path, f"{where}: unknown type {kind!r}", f"one of {', '.join(TYPES)}")
    unknown = set(spec) - {"type", "nullable", "min", "max", "categories", "drift"}
    if unknown:
        raise InputError(path, f"{where}: unknown key {sorted(map(str, unknown))[0]!r}")
    low, high = (_number(path, where, spec.get(key), key) for key in ("min", "max"))
    categories = spec.get("categories")
    if categories is not None:
        if not isinstance(categories, list) or not categories:
            raise InputError(path, f"{where}: categories is a list of values")
        categories = tuple(_category_text(c) for c in categories)
    drift = spec.get("drift") or {}
    if not isinstance(drift, dict) or set(drift) - {"method", "threshold"}:
        raise InputError(path, f"{where}: drift is {{method: …, threshold: …}}")
    method = drift.get("method")
    if method is not None and method not in METHODS:
        raise InputError(
            path, f"{where}: unknown drift method {method!r}", f"one of {', '.join(METHODS)}"
        )
    threshold = _number(path, where, drift.get("threshold"), "drift threshold")
    nullable = spec.get("nullable", True)
    if not isinstance(nullable, bool):
        raise InputError(path, f"{where}: nullable is true or false")
    return ColumnSpec(name, kind, nullable, low, high, categories, method, threshold)


def _number(path: Path, where: str, value: object, key: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(path, f"{where}: {key} is a number, not {value!r}")
    return float(value)


def _category_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- checking -------------------------------------------------------------------------------


def validate(frame: Frame, schema: Schema) -> list[Violation]:
    """Every way *frame* departs from *schema*, column by column."""
    out = [
        Violation(name, "missing_column", 1, "not in the data")
        for name in schema.columns
        if name not in frame.columns
    ]
    if schema.extra_columns == "fail":
        out += [
            Violation(name, "unexpected_column", 1, "not in the schema")
            for name in frame.columns
            if name not in schema.columns
        ]
    for name, spec in schema.columns.items():
        if name in frame.columns:
            out += _column(frame.columns[name], spec)
    return out


def _column(column: Column, spec: ColumnSpec) -> list[Violation]:
    out = []
    missing = column.n_missing
    if not spec.nullable and missing:
        out.append(Violation(column.name, "null", missing, f"{missing:,} missing values"))
    if spec.type in ("numeric", "integer"):
        out += _numbers(column, spec)
    elif spec.type == "boolean":
        out += _outside(column, BOOLEAN, "not true/false")
    elif spec.type == "categorical" and spec.categories is not None:
        out += _outside(column, set(spec.categories), "not among the categories")
    if column.mixed and spec.type in ("categorical", "text", "boolean"):
        out.append(
            Violation(
                column.name, "mixed", column.mixed, f"{_values(column.mixed)} of another type"
            )
        )
    return out


def _numbers(column: Column, spec: ColumnSpec) -> list[Violation]:
    if column.values is None:
        counts = column.counts()
        shown = _top(column.categories, counts)
        rows = int(counts.sum())
        detail = (
            f"{_values(rows)} not numbers"
            if not column.mixed
            else (f"{_values(rows - column.mixed)} not numbers")
        )
        return [Violation(column.name, "type", rows, detail, shown)]
    out = []
    values = column.values[~np.isnan(column.values)]
    if spec.type == "integer":
        fractional = values[values != np.round(values)]
        if fractional.size:
            shown = tuple(_show(v) for v in np.unique(fractional)[:EXAMPLES])
            out.append(
                Violation(column.name, "type", int(fractional.size), "not whole numbers", shown)
            )
    if spec.min is not None:
        out += _beyond(column.name, values, values < spec.min, f"below {_show(spec.min)}", "min")
    if spec.max is not None:
        out += _beyond(column.name, values, values > spec.max, f"above {_show(spec.max)}", "max")
    return out


def _beyond(
    name: str, values: np.ndarray, outside: np.ndarray, where: str, end: str
) -> list[Violation]:
    if not outside.any():
        return []
    found = values[outside]
    extreme = found.min() if end == "min" else found.max()
    count = int(outside.sum())
    shown = tuple(_show(v) for v in np.unique(found)[:EXAMPLES])
    detail = f"{_values(count)} {where} ({end} {_show(extreme)})"
    return [Violation(name, "range", count, detail, shown)]


def _outside(column: Column, allowed: set[str], what: str) -> list[Violation]:
    if column.codes is None:  # numbers: their text
        assert column.values is not None
        values = column.values[~np.isnan(column.values)]
        texts, counts = np.unique(values, return_counts=True)
        names: tuple[str, ...] = tuple(_show(v) for v in texts)
    else:
        names, counts = column.categories, column.counts()
    lookup = allowed if what != "not true/false" else {a.lower() for a in allowed}
    bad = [
        (name, int(n))
        for name, n in zip(names, counts, strict=True)
        if n and (name.lower() if what == "not true/false" else name) not in lookup
    ]
    if not bad:
        return []
    bad.sort(key=lambda item: -item[1])
    rows = sum(n for _, n in bad)
    shown = tuple(f"{name} ({n:,})" for name, n in bad[:EXAMPLES])
    return [
        Violation(
            column.name, "category", rows, f"{_values(rows)} {what} ({len(bad):,} distinct)", shown
        )
    ]


def _values(count: int) -> str:
    return f"{count:,} value" if count == 1 else f"{count:,} values"


def _top(names: tuple[str, ...], counts: np.ndarray) -> tuple[str, ...]:
    order = np.argsort(-counts, kind="stable")[:EXAMPLES]
    return tuple(names[i] for i in order if counts[i])


def _show(value: float) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else f"{number:.6g}"


# -- inferring --------------------------------------------------------------------------------
