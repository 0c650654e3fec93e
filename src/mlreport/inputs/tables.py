"""Column readers for prediction and history files: CSV/TSV, JSON Lines, JSON and Parquet.

Every reader returns columns as :class:`Raw` values: whole-number columns as int64 arrays,
numeric columns as float64 arrays, anything else dictionary-encoded (codes + distinct values),
so that ten million rows never become ten million Python objects at once.  CSV goes through
NumPy's C parser (``np.loadtxt``), trying int64, then float64, then text; Parquet needs pyarrow.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from mlreport.errors import InputError
from mlreport.inputs._files import EMPTY_HINT, check_readable, decode_utf8, utf8_error_in_file

Kind = Literal["int", "float", "codes"]


@dataclass(frozen=True)
class Raw:
    """One column as read: numbers where every value parsed as one, else codes into ``values``."""

    name: str
    kind: Kind
    data: np.ndarray
    values: tuple[object, ...] = ()

    def __len__(self) -> int:
        return len(self.data)


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


def missing_columns_error(table: Table, missing: Sequence[str], hint: str | None) -> InputError:
    shown = ", ".join(table.columns[:20]) + (", …" if len(table.columns) > 20 else "")
    names = ", ".join(f"'{name}'" for name in missing)
    noun = "column" if len(missing) == 1 else "columns"
    return InputError(table.path, f"{noun} {names} not found (columns: {shown})", hint)


# --------------------------------------------------------------------------------------- CSV


class CsvTable:
    def __init__(self, path: Path, delimiter: str, what: str = "predictions") -> None:
        self.path = path
        self.delimiter = delimiter
        self.what = what
        self._shape_checked = False
        self._widths: dict[str, int] = {}  # longest field per column (unquoted files)
        with path.open("rb") as handle:
            head = handle.readline()
            second = handle.readline()
            while second and not second.strip():
                second = handle.readline()
        header_text = decode_utf8(head, path)
        header = next(csv.reader([header_text], delimiter=delimiter), [])
        self.columns = [name.strip() for name in header]
        if not any(self.columns):
            raise InputError(path, "first line is blank, expected a header row of column names")
        _check_unique(path, self.columns)
        if not second:
            raise InputError(path, "has a header but no data rows")
        if len(self.columns) == 1 and delimiter == "," and ";" in header_text:
            raise InputError(path, "looks ';'-separated", "write it with ',' as the separator")

    def where(self, row: int) -> str:
        return f"line {row + 2}"

    def _load(self, names: Sequence[str], dtype: Any, ndmin: Literal[1, 2] = 2) -> np.ndarray:
        indices = [self.columns.index(name) for name in names]
        try:
            return np.loadtxt(
                self.path,
                delimiter=self.delimiter,
                skiprows=1,
                usecols=indices,
                dtype=dtype,
                comments=None,
                quotechar='"',
                encoding="utf-8",
                ndmin=ndmin,
            )
        except UnicodeDecodeError as exc:
            raise utf8_error_in_file(self.path, exc) from None

    def raw(self, names: Sequence[str]) -> list[Raw]:
        self._check_shape()
        for kind, dtype in (("int", np.int64), ("float", np.float64)):
            try:
                matrix = self._load(names, dtype)
            except ValueError as exc:
                if not _is_conversion_error(exc):
                    raise self._diagnose(exc) from None
                continue
            return [Raw(name, kind, matrix[:, j]) for j, name in enumerate(names)]  # type: ignore[arg-type]
        compact = self._raw_bytes(names)
        if compact is not None:
            return compact
        try:
            matrix = self._load(names, object)
        except ValueError as exc:
            raise self._diagnose(exc) from None
        return [encode_objects(name, matrix[:, j]) for j, name in enumerate(names)]

    def _raw_bytes(self, names: Sequence[str]) -> list[Raw] | None:
        """Text columns read as fixed-width bytes, sized by the scan: ten million labels
        take ~1 s and 20 bytes each this way, against ~10 s and ~80 as Python strings.
        None when the file has quotes, a column is long text, or text is not Latin-1."""
        widths = [self._widths.get(name, 0) for name in names]
        if not self._widths or max(widths) > MAX_BYTES_WIDTH:
            return None
        dtype = np.dtype([(f"f{j}", f"S{max(w, 1)}") for j, w in enumerate(widths)])
        try:
            table = self._load(names, dtype, ndmin=1)  # one record per row
        except ValueError:  # text beyond Latin-1
            return None
        return [encode_bytes(name, table[f"f{j}"]) for j, name in enumerate(names)]

    def numbers(self, names: Sequence[str]) -> np.ndarray:
        self._check_shape()
        try:
            return np.asarray(self._load(names, np.float64), dtype=np.float64)
        except ValueError as exc:
            if not _is_conversion_error(exc):
                raise self._diagnose(exc) from None
        try:
            matrix = self._load(names, object)
        except ValueError as exc:
            raise self._diagnose(exc) from None
        return _objects_to_floats(self, names, matrix)

    def _check_shape(self) -> None:
        """Every row has as many fields as the header.

        NumPy reads only the columns asked for, so a row with an unquoted separator in a
        value would shift values silently; this finds it first.  Vectorised over the raw
        bytes for files without quotes; files with quotes go through the csv module.
        """
        if self._shape_checked:
            return
        self._shape_checked = True
        scan = scan_csv(self.path, self.delimiter, len(self.columns))
        bad = self._scan_fields() if scan.quoted else scan.bad
        if bad is not None:
            raise self._shape_error(*bad)
        self._widths = dict(zip(self.columns, scan.widths, strict=False))

    def _scan_fields(self) -> tuple[int, int] | None:
        expected = len(self.columns)
        with self.path.open(encoding="utf-8-sig", newline="", errors="replace") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            try:
                next(reader, None)
                for row in reader:
                    if row and len(row) != expected:
                        return reader.line_num, len(row)
            except csv.Error as error:
                raise InputError(
                    self.path, f"invalid CSV at line {reader.line_num}: {error}"
                ) from None
        return None

    def _shape_error(self, line: int, fields: int) -> InputError:
        hint = "every row needs one value per column; quote values that contain the separator"
        if self.what == "predictions":
            hint += " (are y_true and y_pred the same length?)"
        return InputError(
            self.path,
            f"line {line} has {fields} field{'s' if fields != 1 else ''} but the header has "
            f"{len(self.columns)}",
            hint,
        )

    def _diagnose(self, exc: ValueError) -> InputError:
        """Explain a failed parse (slow path): a bad row, else NumPy's own words."""
        bad = self._scan_fields()
        if bad is not None:
            return self._shape_error(*bad)
        return InputError(self.path, f"cannot parse as CSV: {exc}")


CHUNK = 1 << 22


@dataclass(frozen=True)
class Scan:
    """What one vectorised pass over a CSV file's bytes found."""

    quoted: bool = False  # has quotes: only a CSV parser can tell fields apart
    bad: tuple[int, int] | None = None  # (line, fields) of the first row of the wrong width
    widths: tuple[int, ...] = ()  # the longest field of each column, in bytes


def scan_csv(path: Path, delimiter: str, columns: int) -> Scan:
    """Check that every non-blank row has *columns* fields, and measure each column.

    The file is read in chunks cut after their last newline (a partial line waits for the
    next chunk); separators and newlines are found with NumPy, never a Python loop.
    """
    separator, newline, quote = ord(delimiter), ord("\n"), ord('"')
    widths = np.zeros(columns, dtype=np.int64)
    with path.open("rb") as handle:
        handle.readline()
        line = 2
        rest = b""
        while True:
            chunk = handle.read(CHUNK)
            buffer = rest + chunk
            if not chunk:
                if not buffer:
                    break
                buffer += b"\n"  # a last line without a newline
            cut = buffer.rfind(b"\n") + 1
            if not cut:
                rest = buffer  # one line longer than a chunk
                continue
            data = np.frombuffer(buffer, dtype=np.uint8, count=cut)
            rest = buffer[cut:]
            if (data == quote).any():
                return Scan(quoted=True)
            newlines = data == newline
            separators = data == separator
            ends = np.flatnonzero(newlines)
            counts = np.diff(np.r_[0, np.cumsum(separators, dtype=np.int32)[ends]]) + 1
            lengths = np.diff(np.r_[-1, ends]) - 1
            before = data[np.maximum(ends - 1, 0)]
            blank = (lengths == 0) | ((lengths == 1) & (before == ord("\r")))
            wrong = np.flatnonzero((counts != columns) & ~blank)
            if wrong.size:
                first = int(wrong[0])
                return Scan(bad=(line + first, int(counts[first])))
            bounds = np.flatnonzero(newlines | separators)  # where each field ends
            sizes = bounds - np.r_[0, bounds[:-1] + 1]
            if blank.any():
                sizes = sizes[np.repeat(~blank, counts)]
            sizes = sizes.reshape(-1, columns)
            if sizes.size:
                np.maximum(widths, sizes.max(axis=0), out=widths)
            line += ends.size
            if not chunk:
                break
    return Scan(widths=tuple(int(w) for w in widths))


def _is_conversion_error(exc: ValueError) -> bool:
    return "could not convert" in str(exc)


def _check_unique(path: Path, columns: list[str]) -> None:
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            raise InputError(path, f"column '{name}' appears twice in the header")
        seen.add(name)


def _objects_to_floats(table: Table, names: Sequence[str], matrix: np.ndarray) -> np.ndarray:
    out = np.empty(matrix.shape, dtype=np.float64)
    for j, name in enumerate(names):
        for i, value in enumerate(matrix[:, j]):
            number = number_or_none(value)
            if number is None:
                raise _not_numeric(table, name, i)
            out[i, j] = number
    return out


def number_or_none(value: object) -> float | None:
    """A value as a float (blanks and 'nan' are NaN), or None when it is not a number."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if not text or text.lower() in ("nan", "na", "null", "none"):
        return math.nan
    try:
        return float(text)
    except ValueError:
        return None


def floats_or_none(raw: Raw) -> np.ndarray | None:
    """The column as float64 with blanks as NaN, or None when some value is not a number."""
    if raw.kind != "codes":
        return raw.data.astype(np.float64, copy=False)
    lookup = np.empty(len(raw.values), dtype=np.float64)
    for i, value in enumerate(raw.values):
        number = number_or_none(value)
        if number is None:
            return None
        lookup[i] = number
    values: np.ndarray = lookup[raw.data]
    return values


def _not_numeric(table: Table, name: str, row: int) -> InputError:
    return InputError(table.path, f"column '{name}' is not numeric ({table.where(row)})")


MAX_BYTES_WIDTH = 64
_MIX = np.uint64(0x9E3779B97F4A7C15)


def encode_bytes(name: str, column: np.ndarray) -> Raw:
    """Dictionary-encode a fixed-width bytes column (as ``np.loadtxt`` gives it: Latin-1).

    Each value becomes a 64-bit key (its bytes, or a hash of them when wider than 8 bytes);
    keys are looked up among those of the first rows, and only a column with new values
    further down pays for a full ``np.unique``.  Hashed keys are verified against the bytes.
    """
    n = len(column)
    words = -(-column.dtype.itemsize // 8)
    packed = column.astype(f"S{8 * words}").view(np.uint64).reshape(n, words)
    keys = packed[:, 0].copy()
    for j in range(1, words):
        keys = keys * _MIX ^ packed[:, j]
    known = np.unique(keys[: 1 << 16])
    codes = np.minimum(np.searchsorted(known, keys), known.size - 1)
    if not np.array_equal(known[codes], keys):
        known, codes = np.unique(keys, return_inverse=True)
        codes = codes.reshape(-1)
    where = np.empty(known.size, dtype=np.int64)
    where[codes] = np.arange(n)  # some row of each value
    if words > 1 and not np.array_equal(column, column[where][codes]):
        uniq, codes = np.unique(column, return_inverse=True)  # a hash collision: exact path
        values = tuple(v.decode("latin-1") for v in uniq.tolist())
        return Raw(name, "codes", codes.reshape(-1).astype(np.int64), values)
    values = tuple(v.decode("latin-1") for v in column[where].tolist())
    return Raw(name, "codes", codes.astype(np.int64), values)


def encode_objects(name: str, values: Sequence[object] | np.ndarray) -> Raw:
    """Dictionary-encode a column of Python values (one pass, a dict lookup per value)."""
    index: dict[object, int] = {}
    setdefault = index.setdefault
    codes = np.fromiter(
        (setdefault(_hashable(v), len(index)) for v in values), dtype=np.int64, count=len(values)
    )
    return Raw(name, "codes", codes, tuple(index))


def _hashable(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True)
    return value


# ------------------------------------------------------------------------------ JSON (Lines)


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
            for number, raw_line in enumerate(handle, start=1):
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
                if not isinstance(row, dict):
                    raise InputError(path, f"line {number}: expected a JSON object per line")
                rows.append(row)
                lines.append(number)
        if not rows:
            raise InputError(path, "contains no rows")
        return cls(path, _rows_to_columns(path, rows, lines), lines)

    @classmethod
    def from_json(cls, path: Path) -> JsonTable:
        text = decode_utf8(path.read_bytes(), path)
        if not text.strip():
            raise InputError(path, "file is empty (only whitespace)", EMPTY_HINT)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
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
                    raise InputError(self.path, f"column '{name}' is not numeric ({self.where(i)})")
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


# ----------------------------------------------------------------------------------- Parquet


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
