"""Writing a report directory: charts, then report.json, then report.md.

The files are written before anything else happens to them (publishing comes later), each
atomically, so a failure at any later step loses nothing already computed.  The charts an
evaluation calls for are drawn as jobs, in parallel when a :class:`ChartPool` runs, while
the template compiles here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlreport import redact
from mlreport.charts.figure import Image
from mlreport.charts.pool import ChartJob, ChartPool, Failed
from mlreport.config import OutputOptions
from mlreport.errors import TemplateError
from mlreport.evaluation import Evaluation
from mlreport.files import make_directory, write_atomic
from mlreport.report.document import build_document, dumps
from mlreport.report.template import Template, load_template, render_markdown
from mlreport.runcmd import RunResult

if TYPE_CHECKING:
    from mlreport.data.drift import Drift

MAX_POINTS = 1_000_000  # a density plot of a million points looks like one of ten million


@dataclass(frozen=True)
class ReportFiles:
    directory: Path
    markdown: Path
    json: Path
    images: list[Image]
    status: str
    summary: str  # the status line of report.json


def write_report(
    evaluation: Evaluation,
    options: OutputOptions,
    *,
    run: RunResult | None = None,
    pool: ChartPool | None = None,
) -> ReportFiles:
    """Draw the charts, write report.json, then report.md.

    report.json is written even when the template is broken; report.md is then removed,
    so that a stale one from an earlier run is never published as this one.
    """
    from mlreport.charts.pool import run_jobs

    directory = options.directory
    make_directory(directory, "-o")
    drawn = run_jobs(chart_jobs(evaluation, directory), pool)
    compiled: Template | None = None
    broken: TemplateError | None = None
    try:
        compiled = load_template(options.template)  # while the charts are drawn elsewhere
    except TemplateError as exc:
        broken = exc
    images, failures = _images(drawn)
    document = build_document(evaluation, images, run, options.title, failures)
    if options.attach:
        from mlreport.report.attachments import attach

        attached, unattached = attach(options.attach, directory)
        document["attachments"] = [
            {"kind": a.kind, "name": a.name, "path": a.path or None, "markdown": a.markdown or None}
            for a in attached
        ]
        document["notes"] = [
            *document.get("notes", []),
            *(n for a in attached for n in a.notes),
            *(f"not attached: {e}" for e in unattached),
        ]
    else:
        document["attachments"], unattached = [], []
    json_path = directory / "report.json"
    write_atomic(json_path, dumps(document))
    _write_changed(evaluation, directory)
    markdown_path = directory / "report.md"
    try:
        if broken is not None:
            raise broken
        markdown = redact.current().text(render_markdown(document, compiled))
    except TemplateError:
        markdown_path.unlink(missing_ok=True)
        raise
    write_atomic(markdown_path, markdown)
    if unattached:  # the report is written, with a note: then the error (exit 2)
        raise unattached[0]
    return ReportFiles(
        directory, markdown_path, json_path, images, document["status"], document["summary"]
    )


def _write_changed(evaluation: Evaluation, directory: Path) -> None:
    """changed.csv beside report.json, or none (an old one removed: it is not this run's)."""
    from mlreport.report.changed import CSV_FILE, changed_csv

    target = directory / CSV_FILE
    text = changed_csv(evaluation.paired)
    if text is None:
        target.unlink(missing_ok=True)
    else:
        write_atomic(target, redact.current().text(text))


def _images(drawn: Callable[[], list[Any]]) -> tuple[list[Image], list[str]]:
    """The charts drawn, and a note for each one that failed (the report goes on)."""
    try:
        results = drawn()
    except Exception as exc:  # a chart worker died: no chart, but a report
        return [], [f"charts left out: the drawing process failed ({type(exc).__name__})"]
    images = [r for r in results if isinstance(r, Image)]
    notes = [
        f"{CHARTS.get(r.function, r.function)} left out: it could not be drawn ({r.error})"
        for r in results
        if isinstance(r, Failed)
    ]
    return images, notes


CHARTS = {
    "draw_confusion": "confusion matrix",
    "draw_curves": "ROC and precision–recall curves",
    "draw_regression": "predicted vs actual chart",
    "draw_history": "training history chart",
}


def chart_jobs(evaluation: Evaluation, directory: Path) -> list[ChartJob]:
    """The charts to draw, slowest first; arguments are small and picklable."""
    from mlreport.charts.confusion import draw_confusion
    from mlreport.charts.curves import draw_curves
    from mlreport.charts.history import draw_history
    from mlreport.charts.regression import draw_regression

    hide = redact.current().text  # labels and names are drawn as text: no secret in a PNG
    jobs: list[ChartJob] = []
    classification = evaluation.classification
    if classification is not None:
        labels = tuple(hide(label) for label in classification.labels)
        jobs.append((draw_confusion, (classification.confusion, labels, directory)))
        if classification.curves:
            binary = len(labels) == 2
            curves = [replace(c, label=hide(c.label)) for c in classification.curves]
            jobs.append((draw_curves, (curves, directory, binary)))
    if evaluation.curves:  # ROC/PR points from plots files, when the predictions have none
        curves = [replace(c, label=hide(c.label)) for c in evaluation.curves]
        jobs.append((draw_curves, (curves, directory, False)))
    regression = evaluation.regression
    if regression is not None and regression.y_true.size:
        step = max(1, regression.y_true.size // MAX_POINTS)
        jobs.append(
            (draw_regression, (regression.y_true[::step], regression.y_pred[::step], directory))
        )
    history = evaluation.history
    if history is not None:
        shown = replace(
            history,
            x_name=hide(history.x_name),
            series={hide(name): values for name, values in history.series.items()},
        )
        jobs.append((draw_history, (shown, directory)))
    if evaluation.data is not None:
        jobs += _drift_job(evaluation.data.drift, directory, hide)
    return jobs


def _drift_job(
    drifts: Sequence[Drift], directory: Path, hide: Callable[[str], str]
) -> list[ChartJob]:
    """The drifted columns' chart, most drifted (by PSI) first; none when none drifted."""
    from mlreport.charts.drift import MAX_PANELS, Panel, draw_drift

    drifted = [d for d in drifts if d.drifted and d.reference is not None and d.current is not None]
    drifted.sort(key=lambda d: -(d.psi if d.psi is not None and math.isfinite(d.psi) else 0.0))
    panels = [
        Panel(hide(d.column), d.method, d.score, d.reference, d.current)  # type: ignore[arg-type]
        for d in drifted[:MAX_PANELS]
    ]
    return [(draw_drift, (panels, directory, len(drifted)))] if panels else []
