"""A data file's CSV columns read in one pass, each as numbers or codes: checked against the
csv module's reading of the same file, on the cases that defeat a guess from the first rows."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from mlreport.data.frame import read_frame
from mlreport.errors import InputError
from mlreport.inputs.tables import mixed

MISSING = {"", "nan", "na", "n/a", "null", "none"}


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def expected(path: Path) -> dict[str, list[object]]:
    """Each column as the csv module reads it: floats (NaN for missing words) when every
    value is a number or missing, else the texts (None for missing)."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    out: dict[str, list[object]] = {}
    for j, name in enumerate(header):
        values = [row[j] for row in body]
        try:
            out[name] = [math.nan if v.strip().lower() in MISSING else float(v) for v in values]
        except ValueError:
            out[name] = [None if v.strip().lower() in MISSING else v for v in values]
    return out


def as_read(path: Path) -> dict[str, list[object]]:
    frame = read_frame(path)
    out: dict[str, list[object]] = {}
    for name, column in frame.columns.items():
        if column.values is not None:
            out[name] = column.values.tolist()
        else:
            assert column.codes is not None
            out[name] = [column.categories[c] if c >= 0 else None for c in column.codes]
    return out


def same(a: dict[str, list[object]], b: dict[str, list[object]]) -> bool:
    if a.keys() != b.keys():
        return False
    for name in a:
        for x, y in zip(a[name], b[name], strict=True):
            both_nan = (
                isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y)
            )
            if not both_nan and x != y:
                return False
    return True


N = mixed.SAMPLE + 500  # past the rows that decide the guess


@pytest.mark.parametrize(
    "late",
    [
        "",  # a blank in a column of clean numbers
        "NA",  # an NA word there
        "oops",  # text in a numeric column: it becomes categorical (mixed)
        "a much longer value than any of the first rows had, by far",  # wider than the guess
        "x,y",  # a quoted separator
        "two\nlines",  # a quoted newline
        "€uro",  # beyond Latin-1
        "é",  # Latin-1
    ],
)
def test_a_value_after_the_first_rows_is_read_as_the_csv_module_reads_it(
    tmp_path: Path, late: str
) -> None:
    rng = np.random.default_rng(0)
    rows = [
        [f"{x:.3f}", str(int(k)), f"c{int(k)}"]
        for x, k in zip(rng.normal(size=N), rng.integers(0, 9, N), strict=True)
    ]
    for j in range(3):
        rows[-1 - j][j] = late
    path = write(tmp_path / "d.csv", ["x", "k", "c"], rows)
    assert same(as_read(path), expected(path))


def test_columns_of_each_kind_in_one_file(tmp_path: Path) -> None:
    rows = [[str(i), f"{i / 7:.4f}", "", "yes" if i % 2 else "no", f"id{i}"] for i in range(300)]
    rows[5][2] = "3"
    path = write(tmp_path / "k.csv", ["i", "f", "sparse", "flag", "id"], rows)
    frame = read_frame(path)
    kinds = {name: c.kind for name, c in frame.columns.items()}
    assert kinds == {
        "i": "numeric",
        "f": "numeric",
        "sparse": "numeric",
        "flag": "categorical",
        "id": "categorical",
    }
    assert same(as_read(path), expected(path))


def test_a_row_of_another_width_is_the_usual_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("a,b\n1,x\n2\n3,z\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 3 has 1 field but the header has 2"):
        read_frame(path)


def test_a_subset_of_columns_is_read_after_the_scan(tmp_path: Path) -> None:
    rows = [[str(i), f"t{i}", f"{i}.5"] for i in range(50)]
    path = write(tmp_path / "s.csv", ["a", "b", "c"], rows)
    frame = read_frame(path, names=["c", "b"])
    assert list(frame.columns) == ["c", "b"]
    assert frame.columns["c"].values is not None and frame.columns["c"].values[3] == 3.5
    assert frame.columns["b"].categories[:2] == ("t0", "t1")


@pytest.mark.parametrize("text", ["€", "日本", "a" * 80])
def test_text_the_fast_path_cannot_hold_from_the_first_row(tmp_path: Path, text: str) -> None:
    rows = [[str(i), text if i == 0 else f"v{i % 3}"] for i in range(100)]
    path = write(tmp_path / "t.csv", ["n", "t"], rows)
    assert same(as_read(path), expected(path))
