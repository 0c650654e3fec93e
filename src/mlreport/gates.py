"""Gates: ``NAME OP RHS [with N% confidence]`` conditions on metrics, parsed without
``eval`` (they are evaluated by :mod:`mlreport.verdicts`).

``OP`` is one of ``>= > <= < == !=``; ``RHS`` is a number, ``baseline``, ``baseline + N``,
``baseline - N``, ``baseline + N%``, ``baseline - N%`` or ``baseline * N``.  A metric name
with spaces or operator characters can be quoted: ``"top-1 acc" >= 0.8``; a computed
metric's interval bounds are metrics too: ``accuracy.ci_low >= 0.9``.

``with 95% confidence`` makes a gate judge the interval, not the point value: ``accuracy
>= 0.9 with 95% confidence`` passes only when the 95 % interval's lower bound is ≥ 0.9, and
``f1_macro >= baseline - 0.01 with 95% confidence`` (non-inferiority) only when the lower
bound of the delta's interval is ≥ -0.01 (for ``<=`` and ``<``: the upper bound).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from mlreport.config import Directions, ReportInputs
from mlreport.errors import InputError, UsageError
from mlreport.inputs._files import read_text
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


_CONFIDENCE = re.compile(r"\s+with\s+(?P<level>\d+(?:\.\d+)?)\s*%\s*confidence\s*$", re.I)


@dataclass(frozen=True)
class Gate:
    expression: str
    metric: str
    op: str
    number: float | None = None  # an absolute threshold, or:
    baseline_op: str | None = None  # None (plain baseline), "+", "-" or "*"
    amount: float = 0.0
    percent: bool = False
    confidence: float | None = None  # "with 95% confidence": 0.95

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
    confidence: float | None = None
    bound: float | None = None  # with confidence: the interval bound that was judged

    @property
    def passed(self) -> bool | None:
        return None if self.status == "skipped" else self.status == "pass"


def percent(level: float) -> str:
    """A confidence level as people write it: 0.95 -> "95%", 0.995 -> "99.5%"."""
    return f"{round(level * 100, 2):g}%"


def parse_gate(text: str) -> Gate:
    expression = " ".join(text.split())
    confidence = None
    sure = _CONFIDENCE.search(expression)
    if sure:
        confidence = float(sure["level"]) / 100
        if not 0.5 <= confidence < 1:
            raise UsageError(
                f"gate '{_brief(expression)}': a confidence between 50% and 99.99%",
                "e.g. 'with 95% confidence'",
            )
    gate = _parse(expression[: sure.start()] if sure else expression, expression)
    if confidence is not None and gate.op in ("==", "!="):
        raise UsageError(
            f"gate '{_brief(expression)}': 'with … confidence' goes with >=, >, <= or <"
        )
    return replace(gate, confidence=confidence)


def _parse(condition: str, expression: str) -> Gate:
    match = _GATE.match(condition)
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
    needs = next((g for g in gates if g.uses_baseline), None)
    if needs is not None and not (inputs.baseline or inputs.baseline_predictions):
        raise UsageError(  # before any training (`run`) or reading
            f"gate '{_brief(needs.expression)}' compares with the baseline, and there is none",
            "pass --baseline REF (e.g. origin/main) or --baseline FILE",
        )
    return gates, directions


def _brief(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
