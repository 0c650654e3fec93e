"""``mlreport render`` and ``mlreport run``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mlreport.cli._output import print_outcome
from mlreport.cli.mlflow import log_to_mlflow, mlflow_target
from mlreport.cli.options import OUTPUT, build_inputs, build_output_options, input_options, option
from mlreport.cli.publish import build_publish_options, publish_options
from mlreport.cli.types import FILE, FILES, Duration, Files
from mlreport.console import one_line
from mlreport.errors import EXIT_FAILED, EXIT_OK, MlreportError, Reported, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mlreport.config import OutputOptions
    from mlreport.evaluation import Evaluation
    from mlreport.live import LiveReport
    from mlreport.platforms.context import PublishOptions
    from mlreport.report.write import ReportFiles

output_options = [
    option(
        "--history",
        env="HISTORY",
        type=Files(path_type=Path),
        multiple=True,
        help="Training history (CSV, TSV or JSON Lines, one row per epoch or step), or a "
        "folder of them (DVCLive's dvclive/plots/metrics); repeat for several.",
    ),
    option(
        "--output",
        "-o",
        env="OUTPUT",
        type=click.Path(path_type=Path, file_okay=False),
        default=OUTPUT.directory,
        show_default=True,
        help="Report directory.",
    ),
    option(
        "--template",
        env="TEMPLATE",
        type=FILE,
        help="Jinja template for report.md (runs sandboxed; see README).",
    ),
    option("--title", env="TITLE", default=OUTPUT.title, show_default=True, help="Report title."),
    option(
        "--fail-on-gates/--no-fail-on-gates",
        env="FAIL_ON_GATES",
        default=OUTPUT.fail_on_gates,
        show_default=True,
        help="Exit 1 when a gate or sanity check fails (a failed `run` command always does).",
    ),
    option(
        "--attach",
        env="ATTACH",
        type=FILES,
        multiple=True,
        help="An image (PNG, JPEG, GIF, SVG) or a Markdown file to add to the report, uploaded "
        "with the charts; repeatable.",
    ),
    option(
        "--openmetrics",
        env="OPENMETRICS",
        type=click.Path(path_type=Path, dir_okay=False),  # written: a path, never a URL
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


def _publishing(kwargs: dict[str, Any]) -> tuple[PublishOptions, bool]:
    """The publish options (they also say where records are), and whether to publish: a bad
    one fails before any work."""
    return build_publish_options(kwargs), bool(kwargs["publish_after"])


def _finish(
    files: ReportFiles,
    evaluation: Evaluation,
    output: OutputOptions,
    publishing: tuple[PublishOptions, bool],
    mlflow_run: str | None = None,
) -> None:
    """Say what was written, keep the record (when this report is recorded), export
    OpenMetrics, log it to MLflow, then publish (a failure of either, exit 3, outranks the
    outcome)."""
    import os

    from mlreport.recording import write_record

    options, publish_after = publishing
    write_record(output.directory, evaluation, options, os.environ)
    charts = len(files.images)
    click.echo(
        f"Wrote {one_line(files.markdown)} ({charts} chart{'s' if charts != 1 else ''}) and "
        f"{files.json.name}"
    )
    print_outcome(evaluation, files.summary, status=files.status)
    if output.openmetrics is not None:
        from mlreport.report.openmetrics import write_openmetrics

        for note in write_openmetrics(output.openmetrics, evaluation.metrics):
            click.echo(f"mlreport: note: {one_line(note)}", err=True)
    logged = log_to_mlflow(output.directory, mlflow_run)
    if publish_after:
        from mlreport.publish import publish

        publish(output.directory, options, os.environ)
    if logged is not None:
        raise Reported(logged)


@click.command()
@_with_output_options
def render(**kwargs: Any) -> int:
    """Evaluate metrics and predictions and write a Markdown report with charts.

    Writes OUTPUT/report.md, its PNG charts and OUTPUT/report.json. Exits 1 when a gate or
    sanity check fails (the report is written all the same).
    """
    from mlreport.charts.pool import chart_pool

    inputs = build_inputs(kwargs)
    output = build_output_options(kwargs)
    publishing = _publishing(kwargs)
    mlflow_run = mlflow_target(kwargs, inputs)
    if not (
        inputs.metrics or inputs.predictions or inputs.history or inputs.plots or inputs.data.wanted
    ):
        raise UsageError("nothing to report", "pass --metrics, --predictions, --history or --data")
    with chart_pool() as pool:  # forked before NumPy loads; drawing starts when data is ready
        from mlreport.evaluation import evaluate
        from mlreport.report.write import write_report

        evaluation = evaluate(inputs, lookup=publishing[0])
        files = write_report(evaluation, output, pool=pool)
    _finish(files, evaluation, output, publishing, mlflow_run)
    return EXIT_OK if evaluation.passed or not output.fail_on_gates else EXIT_FAILED


@click.command(context_settings={"allow_interspersed_args": False})
@_with_output_options
@option(
    "--live",
    env="LIVE",
    type=Duration(longest=86400),
    metavar="INTERVAL",
    help="With --publish: while the command runs, update the comment at most every INTERVAL "
    "(e.g. 5m) with its elapsed time, history chart so far and last output lines.",
)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run(command: tuple[str, ...], **kwargs: Any) -> int:
    """Run COMMAND (e.g. training), then render the report of what it wrote.

    Put mlreport's options first, then the command: mlreport run -o report
    --metrics metrics.json -- python train.py. A failing command makes the run exit 1, and
    the report (with the command's output) is still written.
    """

    from mlreport import runcmd
    from mlreport.charts.pool import chart_pool
    from mlreport.gates import parse_gates

    inputs = build_inputs(kwargs)
    output = build_output_options(kwargs)
    gates = parse_gates(inputs)  # a malformed gate is reported before training, not after
    publishing = _publishing(kwargs)
    mlflow_run = mlflow_target(kwargs, inputs)  # a bad mlflow: spec fails before training too
    here = _cwd()
    live = _live(kwargs, publishing, command, inputs.history)
    try:
        result = runcmd.run_command(command, tick=live.tick if live else None)
    finally:
        if live is not None:
            live.close()  # the update in flight ends before the final report is published
    if result.error:
        click.echo(f"mlreport: {one_line(result.error)}", err=True)
    with runcmd.shielded(), chart_pool() as pool:  # the report is written, whatever comes
        from mlreport.evaluation import Evaluation, evaluate
        from mlreport.report.write import write_report

        moved = runcmd.working_directory_back(here)
        error: MlreportError | None = None
        try:
            evaluation = evaluate(inputs, gates, lookup=publishing[0])
        except MlreportError as exc:
            # Training that failed (or wrote nothing) still gets a report with its output.
            error = exc
            evaluation = Evaluation(inputs, errors=[str(exc)])
        if moved:
            evaluation.errors.insert(0, moved)
        files = write_report(evaluation, output, run=result, pool=pool)
        _finish(files, evaluation, output, publishing, mlflow_run)
    if result.exit_code != 0:
        return EXIT_FAILED
    if error is not None:
        raise Reported(error)
    return EXIT_OK if evaluation.passed or not output.fail_on_gates else EXIT_FAILED


def _live(
    kwargs: dict[str, Any],
    publishing: tuple[PublishOptions, bool],
    command: tuple[str, ...],
    history: Sequence[Path],
) -> LiveReport | None:
    if kwargs.get("live") is None:
        return None
    if not publishing[1]:
        raise UsageError("--live updates the published comment", "add --publish")
    if kwargs["live"] < 1:
        raise UsageError("--live INTERVAL must be at least 1s", "e.g. --live 5m")
    if publishing[0].platform == "local":
        raise UsageError("--live updates a comment on GitHub or GitLab", "drop --platform local")
    if publishing[0].mode == "new" or publishing[0].dry_run:
        flag = "--mode new" if publishing[0].mode == "new" else "--dry-run"
        raise UsageError(
            f"--live edits the report's comment, which {flag} does not", f"drop {flag}"
        )
    import os
    import tempfile

    from mlreport.live import LiveReport

    folder = Path(tempfile.mkdtemp(prefix="mlreport-live-"))
    return LiveReport(kwargs["live"], folder, publishing[0], os.environ, command, history)


def _cwd() -> str:
    import os

    try:
        return os.getcwd()
    except FileNotFoundError:
        raise UsageError(
            "the working directory does not exist (it was removed)", "cd to a directory"
        ) from None
