"""Parquet files, through pyarrow (the ``parquet`` extra), imported only here."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mlreport.errors import InputError
from mlreport.inputs.tables.codes import Raw, encode_objects


class ParquetTable:
    def __init__(self, path: Path) -> None:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise InputError(
                path, "reading Parquet needs pyarrow", "pip install 'mlreport[parquet]'"
            ) from None
        self.path = path
        try:
            self._file = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises several unrelated types for a bad file
            raise InputError(path, f"not a readable Parquet file ({exc})") from None
        self.columns = list(self._file.schema_arrow.names)
        if self._file.metadata.num_rows == 0:
            raise InputError(path, "contains no rows")

    def where(self, row: int) -> str:
        return f"row {row + 1}"

    def _read(self, names: Sequence[str]) -> Any:
        return self._file.read(columns=list(names))

    def raw(self, names: Sequence[str]) -> list[Raw]:
        import pyarrow as pa
        import pyarrow.compute as pc

        table = self._read(names)
        out = []
        for name in names:
            column = table.column(name).combine_chunks()
            kind = column.type
            if pa.types.is_integer(kind) and column.null_count == 0:
                out.append(Raw(name, "int", column.to_numpy().astype(np.int64, copy=False)))
            elif pa.types.is_floating(kind) or pa.types.is_integer(kind):
                floats = pc.cast(column, pa.float64()).fill_null(math.nan)
                out.append(Raw(name, "float", floats.to_numpy()))
            elif pa.types.is_nested(kind):  # lists, structs, maps: their JSON text
                out.append(encode_objects(name, column.to_pylist()))
            else:
                if pa.types.is_dictionary(kind):
                    column = column.dictionary_decode()  # drop categories no row uses
                encoded = pc.dictionary_encode(column)
                codes = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy()
                values = tuple(encoded.dictionary.to_pylist())
                if column.null_count:  # nulls get the extra code len(values): a missing value
                    values = (*values, None)
                out.append(Raw(name, "codes", codes.astype(np.int64), values))
        return out

    def numbers(self, names: Sequence[str]) -> np.ndarray:
        import pyarrow as pa
        import pyarrow.compute as pc

        table = self._read(names)
        out = np.empty((table.num_rows, len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            column = table.column(name).combine_chunks()
            if not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
                raise InputError(self.path, f"column '{name}' is not numeric (type {column.type})")
            out[:, j] = pc.cast(column, pa.float64()).fill_null(math.nan).to_numpy()
        return out
