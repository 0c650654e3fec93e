"""Files named by URL for every file option: S3 (moto in server mode, through s3fs as a user
has it) and HTTP (a local server) — read as local files, named by their URL, with one-line
errors for what goes wrong."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import CLI
from tests.helpers import write_classification

pytest.importorskip("s3fs", reason="the [s3] extra (s3fs) is a test dependency")


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """A bucket ``models`` with a project's files, and the environment pointing at it the
    standard way (AWS_ENDPOINT_URL_S3, keys in the environment)."""
    import boto3

    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing-secret-key",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_S3": s3_endpoint,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    bucket = f"models-{time.monotonic_ns()}"
    client.create_bucket(Bucket=bucket)
    files = tmp_path / "src"
    files.mkdir()
    write_classification(files / "preds.csv", n=400, k=3)
    (files / "metrics.json").write_text(json.dumps({"epochs": 5, "val_loss": 0.3}))
    (files / "base.json").write_text(json.dumps({"accuracy": 0.5, "val_loss": 0.4}))
    (files / "gates.yml").write_text("gates:\n  - accuracy >= baseline\n")
    for name, seed in (("train.csv", 1), ("new.csv", 2)):
        rng = np.random.default_rng(seed)
        rows = "".join(
            f"{x:.6f},{'pq'[k]}\n"
            for x, k in zip(rng.normal(size=300), rng.integers(0, 2, 300), strict=True)
        )
        (files / name).write_text("a,b\n" + rows)
    for path in files.iterdir():
        client.upload_file(str(path), bucket, f"main/{path.name}")
    return bucket


def test_every_file_option_reads_from_s3(s3: str, cli: CLI, workdir: Path) -> None:
    url = f"s3://{s3}/main"
    result = cli(
        "render", "-m", f"{url}/metrics.json", "-p", f"{url}/preds.csv",
        "--baseline", f"{url}/base.json", "--gates", f"{url}/gates.yml",
        "--reference-data", f"{url}/train.csv", "--data", f"{url}/new.csv", "--drift-share", "1",
        "-o", "out",
    )  # fmt: skip
    assert result.code == 0, result.output
    report = json.loads((workdir / "out" / "report.json").read_text())
    assert report["inputs"]["metrics"] == [f"{url}/metrics.json"]  # the URL, not a copy's path
    assert report["inputs"]["predictions"] == f"{url}/preds.csv"
    assert report["inputs"]["baseline"]["source"] == f"{url}/base.json"
    assert report["data"]["current"] == f"{url}/new.csv"
    assert report["data"]["reference"] == f"{url}/train.csv"
    (gate,) = report["gates"]
    assert gate["status"] == "pass" and gate["baseline"] == 0.5
    md = (workdir / "out" / "report.md").read_text()
    assert f"{url}/preds.csv" in md and "mlreport-remote-" not in md


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("main/nope.json", "metrics not found (no such bucket or key)"),
        ("NOBUCKET", "metrics not found (no such bucket or key)"),
    ],
)
def test_a_missing_key_or_bucket_is_one_line_exit_2(
    s3: str, cli: CLI, workdir: Path, path: str, message: str
) -> None:
    url = f"s3://no-such-bucket-{s3}/x.json" if path == "NOBUCKET" else f"s3://{s3}/{path}"
    result = cli("render", "-m", url, "-o", "out")
    assert result.code == 2, result.output
    assert result.err.strip() == f"mlreport: error: {url}: {message}"


def test_a_url_baseline_gets_no_git_advice(s3: str, cli: CLI, workdir: Path) -> None:
    result = cli("diff", "-m", f"s3://{s3}/main/metrics.json", "--baseline", f"s3://{s3}/gone.json")
    assert result.code == 2, result.output
    assert "git" not in result.err and "not found (no such bucket or key)" in result.err


def test_secrets_in_the_environment_stay_out(s3: str, cli: CLI, workdir: Path) -> None:
    result = cli("render", "-p", f"s3://{s3}/main/preds.csv", "-o", "out")
    assert result.code == 0, result.output
    text = result.output + (workdir / "out" / "report.json").read_text()
    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in text


class Files(BaseHTTPRequestHandler):
    """/ok/<name>: a file; /denied/...: 403; /slow/...: answers after 3 s; else 404."""

    root: Path

    def do_GET(self) -> None:
        if self.path.startswith("/slow/"):
            time.sleep(3)
        if self.path.startswith("/denied/"):
            self.send_response(403)
            self.end_headers()
            return
        name = self.path.split("?")[0].rsplit("/", 1)[-1]
        target = self.root / name
        if not self.path.startswith(("/ok/", "/slow/")) or not target.is_file():
            self.send_response(404)
            self.end_headers()
            return
        data = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_files(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "served"
    root.mkdir()
    write_classification(root / "preds.csv", n=200, k=2)
    (root / "t.md.j2").write_text("# {{ report.title }} from a URL\n")
    handler = type("Handler", (Files,), {"root": root})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_https_and_http_files_and_templates(http_files: str, cli: CLI, workdir: Path) -> None:
    result = cli(
        "render", "-p", f"{http_files}/ok/preds.csv?X-Amz-Signature=abc123",
        "--template", f"{http_files}/ok/t.md.j2", "-o", "out",
    )  # fmt: skip
    assert result.code == 0, result.output
    assert (workdir / "out" / "report.md").read_text().startswith("# ML report from a URL")
    report = json.loads((workdir / "out" / "report.json").read_text())
    assert report["inputs"]["predictions"] == f"{http_files}/ok/preds.csv"  # no signature


@pytest.mark.parametrize(
    ("path", "code", "message"),
    [
        ("/missing/preds.csv", 2, "predictions not found (HTTP 404)"),
        ("/denied/preds.csv", 2, "access denied (HTTP 403)"),
        ("/slow/preds.csv", 3, "timed out"),
    ],
)
def test_http_errors_are_one_line(
    http_files: str,
    cli: CLI,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    code: int,
    message: str,
) -> None:
    monkeypatch.setenv("MLREPORT_REMOTE_TIMEOUT", "1")
    result = cli("render", "-p", f"{http_files}{path}", "-o", "out")
    assert result.code == code, result.output
    assert len(result.err.strip().splitlines()) == 1 and message in result.err


def test_an_unreachable_server_is_a_platform_error(cli: CLI, workdir: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli("render", "-p", f"http://127.0.0.1:{port}/preds.csv", "-o", "out")
    assert result.code == 3, result.output
    assert "cannot be reached" in result.err


def test_without_the_extra_the_error_names_it(workdir: Path) -> None:
    code = (
        "import sys; sys.modules['fsspec'] = None\n"
        "from mlreport.cli import main\n"
        "raise SystemExit(main(['render', '-m', 's3://bucket/m.json']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=workdir)
    assert done.returncode == 2, done.stderr
    assert "s3:// needs the [s3] extra; pip install 'mlreport[s3]'" in done.stderr
