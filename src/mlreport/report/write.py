"""Writing a report directory: charts, then report.json, then report.md.

The files are written before anything else happens to them (publishing comes later), each
atomically, so a failure at any later step loses nothing already computed.  The charts an
evaluation calls for are drawn as jobs, in parallel when a :class:`ChartPool` runs, while
the template compiles here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlreport.charts.figure import Image
from mlreport.charts.pool import ChartJob, ChartPool
from mlreport.config import OutputOptions
from mlreport.errors import TemplateError, UsageError
from mlreport.evaluation import Evaluation
from mlreport.report.document import build_document, dumps
from mlreport.report.template import Template, load_template, render_markdown
from mlreport.runcmd import RunResult

MAX_POINTS = 1_000_000  # a density plot of a million points looks like one of ten million


@dataclass(frozen=True)
class ReportFiles:
    directory: Path
    markdown: Path
    json: Path
    images: list[Image]
    status: str
    summary: str  # the status line of report.json


def write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def prepare_directory(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"-o {directory}: exists and is not a directory") from None
    except OSError as exc:
        raise UsageError(f"-o {directory}: cannot create it ({exc.strerror})") from None


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
    prepare_directory(directory)
    drawn = run_jobs(chart_jobs(evaluation, directory), pool)
    compiled: Template | None = None
    broken: TemplateError | None = None
    try:
        compiled = load_template(options.template)  # while the charts are drawn elsewhere
    except TemplateError as exc:
        broken = exc
    images: list[Image] = drawn()
    document = build_document(evaluation, images, run, options.title)
    json_path = directory / "report.json"
    write_text(json_path, dumps(document))
    markdown_path = directory / "report.md"
    try:
        if broken is not None:
            raise broken
        markdown = render_markdown(document, compiled)
    except TemplateError:
        markdown_path.unlink(missing_ok=True)
        raise
    write_text(markdown_path, markdown)
    return ReportFiles(
        directory, markdown_path, json_path, images, document["status"], document["summary"]
    )


def chart_jobs(evaluation: Evaluation, directory: Path) -> list[ChartJob]:
    """The charts to draw, slowest first; arguments are small and picklable."""
    from mlreport.charts.confusion import draw_confusion
    from mlreport.charts.curves import draw_curves
    from mlreport.charts.history import draw_history
    from mlreport.charts.regression import draw_regression

    jobs: list[ChartJob] = []
    classification = evaluation.classification
    if classification is not None:
        jobs.append((draw_confusion, (classification.confusion, classification.labels, directory)))
        if classification.curves:
            binary = len(classification.labels) == 2
            jobs.append((draw_curves, (classification.curves, directory, binary)))
    regression = evaluation.regression
    if regression is not None and regression.y_true.size:
        step = max(1, regression.y_true.size // MAX_POINTS)
        jobs.append(
            (draw_regression, (regression.y_true[::step], regression.y_pred[::step], directory))
        )
    if evaluation.history is not None:
        jobs.append((draw_history, (evaluation.history, directory)))
    return jobs
