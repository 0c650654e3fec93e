"""Gates: ``NAME OP RHS`` conditions on metrics, parsed without ``eval``.

``OP`` is one of ``>= > <= < == !=``; ``RHS`` is a number, ``baseline``, ``baseline + N``,
``baseline - N``, ``baseline + N%``, ``baseline - N%`` or ``baseline * N``.  A metric name
with spaces or operator characters can be quoted: ``"top-1 acc" >= 0.8``.
"""

from __future__ import annotations

import difflib
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlreport.config import Directions, ReportInputs
from mlreport.errors import InputError, UsageError
from mlreport.inputs._files import read_text
from mlreport.inputs.metrics import MetricValue, is_number
from mlreport.inputs.structured import parse_yaml

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
}
SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}

_UNSIGNED = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER = rf"[+-]?{_UNSIGNED}"
_GATE = re.compile(
    r"""^\s*(?P<name>"(?:[^"\\]|\\.)+"|[^\s<>=!"]+)\s*
        (?P<op>>=|<=|==|!=|>|<)\s*
        (?P<rhs>.*?)\s*$""",
    re.VERBOSE,
)
_RHS_NUMBER = re.compile(rf"^{_NUMBER}$")
_RHS_BASELINE = re.compile(
    rf"^baseline(?:\s*(?P<op>[-+*])\s*(?P<amount>{_UNSIGNED})\s*(?P<pct>%)?)?$"
)
_EXAMPLES = "e.g. 'accuracy >= 0.9', 'f1_macro >= baseline - 0.01', 'loss <= baseline * 1.05'"

Status = Literal["pass", "fail", "skipped"]


@dataclass(frozen=True)
class Gate:
    expression: str
    metric: str
    op: str
    number: float | None = None  # an absolute threshold, or:
    baseline_op: str | None = None  # None (plain baseline), "+", "-" or "*"
    amount: float = 0.0
    percent: bool = False

    @property
    def uses_baseline(self) -> bool:
        return self.number is None

    def threshold(self, baseline: float | None) -> float:
        if self.number is not None:
            return self.number
        assert baseline is not None
        amount = self.amount
        if self.percent:
            amount = abs(baseline) * amount / 100
        if self.baseline_op == "+":
            return baseline + amount
        if self.baseline_op == "-":
            return baseline - amount
        if self.baseline_op == "*":
            return baseline * amount
        return baseline


@dataclass(frozen=True)
class GateResult:
    expression: str
    metric: str
    op: str
    actual: float | None
    expected: float | None
    baseline: float | None
    status: Status
    reason: str = ""

    @property
    def passed(self) -> bool | None:
        return None if self.status == "skipped" else self.status == "pass"


def parse_gate(text: str) -> Gate:
    expression = " ".join(text.split())
    match = _GATE.match(expression)
    if not match:
        if re.search(r"(=>|=<|(?<![<>=!])=(?!=))", expression):
            raise UsageError(f"gate '{expression}': unknown operator", "use one of >= > <= < == !=")
        raise UsageError(f"gate '{expression}': expected NAME OP VALUE", _EXAMPLES)
    name = match["name"]
    if name.startswith('"'):
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    rhs = match["rhs"]
    if not rhs:
        raise UsageError(f"gate '{expression}': nothing after '{match['op']}'", _EXAMPLES)
    if _RHS_NUMBER.match(rhs):
        number = float(rhs)
        if not math.isfinite(number):
            raise UsageError(f"gate '{_brief(expression)}': {_brief(rhs)} is too large a number")
        return Gate(expression, name, match["op"], number=number)
    base = _RHS_BASELINE.match(rhs)
    if not base:
        raise UsageError(
            f"gate '{expression}': cannot read '{rhs}'",
            "the right side is a number, 'baseline', 'baseline ± N', 'baseline - N%' or "
            "'baseline * N'",
        )
    if base["pct"] and base["op"] == "*":
        raise UsageError(f"gate '{expression}': '%' goes with + or -, not *", _EXAMPLES)
    return Gate(
        expression,
        name,
        match["op"],
        baseline_op=base["op"],
        amount=float(base["amount"] or 0),
        percent=bool(base["pct"]),
    )


def load_gates_file(path: Path) -> tuple[list[Gate], Directions]:
    """A YAML list of gate strings, or a mapping with ``gates`` and optional
    ``lower_is_better`` / ``higher_is_better`` lists of metric-name patterns."""
    data = parse_yaml(read_text(path, "gates"), path)
    directions = Directions()
    if isinstance(data, dict):
        unknown = set(data) - {"gates", "lower_is_better", "higher_is_better"}
        if unknown:
            raise InputError(
                path,
                f"unknown key(s) {', '.join(sorted(map(str, unknown)))}",
                "use gates, lower_is_better, higher_is_better",
            )
        directions = Directions(
            tuple(_strings(path, data.get("lower_is_better") or [], "lower_is_better")),
            tuple(_strings(path, data.get("higher_is_better") or [], "higher_is_better")),
        )
        data = data.get("gates") or []
    if not isinstance(data, list):
        raise InputError(path, "expected a list of gates like '- accuracy >= 0.9'")
    gates = []
    for item in _strings(path, data, "gates"):
        try:
            gates.append(parse_gate(item))
        except UsageError as exc:
            raise InputError(path, exc.message, exc.hint) from None
    return gates, directions


def _strings(path: Path, items: object, key: str) -> list[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise InputError(path, f"'{key}' must be a list of strings")
    return list(items)


def parse_gates(inputs: ReportInputs) -> tuple[list[Gate], Directions]:
    """All gates (command line, then files) and the directions the gate files set."""
    gates = [parse_gate(text) for text in inputs.gates]
    directions = inputs.directions
    for path in inputs.gates_files:
        more, file_directions = load_gates_file(path)
        gates += more
        directions = directions.merged(file_directions)
    return gates, directions


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
) -> list[GateResult]:
    check_metric_names(gates, list(current))
    return [_evaluate(g, current[g.metric], baseline, strict_baseline) for g in gates]


def _evaluate(
    gate: Gate,
    actual: MetricValue,
    baseline: Mapping[str, MetricValue] | None,
    strict: bool,
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
            why = "no baseline" if baseline is None else f"no baseline value for {gate.metric}"
            status: Status = "fail" if strict else "skipped"
            return GateResult(gate.expression, gate.metric, gate.op, value, None, None, status, why)
        base = float(old)
    expected = gate.threshold(base)
    if math.isnan(value):
        return GateResult(
            gate.expression, gate.metric, gate.op, value, expected, base, "fail", "value is NaN"
        )
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


def _brief(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
