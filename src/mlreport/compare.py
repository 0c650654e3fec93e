"""Metrics compared with a baseline: value, baseline, delta and whether the change is better.

Lower is better for metrics whose name contains a loss/error-like word (``val_loss``,
``mean_absolute_error``, ``rmse``, ``latency_ms``, ``slice_gap.accuracy``...); settings and
sizes (``epochs``, ``train.samples``, ``model.parameters``...) are neutral: their change is
shown as "changed"; higher is better otherwise.  ``--lower-is-better`` /
``--higher-is-better`` (glob patterns) override.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from mlreport.inputs.metrics import Metrics, MetricValue, is_number

Change = Literal["better", "worse", "same", "changed"]
Direction = Literal["higher", "lower", "neutral"]

LOWER_IS_BETTER_WORDS = frozenset(
    """
    loss losses error errors err rmse mse mae mape smape rmsle msle logloss nll perplexity
    ppl latency duration time seconds secs ms wer cer fpr fnr far frr brier gap std cost
    regret
    """.split()
)
# Settings and sizes: a change is shown, but it is neither better nor worse.
NEUTRAL_WORDS = frozenset(
    """
    epoch epochs step steps iteration iterations iter samples rows n count size batch seed
    parameters params units layers hidden dim dims depth version lr
    """.split()
)


@dataclass(frozen=True)
class Directions:
    """User overrides: glob patterns of metric names."""

    lower: tuple[str, ...] = ()
    higher: tuple[str, ...] = ()

    def of(self, name: str) -> Direction:
        if any(fnmatchcase(name, p) for p in self.higher):
            return "higher"
        if any(fnmatchcase(name, p) for p in self.lower):
            return "lower"
        words = re.split(r"[^a-z0-9]+", name.lower())
        if LOWER_IS_BETTER_WORDS.intersection(words):
            return "lower"
        if NEUTRAL_WORDS.intersection(words):
            return "neutral"
        return "higher"

    def merged(self, other: Directions) -> Directions:
        return Directions(self.lower + other.lower, self.higher + other.higher)


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
