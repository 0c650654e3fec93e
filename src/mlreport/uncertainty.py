"""How sure each number of a report is: the intervals of the metrics computed from
predictions, of their deltas from the baseline (paired when the examples were matched,
else made of both sides' intervals), at the report's level or any other a gate asks for --
and whether the test set is large enough to resolve what a gate asks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from mlreport.compare import DeltaInterval, Interval, one_sample, unpaired
from mlreport.evaluate.intervals import Spread, z_of
from mlreport.evaluate.paired import Delta
from mlreport.gates import GateResult, percent
from mlreport.inputs.metrics import Metrics, MetricValue, is_number


@dataclass
class Uncertainty:
    """The spreads of this run's computed metrics, the paired deltas, and the baseline's own
    intervals (at *level*)."""

    level: float
    spreads: dict[str, Spread] = field(default_factory=dict)
    deltas: dict[str, Delta] = field(default_factory=dict)
    baseline_intervals: dict[str, Interval] = field(default_factory=dict)
    values: dict[str, float] = field(default_factory=dict)
    baseline: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        level: float,
        spreads: Mapping[str, Spread],
        deltas: Mapping[str, Delta],
        baseline_intervals: Mapping[str, Interval],
        current: Mapping[str, MetricValue],
        baseline: Metrics | None,
    ) -> Uncertainty:
        numbers = {k: float(v) for k, v in current.items() if is_number(v)}
        old = {k: float(v) for k, v in (baseline or {}).items() if is_number(v)}
        return cls(level, dict(spreads), dict(deltas), dict(baseline_intervals), numbers, old)

    # -- for gates (mlreport.verdicts.Intervals)

    def interval(self, metric: str, level: float) -> Interval | None:
        spread = self.spreads.get(metric)
        return spread.interval(level) if spread is not None else None

    def delta_interval(self, metric: str, level: float) -> Interval | None:
        found = self.delta(metric, level)
        return (found.low, found.high) if found is not None else None

    # -- for the report

    def intervals(self) -> dict[str, tuple[Interval, str]]:
        out = {}
        for name, spread in self.spreads.items():
            found = spread.interval(self.level)
            if found is not None:
                out[name] = (found, spread.method)
        return out

    def delta(self, metric: str, level: float | None = None) -> DeltaInterval | None:
        """The delta's interval at *level* (default: the report's): paired when there is a
        paired delta, else from both sides' intervals; None without either."""
        level = level or self.level
        paired = self.deltas.get(metric)
        if paired is not None:
            found = paired.spread.interval(level)
            if found is not None:
                return DeltaInterval(found[0], found[1], paired.p_value, True, paired.test)
        new, old = self.interval(metric, level), self.baseline_intervals.get(metric)
        if new is None or metric not in self.values or metric not in self.baseline:
            return None
        delta = self.values[metric] - self.baseline[metric]
        if old is None:  # a baseline value without its interval: taken as exact
            return one_sample(new, self.values[metric], delta, z_of(level))
        return unpaired(new, old, delta, z_of(level), z_of(self.level))

    def all_deltas(self) -> dict[str, DeltaInterval]:
        out = {}
        for name in self.values:
            found = self.delta(name)
            if found is not None:
                out[name] = found
        return out

    def bounds(self) -> dict[str, float]:
        """``<metric>.ci_low`` and ``<metric>.ci_high`` at the report's level, for gates."""
        out = {}
        for name, (interval, _) in self.intervals().items():
            out[f"{name}.ci_low"], out[f"{name}.ci_high"] = interval
        return out

    def size_notes(self, gates: list[GateResult], examples: int) -> list[str]:
        """Gates whose margin is finer than the test set resolves, and about how many
        examples would resolve it (the interval narrows as 1/√n)."""
        notes = []
        for gate in gates:
            if gate.status == "skipped" or gate.expected is None or gate.actual is None:
                continue
            if gate.confidence is not None and gate.status == "pass":
                continue  # its interval cleared the threshold: this test set resolved it
            metric, level = gate.metric, gate.confidence or self.level
            if gate.baseline is not None:
                found = self.delta_interval(metric, level)
                margin = abs(gate.expected - gate.baseline)
            else:
                found = self.interval(metric, level)
                margin = abs(gate.actual - gate.expected)
            if found is None or examples <= 0:
                continue
            half = (found[1] - found[0]) / 2
            if half <= margin or not math.isfinite(half):
                continue
            if margin <= 1e-12 * max(1.0, abs(gate.expected)):
                notes.append(
                    f"gate '{gate.expression}' has no margin: on this test set ({examples:,} "
                    f"examples) {metric} is known to ±{half:.2g} at {percent(level)}, so noise "
                    "decides it; give it a margin, or add 'with 95% confidence'"
                )
                continue
            needed = math.ceil(examples * (half / margin) ** 2)
            if gate.baseline is not None:
                what = f"wider than the gate's margin of {margin:.2g}"
            else:
                what = f"wider than its distance from the gate's threshold ({margin:.2g})"
            notes.append(
                f"gate '{gate.expression}': this test set ({examples:,} examples) resolves "
                f"{metric} to ±{half:.2g} at {percent(level)}, {what}; about {needed:,} "
                "examples would resolve it"
            )
        return notes
