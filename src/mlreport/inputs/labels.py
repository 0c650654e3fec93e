"""Class labels: raw columns to integer codes over one sorted, canonical set of label names.

Numbers are canonicalised (``1``, ``1.0`` and ``"1"`` are the same label, shown as ``1``) and
sorted by value; text labels are sorted as strings, as scikit-learn orders ``classes_``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlreport.errors import InputError
from mlreport.inputs.tables import Raw, Table, floats_or_none, number_or_none

MISSING_TEXT = frozenset({"", "nan"})


@dataclass(frozen=True)
class Labels:
    """A label column: ``codes[i]`` indexes ``names``; ``numeric`` when every label is a number."""

    codes: np.ndarray
    names: tuple[str, ...]
    numeric: bool


def canonical_number(value: float) -> str:
    if value.is_integer() and abs(value) < 2**63:
        return str(int(value))
    return repr(value)


def encode(raw: Raw, table: Table, *, allow_missing: bool = False) -> Labels:
    """Encode one raw column as labels; missing values are an error unless *allow_missing*."""
    if raw.kind == "int":
        return _encode_ints(raw.data)
    if raw.kind == "float":
        nan = np.isnan(raw.data)
        if nan.any() and not allow_missing:
            raise _missing(raw.name, table, int(np.argmax(nan)), int(nan.sum()))
        values = np.where(nan, 0.0, raw.data)
        uniq, codes = np.unique(values, return_inverse=True)
        names = [canonical_number(float(v)) for v in uniq]
        labels = Labels(codes.reshape(-1).astype(np.int64), tuple(names), True)
        if nan.any():
            return _with_missing(labels, nan)
        return labels
    return _encode_values(raw, table, allow_missing)


def _encode_ints(values: np.ndarray) -> Labels:
    lo, hi = int(values.min()), int(values.max())
    if hi - lo < 1 << 22:
        shifted = values - lo
        present = np.bincount(shifted) > 0
        lookup = np.cumsum(present) - 1
        uniq = np.flatnonzero(present) + lo
        return Labels(lookup[shifted], tuple(str(int(v)) for v in uniq), True)
    uniq, codes = np.unique(values, return_inverse=True)
    return Labels(codes.reshape(-1).astype(np.int64), tuple(str(int(v)) for v in uniq), True)


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value.strip().lower() in MISSING_TEXT


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _display(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _encode_values(raw: Raw, table: Table, allow_missing: bool) -> Labels:
    missing = {i for i, value in enumerate(raw.values) if _is_missing(value)}
    if missing and not allow_missing:
        is_missing = np.isin(raw.data, sorted(missing))
        raise _missing(raw.name, table, int(np.argmax(is_missing)), int(is_missing.sum()))
    present = [v for i, v in enumerate(raw.values) if i not in missing]
    numbers = [_as_number(v) for v in present]
    numeric = bool(present) and all(n is not None for n in numbers)
    if numeric:
        keys = [canonical_number(n) for n in numbers if n is not None]
        order = sorted(set(keys), key=lambda k: float(k))
    else:
        keys = [_display(v) for v in present]
        order = sorted(set(keys))
    position = {name: i for i, name in enumerate(order)}
    lookup = np.empty(len(raw.values), dtype=np.int64)
    it = iter(keys)
    for i in range(len(raw.values)):
        lookup[i] = -1 if i in missing else position[next(it)]
    labels = Labels(lookup[raw.data], tuple(order), numeric)
    if missing:
        return _with_missing(labels, labels.codes < 0)
    return labels


def _with_missing(labels: Labels, mask: np.ndarray) -> Labels:
    """Give missing values their own label, '(missing)', placed last."""
    codes = labels.codes.copy()
    codes[mask] = len(labels.names)
    return Labels(codes, (*labels.names, "(missing)"), False)


def _missing(name: str, table: Table, first_row: int, count: int) -> InputError:
    many = f"{count:,} missing values" if count > 1 else "a missing value"
    return InputError(
        table.path,
        f"column '{name}' has {many} (first at {table.where(first_row)})",
        "drop or fill those rows",
    )


def unify(*columns: Labels) -> tuple[tuple[str, ...], list[np.ndarray]]:
    """Put several label columns on one sorted label set; returns (names, recoded codes)."""
    numeric = all(c.numeric for c in columns)
    names = set().union(*(c.names for c in columns))
    order = sorted(names, key=float) if numeric else sorted(names)
    position = {name: i for i, name in enumerate(order)}
    recoded = []
    for column in columns:
        lookup = np.array([position[n] for n in column.names], dtype=np.int64)
        recoded.append(lookup[column.codes])
    return tuple(order), recoded


def as_floats(raw: Raw, table: Table, role: str, inferred: bool = False) -> np.ndarray:
    """A raw column as float64 (regression targets); text that is not a number is an error
    (*inferred*: the task was inferred, not given with --task)."""
    values = floats_or_none(raw)
    if values is not None:
        return values
    wrong = [i for i, v in enumerate(raw.values) if number_or_none(v) is None]
    row = int(np.argmax(np.isin(raw.data, wrong)))  # the first such row in the file
    bad = int(raw.data[row])
    raise InputError(
        table.path,
        f"{role} column '{raw.name}' is not numeric ('{_display(raw.values[bad])}' at "
        f"{table.where(row)})",
        "a regression task needs numbers"
        + ("" if inferred else "; for class labels drop --task regression"),
    )


def refuse_label_sets(raw: Raw, path: Path) -> None:
    """Multi-label predictions (a list of labels per row) are refused, never scored as if
    each set of labels were one class."""
    for value in raw.values[:10_000] if raw.kind == "codes" else ():
        text = value.strip() if isinstance(value, str) else ""
        if text.startswith("[") and text.endswith("]"):
            raise InputError(
                path,
                f"column '{raw.name}' holds lists of labels ({text[:40]}): "
                "multi-label predictions are not supported",
                "report each label as a binary task: one predictions file per label, with "
                "y_true and y_pred 0/1",
            )
