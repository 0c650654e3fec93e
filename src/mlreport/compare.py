"""Metrics compared with a baseline: value, baseline, delta and whether the change is better
(which way is better: :class:`mlreport.config.Directions`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mlreport.config import Direction, Directions
from mlreport.inputs.metrics import Metrics, MetricValue, is_number

Change = Literal["better", "worse", "same", "changed"]


@dataclass(frozen=True)
class MetricRow:
    name: str
    value: MetricValue
    baseline: MetricValue
    delta: float | None
    change: Change | None
    direction: Direction
    source: str


def change_of(delta: float, value: float, direction: Direction) -> Change:
    if abs(delta) <= 1e-12 * max(1.0, abs(value)):
        return "same"
    if direction == "neutral":
        return "changed"
    improved = delta > 0 if direction == "higher" else delta < 0
    return "better" if improved else "worse"


def compare(
    current: Mapping[str, tuple[MetricValue, str]],
    baseline: Metrics | None,
    directions: Directions,
) -> list[MetricRow]:
    """One row per current metric (in order), then metrics only the baseline has."""
    rows = []
    base = baseline or {}
    for name, (value, source) in current.items():
        old = base.get(name)
        direction = directions.of(name)
        delta: float | None = None
        change: Change | None = None
        if is_number(value) and is_number(old):
            delta = float(value) - float(old)
            if math.isfinite(delta):
                change = change_of(delta, float(value), direction)
            else:
                delta = None
        rows.append(MetricRow(name, value, old, delta, change, direction, source))
    for name, old in base.items():
        if name not in current:
            rows.append(MetricRow(name, None, old, None, None, directions.of(name), "baseline"))
    return rows
