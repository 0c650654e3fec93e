"""CSV and TSV through NumPy's C parser (``np.loadtxt``), trying int64, then float64, then
text; a vectorised scan over the bytes checks every row's width first."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from mlreport.errors import InputError
from mlreport.inputs._files import (
    MAX_LINE_BYTES,
    decode_utf8,
    line_too_long,
    read_line,
    utf8_error_in_file,
)
from mlreport.inputs.tables.codes import (
    MAX_BYTES_WIDTH,
    Raw,
    encode_bytes,
    encode_objects,
    not_numeric,
    number_or_none,
)


class CsvTable:
    def __init__(self, path: Path, delimiter: str, what: str = "predictions") -> None:
        self.path = path
        self.delimiter = delimiter
        self.what = what
        self._shape_checked = False
        self._widths: dict[str, int] = {}  # longest field per column (unquoted files)
        with path.open("rb") as handle:
            head = read_line(handle, path, 1)
            number, second = 2, read_line(handle, path, 2)
            while second and not second.strip():
                number += 1
                second = read_line(handle, path, number)
        header_text = decode_utf8(head, path)
        try:
            header = next(csv.reader([header_text], delimiter=delimiter), [])
        except csv.Error as exc:  # e.g. a carriage return inside the header
            raise InputError(path, f"invalid CSV header (line 1): {exc}") from None
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

    def _load(
        self,
        names: Sequence[str],
        dtype: Any,
        ndmin: Literal[1, 2] = 2,
        max_rows: int | None = None,
    ) -> np.ndarray:
        # every column: then NumPy itself rejects a row of another width (no scan needed)
        every = list(names) == self.columns and ndmin == 1
        indices = None if every else [self.columns.index(name) for name in names]
        with warnings.catch_warnings():
            # blank lines do not count towards max_rows (NumPy warns that they once did)
            warnings.filterwarnings("ignore", "Input line", UserWarning)
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
                    max_rows=max_rows,
                )
            except UnicodeDecodeError as exc:
                raise utf8_error_in_file(self.path, exc) from None

    def raw(self, names: Sequence[str]) -> list[Raw]:
        fast = self._arrow("raw", names)
        if fast is not None:
            return fast  # type: ignore[no-any-return]
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

    def mixed(self, names: Sequence[str]) -> list[Raw] | None:
        """The named columns in one pass, each numbers or codes on its own (:meth:`raw`
        reads all of them one way); None when the file needs the slow path (long text,
        text beyond Latin-1). All the columns: no scan first (NumPy checks every row's
        width, quotes included); some of them: after the scan, which also measures them."""
        from mlreport.inputs.tables.mixed import read_mixed

        fast = self._arrow("mixed", names)
        if fast is not None:
            return fast  # type: ignore[no-any-return]
        widths = None
        if list(names) != self.columns:
            self._check_shape()
            widths = [self._widths.get(name, 0) for name in names]
            if not names or not self._widths or max(widths) > MAX_BYTES_WIDTH:
                return None
        try:
            return read_mixed(self._load, names, widths)
        except ValueError as exc:
            raise self._diagnose(exc) from None

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
        fast = self._arrow("numbers", names)
        if fast is not None:
            return fast  # type: ignore[no-any-return]
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

    def _arrow(self, how: str, names: Sequence[str]) -> Any:
        """What pyarrow reads (:mod:`.arrow_csv`: large files), or None."""
        from mlreport.inputs.tables import arrow_csv

        if not names or not arrow_csv.wanted(self.path):
            return None
        return getattr(arrow_csv, how)(self.path, self.delimiter, self.columns, names)

    def _check_shape(self) -> None:
        """Every row has as many fields as the header.

        NumPy reads only the columns asked for, so a row with an unquoted separator in a
        value would shift values silently; this finds it first.  Vectorised over the raw
        bytes for files without quotes; files with quotes go through the csv module.
        """
        if self._shape_checked:
            return
        self._shape_checked = True
        scan = scanned(self.path, self.delimiter, len(self.columns))
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


_SCANS: dict[tuple[str, str, int, int, int], Scan] = {}  # one file read as data and predictions


def scanned(path: Path, delimiter: str, columns: int) -> Scan:
    """:func:`scan_csv`, once per file and content (its size and modification time)."""
    stat = path.stat()
    key = (str(path.resolve()), delimiter, columns, stat.st_size, stat.st_mtime_ns)
    if key not in _SCANS:
        _SCANS[key] = scan_csv(path, delimiter, columns)
    return _SCANS[key]


def scan_csv(path: Path, delimiter: str, columns: int) -> Scan:
    """Check that every non-blank row has *columns* fields, and measure each column.

    The file is read in chunks cut after their last newline (a partial line waits for the
    next chunk); separators and newlines are found with NumPy, never a Python loop.
    """
    separator, newline, quote = ord(delimiter), ord("\n"), ord('"')
    widths = np.zeros(columns, dtype=np.int64)
    with path.open("rb") as handle:
        read_line(handle, path, 1)
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
                if len(buffer) > MAX_LINE_BYTES:
                    raise line_too_long(path, line)
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


def _objects_to_floats(table: CsvTable, names: Sequence[str], matrix: np.ndarray) -> np.ndarray:
    out = np.empty(matrix.shape, dtype=np.float64)
    for j, name in enumerate(names):
        for i, value in enumerate(matrix[:, j]):
            number = number_or_none(value)
            if number is None:
                raise not_numeric(table.path, name, table.where(i))
            out[i, j] = number
    return out
