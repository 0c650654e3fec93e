"""The baseline of a report, found: for ``--baseline REF`` the nearest record in REF's
history (every metric, computed ones included, with intervals and per-example outcomes),
else REF's metrics files and its predictions file evaluated again; for ``--baseline FILE`` a
metrics file or a previous report.json; ``--baseline-predictions FILE`` adds (or is) the
baseline model's outcomes, to pair with.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from mlreport import records, remote
from mlreport.config import ReportInputs
from mlreport.errors import BaselineNotFound, InputError
from mlreport.inputs.baseline import (
    Baseline,
    check_ref,
    file_at,
    from_file,
    level_of,
    metrics_at,
    report_rows,
)
from mlreport.inputs.metrics import Metrics
from mlreport.inputs.outcomes import Outcomes, from_predictions
from mlreport.inputs.predictions import Predictions, load_predictions
from mlreport.integrations import mlflow
from mlreport.platforms.context import PublishOptions

NO_RECORD = "metrics files only — no record; computed metrics have no baseline"


def resolve(
    inputs: ReportInputs, lookup: PublishOptions | None, environ: Mapping[str, str]
) -> Baseline | None:
    """The baseline *inputs* ask for; *lookup*: where records are (None: not looked up)."""
    base = None
    if inputs.baseline and mlflow.is_spec(inputs.baseline):  # a model version's run
        base = mlflow.baseline_of(inputs.baseline)
    elif inputs.baseline and remote.is_remote(inputs.baseline):  # a metrics file or report.json
        base = from_file(remote.fetch(inputs.baseline, "baseline"), shown=inputs.baseline)
    elif inputs.baseline:
        path = Path(inputs.baseline)
        base = from_file(path) if path.is_file() else _at_ref(inputs, lookup, environ)
    if base is not None:
        base = _at_level(base, inputs.confidence)
    if inputs.baseline_predictions is not None:
        base = _with_predictions(base, inputs.baseline_predictions, inputs)
    return base


def _at_level(base: Baseline, level: float) -> Baseline:
    """*base* with its intervals at *level*: a report made at another level has its
    intervals widened or narrowed by the ratio of the normal quantiles (about the middle)."""
    if base.level == level or not base.intervals:
        return replace(base, level=level)
    from mlreport.evaluate.intervals import z_of

    ratio = z_of(level) / z_of(base.level)
    intervals = {
        name: ((lo + hi) / 2 - (hi - lo) / 2 * ratio, (lo + hi) / 2 + (hi - lo) / 2 * ratio)
        for name, (lo, hi) in base.intervals.items()
    }
    return replace(base, intervals=intervals, level=level)


def _at_ref(
    inputs: ReportInputs, lookup: PublishOptions | None, environ: Mapping[str, str]
) -> Baseline:
    ref = inputs.baseline or ""
    check_ref(ref)
    files = tuple(p for p in inputs.metrics if not mlflow.is_spec(p))  # not MLflow runs
    notes: list[str] = []
    if lookup is not None:
        found, note = records.find(ref, lookup, environ)
        if found is not None:
            metrics, intervals = report_rows(found.report, f"the record of {ref}")
            if files:  # the files at the ref, for what the record lacks
                with contextlib.suppress(BaselineNotFound):
                    metrics = {**metrics_at(ref, files), **metrics}
            return Baseline(
                ref,
                "record",
                metrics,
                intervals,
                found.outcomes,
                found.provenance(ref),
                level=level_of(found.report),
            )
        notes.append(note)
    at_ref: Metrics = metrics_at(ref, files) if files else {}
    base = Baseline(ref, "git", at_ref, provenance=f"{ref} ({NO_RECORD})", notes=tuple(notes))
    committed = _predictions_at(ref, inputs)
    if committed is not None:
        computed, intervals = _computed(committed, inputs)
        base = replace(
            base,
            metrics={**computed, **at_ref},
            intervals=intervals,
            outcomes=from_predictions(committed),
            provenance=f"{ref} (its {inputs.predictions} evaluated again; no record)",
            level=inputs.confidence,
        )
    elif not at_ref:
        raise BaselineNotFound(
            f"--baseline {ref}",
            f"no record{f' ({notes[0]})' if notes else ''}, and no metrics or predictions "
            f"file at {ref}",
            "publish on the default branch to record its reports, or commit the metrics "
            "files there (--baseline-optional: a note instead of this error)",
        )
    return base


def _predictions_at(ref: str, inputs: ReportInputs) -> Predictions | None:
    """The predictions file as committed at REF, read with the same options."""
    if inputs.predictions is None:
        return None
    data = file_at(ref, inputs.predictions)
    if data is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / inputs.predictions.name
        copy.write_bytes(data)
        try:
            return load_predictions(copy, inputs.prediction_options)
        except InputError as exc:
            raise InputError(
                f"{ref}:{inputs.predictions}", exc.message.split(": ", 1)[-1], exc.hint
            ) from None


def _with_predictions(base: Baseline | None, path: Path, inputs: ReportInputs) -> Baseline:
    pred = load_predictions(path, inputs.prediction_options)
    computed, intervals = _computed(pred, inputs)
    if base is None:
        return Baseline(
            str(path),
            "predictions",
            computed,
            intervals,
            from_predictions(pred),
            str(path),
            level=inputs.confidence,
        )
    return replace(  # computed from the outcomes: consistent with the paired deltas
        base,
        metrics={**base.metrics, **computed},
        intervals={**base.intervals, **intervals},
        outcomes=from_predictions(pred),
        provenance=f"{base.provenance}; outcomes from {path}",
        level=inputs.confidence,
    )


def _computed(
    pred: Predictions, inputs: ReportInputs
) -> tuple[Metrics, dict[str, tuple[float, float]]]:
    """The metrics computed from *pred* (slice gaps included), with their intervals."""
    from mlreport.evaluate.groups import gap_metrics, slice_table
    from mlreport.evaluate.predictions import evaluate_classification, evaluate_regression

    result = (
        evaluate_classification(pred)
        if pred.task == "classification"
        else evaluate_regression(pred)
    )
    intervals = {}
    for name, spread in result.spreads.items():
        found = spread.interval(inputs.confidence)
        if found is not None:
            intervals[name] = found
    tables = [slice_table(pred, column, inputs.min_slice_size) for column in pred.slices]
    return {**result.metrics, **gap_metrics(tables)}, intervals


def outcomes_of(base: Baseline | None) -> Outcomes | None:
    return base.outcomes if base is not None else None
