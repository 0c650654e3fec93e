"""User templates: the same context as the default one, escaped by default, sandboxed."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest

from mlreport._resources import templates_root
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


def render_light(cli: CLI, template: Path) -> tuple[int, str, str, float]:
    """Render *template* with metrics only (no charts to draw); also return the seconds taken."""
    start = time.monotonic()
    result = cli("render", "-m", "m.json", "--template", template, "-o", "out")
    seconds = time.monotonic() - start
    markdown = Path("out/report.md")
    return result.code, markdown.read_text() if markdown.exists() else "", result.err, seconds


def assert_refused(template: Path, result: tuple[int, str, str, float], fragment: str) -> None:
    code, markdown, err, seconds = result
    assert code == 2, err
    assert err.startswith(f"mlreport: error: {template}: ")
    assert fragment in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert markdown == ""
    assert Path("out/report.json").is_file()
    assert seconds < 5  # stopped by the bound, not by running to the end


DOUBLE = (
    "{% set ns = namespace(v=START) %}{% for i in range(64) %}{% set ns.v = STEP %}{% endfor %}"
)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            "line 1: range() of 100,000 items, past the sandbox's limit of 10,000",
            id="nested-ranges",
        ),
        pytest.param("{{ range(10**30) | length }}", "range() of 1,000,000,", id="huge-range"),
        pytest.param(
            "{{ 9 ** (9 ** 9) }}",
            "9 ** 387420489 would have 1,549,681,956 bits, past the sandbox's limit of 10,000",
            id="power",
        ),
        pytest.param(
            "\n{{ 'x' * 10**10 }}",
            "line 2: a str repeated 10,000,000,000 times would have 10,000,000,000 characters",
            id="string-repetition",
        ),
        pytest.param(
            "{{ 10**9 * [0] }}", "a list repeated 1,000,000,000 times", id="list-repetition"
        ),
        pytest.param(
            DOUBLE.replace("START", "3").replace("STEP", "ns.v * ns.v"),
            "a product of ",
            id="integer-squaring",
        ),
        pytest.param(
            DOUBLE.replace("START", "'x'").replace("STEP", "ns.v ~ ns.v"),
            "a value of 8,388,608 characters or items, past the sandbox's limit of 5,000,000",
            id="concatenation-doubling",
        ),
        pytest.param(
            DOUBLE.replace("START", "[0]").replace("STEP", "ns.v + ns.v"),
            "a value of 8,388,608 characters or items",
            id="list-doubling",
        ),
        pytest.param("{{ 'x'.ljust(10**8) }}", "a value of 100,000,000 characters", id="method"),
        pytest.param("{{ 'x' | center(10**8) }}", "a value of 100,000,000 characters", id="filter"),
        pytest.param("{{ '%0100000000d' % 1 }}", "a value of 100,000,000 characters", id="printf"),
        pytest.param(
            "{% set p = 2 ** 61 - 1 %}{% set ns = namespace(keys=[]) %}{% for i in range(10) %}"
            "{% set ns.keys = ns.keys + (range(i * 10000 * p, (i + 1) * 10000 * p, p) | list) %}"
            "{% endfor %}{{ dict.fromkeys(ns.keys) | length }}",  # keys whose hashes collide
            "line 1: fromkeys() hashing 100,000 items, past the sandbox's limit of 10,000",
            id="hash-collisions",
        ),
        pytest.param(
            "{% for i in range(10000) %}{% for j in range(10000) %}{{ '-' * 100 }}"
            "{% endfor %}{% endfor %}",
            "t.md.j2: the template's output passed 5 MB, the sandbox's limit",
            id="output",
        ),
    ],
)
def test_resource_bombs_stop_within_seconds(
    workdir: Path, cli: CLI, content: str, fragment: str
) -> None:
    write_json(workdir / "m.json", {"loss": 0.25})
    template = workdir / "t.md.j2"
    template.write_text(content)
    assert_refused(template, render_light(cli, template), fragment)


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="RLIMIT_AS is set on Linux")
@pytest.mark.parametrize(
    "content",
    [
        "{{ 'x'.center(10**10) }}",
        "{{ [1] | batch(10**9, 0) | list }}",
        "{{ '{:>10000000000}'.format(1) }}",
        "{{ '%010000000000d' % 1 }}",
    ],
)
def test_one_huge_allocation_stops_at_the_memory_limit(
    workdir: Path, cli: CLI, content: str
) -> None:
    write_json(workdir / "m.json", {"loss": 0.25})
    template = workdir / "t.md.j2"
    template.write_text(content)
    import resource

    limits = resource.getrlimit(resource.RLIMIT_AS)
    fragment = "line 1: the template needed more than 1 GB of memory, the sandbox's limit"
    assert_refused(template, render_light(cli, template), fragment)
    assert resource.getrlimit(resource.RLIMIT_AS) == limits  # given back


@pytest.mark.parametrize("thread", [False, True], ids=["main-thread-alarm", "other-thread-clock"])
def test_a_slow_template_stops_at_the_time_limit(
    workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch, thread: bool
) -> None:
    monkeypatch.setattr("mlreport.report.sandbox.TIME_LIMIT", 1.0)
    write_json(workdir / "m.json", {"loss": 0.25})
    template = workdir / "t.md.j2"
    template.write_text(
        "{% for i in range(10000) %}{% for j in range(10000) %}{% set k = i + j %}"
        "{% endfor %}{% endfor %}done\n"
    )
    handler = signal.getsignal(signal.SIGALRM)
    results: list[tuple[int, str, str, float]] = []
    if thread:  # no SIGALRM outside the main thread: the sandbox's hooks read the clock
        worker = threading.Thread(target=lambda: results.append(render_light(cli, template)))
        worker.start()
        worker.join()
    else:
        results.append(render_light(cli, template))
    assert_refused(template, results[0], "line 1: the template ran for more than 1 s")
    assert signal.getsignal(signal.SIGALRM) is handler  # given back, and no alarm left
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_template_within_the_bounds_renders(workdir: Path, cli: CLI) -> None:
    write_json(workdir / "m.json", {"loss": 0.25})
    template = workdir / "t.md.j2"
    template.write_text(
        "{{ 2 ** 64 }} {{ '-' * 3 }} {{ [0] * 2 }} {{ 'a' ~ 'b' }} {{ 'x'.ljust(3) }}|\n"
        "{% set n = namespace(c=0) %}{% for i in range(10000) %}{% set n.c = n.c + 1 %}"
        "{% endfor %}{{ n.c }} {{ '%05d' % 7 }} {{ 'ab' | center(6) }}|\n"
    )
    code, markdown, err, _ = render_light(cli, template)
    assert code == 0, err
    assert markdown == "18,446,744,073,709,551,616 \\--- \\[0, 0\\] ab x|\n10,000 00007 ab|\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the template's folder, holding a secret."""
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("TOP SECRET\n")
    return secret


@pytest.mark.parametrize(
    "statement",
    [
        '{% include "x.j2" %}',
        '{% import "x.j2" as x %}',
        '{% from "x.j2" import y %}',
        '{% extends "x.j2" %}',
        '{% include "sub/secret.txt" %}',
    ],
)
@pytest.mark.parametrize("target", ["outside", "/etc/passwd"])
def test_includes_cannot_follow_symlinks_out_of_the_folder(
    workdir: Path, cli: CLI, outside: Path, statement: str, target: str
) -> None:
    write_json(workdir / "m.json", {"loss": 0.25})
    folder = workdir / "templates"
    folder.mkdir()
    secret = outside if target == "outside" else Path(target)
    (folder / "x.j2").symlink_to(secret)
    (folder / "sub").symlink_to(secret.parent, target_is_directory=True)
    statement = statement.replace("secret.txt", secret.name)
    template = folder / "mine.md.j2"
    template.write_text(f"# Mine\n{statement}\n")
    code, markdown, err, _ = render_light(cli, template)
    assert code == 2
    assert err.startswith(f"mlreport: error: {template}: not allowed in a sandboxed template: ")
    assert f"is {secret.resolve()}, outside the template's folder ({folder.resolve()})" in err
    assert err.count("\n") == 1
    assert markdown == ""
    assert "TOP SECRET" not in err and "root:" not in err


def test_includes_inside_the_folder_and_the_shipped_partials_work(
    workdir: Path, cli: CLI, outside: Path
) -> None:
    write_json(workdir / "m.json", {"loss": 0.25})
    folder = workdir / "templates"
    (folder / "parts").mkdir(parents=True)
    (folder / "parts" / "real.j2").write_text("inner {{ report.title }}\n")
    (folder / "link.j2").symlink_to("parts/real.j2")  # a symlink that stays inside
    (folder / "partials").symlink_to(templates_root() / "partials", target_is_directory=True)
    real = outside.parent / "mine.md.j2"  # the template itself may live anywhere
    real.write_text(
        '{% include "link.j2" %}{% include "parts/../parts/real.j2" ignore missing %}'
        '{% include "partials/footer.md.j2" %}'
    )
    template = folder / "mine.md.j2"
    template.symlink_to(real)
    code, markdown, err, _ = render_light(cli, template)
    assert code == 0, err
    assert markdown.startswith("inner ML report\n")
    assert "mlreport" in markdown.splitlines()[-1]
