"""``mlreport publish``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from mlreport.cli.options import build_publish_options, publish_options
from mlreport.errors import EXIT_OK


@click.command()
@click.argument("report", type=click.Path(path_type=Path), default=Path("report"))
@publish_options
def publish(report: Path, **kwargs: Any) -> int:
    """Post REPORT (a directory written by render or run) as a comment on the pull/merge
    request, updating the previous one, with its charts hosted on the platform.

    In CI everything comes from the environment: `mlreport publish report/`. In GitHub
    Actions the report also goes to the job summary and step outputs. Exits 3 when
    publishing fails; the report files are already written.
    """
    from mlreport.publish import publish as publish_report

    publish_report(report, build_publish_options(kwargs), os.environ)
    return EXIT_OK
