from __future__ import annotations

import pytest

from mlreport.compare import compare
from mlreport.config import Directions
from mlreport.inputs.metrics import MetricValue


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("accuracy", "higher"),
        ("test.acc", "higher"),
        ("f1_macro", "higher"),
        ("r2", "higher"),
        ("loss", "lower"),
        ("val_loss", "lower"),
        ("train/loss", "lower"),
        ("mean_absolute_error", "lower"),
        ("rmse", "lower"),
        ("latency_ms", "lower"),
        ("log_loss", "lower"),
        ("slice_gap.accuracy", "lower"),
        ("folds.accuracy.std", "lower"),
        ("train.epochs", "neutral"),
        ("model.parameters", "neutral"),
        ("samples", "neutral"),
    ],
)
def test_direction_from_name(name: str, direction: str) -> None:
    assert Directions().of(name) == direction


def test_overrides_win_over_names() -> None:
    directions = Directions(lower=("acc*",), higher=("*loss",))
    assert directions.of("accuracy") == "lower"
    assert directions.of("val_loss") == "higher"


def test_compare_rows() -> None:
    current: dict[str, tuple[MetricValue, str]] = {
        "accuracy": (0.91, "m.json"),
        "loss": (0.30, "m.json"),
        "epochs": (12, "m.json"),
        "model": ("resnet", "m.json"),
        "new": (1.0, "m.json"),
        "same": (0.5, "m.json"),
    }
    baseline: dict[str, MetricValue] = {
        "accuracy": 0.90,
        "loss": 0.25,
        "epochs": 10,
        "model": "vgg",
        "same": 0.5,
        "gone": 3.0,
    }
    rows = {r.name: r for r in compare(current, baseline, Directions())}
    assert rows["accuracy"].delta == pytest.approx(0.01)
    assert rows["accuracy"].change == "better"
    assert rows["loss"].change == "worse"
    assert rows["epochs"].change == "changed"
    assert rows["model"].delta is None and rows["model"].change is None
    assert rows["model"].baseline == "vgg"
    assert rows["new"].baseline is None and rows["new"].change is None
    assert rows["same"].change == "same"
    assert rows["gone"].value is None and rows["gone"].source == "baseline"
    assert list(rows)[-1] == "gone"


def test_nan_gives_no_delta() -> None:
    (row,) = compare({"x": (float("nan"), "f")}, {"x": 1.0}, Directions())
    assert row.delta is None and row.change is None
