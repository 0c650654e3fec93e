"""Large CSV files through pyarrow (inputs/tables/arrow_csv.py): each case read as the csv
module reads it (the independent reference of test_mixed_csv.py), and exactly as NumPy's
readers read it -- column kinds, values, mixed counts, errors. The size from which pyarrow
reads a file and the piece it parses at a time are made small here, so that small files go
through it in many pieces (a value that changes a column's kind lands in a later piece)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from mlreport.data.frame import Frame, read_frame
from mlreport.errors import InputError
from mlreport.inputs.tables import arrow_csv, open_table
from tests.unit.inputs.test_mixed_csv import as_read, expected, same, write

pytest.importorskip("pyarrow")

N = 400


@pytest.fixture
def arrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrow_csv, "FROM_BYTES", 0)
    monkeypatch.setattr(arrow_csv, "PIECE", 512)  # a few dozen rows a piece


def numpy_frame(path: Path, monkeypatch: pytest.MonkeyPatch) -> Frame:
    with monkeypatch.context() as m:
        m.setattr(arrow_csv, "FROM_BYTES", 1 << 62)
        return read_frame(path)


def same_frames(a: Frame, b: Frame) -> None:
    assert a.n_rows == b.n_rows and list(a.columns) == list(b.columns)
    for name, x in a.columns.items():
        y = b.columns[name]
        assert (x.kind, x.mixed) == (y.kind, y.mixed), name
        if x.values is not None:
            assert y.values is not None
            np.testing.assert_array_equal(x.values, y.values)
        else:
            decoded = [
                [c.categories[k] if k >= 0 else None for k in np.asarray(c.codes)] for c in (x, y)
            ]
            assert decoded[0] == decoded[1], name


def rows(late: str, column: int) -> list[list[str]]:
    rng = np.random.default_rng(1)
    out = [
        [f"{x:.4f}", str(int(k)), f"c{int(k)}", f"{x * 1e6:.0f}"]
        for x, k in zip(rng.normal(size=N), rng.integers(0, 9, N), strict=True)
    ]
    out[-3][column] = late
    return out


LATE = [
    "",  # an empty field
    "NA",  # a missing word (pyarrow would take it as text)
    "null",
    "None",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "oops",  # text in a numeric column, in a later piece: all of the column as text
    "1.5",  # a float among integers in a later piece
    "+7",
    " 2.5",  # spaces around a number
    "1e5",
    "123456789012345678901",  # beyond int64
    "9007199254740993",  # beyond float64's integers
    "2024-01-31",  # a date
    "12:30:00",
    "True",
    "é",
    "日本",
    "x" * 200,
]


@pytest.mark.usefixtures("arrow")
@pytest.mark.parametrize("column", [0, 1, 2, 3])
@pytest.mark.parametrize("late", LATE)
def test_a_late_value_is_read_as_the_csv_module_and_numpy_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, late: str, column: int
) -> None:
    path = write(tmp_path / "d.csv", ["x", "k", "c", "big"], rows(late, column))
    table = open_table(path, "data")
    assert arrow_csv.mixed(path, ",", table.columns, table.columns) is not None  # pyarrow read it
    assert same(as_read(path), expected(path))
    same_frames(read_frame(path), numpy_frame(path, monkeypatch))


@pytest.mark.usefixtures("arrow")
@pytest.mark.parametrize(
    "text",
    [
        'a,b\n1,"x,y"\n2,"two\nlines"\n3,z\n',  # quotes: the whole file in one read
        '"a","b"\n1,x\n2,y\n',  # a quoted header only
        "a,b\r\n1,x\r\n2,y\r\n",  # CRLF
        "a,b\n1,x\n\n2,y\n\n",  # blank lines
        "a,b\n1,x\n2,y",  # no newline at the end
        "a,b\n,x\n,y\n",  # an empty column
        "a,b\nTrue,False\nFALSE,true\n",  # booleans stay text
        "a,b\n2024-01-01,2024-01-01T10:00:00\n2024-02-01,2024-02-01T11:00:00\n",
    ],
)
def test_file_shapes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "s.csv"
    path.write_text(text, encoding="utf-8", newline="")
    same_frames(read_frame(path), numpy_frame(path, monkeypatch))


@pytest.mark.usefixtures("arrow")
def test_many_distinct_values_in_many_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(arrow_csv, "PIECE", 1 << 16)
    n = 70_000  # more than pyarrow's dictionary limit in one piece
    path = write(tmp_path / "w.csv", ["id", "g"], [[f"id{i}", f"g{i % 3}"] for i in range(n)])
    frame = read_frame(path)
    assert frame.columns["id"].categories[:2] == ("id0", "id1")
    assert len(frame.columns["id"].categories) == n
    same_frames(frame, numpy_frame(path, monkeypatch))


@pytest.mark.usefixtures("arrow")
def test_lines_longer_than_a_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[str(i), ("v" * 3000 if i % 7 == 3 else f"w{i % 5}")] for i in range(60)]
    path = write(tmp_path / "long.csv", ["n", "t"], rows)  # lines of 3 kB, pieces of 512 B
    table = open_table(path, "data")
    assert arrow_csv.mixed(path, ",", table.columns, table.columns) is not None
    assert same(as_read(path), expected(path))
    same_frames(read_frame(path), numpy_frame(path, monkeypatch))


@pytest.mark.usefixtures("arrow")
def test_tab_separated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n" + "".join(f"{i}\tv,{i % 4}\n" for i in range(300)), "utf-8")
    same_frames(read_frame(path), numpy_frame(path, monkeypatch))


@pytest.mark.usefixtures("arrow")
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b\n1,x\n2\n3,z\n", "line 3 has 1 field but the header has 2"),
        (b"a,b\n1,x\n2,y,z\n", "line 3 has 3 fields but the header has 2"),
        (b"a,b\n1,x\n2,\xff\n", "not valid UTF-8"),
    ],
)
def test_errors_are_numpys_own(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(data)
    table = open_table(path, "data")
    assert arrow_csv.mixed(path, ",", table.columns, table.columns) is None  # pyarrow gives up
    with pytest.raises(InputError, match=message):
        read_frame(path)


@pytest.mark.usefixtures("arrow")
@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "0", "1"], "int"),
        (["0.25", "1", "0.5"], "float"),
        (["1.0", "2.0", "3.0"], None),  # integral floats: NumPy's parser decides
        (["+1", "2", "3"], None),
        (["1", "", "0"], None),  # an empty field: NumPy's readers say what it is
        (["a", "b", "c"], None),
    ],
)
def test_predictions_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, values: list[str], kind: str | None
) -> None:
    path = write(tmp_path / "p.csv", ["y", "z"], [[v, "1"] for v in values] * 50)
    table = open_table(path, "predictions")
    fast = arrow_csv.raw(path, ",", table.columns, ["y", "z"])
    assert (fast[0].kind if fast else None) == kind
    with monkeypatch.context() as m:
        m.setattr(arrow_csv, "FROM_BYTES", 1 << 62)
        slow = open_table(path, "predictions").raw(["y", "z"])
    got = table.raw(["y", "z"])
    for a, b in zip(got, slow, strict=True):
        assert (a.kind, a.values) == (b.kind, b.values)
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.usefixtures("arrow")
def test_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "n.csv", ["a", "b"], [["1", ""], ["0.5", "nan"], ["-inf", "2"]] * 40)
    table = open_table(path, "predictions")
    assert arrow_csv.numbers(path, ",", table.columns, ["a", "b"]) is not None
    got = table.numbers(["a", "b"])
    assert got.shape == (120, 2) and math.isinf(got[2, 0]) and math.isnan(got[0, 1])
    with monkeypatch.context() as m:
        m.setattr(arrow_csv, "FROM_BYTES", 1 << 62)
        np.testing.assert_array_equal(got, open_table(path, "predictions").numbers(["a", "b"]))


def test_small_files_are_numpys(tmp_path: Path) -> None:
    path = write(tmp_path / "small.csv", ["a"], [["1"]])
    assert not arrow_csv.wanted(path)
    big = tmp_path / "big.csv"
    big.write_bytes(b"a\n" + b"1\n" * (arrow_csv.FROM_BYTES // 2 + 1))
    assert arrow_csv.wanted(big)


@pytest.mark.usefixtures("arrow")
def test_predictions_that_are_the_data_are_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [[str(i % 2), str((i // 3) % 2), f"{i / 7:.3f}", f"c{i % 4}"] for i in range(300)]
    path = write(tmp_path / "p.csv", ["y_true", "y_pred", "x", "c"], rows)
    parses: list[tuple[str, ...]] = []
    parse = arrow_csv._parse

    def counted(*args: object) -> object:
        parses.append(tuple(args[3]))  # type: ignore[arg-type]
        return parse(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(arrow_csv, "_parse", counted)
    from mlreport.inputs.tables import read_twice

    read_twice(path)
    labels = open_table(path, "predictions").raw(["y_true", "y_pred"])
    frame = read_frame(path)
    assert parses == [("y_true", "y_pred", "x", "c")]  # one parse, of every column
    assert [r.kind for r in labels] == ["int", "int"]
    assert arrow_csv._KEPT == {}  # handed over to the data read, not kept for ever
    monkeypatch.setattr(arrow_csv, "_parse", parse)
    same_frames(frame, numpy_frame(path, monkeypatch))
    again = read_frame(path)  # no longer kept: parsed anew, the same
    same_frames(again, frame)
