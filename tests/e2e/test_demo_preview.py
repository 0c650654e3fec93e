"""`mlreport demo` (the README's first command) and `mlreport preview`."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import CLI
from tests.helpers import write_classification


def test_demo_trains_reports_and_previews(workdir: Path, cli: CLI) -> None:
    result = cli("demo")
    assert result.code == 0, result.output
    out = workdir / "mlreport-demo"
    assert "Trained an MLP on scikit-learn's digits (1,257 train / 540 test images)" in result.out
    assert "PASS: all 4 gates and 4 sanity checks passed" in result.out
    assert f"Open {Path('mlreport-demo') / 'report.html'} in a browser" in result.out
    for name in (
        "report.md",
        "report.json",
        "report.html",
        "confusion_matrix.png",
        "curves.png",
        "history.png",
        "data/metrics.json",
        "data/predictions.csv",
        "data/history.csv",
        "data/baseline.json",
    ):
        assert (out / name).is_file(), name
    report = json.loads((out / "report.json").read_text())
    assert report["status"] == "pass"
    assert all(g["status"] == "pass" for g in report["gates"])
    changes = {m["change"] for m in report["metrics"]}
    assert {"better", "worse", "same"} <= changes  # the bundled baseline shows a real diff
    assert report["slices"][0]["column"] == "ink"
    assert report["history"]["steps"] == 30


def test_demo_to_another_directory(workdir: Path, cli: CLI) -> None:
    assert cli("demo", "-o", "elsewhere/demo").code == 0
    assert (workdir / "elsewhere/demo/report.html").is_file()


def test_preview_looks_like_github(workdir: Path, cli: CLI) -> None:
    write_classification(workdir / "p.csv", labels=["<b>cat</b>", "dog|x", "`emu`"])
    assert cli("render", "-p", "p.csv", "-g", "accuracy >= 0.5", "-o", "out").code == 0
    result = cli("preview", "out")
    assert result.code == 0
    assert result.out == f"Wrote {Path('out/report.html')}\n"
    page = (workdir / "out" / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert '<article class="page markdown-body">' in page
    assert ".markdown-body {" in page  # github-markdown-css is inlined
    assert "<table>" in page and "<details open>" in page and "<summary>" in page
    images = re.findall(r'<img src="([^"]+)"', page)
    assert images == ["confusion_matrix.png", "curves.png"]
    assert all((workdir / "out" / src).is_file() for src in images)
    assert "<b>cat</b>" not in page and "&lt;b&gt;cat&lt;/b&gt;" in page


def test_preview_of_a_file_to_a_chosen_path(workdir: Path, cli: CLI) -> None:
    (workdir / "r.md").write_text("# Title\n\n<script>alert(1)</script>\n")
    assert cli("preview", "r.md", "-o", "page.html").code == 0
    page = (workdir / "page.html").read_text()
    assert "<h1>Title</h1>" in page
    assert "<script>alert" not in page  # GitHub's tag filter applies


def test_preview_of_a_directory_without_report(workdir: Path, cli: CLI) -> None:
    (workdir / "empty").mkdir()
    result = cli("preview", "empty")
    assert result.code == 2
    assert (
        result.err
        == "mlreport: error: empty: has no report.md; run mlreport render (or run) first\n"
    )
