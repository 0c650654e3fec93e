"""Column readers for prediction, history and data files: CSV/TSV, JSON Lines, JSON, Parquet.

Every reader returns columns as :class:`~mlreport.inputs.tables.codes.Raw` values (numbers, or
dictionary-encoded values); :func:`open_table` picks the reader by the file's extension.

- :mod:`.codes`: the column type and dictionary encoding, number coercion;
- :mod:`.csv_file`, :mod:`.json_file`, :mod:`.parquet_file`: one reader each.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from mlreport.errors import InputError
from mlreport.inputs._files import check_readable
from mlreport.inputs.tables.codes import Raw, floats_or_none, number_or_none
from mlreport.inputs.tables.csv_file import CsvTable
from mlreport.inputs.tables.json_file import JsonTable
from mlreport.inputs.tables.parquet_file import ParquetTable

__all__ = [
    "Raw",
    "Table",
    "floats_or_none",
    "missing_columns_error",
    "number_or_none",
    "open_table",
    "read_twice",
]


class Table(Protocol):
    path: Path
    columns: list[str]

    def raw(self, names: Sequence[str]) -> list[Raw]:
        """Read the named columns, each as numbers if it can be, else as encoded values."""

    def numbers(self, names: Sequence[str]) -> np.ndarray:
        """Read the named columns as a float64 matrix (rows × names); blanks become NaN."""

    def where(self, row: int) -> str:
        """Where a data row (0-based) is in the file, for error messages: "line 12"."""


def open_table(path: Path, what: str) -> Table:
    """Pick the reader for *path* by its extension."""
    suffix = path.suffix.lower()
    check_readable(path, what)
    if suffix in (".csv", ".txt"):
        return CsvTable(path, ",", what)
    if suffix == ".tsv":
        return CsvTable(path, "\t", what)
    if suffix in (".jsonl", ".ndjson"):
        return JsonTable.from_lines(path)
    if suffix == ".json":
        return JsonTable.from_json(path)
    if suffix in (".parquet", ".pq"):
        return ParquetTable(path)
    raise InputError(
        path,
        f"unknown {what} format '{suffix or '(no extension)'}'",
        "use .csv, .tsv, .jsonl, .json or .parquet",
    )


def read_twice(path: Path) -> None:
    """*path* is read as predictions and then, whole, as data: parse it once (large CSV files
    read by pyarrow; a no-op otherwise)."""
    from mlreport.inputs.tables import arrow_csv

    if path.suffix.lower() in (".csv", ".txt", ".tsv") and arrow_csv.wanted(path):
        arrow_csv.keep(path)


def missing_columns_error(table: Table, missing: Sequence[str], hint: str | None) -> InputError:
    shown = ", ".join(table.columns[:20]) + (", …" if len(table.columns) > 20 else "")
    names = ", ".join(f"'{name}'" for name in missing)
    noun = "column" if len(missing) == 1 else "columns"
    return InputError(table.path, f"{noun} {names} not found (columns: {shown})", hint)
