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
from mlreport.inputs.metrics import is_number

_INVALID = re.compile(r"[^a-zA-Z0-9_:]")


def metric_name(name: str) -> str:
    cleaned = _INVALID.sub("_", name)
    return f"_{cleaned}" if cleaned[:1].isdigit() or not cleaned else cleaned


def openmetrics(rows: Iterable[MetricRow]) -> str:
    lines = []
    seen: set[str] = set()
    for row in rows:
        if not is_number(row.value) or not math.isfinite(float(row.value)):
            continue
        name = metric_name(row.name)
        if name in seen:
            continue
        seen.add(name)
        lines.append(f"{name} {float(row.value)!r}")
    return "\n".join(lines) + "\n" if lines else ""


def write_openmetrics(path: Path, rows: Iterable[MetricRow]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(openmetrics(rows), encoding="utf-8")
