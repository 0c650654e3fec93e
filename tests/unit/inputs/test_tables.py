"""The up-front CSV scan (field counts and column widths, vectorised over the raw bytes in
CHUNK-sized reads) and the fixed-width bytes reader it enables.

Every case runs with chunks of 1, 2, 3, 5 and 4096 bytes, so that lines, CRLF pairs and
blank lines straddle chunk boundaries in every possible way.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from mlreport.inputs.tables import codes, csv_file
from mlreport.inputs.tables.codes import encode_bytes
from mlreport.inputs.tables.csv_file import CsvTable, scan_csv

CHUNKS = [1, 2, 3, 5, 4096]
Counted = tuple[int, int] | str | None


@pytest.fixture(params=CHUNKS, ids=[f"chunk{n}" for n in CHUNKS])
def chunk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    size: int = request.param
    monkeypatch.setattr(csv_file, "CHUNK", size)
    return size


def count(tmp_path: Path, data: bytes, expected: int, delimiter: str = ",") -> Counted:
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    scan = scan_csv(path, delimiter, expected)
    return "quoted" if scan.quoted else scan.bad


def csv_module(data: bytes, expected: int, delimiter: str = ",") -> Counted:
    """What the csv module finds: the reference the scan must agree with."""
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
    next(reader)
    for row in reader:
        if row and len(row) != expected:
            return reader.line_num, len(row)
    return None


def test_chunks_are_4_mb_by_default() -> None:
    assert csv_file.CHUNK == 4 * 1024 * 1024


@pytest.mark.parametrize(
    ("data", "expected", "found"),
    [
        (b"a,b,c\n1,2,3\n4,5,6\n", 3, None),
        (b"a,b,c\n1,2,3\n4,5\n6,7,8\n", 3, (3, 2)),
        (b"a,b,c\n1,2,3\n4,5,6,7\n", 3, (3, 4)),
        (b"a,b,c\n,,\n1,,\n", 3, None),  # empty fields still count
        (b"a,b,c\n1,2,3\n7\n", 3, (3, 1)),  # a one-byte line is not blank
        (b"a,b,c\n1,2,3\n \n", 3, (3, 1)),  # nor is a line of spaces
        (b"a\n1\n\n2\n", 1, None),
        (b"a\n1\n2,3\n", 1, (3, 2)),
    ],
    ids=[
        "ok",
        "fewer",
        "more",
        "empty-fields",
        "one-byte-line",
        "spaces",
        "one-column",
        "one-column-more",
    ],
)
def test_field_counts(
    tmp_path: Path, chunk: int, data: bytes, expected: int, found: Counted
) -> None:
    assert count(tmp_path, data, expected) == found
    assert csv_module(data, expected) == found


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"a,b\r\n1,2\r\n3,4\r\n", None),
        (b"a,b\r\n1,2\r\n3\r\n", (3, 1)),
        (b"a,b\r\n1,2\r\n3,4,5\r\n", (3, 3)),
        (b"a,b\r\n\r\n1,2\r\n\r\n\r\n3,4\r\n\r\n", None),
        (b"a,b\r\n\r\n1,2\r\n\r\n\r\n3,4,5\r\n", (6, 3)),
        (b"a,b\n1,2\r\n\n3,4\r\n", None),  # mixed line ends
    ],
    ids=["ok", "fewer", "more", "blank-lines", "blank-lines-then-more", "mixed"],
)
def test_crlf(tmp_path: Path, chunk: int, data: bytes, found: Counted) -> None:
    assert count(tmp_path, data, 2) == found
    assert csv_module(data, 2) == found


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"a,b\n\n1,2\n\n\n3,4\n\n\n", None),
        (b"a,b\n\n\n\n1,2\n\n5\n", (7, 1)),
        (b"a,b\n1,2\n\n", None),
    ],
    ids=["ok", "after-blank-lines", "blank-last-line"],
)
def test_blank_lines_are_skipped_but_counted(
    tmp_path: Path, chunk: int, data: bytes, found: Counted
) -> None:
    assert count(tmp_path, data, 2) == found


@pytest.mark.parametrize("bad", [False, True])
def test_blank_crlf_line_straddling_a_chunk_boundary(tmp_path: Path, chunk: int, bad: bool) -> None:
    # line 2 is padded so that line 3, a blank "\r\n", has its "\r" as the last byte of one
    # chunk and its "\n" as the first byte of the next
    length = 7
    while (length + 1) % chunk:
        length += 1
    first = b"1,2," + b"3" * (length - 6) + b"\r\n"
    assert len(first) == length
    last = b"4,5\r\n" if bad else b"4,5,6\r\n"
    data = b"a,b,c\r\n" + first + b"\r\n" + last
    assert len(first) % chunk == chunk - 1  # the "\r" of line 3 ends a chunk
    found = (4, 2) if bad else None
    assert count(tmp_path, data, 3) == found
    assert csv_module(data, 3) == found


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"a,b,c\n1,2,3\n4,5,6", None),
        (b"a,b,c\n1,2,3\n4,5", (3, 2)),
        (b"a,b,c\n1,2,3\n4,5,6,7", (3, 4)),
        (b"a,b,c\n1,2,3\n7", (3, 1)),
        (b"a,b,c\r\n1,2,3\r\n4,5,6", None),
        (b"a,b,c\n1,2,3", None),
    ],
    ids=["ok", "fewer", "more", "one-byte", "crlf", "one-row"],
)
def test_no_trailing_newline(tmp_path: Path, chunk: int, data: bytes, found: Counted) -> None:
    assert count(tmp_path, data, 3) == found
    assert csv_module(data, 3) == found


@pytest.mark.parametrize(
    ("data", "expected", "found"),
    [
        (b"a,b\n1,2,\n", 2, (2, 3)),  # "1,2," is three fields, the last one empty
        (b"a,b\n1,2\n3,4,", 2, (3, 3)),
        (b"a,b,\n1,2,\n3,4,\n", 3, None),  # a header with a trailing separator too
        (b"a,b,\n1,2,\n3,4\n", 3, (3, 2)),
    ],
    ids=["row", "last-row-unterminated", "header-too", "header-too-row-without"],
)
def test_trailing_separator(
    tmp_path: Path, chunk: int, data: bytes, expected: int, found: Counted
) -> None:
    assert count(tmp_path, data, expected) == found
    assert csv_module(data, expected) == found


def test_tab_separated(tmp_path: Path, chunk: int) -> None:
    assert count(tmp_path, b"a\tb\n1\t2\n3,4\t5\n", 2, "\t") is None
    assert count(tmp_path, b"a\tb\n1\t2\n3\t4\t5\n", 2, "\t") == (3, 3)


@pytest.mark.parametrize(
    "data",
    [
        b'a,b\n"1,2",3\n',
        b'a,b\n1,2\n3,4\n5,"6"\n',
        b'a,b\n1,2\n3,4\n5,6 "inch"\n',
        b'a,b\n1,"2\n3",4\n',
    ],
    ids=["first-row", "later", "inside-a-value", "quoted-newline"],
)
def test_files_with_quotes_are_left_to_the_csv_module(
    tmp_path: Path, chunk: int, data: bytes
) -> None:
    assert count(tmp_path, data, 2) == "quoted"


def test_quotes_in_the_header_alone_do_not_matter(tmp_path: Path, chunk: int) -> None:
    assert count(tmp_path, b'"a","b"\n1,2\n3\n', 2) == (3, 1)


def test_bad_row_before_the_first_quote(tmp_path: Path, chunk: int) -> None:
    # whether the scan stops at the bad row or at the quote depends on where the chunk ends;
    # the csv module, which then reads a quoted file, finds the same row
    data = b'a,b\n1,2\n3\n"4",5\n'
    assert count(tmp_path, data, 2) in ((3, 1), "quoted")
    assert csv_module(data, 2) == (3, 1)


def test_agrees_with_the_csv_module_on_random_files(tmp_path: Path, chunk: int) -> None:
    rng = np.random.default_rng(chunk)
    fields = ["1", "ab", "", " ", "x y"]
    ends = ["\n", "\r\n"]
    for _ in range(200):
        expected = int(rng.integers(1, 4))
        lines = [",".join("h" * (i + 1) for i in range(expected))]
        for _ in range(int(rng.integers(1, 8))):
            if rng.random() < 0.2:
                lines.append("")  # blank line
                continue
            n = expected if rng.random() < 0.8 else int(rng.integers(1, 5))
            lines.append(",".join(fields[int(rng.integers(len(fields)))] for _ in range(n)))
        text = "".join(line + ends[int(rng.integers(2))] for line in lines)
        if rng.random() < 0.3:
            text = text.rstrip("\r\n")  # no final newline
        data = text.encode()
        assert count(tmp_path, data, expected) == csv_module(data, expected), data


@pytest.mark.parametrize(
    ("data", "widths"),
    [
        (b"a,b\nxyz,1\n12,\n", (3, 1)),
        (b"a,b\r\nxyz,1\r\n\r\n12,1234\r\n", (3, 5)),  # the CR counts: a safe bound
        (b"a,b\nq,wwwwwwwwwwwwwwwwwwww\n", (1, 20)),
        (b"a,b\n", (0, 0)),
    ],
)
def test_widths(tmp_path: Path, chunk: int, data: bytes, widths: tuple[int, ...]) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    assert scan_csv(path, ",", 2).widths == widths


def test_encode_bytes_short_and_long_values() -> None:
    column = np.array([b"a" * 20, b"b" * 20, b"a" * 20, b"x" * 9, b"", b"caf\xe9"], dtype="S20")
    raw = encode_bytes("c", column)
    decoded = [raw.values[code] for code in raw.data]
    assert decoded == ["a" * 20, "b" * 20, "a" * 20, "x" * 9, "", "café"]
    assert len(raw.values) == 5


def test_encode_bytes_survives_hash_collisions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codes, "_MIX", np.uint64(0))  # keys now depend on the last word only
    column = np.array([b"aaaaaaaaSAME", b"bbbbbbbbSAME", b"aaaaaaaaSAME"], dtype="S12")
    raw = encode_bytes("c", column)
    assert [raw.values[code] for code in raw.data] == [
        "aaaaaaaaSAME",
        "bbbbbbbbSAME",
        "aaaaaaaaSAME",
    ]


def test_new_values_after_the_first_rows(tmp_path: Path) -> None:
    rows = ["y_true,y_pred"] + ["cat,dog"] * 70_000 + ["emu,cat"]
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n")
    true, pred = CsvTable(path, ",").raw(["y_true", "y_pred"])
    assert true.values[true.data[-1]] == "emu" and pred.values[pred.data[-1]] == "cat"
    assert set(true.values) == {"cat", "emu"}


@pytest.mark.parametrize(
    "label",
    ["plain", "café", "猫", "x" * 70],  # Latin-1, beyond it, and too wide: the object path
)
def test_bytes_and_object_paths_agree(tmp_path: Path, label: str) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"y_true,y_pred\n{label},b\nb,{label}\n,b\n", encoding="utf-8")
    true, pred = CsvTable(path, ",").raw(["y_true", "y_pred"])
    assert [true.values[c] for c in true.data] == [label, "b", ""]
    assert [pred.values[c] for c in pred.data] == ["b", label, "b"]
