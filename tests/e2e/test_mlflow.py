"""MLflow (issue 13) through the CLI, against a real ``mlflow server`` on 127.0.0.1: a run's
metrics and params as inputs; a registered model's champion -- with the report and record
its run logged -- as a paired baseline, exactly as a git ref's record; a report logged to a
run and tagged with its outcome; and every fault as one line: malformed specs, unknown runs,
models, aliases and versions (exit 2), a server down or failing (exit 3), no client (exit 2).

The test extras install ``mlflow`` (the server); without it these tests are skipped, unless
``MLREPORT_REQUIRE_MLFLOW=1`` says they must run (then its absence fails them).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import CLI
from tests.e2e.mlflow_server import failing_server, free_port, mlflow_server
from tests.e2e.paired_data import NEW, A, N, baseline, load, reference, row, write_preds
from tests.helpers import one_error

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

if importlib.util.find_spec("mlflow") is None:
    if os.environ.get("MLREPORT_REQUIRE_MLFLOW") == "1":
        raise RuntimeError("MLREPORT_REQUIRE_MLFLOW=1, but mlflow is not installed")
    pytest.skip(
        "mlflow (the server) is not installed: pip install '.[test]'", allow_module_level=True
    )


@pytest.fixture(scope="session")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of one mlflow server for the whole session."""
    with mlflow_server(tmp_path_factory.mktemp("mlflow")) as url:
        yield url


@pytest.fixture
def client(tracking: str, monkeypatch: pytest.MonkeyPatch) -> MlflowClient:
    """A client of the server, which mlreport finds as MLflow does: MLFLOW_TRACKING_URI."""
    from mlflow.tracking import MlflowClient

    for name in [n for n in os.environ if n.startswith("MLFLOW_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking)
    return MlflowClient(tracking)


def new_run(
    client: MlflowClient,
    name: str = "train",
    metrics: dict[str, list[float]] | None = None,
    params: dict[str, str] | None = None,
) -> str:
    """A run in the default experiment, with each metric logged step by step."""
    run_id: str = client.create_run("0", run_name=name).info.run_id
    for metric, values in (metrics or {}).items():
        for step, value in enumerate(values):
            client.log_metric(run_id, metric, value, step=step)
    for param, text in (params or {}).items():
        client.log_param(run_id, param, text)
    return run_id


def register(client: MlflowClient, run_id: str, alias: str | None = None) -> tuple[str, str]:
    """A new registered model whose version 1 is *run_id*'s model: (name, version)."""
    name = f"model-{uuid.uuid4().hex[:8]}"
    client.create_registered_model(name)
    created = client.create_model_version(
        name, f"runs:/{run_id}/model", run_id, await_creation_for=0
    )
    version = str(created.version)
    if alias:
        client.set_registered_model_alias(name, alias, version)
    return name, version


def tags_of(client: MlflowClient, run_id: str) -> dict[str, str]:
    tags = client.get_run(run_id).data.tags
    return {k: v for k, v in tags.items() if k.startswith("mlreport.")}


def test_a_runs_metrics_and_params_are_inputs(
    client: MlflowClient, tracking: str, workdir: Path, cli: CLI
) -> None:
    old = new_run(client, "old", {"accuracy": [0.88]})
    logged = {
        "accuracy": [0.5, 0.91],
        "val_loss": [0.4],
        "system/cpu_utilization_percentage": [9.0],
    }
    run_id = new_run(client, "train", logged, {"lr": "0.01", "epochs": "5"})
    spec = f"mlflow:runs:/{run_id}"
    result = cli("render", "--metrics", spec, "-g", "accuracy >= 0.9", "-o", "out")
    assert result.code == 0, result.output
    report = load(workdir / "out")
    # the latest value of each metric; MLflow's system metrics are not the model's
    assert {m["name"]: m["value"] for m in report["metrics"]} == {"accuracy": 0.91, "val_loss": 0.4}
    assert row(report, "accuracy")["source"] == spec
    assert report["inputs"]["metrics"] == [spec]
    assert report["inputs"]["mlflow"] == {
        "runs": [
            {
                "spec": spec,
                "run_id": run_id,
                "run_name": "train",
                "experiment_id": "0",
                "tracking_uri": tracking,
                "model_version": "",
                "params": {"epochs": "5", "lr": "0.01"},
            }
        ],
        "baseline": None,
    }
    assert cli("check", "--metrics", spec, "-g", "accuracy >= 0.95").code == 1
    diffed = cli("diff", "--metrics", spec, "--baseline", f"mlflow:runs:/{old}", "--json")
    accuracy = next(r for r in json.loads(diffed.out) if r["name"] == "accuracy")
    assert accuracy["baseline"] == 0.88 and accuracy["delta"] == pytest.approx(0.03)


def test_the_champions_logged_report_is_a_paired_baseline(
    client: MlflowClient, tracking: str, workdir: Path, cli: CLI
) -> None:
    run_id = new_run(client, "main", params={"model": "A"})
    write_preds(workdir / "a.csv", A)
    logged = cli(
        "render", "-p", "a.csv", "--record", "all", "-o", "main", "-g", "accuracy >= 0.8",
        "--mlflow-log", "--mlflow-run", run_id,
    )  # fmt: skip
    assert logged.code == 0, logged.output
    assert f"mlreport: logged the report to MLflow run {run_id} (4 files under" in logged.out
    files = {f.path for f in client.list_artifacts(run_id, "mlreport")}
    shipped = {"report.md", "report.json", "record.npz", "confusion_matrix.png"}
    assert files == {f"mlreport/{name}" for name in shipped}
    assert tags_of(client, run_id) == {
        "mlreport.status": "pass",
        "mlreport.gates_failed": "0",
        "mlreport.gates_passed": "1",
        "mlreport.gates_skipped": "0",
    }
    name, version = register(client, run_id, alias="champion")
    write_preds(workdir / "new.csv", NEW)
    gate = "accuracy >= baseline - 0.01"
    spec = f"mlflow:models:/{name}@champion"
    result = cli(
        "render", "-p", "new.csv", "--baseline", spec, "-g", gate,
        "-g", f"{gate} with 95% confidence", "-o", "out",
    )  # fmt: skip
    assert result.code == 0, result.output
    report = load(workdir / "out")
    provenance = f"mlflow models:/{name}@champion (version {version}, run {run_id[:7]})"
    assert report["inputs"]["baseline"] == baseline("record", provenance, source=spec)
    assert report["inputs"]["mlflow"]["baseline"] == {
        "spec": spec,
        "run_id": run_id,
        "model": name,
        "alias": "champion",
        "version": version,
        "tracking_uri": tracking,
    }
    # every metric's baseline is the champion's report's, computed ones included; paired
    assert report["paired"] == {"by": "id", "examples": N, "total": N}
    accuracy = row(report, "accuracy")
    assert accuracy["baseline"] == 0.85 and accuracy["paired"] is True
    assert accuracy["p_value"] == pytest.approx(reference(A, NEW)["p"])
    assert report["gates"][1]["bound"] == pytest.approx(0.85 + reference(A, NEW)["low"])
    assert all(m["baseline"] is not None for m in report["metrics"])
    assert report["changes"]["fixed"] == 30 and report["changes"]["broken"] == 8
    markdown = (workdir / "out" / "report.md").read_text(encoding="utf-8")
    assert f"baseline {provenance}" in markdown.replace("&#8203;", "")  # @mention defused
    # the version itself, and the run: the same baseline
    by_version = cli("check", "-p", "new.csv", "-b", f"mlflow:models:/{name}/{version}", "-g", gate)
    assert by_version.code == 0, by_version.output
    by_run = cli("diff", "-p", "new.csv", "-b", f"mlflow:runs:/{run_id}", "--json")
    rows = json.loads(by_run.out)
    assert next(r for r in rows if r["name"] == "accuracy")["p_value"] == accuracy["p_value"]


def test_a_model_whose_run_logged_no_report_is_compared_on_its_metrics(
    client: MlflowClient, workdir: Path, cli: CLI
) -> None:
    run_id = new_run(client, "plain", {"accuracy": [0.7, 0.8]})
    name, version = register(client, run_id)
    write_preds(workdir / "new.csv", NEW)
    spec = f"mlflow:models:/{name}/{version}"
    result = cli("render", "-p", "new.csv", "-b", spec, "-g", "accuracy >= baseline + 0.1")
    assert result.code == 0, result.output
    report = load(workdir / "report")
    provenance = f"mlflow models:/{name}/{version} (run {run_id[:7]}; its logged metrics; no "
    provenance += "mlreport report)"
    assert report["inputs"]["baseline"] == baseline("mlflow", provenance, spec, outcomes=False)
    assert report["paired"] is None
    assert row(report, "accuracy")["baseline"] == 0.8
    assert row(report, "f1_macro")["baseline"] is None


def test_run_and_publish_log_the_report_and_its_outcome(
    client: MlflowClient, workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = new_run(client)
    monkeypatch.setenv("MLFLOW_RUN_ID", run_id)  # as `mlflow run` and CI jobs set it
    write_preds(workdir / "new.csv", NEW)
    script = "import shutil; shutil.copy('new.csv', 'preds.csv')"
    ran = cli(
        "run", "-p", "preds.csv", "-g", "accuracy >= 0.99", "-o", "out", "--mlflow-log",
        "--", sys.executable, "-c", script,
    )  # fmt: skip
    assert ran.code == 1, ran.output  # the gate failed; the report is logged all the same
    assert tags_of(client, run_id) == {
        "mlreport.status": "fail",
        "mlreport.gates_failed": "1",
        "mlreport.gates_passed": "0",
        "mlreport.gates_skipped": "0",
    }
    other = new_run(client, "publish")
    published = cli("publish", "out", "--platform", "local", "--mlflow-log", "--mlflow-run", other)
    assert published.code == 0, published.output
    assert list((workdir / "out" / "published").glob("comment-*.md"))
    assert tags_of(client, other)["mlreport.status"] == "fail"
    assert "mlreport/report.md" in {f.path for f in client.list_artifacts(other, "mlreport")}


def test_unknown_and_malformed_specs_are_one_line_errors(
    client: MlflowClient, tracking: str, workdir: Path, cli: CLI
) -> None:
    name, _ = register(client, new_run(client, "champ", {"accuracy": [0.8]}), alias="champion")
    write_preds(workdir / "new.csv", NEW)
    server = f"the MLflow tracking server {tracking}"
    registry = f"the MLflow registry at {tracking}"
    cases: list[tuple[list[str], str]] = [
        (["--metrics", "mlflow:runs:/0123abcd"], f"no run 0123abcd on {server}"),
        (["-b", f"mlflow:models:/{name}@nope"], f"{registry} has no model '{name}' with the alias"),
        (["-b", f"mlflow:models:/{name}/9"], f"{registry} has no version 9 of model '{name}'"),
        (["-b", "mlflow:models:/no-such-model@champion"], "has no model 'no-such-model'"),
        (["-b", "mlflow:models:/just-a-name"], "not an MLflow run or model version; write"),
        (["--metrics", "mlflow:experiments:/3"], "--metrics mlflow:experiments:/3: not an MLflow"),
        (["--mlflow-log"], "--mlflow-log: no run to log the report to; pass --mlflow-run"),
    ]
    for args, message in cases:
        result = cli("render", "-p", "new.csv", "-o", "out", *args)
        assert result.code == 2, (args, result.output)
        assert message in one_error(result), args
    optional = cli(
        "render", "-p", "new.csv", "-b", f"mlflow:models:/{name}@nope", "--baseline-optional"
    )
    assert optional.code == 0, optional.output
    assert (
        f"no baseline: mlflow:models:/{name}@nope: {registry}"
        in load(workdir / "report")["notes"][0]
    )
    unknown = cli(
        "render", "-p", "new.csv", "-o", "out2", "--mlflow-log", "--mlflow-run", "0123abcd"
    )
    assert unknown.code == 2 and f"--mlflow-log: no run 0123abcd on {server}" in one_error(unknown)
    assert (workdir / "out2" / "report.json").is_file()  # written before logging: nothing lost
    before_training = cli(
        "run", "-m", "mlflow:models:/x", "--", sys.executable, "-c", "open('ran', 'w')"
    )
    assert before_training.code == 2 and not (workdir / "ran").exists()


def _faults(tracking: str) -> Iterator[tuple[str, str]]:
    yield f"http://127.0.0.1:{free_port()}", "could not be reached"
    with failing_server(503) as url:
        yield url, "answered HTTP 503"


def test_a_server_down_or_failing_is_exit_3_and_the_report_is_kept(
    client: MlflowClient, tracking: str, workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    write_preds(workdir / "new.csv", NEW)
    for url, failure in _faults(tracking):
        monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
        read = cli("render", "-p", "new.csv", "-b", "mlflow:models:/m@champion", "-o", "out")
        assert read.code == 3, read.output
        assert f"the MLflow tracking server {url} {failure}" in one_error(read)
        logged = cli("render", "-p", "new.csv", "-o", "kept", "--mlflow-log", "--mlflow-run", "r1")
        assert logged.code == 3 and failure in one_error(logged)
        assert "Wrote kept/report.md" in logged.out and (workdir / "kept" / "report.md").is_file()


def test_credentials_never_show(
    client: MlflowClient, workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = ["mlreport-user-4242", "pa55-w0rd-9876", "uri-user-777", "uri-pass-888"]
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", secrets[0])
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", secrets[1])
    url = f"http://127.0.0.1:{free_port()}"  # down: the error names the server
    monkeypatch.setenv("MLFLOW_TRACKING_URI", url.replace("//", f"//{secrets[2]}:{secrets[3]}@"))
    names = ["USERNAME", "PASSWORD", "URI"]
    script = f"import os; print(*(os.environ['MLFLOW_TRACKING_' + n] for n in {names!r}))"
    result = cli(
        "run", "-m", "mlflow:runs:/0123abcd", "-o", "out", "--", sys.executable, "-c", script
    )
    assert result.code == 3, result.output
    assert f"the MLflow tracking server {url} could not be reached" in result.output
    assert "*** ***" in result.output  # the training command printed them: masked
    written = [p.read_text(errors="replace") for p in (workdir / "out").iterdir() if p.is_file()]
    assert "*** ***" in "".join(written)
    assert not any(secret in text for secret in secrets for text in [result.output, *written])


def test_without_the_client_an_mlflow_option_names_the_extra(
    workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mlflow", None)  # as if mlreport[mlflow] were not installed
    write_preds(workdir / "new.csv", NEW)
    extra = "needs the MLflow client, which is not installed; pip install 'mlreport[mlflow]'"
    cases: list[Any] = [
        ["-b", "mlflow:models:/m@champion"],
        ["--metrics", "mlflow:runs:/abc"],
        ["--mlflow-log", "--mlflow-run", "abc"],
    ]
    for args in cases:
        result = cli("render", "-p", "new.csv", *args)
        assert result.code == 2 and extra in one_error(result), args
