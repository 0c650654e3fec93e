"""``--mlflow-log`` / ``--mlflow-run`` (render, run, publish): the report logged to an MLflow
run once it is written; and the checks, before any work, of the ``mlflow:`` specs given to
``--metrics`` and ``--baseline`` (in ``run``: before training starts)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mlreport.cli.options import apply
from mlreport.errors import MlreportError, UsageError

if TYPE_CHECKING:
    from mlreport.config import ReportInputs

mlflow_options = apply(
    click.option(
        "--mlflow-log",
        envvar="MLREPORT_MLFLOW_LOG",
        show_envvar=True,
        is_flag=True,
        help="Also log the report to an MLflow run (its files under mlreport/, and tags "
        "mlreport.status, mlreport.gates_failed...); the server is MLFLOW_TRACKING_URI.",
    ),
    click.option(
        "--mlflow-run",
        envvar=["MLREPORT_MLFLOW_RUN", "MLFLOW_RUN_ID"],
        show_envvar=True,
        metavar="RUN_ID",
        help="The MLflow run --mlflow-log logs to.",
    ),
)


def mlflow_target(kwargs: dict[str, Any], inputs: ReportInputs | None = None) -> str | None:
    """The run to log the report to (None: not asked). A malformed ``mlflow:`` spec in
    *inputs*, a missing run id or a missing MLflow client is an error here, before any work."""
    from mlreport.integrations import mlflow

    if inputs is not None:
        metrics = [path for path in inputs.metrics if mlflow.is_spec(path)]
        mlflow.check(metrics, "--metrics")
        if inputs.baseline and mlflow.is_spec(inputs.baseline):
            mlflow.check([inputs.baseline], "--baseline")
    if not kwargs.get("mlflow_log"):
        return None
    run_id = str(kwargs.get("mlflow_run") or "").strip()
    if not run_id:
        raise UsageError(
            "--mlflow-log: no run to log the report to",
            "pass --mlflow-run RUN_ID, or set MLFLOW_RUN_ID",
        )
    from mlreport.integrations.mlflow_client import require

    require("--mlflow-log")
    return run_id


def log_to_mlflow(directory: Path, run_id: str | None) -> MlreportError | None:
    """Log the report in *directory* to *run_id* (None: not asked). A failure is printed at
    once and returned, so that publishing still goes ahead; the caller raises it after, as
    Reported (the report is written: nothing is lost)."""
    if run_id is None:
        return None
    from mlreport.cli import error
    from mlreport.console import one_line
    from mlreport.integrations.mlflow_report import log_report

    try:
        logged = log_report(directory, run_id)
    except MlreportError as exc:
        error(str(exc))
        return exc
    click.echo(f"mlreport: {one_line(logged.describe())}")
    return None
