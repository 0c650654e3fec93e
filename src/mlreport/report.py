"""Writing a report directory: charts, then report.json, then report.md.

The files are written before anything else happens to them (publishing comes later), each
atomically, so a failure at any later step loses nothing already computed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlreport.charts._figure import Image
from mlreport.charts.pool import ChartPool
from mlreport.document import build_document, dumps
from mlreport.errors import TemplateError, UsageError
from mlreport.pipeline import Evaluation
from mlreport.render import Template, load_template, render_markdown
from mlreport.runcmd import RunResult


@dataclass(frozen=True)
class ReportFiles:
    directory: Path
    markdown: Path
    json: Path
    images: list[Image]
    status: str


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
    directory: Path,
    *,
    template: Path | None = None,
    title: str = "ML report",
    run: RunResult | None = None,
    pool: ChartPool | None = None,
) -> ReportFiles:
    """Draw the charts, write report.json, then report.md.

    report.json is written even when the template is broken; report.md is then removed,
    so that a stale one from an earlier run is never published as this one.
    """
    prepare_directory(directory)
    from mlreport.charts.draw import chart_jobs
    from mlreport.charts.pool import run_jobs

    drawn = run_jobs(chart_jobs(evaluation, directory), pool)
    compiled: Template | None = None
    broken: TemplateError | None = None
    try:
        compiled = load_template(template)  # while the charts are drawn elsewhere
    except TemplateError as exc:
        broken = exc
    images: list[Image] = drawn()
    document = build_document(evaluation, images, run, title)
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
    return ReportFiles(directory, markdown_path, json_path, images, document["status"])
