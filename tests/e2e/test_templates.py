"""User templates: the same context as the default one, escaped by default, sandboxed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CLI
from tests.helpers import write_classification, write_json


@pytest.fixture
def inputs(workdir: Path) -> Path:
    write_json(workdir / "m.json", {"a|b <i>": 1.5, "loss": 0.25})
    write_classification(workdir / "p.csv")
    return workdir


def render(cli: CLI, template: Path) -> tuple[int, str, str]:
    result = cli(
        "render",
        "-m",
        "m.json",
        "-p",
        "p.csv",
        "--template",
        template,
        "-o",
        "out",
        "-g",
        "loss <= 1",
    )
    markdown = Path("out/report.md")
    return result.code, markdown.read_text() if markdown.exists() else "", result.err


def test_user_template_gets_the_documented_context(inputs: Path, cli: CLI) -> None:
    template = inputs / "mine.md.j2"
    template.write_text(
        "# {{ report.title }} {{ mark(report.status) }}\n"
        "{% for m in report.metrics %}{{ m.name }}={{ m.value }};{% endfor %}\n"
        "{{ table(['Gate', 'Passed'], report.gates | map(attribute='expression') | map('list')"
        " | list) if false }}\n"
        "{{ image(report.images.confusion_matrix) }}\n"
        "{{ report.metrics[0].name | code }} {{ '**raw**' | safe }} {{ '**data**' }}\n"
        "{% include 'partials/gates.md.j2' %}"
    )
    code, markdown, err = render(cli, template)
    assert code == 0, err
    lines = markdown.splitlines()
    assert lines[0] == "# ML report ✅"
    assert lines[1].startswith("a\\|b &lt;i&gt;=1.5;loss=0.25;accuracy=")
    assert "![Confusion matrix](confusion_matrix.png)" in markdown
    assert "`a|b <i>` **raw** \\*\\*data\\*\\*" in markdown
    assert "### Gates" in markdown and "`loss <= 1`" in markdown


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__.__mro__[1].__subclasses__()",
        "report.__class__",
        "cycler.__init__.__globals__",
        "table.__globals__['__builtins__']",
        "mark.__code__",
    ],
)
def test_sandbox_blocks_escapes(inputs: Path, cli: CLI, expression: str) -> None:
    template = inputs / "evil.md.j2"
    template.write_text("{{ " + expression + " }}\n")
    code, markdown, err = render(cli, template)
    assert code == 2
    assert err.startswith("mlreport: error: ")
    assert str(template) in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert markdown == ""  # no stale or partial report.md is left behind
    assert Path("out/report.json").is_file()  # the data is kept


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{% for x in %}\n", "line 1"),
        ("ok\n{{ report.nope }}\n", "has no attribute 'nope'"),
        ("{% include 'missing.j2' %}", "included template not found: missing.j2"),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ],
)
def test_template_errors_are_one_line(inputs: Path, cli: CLI, content: str, fragment: str) -> None:
    template = inputs / "bad.md.j2"
    template.write_text(content)
    code, markdown, err = render(cli, template)
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1
    assert markdown == ""
    assert Path("out/report.json").is_file()  # compile-time failures keep the data too


def test_missing_template(inputs: Path, cli: CLI) -> None:
    code, _, err = render(cli, inputs / "nope.j2")
    assert code == 2
    assert "nope.j2: template not found" in err
