"""Metrics compared with a baseline: value, baseline, delta and whether the change is better
(which way is better: :class:`mlreport.config.Directions`) -- beyond noise.

A change is ``better`` or ``worse`` only when the delta's interval leaves out zero and its
test's p-value is below 1 − level: the paired interval and test when the examples were
matched, else one made of the two values' own intervals (unpaired: the standard errors added
in square), else the new value's interval alone (a baseline value without one is taken as
exact); otherwise it is ``noise``. A metric without any interval (from a metrics file)
keeps the plain comparison, with ``min_delta`` as the tolerance below which a change is
``same``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from mlreport.config import Direction, Directions
from mlreport.inputs.metrics import Metrics, MetricValue, is_number

Change = Literal["better", "worse", "same", "changed", "noise"]
Interval = tuple[float, float]


@dataclass(frozen=True)
class DeltaInterval:
    """The interval of a delta, its p-value, and whether it came from paired examples."""

    low: float
    high: float
    p_value: float | None
    paired: bool
    test: str = ""


@dataclass(frozen=True)
class MetricRow:
    name: str
    value: MetricValue
    baseline: MetricValue
    delta: float | None
    change: Change | None
    direction: Direction
    source: str
    ci_low: float | None = None
    ci_high: float | None = None
    ci_method: str | None = None
    delta_low: float | None = None
    delta_high: float | None = None
    p_value: float | None = None
    paired: bool = False


def change_of(delta: float, value: float, direction: Direction, min_delta: float = 0.0) -> Change:
    if abs(delta) <= max(min_delta, 1e-12 * max(1.0, abs(value))):
        return "same"
    if direction == "neutral":
        return "changed"
    improved = delta > 0 if direction == "higher" else delta < 0
    return "better" if improved else "worse"


def unpaired(
    new: Interval, old: Interval, delta: float, z: float, z_old: float | None = None
) -> DeltaInterval:
    """A delta's interval from the two values' intervals (standard errors from their
    half-widths, added in square)."""
    se_new = (new[1] - new[0]) / (2 * z)
    se_old = (old[1] - old[0]) / (2 * (z_old or z))
    se = math.hypot(se_new, se_old)
    from statistics import NormalDist

    p = 2 * (1 - NormalDist().cdf(abs(delta) / se)) if se > 0 else None
    return DeltaInterval(delta - z * se, delta + z * se, p, False, "unpaired z-test")


def one_sample(new: Interval, value: float, delta: float, z: float) -> DeltaInterval:
    """A delta's interval when only the new value has one (the baseline's is taken as
    exact): the new interval, shifted by the baseline value. Narrower than the truth, so a
    change it calls noise is noise; p from the interval's standard error."""
    shift = value - delta  # the baseline value
    se = (new[1] - new[0]) / (2 * z)
    from statistics import NormalDist

    p = 2 * (1 - NormalDist().cdf(abs(delta) / se)) if se > 0 else None
    return DeltaInterval(new[0] - shift, new[1] - shift, p, False, "one-sample (baseline exact)")


def compare(
    current: Mapping[str, tuple[MetricValue, str]],
    baseline: Metrics | None,
    directions: Directions,
    *,
    intervals: Mapping[str, tuple[Interval, str]] | None = None,
    deltas: Mapping[str, DeltaInterval] | None = None,
    min_delta: float = 0.0,
    level: float = 0.95,
) -> list[MetricRow]:
    """One row per current metric (in order), then metrics only the baseline has.
    *intervals*: each metric's interval and how it was made; *deltas*: each delta's interval
    (paired, or unpaired from both sides' intervals)."""
    rows = []
    base = baseline or {}
    known = intervals or {}
    changes = deltas or {}
    for name, (value, source) in current.items():
        old = base.get(name)
        direction = directions.of(name)
        delta: float | None = None
        change: Change | None = None
        found = changes.get(name)
        if is_number(value) and is_number(old):
            delta = float(value) - float(old)
            if not math.isfinite(delta):
                delta, found = None, None
            elif found is not None:
                change = _significant(found, direction, 1 - level)
            else:
                change = change_of(delta, float(value), direction, min_delta)
        else:
            found = None
        interval, method = known.get(name, (None, None))
        rows.append(
            MetricRow(
                name,
                value,
                old,
                delta,
                change,
                direction,
                source,
                interval[0] if interval else None,
                interval[1] if interval else None,
                method,
                found.low if found else None,
                found.high if found else None,
                found.p_value if found else None,
                bool(found and found.paired),
            )
        )
    for name, old in base.items():
        if name not in current:
            rows.append(MetricRow(name, None, old, None, None, directions.of(name), "baseline"))
    return rows


def _significant(delta: DeltaInterval, direction: Direction, alpha: float) -> Change:
    if (delta.low, delta.high) == (0, 0):
        return "same"
    if delta.low <= 0 <= delta.high or (delta.p_value is not None and delta.p_value >= alpha):
        return "noise"
    if direction == "neutral":
        return "changed"
    improved = delta.low > 0 if direction == "higher" else delta.high < 0
    return "better" if improved else "worse"
