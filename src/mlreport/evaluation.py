"""From input files to an :class:`Evaluation`: metrics, baseline diff, gates and checks.

This is everything ``check`` and ``diff`` need; ``render`` adds charts and the Markdown
(:mod:`mlreport.report`).  The gates are parsed once: ``run`` parses them before the
training command starts (:func:`~mlreport.gates.parse_gates`) and hands them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from mlreport.compare import MetricRow, compare
from mlreport.config import Directions, ReportInputs
from mlreport.errors import BaselineNotFound
from mlreport.evaluate.groups import GroupTable, fold_summary, gap_metrics, group_rows, slice_table
from mlreport.evaluate.predictions import (
    ClassificationEval,
    RegressionEval,
    evaluate_classification,
    evaluate_regression,
)
from mlreport.evaluate.sanity import Check, run_checks
from mlreport.gates import Gate, GateResult, evaluate_gates, parse_gates
from mlreport.inputs.baseline import Baseline, load_baseline
from mlreport.inputs.history import History, load_history
from mlreport.inputs.metrics import MetricValue, load_metrics
from mlreport.inputs.predictions import Predictions, load_predictions


@dataclass
class Evaluation:
    inputs: ReportInputs
    metrics: list[MetricRow] = field(default_factory=list)
    gates: list[GateResult] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    predictions: Predictions | None = None
    classification: ClassificationEval | None = None
    regression: RegressionEval | None = None
    slices: list[GroupTable] = field(default_factory=list)
    folds: GroupTable | None = None
    history: History | None = None
    baseline: Baseline | None = None
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # input errors tolerated by `run`

    @property
    def failures(self) -> list[str]:
        out = [f"gate {g.expression}" for g in self.gates if g.status == "fail"]
        out += [f"check {c.name}" for c in self.checks if not c.passed]
        out += [f"error: {e}" for e in self.errors]
        return out

    @property
    def passed(self) -> bool:
        return not self.failures


def evaluate(
    inputs: ReportInputs, parsed: tuple[list[Gate], Directions] | None = None
) -> Evaluation:
    """Read and evaluate everything *inputs* names; *parsed*: its gates, if already parsed.
    Values near the float limits (±1e308) overflow to ±inf or NaN silently: those are the
    results, shown as such (and as null in report.json)."""
    gates, directions = parsed or parse_gates(inputs)  # a bad gate fails before any big read
    with np.errstate(all="ignore"):
        return _evaluate(inputs, gates, directions)


def _evaluate(inputs: ReportInputs, gates: list[Gate], directions: Directions) -> Evaluation:
    result = Evaluation(inputs)
    current: dict[str, tuple[MetricValue, str]] = {}
    for path in inputs.metrics:
        for name, value in load_metrics(path).items():
            _add(current, name, value, str(path), result.notes)
    if inputs.predictions is not None:
        _evaluate_predictions(result, inputs, current)
    if inputs.history is not None:
        result.history = load_history(inputs.history)
    if inputs.baseline:
        try:
            result.baseline = load_baseline(inputs.baseline, inputs.metrics)
        except BaselineNotFound as exc:
            if not inputs.baseline_optional:
                raise
            result.notes.append(f"no baseline: {exc}")
    base = result.baseline.metrics if result.baseline else None
    result.metrics = compare(current, base, directions)
    values = {name: value for name, (value, _) in current.items()}
    result.gates = evaluate_gates(gates, values, base, strict_baseline=inputs.strict_baseline)
    return result


def _add(
    current: dict[str, tuple[MetricValue, str]],
    name: str,
    value: MetricValue,
    source: str,
    notes: list[str],
) -> None:
    """Metrics files come first; a later source never silently replaces a different value."""
    if name in current:
        old, old_source = current[name]
        if old != value:
            notes.append(
                f"{name}: {old_source} gives {old!r}, {source} gives {value!r}; using {old_source}"
            )
        return
    current[name] = (value, source)


def _evaluate_predictions(
    result: Evaluation, inputs: ReportInputs, current: dict[str, tuple[MetricValue, str]]
) -> None:
    assert inputs.predictions is not None
    pred = load_predictions(inputs.predictions, inputs.prediction_options)
    result.predictions = pred
    source = str(inputs.predictions)
    computed: Mapping[str, float]
    if pred.task == "classification":
        result.classification = evaluate_classification(pred)
        computed = result.classification.metrics
        result.notes += result.classification.notes
    else:
        result.regression = evaluate_regression(pred)
        computed = result.regression.metrics
        result.notes += result.regression.notes
    for name, value in computed.items():
        _add(current, name, value, source, result.notes)
    result.slices = [slice_table(pred, c, inputs.min_slice_size) for c in pred.slices]
    for name, value in gap_metrics(result.slices).items():
        _add(current, name, value, source, result.notes)
    fold_rows = None
    if pred.folds is not None:
        fold_rows = group_rows(pred, pred.folds)
        result.folds = GroupTable(pred.fold_column or "fold", fold_rows, [], 0)
        for name, value in fold_summary(fold_rows).items():
            _add(current, name, value, source, result.notes)
    result.checks = run_checks(pred, inputs.sanity, fold_rows)
