"""Property tests: random and mutated bytes for every reader, random text for the Markdown
escaping. A reader's answer is always an outcome (0, 1) or a one-line error (2), never an
internal error (70), within a time bound; every table cell reads back, once GitHub's parser
has rendered it, as exactly the text that went in."""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlreport.cli import main
from mlreport.report.markdown import LONG_CELL, code_span, escape, one_line, table
from tests.helpers import markdown_html

SECONDS = 10.0  # the bound on one invocation, whatever the file holds
FUZZ = settings(
    max_examples=int(os.environ.get("MLREPORT_FUZZ_EXAMPLES", "60")),
    deadline=None,  # the bound is asserted below, per invocation, with a readable message
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SEEDS: dict[str, bytes] = {
    "metrics.json": b'{"acc": 0.93, "test": {"loss": 0.2, "folds": [0.9, 0.8]}, "name": "x"}',
    "metrics.yaml": b"acc: 0.93\ntest:\n  loss: 0.2\nbase: &b {f1: 0.5}\nmore:\n  <<: *b\n",
    "metrics.csv": b"name,value\nacc,0.93\nloss,0.2\n",
    "preds.csv": b"y_true,y_pred,proba_a,proba_b,region\n"
    b"a,a,0.9,0.1,n\nb,a,0.6,0.4,s\nb,b,0.2,0.8,n\n",
    "preds.tsv": b"y_true\ty_pred\n1.5\t1.2\n2.0\t2.5\n3.1\t2.9\n",
    "preds.jsonl": b'{"y_true": 1, "y_pred": 1}\n{"y_true": 0, "y_pred": 1}\n'
    b'{"y_true": 0, "y_pred": 0}\n',
    "preds.json": b'{"y_true": ["a", "b", "a"], "y_pred": ["a", "a", "a"], '
    b'"score": [0.9, 0.4, 0.8]}',
    "history.csv": b"epoch,loss,val_loss\n1,0.9,1.0\n2,0.5,0.7\n3,0.3,0.6\n",
    "gates.yaml": b"gates:\n  - acc >= 0.5\n  - loss <= baseline * 1.1\nlower_is_better: [loss]\n",
}
# How each kind of file is given to mlreport: the command line, with {} for the file.
COMMANDS = {
    "metrics": ["check", "-m", "{}", "-g", "acc >= 0.5"],
    "preds": ["check", "-p", "{}"],
    "history": ["render", "--history", "{}", "-o", "out"],
    "gates": ["check", "-m", "m.json", "--baseline", "m.json", "--gates", "{}"],
}


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """*seed* with a few random edits: bytes flipped, inserted, deleted, chunks repeated."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "repeat", "truncate"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=24))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif kind == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 32))] * draw(st.integers(1, 20))
        else:
            del data[at:]
    return bytes(data)


def contents(name: str) -> st.SearchStrategy[bytes]:
    """Mostly a seed with a few edits (the paths past the first checks), sometimes noise."""
    seed = mutated(SEEDS[name])
    return st.one_of(seed, seed, seed, st.binary(max_size=512))


@contextlib.contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            yield Path(folder)
        finally:
            os.chdir(cwd)


def _invoke(name: str, data: bytes) -> tuple[int, str]:
    kind = name.split(".")[0]
    with _folder() as folder:
        (folder / name).write_bytes(data)
        (folder / "m.json").write_text('{"acc": 0.9, "loss": 0.1}')
        args = [a.replace("{}", name) for a in COMMANDS[kind]]
        out, err = io.StringIO(), io.StringIO()
        started = time.monotonic()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
        took = time.monotonic() - started
    assert took < SECONDS, f"{args} took {took:.1f} s on {data[:200]!r}"
    return code, err.getvalue()


@pytest.fixture(autouse=True)
def _no_chart_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLREPORT_CHART_WORKERS", "0")


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_reader_answers_any_bytes_with_an_outcome_or_one_error(name: str) -> None:
    @FUZZ
    @given(data=contents(name))
    def check(data: bytes) -> None:
        code, err = _invoke(name, data)
        assert code in (0, 1, 2), err
        if code == 2:
            lines = err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("mlreport: error: "), err
        assert "internal error" not in err and "Traceback" not in err, err

    check()


# -- Markdown: what goes into a cell is what GitHub shows -----------------------------------


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag == "td":
            self._in = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._in is not None:
            self.cells.append(self._in)
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._in += data


def cells_of(markdown: str) -> list[str]:
    parser = _Cells()
    parser.feed(markdown_html(markdown))
    return parser.cells


def shown(value: str) -> str:
    """What a reader should see: the value on one line (whitespace runs as one space,
    control characters dropped, NUL as U+FFFD), trimmed as a table cell is."""
    text = value.replace("\x00", "\ufffd")
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    return re.sub(r"\s+", " ", text).strip(" \t")


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\u200b"),
    max_size=LONG_CELL,
)


@FUZZ
@given(value=TEXT)
def test_a_cell_of_text_reads_back_as_written(value: str) -> None:
    (got,) = cells_of(table(["name"], [[value]]))
    assert got.replace("\u200b", "") == shown(value)


@FUZZ
@given(value=TEXT.filter(lambda v: v.strip() != ""))
def test_a_code_cell_reads_back_as_written(value: str) -> None:
    (got,) = cells_of(table(["name"], [[code_span(value, in_table=True)]]))
    expected = one_line(value)
    expected = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", expected.replace("\x00", "\ufffd"))
    # a code span shows its content less the space around it (CommonMark strips one each
    # side; a span of spaces only is kept, and shows as blank)
    assert got.replace("\u200b", "").strip(" ") == expected.strip(" ")


@FUZZ
@given(value=TEXT)
def test_escaped_text_is_one_paragraph_of_the_same_text(value: str) -> None:
    rendered = markdown_html(f"Value: {escape(value)}\n")
    assert re.fullmatch(r"<p>.*</p>\n?", rendered, re.S), rendered
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
    assert text.replace("\u200b", "") == f"Value: {shown(value)}".strip()


def test_the_seeds_are_valid_inputs() -> None:
    """The mutations start from files mlreport reads (else they would test nothing)."""
    for name in SEEDS:
        code, err = _invoke(name, SEEDS[name])
        assert code in (0, 1), (name, err)
    assert json.loads(SEEDS["metrics.json"])["acc"] == 0.93
