"""Per-example outcomes of a model -- true value, prediction, score or probabilities, id --
as a record keeps them (a compressed ``.npz``: no pickle, numbers and UTF-8 JSON only), and
the matching of two models' examples.

Examples are matched by id (``--id-col``, or a column named ``id``) when both sides have
one, else by row order when both have as many rows and the same true values row for row;
anything else is no match (paired statistics are then skipped, never guessed).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlreport.config import Task
from mlreport.inputs.predictions import Predictions
from mlreport.inputs.tables.codes import Raw

SCHEMA = "mlreport/outcomes@1"
MAX_UNPACKED = 4 << 30  # bytes a record may unpack to (a 20 MB record of outcomes is far less)


@dataclass(frozen=True)
class Outcomes:
    task: Task
    y_true: np.ndarray  # codes into labels, or values (regression)
    y_pred: np.ndarray
    labels: tuple[str, ...] = ()
    ids: np.ndarray | None = None  # int64, or str values; None: the examples' order
    score: np.ndarray | None = None  # binary: the positive class's probability
    proba: np.ndarray | None = None  # rows × labels
    pos_label: int | None = None

    @property
    def n(self) -> int:
        return int(self.y_true.size)


class Unreadable(Exception):
    """Bytes that are not a record (the message says what is wrong)."""


def id_values(raw: Raw | None) -> np.ndarray | None:
    if raw is None:
        return None
    if raw.kind == "int":
        return raw.data.astype(np.int64)
    if raw.kind == "float":
        return raw.data.astype(str)
    names = np.array([str(v) for v in raw.values], dtype=object)
    out: np.ndarray = names[raw.data].astype(str)
    return out


def from_predictions(pred: Predictions) -> Outcomes:
    return Outcomes(
        pred.task,
        pred.y_true,
        pred.y_pred,
        pred.labels,
        id_values(pred.ids),
        pred.score if pred.proba is None else None,
        pred.proba,
        pred.pos_label,
    )


def pack(report: dict[str, Any], outcomes: Outcomes | None, meta: dict[str, Any]) -> bytes:
    """A record: report.json and, unless None, the outcomes; compressed."""
    arrays: dict[str, np.ndarray] = {"report": _json(report)}
    info = {"schema": SCHEMA, **meta, "outcomes": outcomes is not None}
    if outcomes is not None:
        info |= {
            "task": outcomes.task,
            "labels": list(outcomes.labels),
            "pos_label": outcomes.pos_label,
        }
        arrays |= {"y_true": outcomes.y_true, "y_pred": outcomes.y_pred}
        if outcomes.task == "classification":  # codes: the smallest type (read back as int64)
            codes = np.min_scalar_type(max(len(outcomes.labels) - 1, 0))
            arrays |= {name: arrays[name].astype(codes) for name in ("y_true", "y_pred")}
        if outcomes.ids is not None:
            arrays["ids"] = (
                outcomes.ids if outcomes.ids.dtype.kind == "i" else _strings(outcomes.ids)
            )
            info["ids"] = "int" if outcomes.ids.dtype.kind == "i" else "str"
        for name in ("score", "proba"):
            value = getattr(outcomes, name)
            if value is not None:
                arrays[name] = value.astype(np.float32)
    arrays["meta"] = _json(info)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, allow_pickle=False, **arrays)
    return buffer.getvalue()


def unpack(data: bytes) -> tuple[dict[str, Any], Outcomes | None, dict[str, Any]]:
    """(report.json, outcomes or None, meta) of a record; Unreadable when it is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED:
            raise Unreadable(f"too large: it unpacks to {unpacked / 2**30:.1f} GB")
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise Unreadable(f"not a record ({type(exc).__name__})") from None
    try:
        meta = json.loads(bytes(arrays["meta"]).decode())
        report = json.loads(bytes(arrays["report"]).decode())
    except (KeyError, ValueError, UnicodeDecodeError):
        raise Unreadable("not a record (no readable meta or report)") from None
    if not isinstance(meta, dict) or meta.get("schema") != SCHEMA or not isinstance(report, dict):
        schema = meta.get("schema") if isinstance(meta, dict) else None
        raise Unreadable(f"a record of an unknown kind ({str(schema)[:40]!r})")
    if not meta.get("outcomes"):
        return report, None, meta
    try:
        outcomes = _outcomes(arrays, meta)
    except (KeyError, ValueError, TypeError) as exc:
        raise Unreadable(f"its outcomes are not readable ({exc})") from None
    return report, outcomes, meta


def _outcomes(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Outcomes:
    task = meta["task"]
    if task not in ("classification", "regression"):
        raise ValueError(f"task {task!r}")
    y_true, y_pred = arrays["y_true"], arrays["y_pred"]
    labels = tuple(str(v) for v in meta.get("labels") or ())
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError("y_true and y_pred differ in shape")
    if (
        task == "classification"
        and y_true.size
        and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= len(labels))
    ):
        raise ValueError("label codes out of range")
    ids = arrays.get("ids")
    if ids is not None and meta.get("ids") == "str":
        ids = np.array(json.loads(bytes(ids).decode()), dtype=str)
    if ids is not None and ids.shape != y_true.shape:
        raise ValueError("ids differ in length")
    proba, score = arrays.get("proba"), arrays.get("score")
    if proba is not None and proba.shape != (y_true.size, len(labels)):
        raise ValueError("probabilities of the wrong shape")
    if score is not None and score.shape != y_true.shape:
        raise ValueError("scores of the wrong shape")
    pos = meta.get("pos_label")
    return Outcomes(
        task,
        y_true.astype(np.int64) if task == "classification" else y_true.astype(np.float64),
        y_pred.astype(np.int64) if task == "classification" else y_pred.astype(np.float64),
        labels,
        ids,
        None if score is None else score.astype(np.float64),
        None if proba is None else proba.astype(np.float64),
        int(pos) if isinstance(pos, int) else None,
    )


def _json(value: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(value, ensure_ascii=False).encode(), dtype=np.uint8)


def _strings(values: np.ndarray) -> np.ndarray:
    return _json([str(v) for v in values.tolist()])


# -- matching ------------------------------------------------------------------------------


def match(new: Outcomes, old: Outcomes) -> tuple[np.ndarray, np.ndarray] | str:
    """The rows of *new* and of *old* that are the same examples, in the same order; or why
    there are none to pair."""
    if new.ids is not None and old.ids is not None:
        return _by_id(new.ids, old.ids)
    if new.n != old.n:
        return f"{new.n:,} examples now, {old.n:,} in the baseline, and no id column to match them"
    rows = np.arange(new.n)
    return rows, rows


def _by_id(new: np.ndarray, old: np.ndarray) -> tuple[np.ndarray, np.ndarray] | str:
    if new.dtype.kind != old.dtype.kind:
        new, old = new.astype(str), old.astype(str)
    for ids, side in ((new, "now"), (old, "in the baseline")):
        if np.unique(ids).size != ids.size:
            return f"the ids are not unique {side}"
    order = np.argsort(old, kind="stable")
    sorted_old = old[order]
    where = np.searchsorted(sorted_old, new)
    where[where >= sorted_old.size] = 0
    found = sorted_old[where] == new
    if not found.any():
        return "no id is in both the predictions and the baseline"
    return np.flatnonzero(found), order[where[found]]
