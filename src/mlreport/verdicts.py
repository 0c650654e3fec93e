"""Gates judged: each a pass, a failure or a skip, with the reason, never silently.

A gate's value is the metric's point value, or with ``with N% confidence`` a bound of its
interval (:class:`Intervals` gives them: the metric's own interval, and the interval of its
delta from the baseline -- paired when the examples could be matched). A gate that needs what
is not there (no baseline value, no interval) is skipped with the reason, or fails under
``--strict-baseline``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from typing import Protocol

from mlreport.errors import UsageError
from mlreport.gates import OPERATORS, Gate, GateResult, Status, percent
from mlreport.inputs.metrics import MetricValue, is_number


class Intervals(Protocol):
    def interval(self, metric: str, level: float) -> tuple[float, float] | None:
        """The metric's interval at *level*, or None."""

    def delta_interval(self, metric: str, level: float) -> tuple[float, float] | None:
        """The interval of the metric's delta from its baseline at *level*, or None."""


class NoIntervals:
    def interval(self, metric: str, level: float) -> tuple[float, float] | None:
        return None

    def delta_interval(self, metric: str, level: float) -> tuple[float, float] | None:
        return None


def check_metric_names(gates: Sequence[Gate], known: Sequence[str]) -> None:
    """Fail on the first gate that names a metric nobody produced."""
    names = set(known)
    for gate in gates:
        if gate.metric not in names:
            close = difflib.get_close_matches(gate.metric, known, n=3, cutoff=0.6)
            hint = (
                f"did you mean {' or '.join(repr(c) for c in close)}?"
                if close
                else f"known metrics: {', '.join(list(known)[:12])}"
                + (", …" if len(known) > 12 else "")
            )
            raise UsageError(f"gate '{gate.expression}': unknown metric '{gate.metric}'", hint)


def evaluate_gates(
    gates: Sequence[Gate],
    current: Mapping[str, MetricValue],
    baseline: Mapping[str, MetricValue] | None,
    *,
    strict_baseline: bool = False,
    intervals: Intervals | None = None,
) -> list[GateResult]:
    check_metric_names(gates, list(current))
    known = intervals or NoIntervals()
    return [_evaluate(g, current[g.metric], baseline, strict_baseline, known) for g in gates]


def _evaluate(
    gate: Gate,
    actual: MetricValue,
    baseline: Mapping[str, MetricValue] | None,
    strict: bool,
    intervals: Intervals,
) -> GateResult:
    if not is_number(actual):
        raise UsageError(
            f"gate '{gate.expression}': metric '{gate.metric}' is not a number ({actual!r})",
            "gates compare numeric metrics",
        )
    value = float(actual)
    base: float | None = None
    if gate.uses_baseline:
        old = (baseline or {}).get(gate.metric)
        if not is_number(old) or not math.isfinite(float(old)):
            why = f"no baseline for {gate.metric}"
            status: Status = "fail" if strict else "skipped"
            return GateResult(gate.expression, gate.metric, gate.op, value, None, None, status, why)
        base = float(old)
    expected = gate.threshold(base)
    if math.isnan(value):
        return GateResult(
            gate.expression, gate.metric, gate.op, value, expected, base, "fail", "value is NaN"
        )
    if gate.confidence is not None:
        return _with_confidence(gate, value, expected, base, strict, intervals)
    passed = OPERATORS[gate.op](value, expected)
    return GateResult(
        gate.expression,
        gate.metric,
        gate.op,
        value,
        expected,
        base,
        "pass" if passed else "fail",
    )


def _with_confidence(
    gate: Gate,
    value: float,
    expected: float,
    base: float | None,
    strict: bool,
    intervals: Intervals,
) -> GateResult:
    """The lower bound (>=, >) or upper bound (<=, <) of the interval judged: of the value
    against a number, of the delta against the margin the gate allows from the baseline."""
    level = gate.confidence or 0.95
    low_side = gate.op in (">=", ">")
    if base is None:
        found, target, what = intervals.interval(gate.metric, level), expected, "interval"
    else:
        found, target = intervals.delta_interval(gate.metric, level), expected - base
        what = "interval for its change from the baseline"
    if found is None:
        status: Status = "fail" if strict else "skipped"
        reason = f"no {percent(level)} {what} for {gate.metric}"
        return GateResult(
            gate.expression, gate.metric, gate.op, value, expected, base, status, reason, level
        )
    bound = found[0] if low_side else found[1]
    passed = OPERATORS[gate.op](bound, target)
    return GateResult(
        gate.expression,
        gate.metric,
        gate.op,
        value,
        expected,
        base,
        "pass" if passed else "fail",
        "" if passed else f"the {percent(level)} {what} reaches {bound:.4g}",
        level,
        bound if base is None else bound + base,
    )
