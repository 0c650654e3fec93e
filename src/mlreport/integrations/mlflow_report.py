"""An mlreport report as an MLflow run's artifacts: logged by ``--mlflow-log`` -- the report's
files under ``mlreport/``, and tags with its outcome -- and read back when that run is a
baseline (``mlreport/record.npz``, with every example's outcome, else ``report.json``).

Only the report's own files are logged, never anything else in its directory: report.md,
report.json, the charts report.md links to (inside the directory), and record.npz
(``--record``), changed.csv and report.html when they were written. The tags:
``mlreport.status`` (``pass``/``fail``), ``mlreport.gates_failed``, ``mlreport.gates_passed``
and ``mlreport.gates_skipped`` (numbers).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

from mlreport import REPORT_SCHEMAS
from mlreport.errors import InputError, UsageError
from mlreport.integrations.mlflow import ARTIFACTS
from mlreport.integrations.mlflow_client import Client, session
from mlreport.records import RECORD_FILE

if TYPE_CHECKING:
    from mlreport.inputs.outcomes import Outcomes
    from mlreport.inputs.report import LocalReport

Logged = tuple[dict[str, Any], "Outcomes | None", Literal["record", "report"]]
FILES = ("report.md", "report.json", RECORD_FILE, "changed.csv", "report.html")
TAG = "mlreport."


@dataclass(frozen=True)
class LoggedReport:
    run_id: str
    files: list[str]  # as logged, under ARTIFACTS/
    tags: dict[str, str]

    def describe(self) -> str:
        n = len(self.files)
        return (
            f"logged the report to MLflow run {self.run_id} ({n} file{'s' if n != 1 else ''} "
            f"under {ARTIFACTS}/; {TAG}status={self.tags[TAG + 'status']})"
        )


def log_report(directory: Path, run_id: str) -> LoggedReport:
    """Log the report in *directory* to MLflow run *run_id*, and tag the run with its outcome.
    An unknown run is a UsageError (exit 2); a server failure a TrackingError (exit 3)."""
    from mlreport.inputs.report import read_report

    report = read_report(directory)
    tags = {
        f"{TAG}status": report.status,
        f"{TAG}gates_failed": str(report.gates_failed),
        f"{TAG}gates_passed": str(_passed(directory / "report.json")),
        f"{TAG}gates_skipped": str(report.gates_skipped),
    }
    with session("--mlflow-log") as client, tempfile.TemporaryDirectory() as staging:
        client.call(
            client.raw.get_run,
            run_id,
            missing=UsageError(
                f"--mlflow-log: no run {run_id} on the MLflow tracking server {client.uri}",
                "pass the id of an existing run (--mlflow-run, or MLFLOW_RUN_ID)",
            ),
        )
        files = _stage(report, Path(staging))
        client.call(client.raw.log_artifacts, run_id, staging, ARTIFACTS)
        from mlflow.entities import RunTag

        client.call(client.raw.log_batch, run_id, tags=[RunTag(k, v) for k, v in tags.items()])
    return LoggedReport(run_id, files, tags)


def _passed(document: Path) -> int:
    if not document.is_file():
        return 0
    gates = json.loads(document.read_text(encoding="utf-8")).get("gates") or []
    return sum(1 for gate in gates if isinstance(gate, dict) and gate.get("status") == "pass")


def _stage(report: LocalReport, staging: Path) -> list[str]:
    """Copy the report's files into *staging*, as they are laid out in its directory."""
    staged = []
    for name in FILES:
        if (report.directory / name).is_file():
            shutil.copyfile(report.directory / name, staging / name)
            staged.append(name)
    for image in report.images:  # only images inside the directory (read_report checks)
        name = PurePosixPath(unquote(image.path)).as_posix()
        target = (staging / name).resolve()
        if target.is_relative_to(staging.resolve()) and name not in staged:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(image.data)
            staged.append(name)
    return staged


def logged_report(client: Client, run_id: str) -> tuple[Logged | None, str]:
    """The mlreport report run *run_id* logged -- from its record.npz, with the outcomes, else
    its report.json -- and what it came from; or None and why (a note; "" when it logged
    none)."""
    from mlflow.exceptions import MlflowException

    from mlreport.inputs._files import read_text
    from mlreport.inputs.outcomes import Unreadable, unpack
    from mlreport.inputs.structured import parse_json

    where = f"the mlreport report of run {run_id[:7]}"
    note = ""
    try:
        names = {PurePosixPath(f.path).name for f in client.raw.list_artifacts(run_id, ARTIFACTS)}
        with tempfile.TemporaryDirectory() as folder:
            if RECORD_FILE in names:
                data = _download(client, run_id, RECORD_FILE, folder).read_bytes()
                try:
                    report, outcomes, _ = unpack(data)
                except Unreadable as exc:
                    note = f"{where}: {ARTIFACTS}/{RECORD_FILE} is unusable: {exc}"
                else:
                    return (report, outcomes, "record"), ""
            if "report.json" in names:
                path = _download(client, run_id, "report.json", folder)
                document = parse_json(read_text(path, "report.json"), path)
                if isinstance(document, dict) and document.get("schema") in REPORT_SCHEMAS:
                    return (document, None, "report"), note
                note = note or f"{where}: {ARTIFACTS}/report.json is not an mlreport report"
    except MlflowException as exc:
        return None, f"{where} was not read: {client.error(exc).message}"
    except (InputError, OSError) as exc:
        return None, f"{where} was not read: {exc}"
    return None, note


def _download(client: Client, run_id: str, name: str, folder: str) -> Path:
    return Path(client.raw.download_artifacts(run_id, f"{ARTIFACTS}/{name}", folder))
