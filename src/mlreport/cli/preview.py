"""``mlreport preview``."""

from __future__ import annotations

from pathlib import Path

import click

from mlreport.errors import EXIT_OK


@click.command()
@click.argument("report", type=click.Path(path_type=Path, exists=True), default=Path("report"))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="HTML file to write (default: report.html next to report.md).",
)
def preview(report: Path, output: Path | None) -> int:
    """Render REPORT (a report directory or its report.md) to a standalone report.html
    styled like GitHub, to look at before publishing."""
    from mlreport.report.html import write_preview

    target = write_preview(report, output)
    click.echo(f"Wrote {target}")
    return EXIT_OK
