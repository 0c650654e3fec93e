"""Columns as read: numbers where every value parsed as one, else dictionary-encoded values.

Whole-number columns are int64 arrays, numeric ones float64, anything else codes into the
distinct values, so that ten million rows never become ten million Python objects at once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from mlreport.errors import InputError

Kind = Literal["int", "float", "codes"]


@dataclass(frozen=True)
class Raw:
    """One column as read: numbers where every value parsed as one, else codes into ``values``
    (int64, or int32 from pyarrow)."""

    name: str
    kind: Kind
    data: np.ndarray
    values: tuple[object, ...] = ()

    def __len__(self) -> int:
        return len(self.data)


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


def not_numeric(path: Path, name: str, where: str) -> InputError:
    return InputError(path, f"column '{name}' is not numeric ({where})")


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
