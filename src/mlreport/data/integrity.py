"""The integrity of a data file: missing values per column, constant columns, duplicate
rows, and leakage -- rows of the evaluation data that also occur in the reference (training)
data, found by a 64-bit hash of each row's values (:meth:`Frame.row_hashes`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlreport.data.frame import Frame


@dataclass(frozen=True)
class Integrity:
    rows: int
    missing: dict[str, float]  # column -> share of its values missing
    constant: list[str]  # columns with one distinct value (missing ones aside)
    duplicates: int  # rows that repeat an earlier row
    leaked: int | None = None  # rows also in the reference data (None: no reference)
    leakage_columns: tuple[str, ...] = ()  # the columns the rows were compared on

    @property
    def duplicate_share(self) -> float:
        return self.duplicates / self.rows if self.rows else 0.0

    @property
    def leakage_share(self) -> float | None:
        if self.leaked is None:
            return None
        return self.leaked / self.rows if self.rows else 0.0


def integrity(frame: Frame, reference: Frame | None, compared: Sequence[str]) -> Integrity:
    """The integrity of *frame*; leakage against *reference* on the columns *compared*
    (those both files have, the predictions' own columns left out)."""
    missing = {
        name: (column.n_missing / frame.n_rows if frame.n_rows else 0.0)
        for name, column in frame.columns.items()
    }
    constant = [
        name for name, column in frame.columns.items() if frame.n_rows and column.is_constant()
    ]
    names = list(frame.columns)
    leaking = reference is not None and bool(compared)
    hashes = frame.row_hashes(names, *([compared] if leaking else [])) if names else []
    ordered = np.sort(hashes[0]) if hashes else np.zeros(0, dtype=np.uint64)  # not np.unique:
    duplicates = int(np.count_nonzero(ordered[1:] == ordered[:-1]))  # a sort is much faster
    leaked = None
    if reference is not None and leaking:
        mine = np.sort(hashes[1])  # sorted queries: a sequential search
        theirs = np.sort(reference.row_hashes(compared)[0])
        leaked = int(np.count_nonzero(_contains(theirs, mine))) if theirs.size else 0
    return Integrity(frame.n_rows, missing, constant, duplicates, leaked, tuple(compared))


def _contains(ordered: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Whether each of *values* is in the sorted array *ordered* (not empty)."""
    at = np.minimum(np.searchsorted(ordered, values), ordered.size - 1)
    found: np.ndarray = ordered[at] == values
    return found
