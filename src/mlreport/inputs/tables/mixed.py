"""A CSV file's columns of different kinds in one pass of NumPy's parser: the kind of each
column is guessed from the first rows (clean numbers are parsed as float64 on the way), the
others are read as fixed-width bytes, then made numbers (blanks and ``NA``-like words are
NaN) or dictionary-encoded. A million rows of 22 columns take about a second this way,
against seconds as Python objects.

Without the widths of a scan, a text column is read twice as wide as its longest value in
the first rows (at least 4 bytes more); a value that fills that width may have been cut, and
then the caller reads the file the slow way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from mlreport.inputs.tables.codes import MAX_BYTES_WIDTH, Raw, encode_bytes

SAMPLE = 2000  # rows that decide the kinds (and, without a scan, the widths)
MISSING = np.array([b"", b"nan", b"na", b"n/a", b"null", b"none"])
Loader = Callable[..., np.ndarray]  # CsvTable._load(names, dtype, ndmin, max_rows)


def read_mixed(
    load: Loader, names: Sequence[str], widths: Sequence[int] | None
) -> list[Raw] | None:
    """The columns *names* (the longest field of each is *widths*, when a scan measured
    them), or None when the caller's slow path must read them (long text, text beyond
    Latin-1). A ValueError other than a value's conversion is the caller's to explain."""
    guess = widths is None
    probe = [max(w, 1) for w in widths] if widths is not None else [MAX_BYTES_WIDTH] * len(names)
    try:
        sample = load(names, _bytes(probe), 1, SAMPLE)
    except ValueError:  # text beyond Latin-1, or a bad row: the slow path says which
        return None
    columns = [sample[f"f{j}"] for j in range(len(names))]
    if guess:
        seen = [_used(c) for c in columns]
        if max(seen, default=0) >= MAX_BYTES_WIDTH:
            return None  # long text: Python strings
        probe = [max(2 * w, w + 4) for w in seen]
    clean = [_clean(c) for c in columns]
    texts = [not clean[j] and floats(c) is None for j, c in enumerate(columns)]
    kinds: list[tuple[str, Any]] = [
        (f"f{j}", "f8" if clean[j] else f"S{w}") for j, w in enumerate(probe)
    ]
    try:
        table = load(names, np.dtype(kinds), 1)
    except UnicodeError:
        return None
    except ValueError as exc:
        if "could not convert" not in str(exc):
            raise
        clean, texts = [False] * len(names), [False] * len(names)  # a later row: all as text
        try:
            table = load(names, _bytes(probe), 1)
        except ValueError:  # text beyond Latin-1 (or a bad row: the slow path says which)
            return None
    out = []
    for j, name in enumerate(names):
        column = table[f"f{j}"]
        if clean[j]:
            out.append(Raw(name, "float", np.ascontiguousarray(column)))
            continue
        if guess:
            column = np.ascontiguousarray(column)  # once: measured, then narrowed
            width = _used(column)
            if width == column.dtype.itemsize:
                return None  # a value as wide as the guess: maybe cut
            column = column.astype(f"S{max(width, 1)}")  # narrow: encoded as 8-byte words
        numbers = None if texts[j] else floats(column)  # text in the first rows: text
        out.append(
            Raw(name, "float", numbers) if numbers is not None else encode_bytes(name, column)
        )
    return out


def _bytes(widths: Sequence[int]) -> np.dtype[Any]:
    return np.dtype([(f"f{j}", f"S{w}") for j, w in enumerate(widths)])


def _used(column: np.ndarray) -> int:
    """The width of the longest value (values are left-aligned, padded with zero bytes)."""
    width = column.dtype.itemsize
    if not column.size:
        return 0
    used = np.ascontiguousarray(column).view(np.uint8).reshape(column.size, width).any(axis=0)
    nonzero = np.flatnonzero(used)
    return int(nonzero[-1]) + 1 if nonzero.size else 0


def _clean(sample: np.ndarray) -> bool:
    """Every value parses as a float (no blank, no NA word)."""
    if sample.size == 0 or (sample == b"").any():
        return False
    try:
        sample.astype(np.float64)
    except ValueError:
        return False
    return True


def floats(column: np.ndarray) -> np.ndarray | None:
    """A bytes column as float64, blanks and NA-like words NaN; None when a value is text."""
    try:
        return column.astype(np.float64)
    except ValueError:
        pass
    words = np.char.lower(np.char.strip(column))
    missing = np.isin(words, MISSING)
    try:
        return np.where(missing, b"nan", column).astype(np.float64)
    except ValueError:
        return None
