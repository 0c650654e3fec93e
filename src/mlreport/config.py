"""What the user asked for, as plain option dataclasses (no heavy imports: the CLI builds
these before anything slow is loaded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mlreport.compare import Directions

Task = Literal["classification", "regression"]


@dataclass(frozen=True)
class PredictionOptions:
    target_col: str = "y_true"
    pred_col: str = "y_pred"
    proba_prefix: str = "proba_"
    score_col: str = "score"
    slice_by: tuple[str, ...] = ()
    fold_col: str | None = None  # None: use a column named "fold" when there is one
    task: Task | None = None
    pos_label: str | None = None


@dataclass(frozen=True)
class SanityOptions:
    category_tolerance: float = 0.10  # share of true categories the predicted count may differ by
    fold_mad: float = 3.0  # a fold further than this many MADs from the median is an outlier
    fold_mad_floor: float = 1e-3  # MAD never taken below this (identical folds are not outliers)


@dataclass(frozen=True)
class ReportInputs:
    """Everything the user pointed mlreport at (the render/check/diff options)."""

    metrics: tuple[Path, ...] = ()
    predictions: Path | None = None
    prediction_options: PredictionOptions = field(default_factory=PredictionOptions)
    history: Path | None = None
    baseline: str | None = None
    baseline_optional: bool = False
    gates: tuple[str, ...] = ()
    gates_files: tuple[Path, ...] = ()
    directions: Directions = field(default_factory=Directions)
    sanity: SanityOptions = field(default_factory=SanityOptions)
    min_slice_size: int = 10
    strict_baseline: bool = False
