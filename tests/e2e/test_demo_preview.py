"""`mlreport demo` (the README's first command) and `mlreport preview`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import CLI
from tests.helpers import write_classification, write_json


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
        "data/baseline_predictions.csv",
        "changed.csv",
    ):
        assert (out / name).is_file(), name
    report = json.loads((out / "report.json").read_text())
    assert report["status"] == "pass"
    assert all(g["status"] == "pass" for g in report["gates"])
    changes = {m["change"] for m in report["metrics"]}
    # main's model (fewer epochs) paired example by example: a real diff, and noise called so
    assert {"better", "noise", "same"} <= changes
    assert report["paired"] == {"by": "id", "examples": 540, "total": 540}
    accuracy = next(m for m in report["metrics"] if m["name"] == "accuracy")
    assert accuracy["paired"] and accuracy["ci_low"] < accuracy["value"] < accuracy["ci_high"]
    assert report["changes"]["fixed"] + report["changes"]["broken"] > 0
    markdown = (out / "report.md").read_text()
    assert "### Changed predictions" in markdown and "≈ within noise" in markdown
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
    assert "<table>" in page and '<details open="">' in page and "<summary>" in page
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


def preview_body(workdir: Path, cli: CLI, markdown: str) -> str:
    """``mlreport preview`` of *markdown*: the rendered report, inside the page's <article>."""
    (workdir / "r.md").write_text(markdown)
    result = cli("preview", "r.md", "-o", "page.html")
    assert result.code == 0, result.output
    page = (workdir / "page.html").read_text()
    return page.split('<article class="page markdown-body">', 1)[1].split("</article>", 1)[0]


# What GitHub strips, and a pattern that must not be left of it (cmark-gfm's tag filter
# already disarmed <script>, <style>, <iframe>, <textarea> and the like; the rest is the
# sanitizer's).
STRIPPED = [
    ('<img src="chart.png" onerror="alert(1)">', r"onerror|alert"),
    ('<a href="javascript:alert(1)">a</a>', r"javascript|alert"),
    ("[a](javascript:alert(1)) ![b](javascript:alert(2))", r"javascript|alert"),
    ('<a href="JaVaScRiPt:alert(1)">a</a>', r"(?i)javascript|alert"),
    ('<a href="&#106;avascript:alert(1)">a</a>', r"avascript|alert"),
    ('<a href="java&#x09;script:alert(1)">a</a>', r"script|alert"),
    ('<a href=" vbscript:msgbox(1)">a</a>', r"vbscript|msgbox"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>', r"data:|base64"),
    ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', r"data:|base64"),
    ('<img src="javascript:alert(1)"> <img src="mailto:a@example.com">', r"javascript|mailto"),
    ('<img src="chart.png" srcset="https://evil.example/x.png 2x">', r"srcset|evil"),
    ('<script>alert(1)</script> <SCRIPT SRC="https://evil.example/x.js"></SCRIPT>', r"(?i)<script"),
    ('<iframe src="https://evil.example/"></iframe>', r"(?i)<iframe"),
    ("<style>body { display: none }</style>", r"(?i)<style"),
    ('<svg onload="alert(1)"><circle r="1"/></svg>', r"(?i)<svg|onload|<circle"),
    ('<math><mtext><a href="javascript:alert(1)">m</a></mtext></math>', r"<math|javascript"),
    ('<object data="evil.swf"></object><embed src="evil.swf">', r"<object|<embed|evil"),
    ('<video src="x.mp4" autoplay></video><audio src="x.mp3"></audio>', r"<video|<audio"),
    (
        '<form action="https://evil.example/"><input name="q" onfocus="alert(1)" autofocus>'
        '<button formaction="javascript:alert(1)">go</button></form>',
        r"<form|onfocus|autofocus|<button|formaction|alert",
    ),
    ('<p style="position: fixed; top: 0">s</p>', r"style|position"),
    ('<div onclick="alert(1)" onmouseover="alert(1)">d</div>', r"onclick|onmouseover|alert"),
    ('<a href="https://example.com/" onclick="alert(1)">ok</a>', r"onclick|alert"),
    ('<details open ontoggle="alert(1)"><summary>s</summary>d</details>', r"ontoggle|alert"),
    ('<div class="js-login" id="login" data-x="1">c</div>', r"class=|id=|data-x"),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', r"<meta|evil"),
    ('<link rel="stylesheet" href="https://evil.example/x.css">', r"<link|evil"),
    ('<base href="https://evil.example/">', r"<base|evil"),
    ("<!-- <img src=x onerror=alert(1)> -->", r"<!--|onerror"),
]


@pytest.mark.parametrize(("markdown", "forbidden"), STRIPPED)
def test_preview_strips_what_github_strips(
    workdir: Path, cli: CLI, markdown: str, forbidden: str
) -> None:
    body = preview_body(workdir, cli, f"# Report\n\n{markdown}\n")
    assert "<h1>Report</h1>" in body
    assert not re.search(forbidden, body), body


def test_preview_keeps_what_github_keeps(workdir: Path, cli: CLI) -> None:
    body = preview_body(
        workdir,
        cli,
        "## Title\n\n"
        "<details open><summary>More</summary>\n\n"
        "H<sub>2</sub>O, x<sup>2</sup>, <kbd>Ctrl</kbd><br>\n\n</details>\n\n"
        "| a | b |\n|:--|--:|\n| `x` | 2 |\n\n"
        '![chart](chart.png) <img src="img/curves.png" alt="curves" width="400">\n\n'
        "```python\nprint(1)\n```\n\n"
        "[https](https://example.com/) [http](http://example.com/) [mail](mailto:a@example.com)"
        " [relative](other.md) [anchor](#title)\n\n"
        "- [x] done\n- [ ] to do\n",
    )
    for kept in (
        "<h2>Title</h2>",
        '<details open=""><summary>More</summary>',
        "H<sub>2</sub>O, x<sup>2</sup>, <kbd>Ctrl</kbd><br>",
        '<th align="left">a</th>',
        '<td align="right">2</td>',
        "<code>x</code>",
        '<img src="chart.png" alt="chart">',
        '<img src="img/curves.png" alt="curves" width="400">',
        '<pre lang="python"><code>print(1)\n</code></pre>',
        '<a href="https://example.com/">https</a>',
        '<a href="http://example.com/">http</a>',
        '<a href="mailto:a@example.com">mail</a>',
        '<a href="other.md">relative</a>',
        '<a href="#title">anchor</a>',
        '<input type="checkbox" checked="" disabled=""> done',
        '<input type="checkbox" disabled=""> to do',
    ):
        assert kept in body, kept


def test_preview_of_a_user_template_is_sanitized(workdir: Path, cli: CLI) -> None:
    write_json(workdir / "m.json", {"loss": 0.25})
    (workdir / "mine.md.j2").write_text(
        "# {{ report.title }}\n\n"
        '<img src="x" onerror="alert(document.domain)"> <a href="javascript:alert(1)">go</a>\n'
        '{{ \'<p style="color: red" onmouseover="alert(2)">hi</p>\' | safe }}\n'
    )
    assert cli("render", "-m", "m.json", "--template", "mine.md.j2", "-o", "out").code == 0
    assert cli("preview", "out").code == 0
    page = (workdir / "out" / "report.html").read_text()
    assert "<h1>ML report</h1>" in page
    assert '<img src="x"> <a>go</a>' in page and "<p>hi</p>" in page
    assert not re.search(r"onerror|javascript|onmouseover|alert|style=", page.split("<body>")[1])
