"""Records' per-example outcomes: packed and unpacked without pickle, refused when they are
not a record, and two models' examples matched (by id, else row order) or not at all."""

from __future__ import annotations

import io
import json
import pickle
from typing import Any

import numpy as np
import pytest

from mlreport.inputs.outcomes import SCHEMA, Outcomes, Unreadable, match, pack, unpack

REPORT = {"schema": "mlreport/report@2", "metrics": [{"name": "accuracy", "value": 0.5}]}


def outcomes(**changes: Any) -> Outcomes:
    values: dict[str, Any] = {
        "task": "classification",
        "y_true": np.array([0, 1, 1, 0]),
        "y_pred": np.array([0, 1, 0, 0]),
        "labels": ("cat", "dög"),
        "ids": np.array(["a-1", "é-2", "c 3", "=4"]),
        "score": np.array([0.1, 0.9, 0.4, 0.2]),
        "pos_label": 1,
    }
    return Outcomes(**(values | changes))


def npz(**arrays: Any) -> bytes:
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def as_json(value: Any) -> np.ndarray:
    return np.frombuffer(json.dumps(value).encode(), dtype=np.uint8)


def respoiled(**changes: Any) -> bytes:
    """A good record whose arrays (or meta keys, with a ``meta_`` prefix) are replaced."""
    with np.load(io.BytesIO(pack(REPORT, outcomes(), {"run": "7"}))) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(bytes(arrays["meta"]).decode())
    meta |= {k.removeprefix("meta_"): v for k, v in changes.items() if k.startswith("meta_")}
    arrays |= {k: v for k, v in changes.items() if not k.startswith("meta_")}
    return npz(**(arrays | {"meta": as_json(meta)}))


@pytest.mark.parametrize(
    "kept",
    [
        outcomes(),
        outcomes(ids=np.array([7, -2, 10**12, 0], dtype=np.int64), score=None,
                 proba=np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5], [1.0, 0.0]])),
        outcomes(task="regression", y_true=np.array([1.5, -2.0]), y_pred=np.array([1.0, 2.0]),
                 labels=(), ids=None, score=None, pos_label=None),
    ],
    ids=["str ids and scores", "int ids and probabilities", "regression"],
)  # fmt: skip
def test_a_record_keeps_every_outcome(kept: Outcomes) -> None:
    report, back, meta = unpack(pack(REPORT, kept, {"run": "7"}))
    assert report == REPORT and meta["schema"] == SCHEMA and meta["run"] == "7"
    assert back is not None
    assert (back.task, back.labels, back.pos_label) == (kept.task, kept.labels, kept.pos_label)
    np.testing.assert_array_equal(back.y_true, kept.y_true)
    np.testing.assert_array_equal(back.y_pred, kept.y_pred)
    if kept.ids is None:
        assert back.ids is None
    else:
        assert back.ids is not None and back.ids.tolist() == kept.ids.tolist()
    for name in ("score", "proba"):
        want, got = getattr(kept, name), getattr(back, name)
        assert (got is None) == (want is None)
        if want is not None:
            np.testing.assert_allclose(got, want, rtol=1e-6)  # kept as float32


def test_a_metrics_only_record() -> None:
    report, back, meta = unpack(pack(REPORT, None, {}))
    assert (report, back, meta["outcomes"]) == (REPORT, None, False)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "not a record"),
        (np.random.default_rng(1).bytes(5000), "not a record"),
        (npz(y_true=np.arange(3)), "no readable meta or report"),
        (npz(meta=np.frombuffer(b"\xff{", dtype=np.uint8), report=as_json({})),
         "no readable meta or report"),
        (npz(meta=as_json({"schema": "mlreport/outcomes@99"}), report=as_json({})),
         "unknown kind ('mlreport/outcomes@99')"),
        (npz(meta=as_json(["not", "a", "dict"]), report=as_json({})), "unknown kind"),
        (npz(meta=as_json(None), report=as_json({})), "unknown kind"),
        (respoiled(y_pred=np.array([0, 1, 2, 0])), "label codes out of range"),
        (respoiled(y_pred=np.array([0, 1])), "differ in shape"),
        (respoiled(ids=np.arange(3), meta_ids="int"), "ids differ in length"),
        (respoiled(ids=np.arange(4)), "its outcomes are not readable"),  # str ids: JSON
        (respoiled(score=np.zeros((4, 2))), "scores of the wrong shape"),
        (respoiled(meta_task="clustering"), "its outcomes are not readable"),
        (respoiled(y_true=np.array(["x"] * 4, dtype=object)), "not a record"),  # pickle
    ],
    ids=["empty", "random", "no meta", "meta not UTF-8", "other schema", "meta a list",
         "meta null", "codes out of range", "shapes differ", "int ids too few",
         "str ids not JSON", "scores 2-D", "unknown task", "object array"],
)  # fmt: skip
def test_bytes_that_are_not_a_record_are_unreadable(data: bytes, why: str) -> None:
    with pytest.raises(Unreadable, match="^.*" + why.replace("(", r"\(").replace(")", r"\)")):
        unpack(data)


def test_a_pickled_array_is_never_unpickled(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("unpickled")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    with pytest.raises(Unreadable):
        unpack(respoiled(report=np.array([{"metrics": []}], dtype=object)))


def test_examples_are_matched_by_id_else_by_row_order() -> None:
    new = outcomes(ids=np.array([3, 1, 2, 9], dtype=np.int64))
    old = outcomes(ids=np.array(["1", "2", "3", "4"]))  # ints and strings: compared as text
    found = match(new, old)
    assert not isinstance(found, str)
    assert found[0].tolist() == [0, 1, 2] and found[1].tolist() == [2, 0, 1]
    found = match(outcomes(ids=None), outcomes(ids=None))
    assert not isinstance(found, str)
    assert found[0].tolist() == found[1].tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("new", "old", "why"),
    [
        (outcomes(ids=np.array(["a", "a", "b", "c"])), outcomes(), "the ids are not unique now"),
        (outcomes(), outcomes(ids=np.array(["x"] * 4)), "the ids are not unique in the baseline"),
        (outcomes(), outcomes(ids=np.array(["p", "q", "r", "s"])), "no id is in both"),
        (outcomes(ids=None), outcomes(ids=None, y_true=np.arange(2) % 2, y_pred=np.zeros(2, int)),
         "4 examples now, 2 in the baseline, and no id column"),
    ],
)  # fmt: skip
def test_examples_that_cannot_be_matched(new: Outcomes, old: Outcomes, why: str) -> None:
    found = match(new, old)
    assert isinstance(found, str) and why in found
