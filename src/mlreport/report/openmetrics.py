"""Numeric metrics as OpenMetrics text, for GitLab's ``artifacts:reports:metrics``.

One ``name value`` line per numeric metric (GitLab compares them with the target branch in
the merge request widget). Names are made valid OpenMetrics names: every character outside
``[a-zA-Z0-9_:]`` becomes ``_`` (``test.acc`` -> ``test_acc``), and a leading digit gets a ``_``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

from mlreport.compare import MetricRow
from mlreport.files import make_directory, write_atomic
from mlreport.inputs.metrics import is_number

_INVALID = re.compile(r"[^a-zA-Z0-9_:]")


def metric_name(name: str) -> str:
    cleaned = _INVALID.sub("_", name)
    return f"_{cleaned}" if cleaned[:1].isdigit() or not cleaned else cleaned


def openmetrics(rows: Iterable[MetricRow], notes: list[str] | None = None) -> str:
    """The text; two metrics whose names become the same (``a.b`` and ``a_b``) are both
    written, the later as ``a_b_2``, and *notes* says so."""
    lines = []
    seen: dict[str, str] = {}
    for row in rows:
        if not is_number(row.value) or not math.isfinite(float(row.value)):
            continue
        name = base = metric_name(row.name)
        count = 1
        while name in seen:
            count += 1
            name = f"{base}_{count}"
        if name != base and notes is not None:
            notes.append(
                f"OpenMetrics: {row.name!r} is written as {name} ({seen[base]!r} is {base})"
            )
        seen[name] = row.name
        lines.append(f"{name} {float(row.value)!r}")
    return "\n".join(lines) + "\n" if lines else ""


def write_openmetrics(path: Path, rows: Iterable[MetricRow]) -> list[str]:
    """Write the file; returns what the user should know (renamed metrics)."""
    notes: list[str] = []
    text = openmetrics(rows, notes)
    make_directory(path.parent, "--openmetrics")
    write_atomic(path, text, "--openmetrics")
    return notes
