"""A starting schema inferred from a data file: commented YAML to commit and edit (see
:mod:`mlreport.data.schema` for what it means)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from mlreport.data.frame import Column, Frame

MAX_INFERRED_CATEGORIES = 50  # more distinct values than this: inferred as text


def infer(frame: Frame) -> str:
    """A schema for *frame*, as commented YAML to commit and edit."""
    lines = [
        "# mlreport data schema, inferred from "
        + _comment(frame.path)
        + f" ({frame.n_rows:,} rows).",
        "# Edit it: types are numeric, integer, categorical, boolean or text; min/max bound the",
        "# values; nullable: false forbids missing ones; categories lists the allowed values.",
        "# Optional per column: drift: {method: …, threshold: …}; methods: ks, chisquare, z,",
        "# wasserstein, jensenshannon, psi (default: Evidently's choice by size and type).",
        "# Check data with: mlreport check --data FILE --schema THIS_FILE",
        "extra_columns: fail  # a column not named here is a violation (allow: ignore it)",
        "columns:",
    ]
    for column in frame.columns.values():
        spec, facts = _inferred(column, frame.n_rows)
        lines.append(f"  # {facts}")
        lines.append(f"  {json.dumps(column.name, ensure_ascii=False)}: {_flow(spec)}")
    return "\n".join(lines) + "\n"


def _inferred(column: Column, rows: int) -> tuple[dict[str, Any], str]:
    missing = column.n_missing
    facts = f"{missing / rows:.1%} missing" if rows else "no rows"
    spec: dict[str, Any] = {}
    if column.values is not None:
        values = column.present()
        whole = bool(values.size) and bool(
            np.all(np.isfinite(values) & (values == np.round(values)))
        )
        spec["type"] = "integer" if whole else "numeric"
        spec["nullable"] = bool(missing)
        finite = values[np.isfinite(values)]
        facts += f", {np.unique(values).size:,} distinct"
        if finite.size:  # the range seen is a fact, not a bound: new data exceeds it by chance
            low, high = _plain(finite.min()), _plain(finite.max())
            facts += f", from {low} to {high}"
            if low >= 0:
                spec["min"] = 0  # never negative: a negative value is an error, not noise
    else:
        counts = column.counts()
        distinct = int(np.count_nonzero(counts))
        present = {c.lower() for c, n in zip(column.categories, counts, strict=True) if n}
        spec["nullable"] = bool(missing)
        if present and present <= {"true", "false"}:
            spec = {"type": "boolean", **spec}
        elif distinct <= MAX_INFERRED_CATEGORIES:
            used = [c for c, n in zip(column.categories, counts, strict=True) if n]
            spec = {"type": "categorical", **spec, "categories": sorted(used)}
        else:
            spec = {"type": "text", **spec}
        facts += f", {distinct:,} distinct"
    return spec, facts


def _plain(value: float) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _flow(spec: dict[str, Any]) -> str:
    parts = []
    for key, value in spec.items():
        if isinstance(value, list):
            text = "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = json.dumps(value)
        parts.append(f"{key}: {text}")
    return "{" + ", ".join(parts) + "}"


def _comment(text: str) -> str:
    return " ".join(text.split())
