"""The data checks of one report: the current data (``--data``, or the predictions file)
against a schema, its integrity, its drift from the reference data, and the fairness of the
predictions for each sensitive column -- as checks that fail the run when violated, metrics
for gates (``data.drift.share``, ``fairness.gender.demographic_parity_difference``…) and the
tables of the report's Data and Fairness sections.
"""

from __future__ import annotations

import contextvars
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from mlreport.config import DataOptions, PredictionOptions
from mlreport.data.drift import Drift, column_drift, dataset_drift
from mlreport.data.fairness import Fairness, fairness, measures
from mlreport.data.frame import Column, Frame
from mlreport.data.integrity import Integrity, integrity
from mlreport.data.load import load_frame
from mlreport.data.schema import Schema, Violation, load_schema, validate
from mlreport.errors import InputError, UsageError
from mlreport.evaluate.sanity import Check
from mlreport.inputs.predictions import Predictions

MAX_VIOLATIONS = 50  # listed in report.json (all are counted)


@dataclass
class DataReport:
    current: str
    rows: int
    reference: str | None = None
    reference_rows: int | None = None
    schema: str | None = None
    features: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)  # column -> numeric / categorical
    violations: list[Violation] = field(default_factory=list)
    integrity: Integrity | None = None
    drift: list[Drift] = field(default_factory=list)
    drift_share: float | None = None
    dataset_drift: bool | None = None
    label_drift: Drift | None = None
    prediction_drift: list[Drift] = field(default_factory=list)
    fairness: list[Fairness] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    overrides: dict[str, tuple[str | None, float | None]] = field(default_factory=dict)
    min_size: int = 10  # groups smaller than this are flagged


def check_data(
    options: DataOptions,
    predictions_path: Path | None,
    prediction_options: PredictionOptions,
    pred: Predictions | None,
    min_size: int,
) -> DataReport | None:
    """All the data checks *options* ask for, or None when they ask for none."""
    if not options.wanted:
        return None
    source = options.data or (str(predictions_path) if predictions_path else None)
    if source is None:
        raise UsageError(
            "--reference-data, --schema and --sensitive need the data to check",
            "pass --data FILE (or --predictions, whose other columns are the data)",
        )
    current, reference = _load_both(source, options.reference_data)
    report = DataReport(current.path, current.n_rows, min_size=min_size)
    report.kinds = {name: column.kind for name, column in current.columns.items()}
    own = _prediction_columns(current, prediction_options)
    report.features = [name for name in current.columns if name not in own]
    if options.schema is not None:
        _schema(report, current, load_schema(options.schema))
    compared: list[str] = []
    if reference is not None:
        report.reference, report.reference_rows = reference.path, reference.n_rows
        compared = [name for name in report.features if name in reference.columns]
        if not compared and not set(current.columns) & set(reference.columns):
            raise InputError(
                options.reference_data or "",
                f"has no column in common with {current.path}",
                "--reference-data is the same kind of data (e.g. the training set)",
            )
    with ThreadPoolExecutor(1) as pool:  # beside the drift (NumPy lets go of the GIL)
        found = pool.submit(contextvars.copy_context().run, integrity, current, reference, compared)
        if reference is not None:
            _drift(report, current, reference, compared, prediction_options, options)
        report.integrity = found.result()
    _integrity_checks(report)
    if options.sensitive:
        _fairness(report, current, pred, options.sensitive, min_size)
    report.metrics = _metrics(report)
    return report


def _load_both(source: str, reference: str | None) -> tuple[Frame, Frame | None]:
    """The data and its reference, one after the other: NumPy's parser holds the GIL, so
    two threads save little time and add a file's worth of peak memory."""
    current = load_frame(source, "--data")
    return current, (load_frame(reference, "--reference-data") if reference else None)


def _prediction_columns(frame: Frame, options: PredictionOptions) -> set[str]:
    """The columns of predictions, not data: the prediction, its scores, the id."""
    own = {options.pred_col, options.score_col, options.id_col or "id"}
    own |= {name for name in frame.columns if name.startswith(options.proba_prefix)}
    return own | {options.target_col}


def _schema(report: DataReport, frame: Frame, schema: Schema) -> None:
    report.schema = schema.path
    report.violations = validate(frame, schema)
    count = len(report.violations)
    detail = (
        f"{len(schema.columns)} columns as the schema says"
        if not count
        else "; ".join(f"{v.column}: {v.detail}" for v in report.violations[:3])
        + (f"; and {count - 3} more" if count > 3 else "")
    )
    report.checks.append(Check("data_schema", "The data matches its schema", not count, detail))
    report.overrides = {  # the schema's drift method and threshold per column
        name: (spec.drift_method, spec.drift_threshold) for name, spec in schema.columns.items()
    }


def _drift(
    report: DataReport,
    current: Frame,
    reference: Frame,
    compared: list[str],
    prediction_options: PredictionOptions,
    options: DataOptions,
) -> None:
    pairs: list[tuple[str, str | None, float | None]] = [
        (name, *report.overrides.get(name, (None, None))) for name in compared
    ]
    target = prediction_options.target_col
    own = [target, prediction_options.pred_col, prediction_options.score_col]
    pairs += [
        (n, None, None)
        for n in dict.fromkeys(own)
        if n in current.columns and n in reference.columns and n not in compared
    ]

    def drift_of(pair: tuple[str, str | None, float | None]) -> Drift:
        name, method, threshold = pair
        return column_drift(reference.columns[name], current.columns[name], method, threshold)

    # NumPy sorts without the GIL: one column per CPU (each in the caller's context, which
    # holds its floating-point error state)
    with ThreadPoolExecutor(min(4, os.cpu_count() or 1)) as pool:
        found = [pool.submit(contextvars.copy_context().run, drift_of, p) for p in pairs]
        drifts = {p[0]: f.result() for p, f in zip(pairs, found, strict=True)}
    report.drift = [drifts[name] for name in compared]
    report.drift_share, report.dataset_drift = dataset_drift(report.drift, options.drift_share)
    report.label_drift = drifts.get(target)
    report.prediction_drift = [drifts[n] for n in own[1:] if n in drifts]
    drifted = [d.column for d in report.drift if d.drifted]
    computed = [d for d in report.drift if d.drifted is not None]
    report.notes += [
        f"drift of {d.column} not computed: {d.note}" for d in report.drift if d.drifted is None
    ]
    if computed:
        share = report.drift_share or 0.0
        detail = (
            f"{len(drifted)} of {len(computed)} columns drifted ({share:.0%}; dataset drift "
            f"from {options.drift_share:.0%})"
        )
        if drifted:
            detail += ": " + ", ".join(drifted[:8]) + (", …" if len(drifted) > 8 else "")
        report.checks.append(
            Check(
                "data_drift",
                "No dataset drift from the reference",
                not report.dataset_drift,
                detail,
            )
        )


def _integrity_checks(report: DataReport) -> None:
    found = report.integrity
    assert found is not None
    if found.constant:
        shown = ", ".join(found.constant[:8]) + (", …" if len(found.constant) > 8 else "")
        report.checks.append(
            Check("data_constant", "No constant column", False, f"constant: {shown}")
        )
    else:
        report.checks.append(
            Check("data_constant", "No constant column", True, f"{len(found.missing)} columns vary")
        )
    duplicates = found.duplicates
    detail = (
        f"{duplicates:,} of {found.rows:,} rows repeat an earlier one ({found.duplicate_share:.2%})"
        if duplicates
        else f"all {found.rows:,} rows distinct"
    )
    report.checks.append(Check("data_duplicates", "No duplicate rows", not duplicates, detail))
    if found.leaked is not None:
        share = found.leakage_share or 0.0
        detail = (
            f"{found.leaked:,} of {found.rows:,} rows ({share:.2%}) are also in the reference data"
            if found.leaked
            else f"no row of the {found.rows:,} is in the reference data"
        )
        report.checks.append(
            Check(
                "data_leakage", "No evaluation row in the reference data", not found.leaked, detail
            )
        )


def _fairness(
    report: DataReport,
    frame: Frame,
    pred: Predictions | None,
    names: tuple[str, ...],
    min_size: int,
) -> None:
    if pred is None or pred.task != "classification":
        raise UsageError(
            "--sensitive measures the fairness of a classifier's predictions",
            "pass --predictions of a classification task",
        )
    for name in names:
        column = _sensitive(frame, pred, name)
        result = fairness(pred.y_true, pred.y_pred, pred.labels, pred.pos_label, column, min_size)
        report.fairness.append(result)
        report.notes += [f"fairness by {name}: {note}" for note in result.notes]


def _sensitive(frame: Frame, pred: Predictions, name: str) -> Column:
    if name not in frame.columns:
        raise InputError(frame.path, f"has no sensitive column '{name}'", "check --sensitive")
    if frame.n_rows != pred.n:
        raise InputError(
            frame.path,
            f"has {frame.n_rows:,} rows and the predictions {pred.n:,}: the sensitive column "
            "must be beside the predictions, row for row",
            "put it in the predictions file, or pass --data with the same rows",
        )
    return frame.columns[name]


def _metrics(report: DataReport) -> dict[str, float]:
    out: dict[str, float] = {}
    if report.drift_share is not None:
        out["data.drift.share"] = report.drift_share
    for drift in report.drift:
        if drift.drifted is not None:
            out[f"data.drift.{drift.column}"] = drift.score
        if drift.psi is not None:
            out[f"data.psi.{drift.column}"] = drift.psi
    if report.label_drift is not None and report.label_drift.drifted is not None:
        out["data.drift.label"] = report.label_drift.score
    for drift in report.prediction_drift:  # the prediction column, then the score column
        name = "prediction" if drift is report.prediction_drift[0] else "score"
        if drift.drifted is not None:
            out[f"data.drift.{name}"] = drift.score
    found = report.integrity
    if found is not None:
        for name, share in found.missing.items():
            out[f"data.missing.{name}"] = share
        out["data.missing.max"] = max(found.missing.values(), default=0.0)
        out["data.duplicates"] = found.duplicate_share
        if found.leakage_share is not None:
            out["data.leakage"] = found.leakage_share
    for result in report.fairness:
        for measure, value in measures(result).items():
            out[f"fairness.{result.column}.{measure}"] = value
    return out
