"""Writing a report directory: charts, then report.json, then report.md.

The files are written before anything else happens to them (publishing comes later), each
atomically, so a failure at any later step loses nothing already computed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mlreport.charts._figure import Image
from mlreport.document import build_document, dumps
from mlreport.errors import TemplateError, UsageError
from mlreport.pipeline import Evaluation
from mlreport.render import render_markdown
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
    charts: bool = True,
) -> ReportFiles:
    prepare_directory(directory)
    images: list[Image] = []
    if charts:
        from mlreport.charts.draw import draw_all

        images = draw_all(evaluation, directory)
    document = build_document(evaluation, images, run, title)
    json_path = directory / "report.json"
    write_text(json_path, dumps(document))
    markdown_path = directory / "report.md"
    try:
        markdown = render_markdown(document, template)
    except TemplateError:
        markdown_path.unlink(missing_ok=True)  # never leave a stale report.md to be published
        raise
    write_text(markdown_path, markdown)
    return ReportFiles(directory, markdown_path, json_path, images, document["status"])
