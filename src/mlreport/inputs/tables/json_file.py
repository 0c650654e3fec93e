"""Rows from JSON Lines, a JSON list of row objects, or a JSON object of column arrays."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlreport.errors import InputError
from mlreport.inputs._files import EMPTY_HINT, decode_utf8, read_line
from mlreport.inputs.structured import nested_too_deeply, number_too_long, parse_json
from mlreport.inputs.tables.codes import Raw, encode_objects, not_numeric, number_or_none


class JsonTable:
    """Rows from JSON Lines, a JSON list of row objects, or a JSON object of column arrays."""

    def __init__(self, path: Path, data: dict[str, list[Any]], lines: list[int]) -> None:
        self.path = path
        self._data = data
        self._lines = lines
        self.columns = list(data)

    @classmethod
    def from_lines(cls, path: Path) -> JsonTable:
        rows: list[dict[str, Any]] = []
        lines: list[int] = []
        with path.open("rb") as handle:
            number = 0
            while raw_line := read_line(handle, path, number + 1):
                number += 1
                if not raw_line.strip():
                    continue
                try:
                    text = raw_line.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(
                        path,
                        f"line {number}: not valid UTF-8 (byte 0x"
                        f"{exc.object[exc.start : exc.start + 1].hex()})",
                        "save it as UTF-8",
                    ) from None
                try:
                    row = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise InputError(path, f"line {number}: invalid JSON: {exc.msg}") from None
                except RecursionError:
                    raise nested_too_deeply(f"{path}: line {number}") from None
                except ValueError as exc:
                    raise number_too_long(f"{path}: line {number}", exc) from None
                if not isinstance(row, dict):
                    raise InputError(path, f"line {number}: expected a JSON object per line")
                rows.append(row)
                lines.append(number)
        if not rows:
            raise InputError(path, "contains no rows")
        return cls(path, _rows_to_columns(path, rows, lines), lines)

    @classmethod
    def from_json(cls, path: Path) -> JsonTable:
        text = decode_utf8(path.read_bytes(), path)  # a table: no MAX_TEXT_BYTES
        if not text.strip():
            raise InputError(path, "file is empty (only whitespace)", EMPTY_HINT)
        data = parse_json(text, path, hint=None)
        if isinstance(data, list):
            if not data:
                raise InputError(path, "contains no rows")
            if not all(isinstance(row, dict) for row in data):
                raise InputError(path, "expected a list of row objects")
            return cls(path, _rows_to_columns(path, data, None), [])
        if isinstance(data, dict) and data and all(isinstance(v, list) for v in data.values()):
            lengths = {name: len(values) for name, values in data.items()}
            if len(set(lengths.values())) > 1:
                detail = ", ".join(f"{name} has {n}" for name, n in lengths.items())
                raise InputError(
                    path,
                    f"columns differ in length ({detail})",
                    "every column needs one value per row (are y_true and y_pred from the same "
                    "examples?)",
                )
            if not next(iter(lengths.values())):
                raise InputError(path, "contains no rows")
            return cls(path, data, [])
        raise InputError(
            path,
            "expected a list of row objects or an object of column arrays",
            'e.g. {"y_true": [...], "y_pred": [...]}',
        )

    def where(self, row: int) -> str:
        return f"line {self._lines[row]}" if self._lines else f"row {row + 1}"

    def raw(self, names: Sequence[str]) -> list[Raw]:
        out = []
        for name in names:
            values = self._data[name]
            if values and all(type(v) is int for v in values):
                try:
                    out.append(Raw(name, "int", np.asarray(values, dtype=np.int64)))
                    continue
                except OverflowError:  # beyond int64: read as floats, as the CSV reader does
                    pass
            if values and all(type(v) in (int, float) for v in values):
                out.append(Raw(name, "float", np.asarray(values, dtype=np.float64)))
            else:
                out.append(encode_objects(name, values))
        return out

    def numbers(self, names: Sequence[str]) -> np.ndarray:
        out = np.empty((len(self._data[names[0]]), len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            for i, value in enumerate(self._data[name]):
                number = number_or_none(value)
                if number is None:
                    raise not_numeric(self.path, name, self.where(i))
                out[i, j] = number
        return out


def _rows_to_columns(
    path: Path, rows: list[dict[str, Any]], lines: list[int] | None
) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {name: [] for name in rows[0]}
    for index, row in enumerate(rows):
        if row.keys() != columns.keys():
            where = f"line {lines[index]}" if lines else f"row {index + 1}"
            missing = [name for name in columns if name not in row]
            extra = [name for name in row if name not in columns]
            detail = (
                f"missing {', '.join(repr(m) for m in missing)}"
                if missing
                else f"unexpected {', '.join(repr(e) for e in extra)}"
            )
            raise InputError(
                path,
                f"{where}: {detail} key{'s' if len(missing or extra) > 1 else ''}",
                f"every row needs the keys of the first ({', '.join(columns)})",
            )
        for name, value in row.items():
            columns[name].append(value)
    return columns
