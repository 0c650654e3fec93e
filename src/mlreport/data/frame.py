"""A data file's columns for the data checks: each numeric (float64, NaN where missing) or
categorical (codes into its categories, -1 where missing), read by the same readers as
predictions (:mod:`mlreport.inputs.tables`), and a 64-bit hash of every row.

A text column in which some values are numbers and some are not is categorical, and says how
many of its values are of the other type (``mixed``): a schema violation, not an error.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from mlreport.inputs.tables import Raw, number_or_none, open_table

ColumnKind = Literal["numeric", "categorical"]
_MIX = np.uint64(0x9E3779B97F4A7C15)
_MISSING_TEXT = ("", "nan", "na", "n/a", "null", "none")


@dataclass(frozen=True)
class Column:
    """One column. Numeric: *values* (float64, NaN missing). Categorical: *codes* (int32 or
    int64, -1 missing) into *categories* (text, distinct)."""

    name: str
    kind: ColumnKind
    values: np.ndarray | None = None
    codes: np.ndarray | None = None
    categories: tuple[str, ...] = ()
    mixed: int = 0  # values of the other kind (numbers in a text column), counted as read

    def __len__(self) -> int:
        data = self.values if self.values is not None else self.codes
        return 0 if data is None else int(data.size)

    @property
    def missing(self) -> np.ndarray:
        """A boolean mask of the missing values."""
        mask: np.ndarray
        if self.values is not None:
            mask = np.isnan(self.values)
        else:
            assert self.codes is not None
            mask = self.codes < 0
        return mask

    @property
    def n_missing(self) -> int:
        return int(self.missing.sum())

    def present(self) -> np.ndarray:
        """The values that are not missing: floats (numeric) or codes (categorical)."""
        out: np.ndarray
        if self.values is not None:
            out = self.values[~np.isnan(self.values)]
        else:
            assert self.codes is not None
            out = self.codes[self.codes >= 0]
        return out

    def counts(self) -> np.ndarray:
        """Categorical: the count of each category (missing values left out)."""
        assert self.codes is not None
        present = self.codes[self.codes >= 0]
        return np.bincount(present, minlength=len(self.categories))

    def is_constant(self) -> bool:
        """One distinct value among those present (a min and a max, not a sort)."""
        if self.values is not None:
            present = self.present()
            return bool(present.size) and float(present.min()) == float(present.max())
        return int(np.count_nonzero(self.counts())) == 1

    def n_distinct(self) -> int:
        if self.values is not None:
            return int(np.unique(self.present()).size)
        return int(np.count_nonzero(self.counts()))

    def row_hashes(self) -> np.ndarray:
        """A uint64 per row that depends only on the value (the same category has the same
        hash in any file; every missing value hashes alike)."""
        if self.values is not None:
            bits: np.ndarray = (self.values + 0.0).view(np.uint64)  # a copy; -0.0 -> 0.0
            bits[np.isnan(self.values)] = np.uint64(0x7FF8000000000001)  # every NaN alike
            return bits
        assert self.codes is not None
        table = np.array([_text_hash(c) for c in self.categories] + [0x5EED], dtype=np.uint64)
        return table[np.where(self.codes < 0, len(self.categories), self.codes)]


@dataclass(frozen=True)
class Frame:
    """The columns of one data file, in file order."""

    path: str  # as the user gave it (a path, or REF:path)
    n_rows: int
    columns: dict[str, Column] = field(default_factory=dict)

    def row_hashes(self, names: Sequence[str], *more: Sequence[str]) -> list[np.ndarray]:
        """A uint64 per row over the columns *names* (in that order), and one over each of
        *more*: each column is hashed once for all of them."""
        selections = [list(names), *map(list, more)]
        order = list(dict.fromkeys(name for selection in selections for name in selection))
        wanted = [set(selection) for selection in selections]
        for i, selection in enumerate(selections[1:], 1):
            if [name for name in order if name in wanted[i]] != selection:  # not in that order
                wanted[i] = set()
        outs = [np.full(self.n_rows, np.uint64(0xCBF29CE484222325)) for _ in selections]
        with np.errstate(over="ignore"):
            for name in order:
                column = self.columns[name].row_hashes()
                for out, chosen in zip(outs, wanted, strict=True):
                    if name in chosen:
                        out *= _MIX
                        out ^= column
        for i, selection in enumerate(selections):
            if not wanted[i] and selection:  # hashed in its own order, on its own
                outs[i] = self.row_hashes(selection)[0]
        return outs


def _text_hash(text: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
    )


def column_of(raw: Raw) -> Column:
    """A column as read, made numeric or categorical (see the module's docstring)."""
    if raw.kind in ("int", "float"):
        return Column(raw.name, "numeric", values=raw.data.astype(np.float64, copy=False))
    texts = [_text(v) for v in raw.values]
    numbers = [
        number_or_none(v) if t is not None else None for v, t in zip(raw.values, texts, strict=True)
    ]
    present = (
        np.bincount(raw.data, minlength=len(raw.values)) if len(raw.values) else np.zeros(0, int)
    )
    numeric_rows = sum(
        int(present[i]) for i, n in enumerate(numbers) if n is not None and texts[i] is not None
    )
    text_rows = sum(
        int(present[i]) for i, n in enumerate(numbers) if n is None and texts[i] is not None
    )
    if text_rows == 0 and numeric_rows:  # numbers written as text (quoted), and blanks
        lookup = np.array([n if n is not None else math.nan for n in numbers], dtype=np.float64)
        return Column(raw.name, "numeric", values=lookup[raw.data])
    categories: list[str] = []
    index: dict[str, int] = {}
    remap = np.full(len(raw.values), -1, dtype=raw.data.dtype)  # codes keep their width
    for i, text in enumerate(texts):
        if text is None:
            continue
        remap[i] = index.setdefault(text, len(categories))
        if remap[i] == len(categories):
            categories.append(text)
    if not len(raw.values):
        codes = np.zeros(0, dtype=np.int64)
    elif np.array_equal(remap, np.arange(remap.size)):  # the usual case: nothing to remap
        codes = raw.data
    else:
        codes = remap[raw.data]
    return Column(
        raw.name,
        "categorical",
        codes=codes,
        categories=tuple(categories),
        mixed=min(numeric_rows, text_rows),
    )


def _text(value: object) -> str | None:
    """A value as category text, or None when it is missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return None if text.strip().lower() in _MISSING_TEXT else text


def read_frame(path: Path, shown: str | None = None, names: Iterable[str] | None = None) -> Frame:
    """The columns of the data file *path* (all of them, or *names*); *shown*: how the
    user named it (``main:data/train.csv``), for messages."""
    table = open_table(path, "data")
    wanted = list(names) if names is not None else list(table.columns)
    fast = getattr(table, "mixed", None)  # CSV: each column its own kind, in one pass
    raws = (fast(wanted) if fast is not None and wanted else None) or (
        table.raw(wanted) if wanted else []
    )
    columns = {raw.name: column_of(raw) for raw in raws}
    n_rows = len(raws[0]) if raws else 0
    return Frame(shown or str(path), n_rows, columns)
