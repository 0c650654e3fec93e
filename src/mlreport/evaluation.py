"""From input files to an :class:`Evaluation`: metrics with their intervals, the baseline
and the comparison with it (paired when the examples match), gates and checks.

This is everything ``check`` and ``diff`` need; ``render`` adds charts and the Markdown
(:mod:`mlreport.report`).  The gates are parsed once: ``run`` parses them before the
training command starts (:func:`~mlreport.gates.parse_gates`) and hands them in.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mlreport import baselines
from mlreport.compare import MetricRow, compare
from mlreport.config import Directions, ReportInputs
from mlreport.errors import BaselineNotFound, shown_as
from mlreport.evaluate.groups import GroupTable, fold_summary, gap_metrics, group_rows, slice_table
from mlreport.evaluate.predictions import (
    ClassificationEval,
    RegressionEval,
    evaluate_classification,
    evaluate_regression,
)
from mlreport.evaluate.sanity import Check, run_checks
from mlreport.gates import Gate, GateResult, parse_gates
from mlreport.inputs.baseline import Baseline
from mlreport.inputs.history import History, load_histories
from mlreport.inputs.metrics import MetricValue, load_metrics, named_by_file
from mlreport.inputs.predictions import Predictions, load_predictions
from mlreport.pairing import Paired, pair
from mlreport.platforms.context import PublishOptions
from mlreport.uncertainty import Uncertainty
from mlreport.verdicts import evaluate_gates

if TYPE_CHECKING:
    from mlreport.data.checks import DataReport
    from mlreport.evaluate.ranking import Curve
    from mlreport.inputs.metrics import Metrics
    from mlreport.inputs.params import ParamChange
    from mlreport.inputs.plots import Plots
    from mlreport.integrations.mlflow import Run


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
    paired: Paired | None = None
    data: DataReport | None = None
    params: list[ParamChange] = field(default_factory=list)
    mlflow_runs: list[Run] = field(default_factory=list)  # read by --metrics mlflow:runs:/…
    curves: list[Curve] = field(default_factory=list)  # from plots files (ROC/PR points)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # input errors tolerated by `run`

    @property
    def failures(self) -> list[str]:
        out = [f"gate {g.expression}" for g in self.gates if g.status == "fail"]
        out += [f"check {c.name}" for c in self.all_checks if not c.passed]
        out += [f"error: {e}" for e in self.errors]
        return out

    @property
    def data_checks(self) -> list[Check]:
        return self.data.checks if self.data is not None else []

    @property
    def all_checks(self) -> list[Check]:
        return [*self.checks, *self.data_checks]

    @property
    def passed(self) -> bool:
        return not self.failures


def evaluate(
    inputs: ReportInputs,
    parsed: tuple[list[Gate], Directions] | None = None,
    lookup: PublishOptions | None = None,
    environ: Mapping[str, str] | None = None,
) -> Evaluation:
    """Read and evaluate everything *inputs* names; *parsed*: its gates, if already parsed;
    *lookup*: where records are found (None: records are not looked up).
    Values near the float limits (±1e308) overflow to ±inf or NaN silently: those are the
    results, shown as such (and as null in report.json)."""
    gates, directions = parsed or parse_gates(inputs)  # a bad gate fails before any big read
    with np.errstate(all="ignore"):
        return _evaluate(
            inputs, gates, directions, lookup, os.environ if environ is None else environ
        )


def _evaluate(
    inputs: ReportInputs,
    gates: list[Gate],
    directions: Directions,
    lookup: PublishOptions | None,
    environ: Mapping[str, str],
) -> Evaluation:
    plots = None
    if inputs.plots:
        from mlreport.inputs.plots import with_plots

        inputs, plots = with_plots(inputs)
    result = Evaluation(inputs, notes=list(inputs.notes))
    current: dict[str, tuple[MetricValue, str]] = {}
    files = [(path, _metrics_of(path, result)) for path in inputs.metrics]
    for name, value, path in named_by_file(files):
        _add(current, name, value, shown_as(path), result.notes)
    spreads = {}
    if inputs.predictions is not None:
        data = inputs.data.data
        if inputs.data.wanted and (data is None or Path(data) == Path(inputs.predictions)):
            from mlreport.inputs.tables import read_twice

            read_twice(Path(inputs.predictions))  # the predictions are the data: parse once
        spreads = _evaluate_predictions(result, inputs, current)
    if inputs.history:
        result.history = load_histories(inputs.history)
        result.notes += result.history.notes
    if inputs.data.wanted:
        _evaluate_data(result, inputs, current)
    if inputs.baseline or inputs.baseline_predictions:
        try:
            result.baseline = baselines.resolve(inputs, lookup, environ)
        except BaselineNotFound as exc:
            if not inputs.baseline_optional:
                raise
            result.notes.append(f"no baseline: {exc}")
    _params_and_plots(result, plots)
    base = result.baseline.metrics if result.baseline else None
    deltas = {}
    if result.baseline is not None:
        result.notes += result.baseline.notes
        if result.predictions is not None and result.baseline.outcomes is not None:
            paired = pair(result.predictions, result.baseline.outcomes)
            if isinstance(paired, str):
                result.notes.append(paired)
            else:
                result.paired, deltas = paired, paired.deltas
                if paired.examples < paired.total:
                    result.notes.append(
                        f"paired on {paired.examples:,} of {paired.total:,} examples "
                        f"(by {paired.by})"
                    )
    values = {name: value for name, (value, _) in current.items()}
    known = Uncertainty.of(
        inputs.confidence,
        spreads,
        deltas,
        result.baseline.intervals if result.baseline else {},
        values,
        base,
    )
    result.metrics = compare(
        current,
        base,
        directions,
        intervals=known.intervals(),
        deltas=known.all_deltas(),
        min_delta=inputs.min_delta,
        level=inputs.confidence,
    )
    result.gates = evaluate_gates(
        gates,
        {**values, **known.bounds()},
        base,
        strict_baseline=inputs.strict_baseline,
        intervals=known,
    )
    if result.predictions is not None:
        _size(result, known)
    return result


def _evaluate_data(
    result: Evaluation, inputs: ReportInputs, current: dict[str, tuple[MetricValue, str]]
) -> None:
    from mlreport.data.checks import check_data

    result.data = check_data(
        inputs.data,
        inputs.predictions,
        inputs.prediction_options,
        result.predictions,
        inputs.min_slice_size,
    )
    if result.data is not None:
        for name, value in result.data.metrics.items():
            _add(current, name, value, "data", result.notes)
        result.notes += result.data.notes


def _params_and_plots(result: Evaluation, plots: Plots | None) -> None:
    """The params' changes against a baseline ref; the curves of ROC/PR plots files."""
    if result.inputs.params:
        from mlreport.inputs.baseline import file_at
        from mlreport.inputs.params import diff_params

        kind = result.baseline.kind if result.baseline else None
        ref = result.inputs.baseline if kind in ("git", "record") else None
        result.params, notes = diff_params(result.inputs.params, ref, file_at)
        result.notes += notes
    if plots is not None:
        from mlreport.evaluate.plotted import plotted_curve

        result.notes += plots.notes
        curve = plotted_curve(plots.roc, plots.precision_recall)
        if curve is not None and not (result.classification and result.classification.curves):
            result.curves = [curve]


def _metrics_of(path: Path, result: Evaluation) -> Metrics:
    """A metrics file's metrics, or an MLflow run's (its params kept in result.mlflow_runs)."""
    from mlreport.integrations import mlflow

    if not mlflow.is_spec(path):
        return load_metrics(path)
    run = mlflow.read_run(path)
    result.mlflow_runs.append(run)
    return run.metrics


def _size(result: Evaluation, known: Uncertainty) -> None:
    assert result.predictions is not None
    notes = known.size_notes(result.gates, result.predictions.n)
    if result.inputs.strict_size:
        title = "The test set resolves every gate's margin"
        detail = "; ".join(notes) if notes else "every gate's margin is wider than its interval"
        result.checks.append(Check("test_set_size", title, not notes, detail))
    else:
        result.notes += notes


def _add(
    current: dict[str, tuple[MetricValue, str]],
    name: str,
    value: MetricValue,
    source: str,
    notes: list[str],
) -> None:
    """Metrics files come first; a later source never silently replaces a different value
    (values equal but for float noise, to 9 significant digits, are the same)."""
    if name in current:
        old, old_source = current[name]
        if old != value and not _close(old, value):
            notes.append(
                f"{name}: {old_source} gives {old!r}, {source} gives {value!r}; using {old_source}"
            )
        return
    current[name] = (value, source)


def _close(a: MetricValue, b: MetricValue) -> bool:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
    return numbers and math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)  # type: ignore[arg-type]


def _evaluate_predictions(
    result: Evaluation, inputs: ReportInputs, current: dict[str, tuple[MetricValue, str]]
) -> dict:  # type: ignore[type-arg]
    assert inputs.predictions is not None
    pred = load_predictions(inputs.predictions, inputs.prediction_options)
    result.predictions = pred
    source = shown_as(inputs.predictions)
    computed: Mapping[str, float]
    if pred.task == "classification":
        result.classification = evaluate_classification(pred)
        computed, spreads = result.classification.metrics, result.classification.spreads
        result.notes += result.classification.notes
    else:
        result.regression = evaluate_regression(pred)
        computed, spreads = result.regression.metrics, result.regression.spreads
        result.notes += result.regression.notes
    for name, value in computed.items():
        _add(current, name, value, source, result.notes)
    level = inputs.confidence
    result.slices = [slice_table(pred, c, inputs.min_slice_size, level) for c in pred.slices]
    for name, value in gap_metrics(result.slices).items():
        _add(current, name, value, source, result.notes)
    fold_rows = None
    if pred.folds is not None:
        fold_rows = group_rows(pred, pred.folds)
        result.folds = GroupTable(pred.fold_column or "fold", fold_rows, [], 0)
        for name, value in fold_summary(fold_rows).items():
            _add(current, name, value, source, result.notes)
    result.checks = run_checks(pred, inputs.sanity, fold_rows)
    return dict(spreads)
