"""``mlreport render`` and ``mlreport run``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mlreport.cli._output import print_outcome
from mlreport.cli.options import (
    FILE,
    build_inputs,
    build_publish_options,
    input_options,
    option,
    publish_options,
)
from mlreport.errors import EXIT_FAILED, EXIT_OK, MlreportError, UsageError

if TYPE_CHECKING:
    from mlreport.pipeline import Evaluation
    from mlreport.report import ReportFiles

output_options = [
    option(
        "--history",
        env="HISTORY",
        type=FILE,
        help="Training history (CSV or JSON Lines, one row per epoch or step).",
    ),
    option(
        "--output",
        "-o",
        env="OUTPUT",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("report"),
        show_default=True,
        help="Report directory.",
    ),
    option(
        "--template",
        env="TEMPLATE",
        type=FILE,
        help="Jinja template for report.md (runs sandboxed; see README).",
    ),
    option("--title", env="TITLE", default="ML report", show_default=True, help="Report title."),
    option(
        "--fail-on-gates/--no-fail-on-gates",
        env="FAIL_ON_GATES",
        default=True,
        show_default=True,
        help="Exit 1 when a gate or sanity check fails (a failed `run` command always does).",
    ),
    option(
        "--openmetrics",
        env="OPENMETRICS",
        type=FILE,
        help="Also write the numeric metrics as OpenMetrics text (GitLab metrics reports).",
    ),
]


def _with_output_options(function: Any) -> Any:
    function = publish_options(function)
    function = option(
        "--publish",
        "publish_after",
        env="PUBLISH",
        is_flag=True,
        help="Then publish the report, as `mlreport publish` does (options below).",
    )(function)
    for decorator in reversed(output_options):
        function = decorator(function)
    return input_options(function)


def _export(path: Path | None, evaluation: Evaluation) -> None:
    if path is not None:
        from mlreport.openmetrics import write_openmetrics

        write_openmetrics(path, evaluation.metrics)


def _publish(output: Path, kwargs: dict[str, Any]) -> None:
    import os

    from mlreport.publish import publish

    publish(output, build_publish_options(kwargs), os.environ)


def _announce(files: ReportFiles, evaluation: Evaluation, summary: str) -> None:
    charts = len(files.images)
    click.echo(
        f"Wrote {files.markdown} ({charts} chart{'s' if charts != 1 else ''}) and {files.json.name}"
    )
    print_outcome(evaluation, summary)


@click.command()
@_with_output_options
def render(
    output: Path,
    template: Path | None,
    title: str,
    fail_on_gates: bool,
    openmetrics: Path | None,
    publish_after: bool,
    **kwargs: Any,
) -> int:
    """Evaluate metrics and predictions and write a Markdown report with charts.

    Writes OUTPUT/report.md, its PNG charts and OUTPUT/report.json. Exits 1 when a gate or
    sanity check fails (the report is written all the same).
    """
    from mlreport.charts.pool import chart_pool

    inputs = build_inputs(kwargs)
    if publish_after:
        build_publish_options(kwargs)  # a bad publish option fails before any work
    if not (inputs.metrics or inputs.predictions or inputs.history):
        raise UsageError("nothing to report", "pass --metrics, --predictions or --history")
    with chart_pool() as pool:  # forked before NumPy loads; drawing starts when data is ready
        from mlreport.document import summary
        from mlreport.pipeline import evaluate
        from mlreport.report import write_report

        evaluation = evaluate(inputs)
        files = write_report(evaluation, output, template=template, title=title, pool=pool)
    _announce(files, evaluation, summary(evaluation, None))
    _export(openmetrics, evaluation)
    if publish_after:
        _publish(output, kwargs)
    return EXIT_OK if evaluation.passed or not fail_on_gates else EXIT_FAILED


@click.command(context_settings={"allow_interspersed_args": False})
@_with_output_options
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run(
    output: Path,
    template: Path | None,
    title: str,
    fail_on_gates: bool,
    openmetrics: Path | None,
    publish_after: bool,
    command: tuple[str, ...],
    **kwargs: Any,
) -> int:
    """Run COMMAND (e.g. training), then render the report of what it wrote.

    Put mlreport's options first, then the command: mlreport run -o report
    --metrics metrics.json -- python train.py. A failing command makes the run exit 1, and
    the report (with the command's output) is still written.
    """
    from mlreport.charts.pool import chart_pool
    from mlreport.gates import parse_gates
    from mlreport.runcmd import run_command

    inputs = build_inputs(kwargs)
    parse_gates(inputs)  # a malformed gate is reported before training, not after
    if publish_after:
        build_publish_options(kwargs)
    result = run_command(command)
    if result.error:
        click.echo(f"mlreport: {result.error}", err=True)
    with chart_pool() as pool:
        from mlreport.document import summary
        from mlreport.pipeline import Evaluation, evaluate
        from mlreport.report import write_report

        error: MlreportError | None = None
        try:
            evaluation = evaluate(inputs)
        except MlreportError as exc:
            # Training that failed (or wrote nothing) still gets a report with its output.
            error = exc
            evaluation = Evaluation(inputs, errors=[str(exc)])
        files = write_report(
            evaluation, output, template=template, title=title, run=result, pool=pool
        )
    _announce(files, evaluation, summary(evaluation, result))
    _export(openmetrics, evaluation)
    if publish_after:
        _publish(output, kwargs)  # a failure to publish (exit 3) outranks the outcome
    if result.exit_code != 0:
        return EXIT_FAILED
    if error is not None:
        return error.exit_code
    return EXIT_OK if evaluation.passed or not fail_on_gates else EXIT_FAILED
