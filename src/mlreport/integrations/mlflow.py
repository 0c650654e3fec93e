"""MLflow runs and registered models as inputs: ``--metrics mlflow:runs:/<run_id>`` (the
latest value of each of the run's metrics; its params kept beside them), and ``--baseline
mlflow:models:/<name>@<alias>`` or ``mlflow:models:/<name>/<version>`` (the model version's
run: the mlreport report it logged -- record.npz with every example's outcome, else
report.json -- as a git ref's record is used, else its logged metrics). Either form is
accepted by either option. A report logged to a run, and read back, is :mod:`.mlflow_report`.

The server and the client are :mod:`.mlflow_client`'s. Errors are one line: a malformed
spec, an unknown run, model, alias or version exit 2 (an unknown baseline is a
BaselineNotFound: ``--baseline-optional`` makes it a note); a server that cannot be reached,
fails or refuses the credentials is a TrackingError (exit 3).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from mlreport.errors import BaselineNotFound, InputError, MlreportError, UsageError
from mlreport.integrations.mlflow_client import Client, require, session

if TYPE_CHECKING:
    from mlreport.inputs.baseline import Baseline
    from mlreport.inputs.metrics import Metrics

SCHEME = "mlflow:"
ARTIFACTS = "mlreport"  # the folder of a run's artifacts that holds its mlreport report
FORMS = "mlflow:runs:/<run_id>, mlflow:models:/<name>@<alias> or mlflow:models:/<name>/<version>"
SYSTEM = "system/"  # MLflow's system metrics (CPU, memory, GPU): not the model's
_RUN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


@dataclass(frozen=True)
class Spec:
    """``mlflow:runs:/<run_id>``, ``mlflow:models:/<name>@<alias>`` or ``…/<name>/<version>``."""

    text: str
    run_id: str = ""
    model: str = ""
    alias: str = ""
    version: str = ""


@dataclass(frozen=True)
class Run:
    """An MLflow run read as an input: the latest value of each metric, and its params."""

    spec: str
    run_id: str
    run_name: str
    experiment_id: str
    tracking_uri: str
    model_version: str = ""  # a models:/ spec: the version it named
    metrics: Metrics = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)


def is_spec(value: object) -> bool:
    return str(value).startswith(SCHEME)


def parse(value: object, option: str) -> Spec:
    """The spec *value* names (a UsageError when it is malformed)."""
    text = str(value)
    rest = text.removeprefix(SCHEME)
    if rest.startswith("runs:/"):
        run_id = rest.removeprefix("runs:/").strip("/")
        if _RUN_ID.fullmatch(run_id):
            return Spec(text, run_id=run_id)
    elif rest.startswith("models:/"):
        name = rest.removeprefix("models:/")
        model, at, alias = name.rpartition("@")
        if at and model and alias and "/" not in alias:
            return Spec(text, model=model, alias=alias)
        model, _, version = name.rpartition("/")
        if model and version.isdigit():
            return Spec(text, model=model, version=version)
    raise UsageError(f"{option} {text}: not an MLflow run or model version", f"write {FORMS}")


def check(values: Sequence[object], option: str) -> None:
    """Before any work: *values*' specs are well formed and the client can be imported."""
    for value in values:
        parse(value, option)
    if values:
        require(f"{option} {values[0]}")


def _resolve(client: Client, spec: Spec, missing: Callable[[str, str], MlreportError]) -> Run:
    """The run *spec* names (a model version's: the run it was logged from)."""
    version, run_id = spec.version, spec.run_id
    if spec.model:
        registry = f"the MLflow registry at {client.uri}"
        if spec.alias:
            found = client.call(
                client.raw.get_model_version_by_alias,
                spec.model,
                spec.alias,
                missing=missing(
                    f"{registry} has no model '{spec.model}' with the alias '{spec.alias}'",
                    "check the model's name and aliases in MLflow",
                ),
            )
        else:
            found = client.call(
                client.raw.get_model_version,
                spec.model,
                spec.version,
                missing=missing(
                    f"{registry} has no version {spec.version} of model '{spec.model}'",
                    "check the model's name and versions in MLflow",
                ),
            )
        version, run_id = str(found.version), found.run_id or ""
        if not run_id:
            raise missing(f"version {version} of model '{spec.model}' has no run", "")
    run = client.call(
        client.raw.get_run,
        run_id,
        missing=missing(
            f"no run {run_id} on the MLflow tracking server {client.uri}",
            "check the run id, and MLFLOW_TRACKING_URI",
        ),
    )
    metrics: Metrics = {
        name: float(value)
        for name, value in sorted(run.data.metrics.items())
        if not name.startswith(SYSTEM)
    }
    return Run(
        spec.text,
        run.info.run_id,
        run.info.run_name or "",
        str(run.info.experiment_id),
        client.uri,
        version,
        metrics,
        {str(k): str(v) for k, v in sorted(run.data.params.items())},
    )


def read_run(value: object) -> Run:
    """``--metrics mlflow:…``: the run's metrics and params (an InputError when unknown)."""
    spec = parse(value, "--metrics")
    with session(f"--metrics {spec.text}") as client:
        return _resolve(client, spec, lambda m, h: InputError(spec.text, m, h or None))


def baseline_of(value: object) -> Baseline:
    """``--baseline mlflow:…``: the model version's run, its mlreport report when it logged one
    (metrics, intervals, and outcomes to pair with), else its logged metrics."""
    from mlreport.inputs.baseline import Baseline, level_of, report_rows
    from mlreport.integrations.mlflow_report import logged_report

    spec = parse(value, "--baseline")
    optional = "--baseline-optional: a note instead of this error"

    def missing(message: str, hint: str) -> MlreportError:
        return BaselineNotFound(spec.text, message, f"{hint}; {optional}" if hint else optional)

    with session(f"--baseline {spec.text}") as client:
        run = _resolve(client, spec, missing)
        logged, note = logged_report(client, run.run_id)
    ids = [f"version {run.model_version}"] if spec.alias else []
    ids += [f"run {run.run_id[:7]}"] if spec.model else []
    origin = {"spec": spec.text, "run_id": run.run_id, "model": spec.model, "alias": spec.alias}
    origin |= {"version": run.model_version, "tracking_uri": run.tracking_uri}
    notes = (note,) if note else ()
    if logged is not None:
        report, outcomes, kind = logged
        try:
            metrics, intervals = report_rows(report, f"{spec.text} ({ARTIFACTS}/report.json)")
        except InputError as exc:
            notes, logged = (*notes, f"the mlreport report of {spec.text} is unusable: {exc}"), None
    if logged is not None:
        kept = ["metrics only"] if outcomes is None else []
        return Baseline(
            spec.text,
            kind,
            {**run.metrics, **metrics},
            intervals,
            outcomes,
            _provenance(spec, ids, kept),
            notes,
            level_of(report),
            mlflow=origin,
        )
    if not run.metrics:
        raise missing(
            f"run {run.run_id} logged no metrics and no mlreport report",
            "log one with mlreport render --record all --mlflow-log",
        )
    kept = ["its logged metrics; no mlreport report"]
    line = _provenance(spec, ids, kept)
    return Baseline(spec.text, "mlflow", run.metrics, provenance=line, notes=notes, mlflow=origin)


def _provenance(spec: Spec, ids: list[str], kept: list[str]) -> str:
    """``mlflow models:/churn@champion (version 3, run 1a2b3c4; metrics only)``."""
    inside = "; ".join(part for part in (", ".join(ids), *kept) if part)
    return f"mlflow {spec.text.removeprefix(SCHEME)}" + (f" ({inside})" if inside else "")


def provenance(runs: Sequence[Run], baseline: Baseline | None) -> dict[str, Any] | None:
    """report.json's ``inputs.mlflow``: the runs read as metrics (with their params), and the
    model version and run of the baseline; None when MLflow was not used."""
    origin = baseline.mlflow if baseline is not None else None
    if not runs and origin is None:
        return None
    described = [{k: v for k, v in asdict(r).items() if k != "metrics"} for r in runs]
    return {"runs": described, "baseline": origin}
