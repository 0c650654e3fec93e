"""What the user asked for, as plain option dataclasses (no heavy imports: the CLI builds
these before anything slow is loaded, and takes its option defaults from them).

Metric directions: lower is better for metrics whose name contains a loss/error-like word
(``val_loss``, ``mean_absolute_error``, ``rmse``, ``latency_ms``, ``slice_gap.accuracy``...);
settings and sizes (``epochs``, ``train.samples``, ``model.parameters``...) are neutral: their
change is shown as "changed"; higher is better otherwise.  ``--lower-is-better`` /
``--higher-is-better`` (glob patterns) override.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

Task = Literal["classification", "regression"]
Direction = Literal["higher", "lower", "neutral"]

LOWER_IS_BETTER_WORDS = frozenset(
    """
    loss losses error errors err rmse mse mae mape smape rmsle msle logloss nll perplexity
    ppl latency duration time seconds secs ms wer cer fpr fnr far frr brier gap std cost
    regret
    """.split()
)
# Settings and sizes: a change is shown, but it is neither better nor worse.
NEUTRAL_WORDS = frozenset(
    """
    epoch epochs step steps iteration iterations iter samples rows n count size batch seed
    parameters params units layers hidden dim dims depth version lr
    """.split()
)


@dataclass(frozen=True)
class Directions:
    """User overrides: glob patterns of metric names."""

    lower: tuple[str, ...] = ()
    higher: tuple[str, ...] = ()

    def of(self, name: str) -> Direction:
        if any(fnmatchcase(name, p) for p in self.higher):
            return "higher"
        if any(fnmatchcase(name, p) for p in self.lower):
            return "lower"
        words = re.split(r"[^a-z0-9]+", name.lower())
        if LOWER_IS_BETTER_WORDS.intersection(words):
            return "lower"
        if NEUTRAL_WORDS.intersection(words):
            return "neutral"
        return "higher"

    def merged(self, other: Directions) -> Directions:
        return Directions(self.lower + other.lower, self.higher + other.higher)


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
    id_col: str | None = None  # None: a column named "id" when there is one (for pairing)


@dataclass(frozen=True)
class SanityOptions:
    category_tolerance: float = 0.10  # share of true categories the predicted count may differ by
    fold_mad: float = 3.0  # a fold further than this many MADs from the median is an outlier
    fold_mad_floor: float = 1e-3  # MAD never taken below this (identical folds are not outliers)


@dataclass(frozen=True)
class DataOptions:
    """The data checks: the data (a path, or REF:path), its reference, schema, and the
    sensitive columns of the fairness measures."""

    data: str | None = None
    reference_data: str | None = None
    schema: Path | None = None
    sensitive: tuple[str, ...] = ()
    drift_share: float = 0.5  # dataset drift: at least this share of the columns drifted

    @property
    def wanted(self) -> bool:
        return bool(self.data or self.reference_data or self.schema or self.sensitive)


@dataclass(frozen=True)
class ReportInputs:
    """Everything the user pointed mlreport at (the render/check/diff options)."""

    metrics: tuple[Path, ...] = ()
    predictions: Path | None = None
    prediction_options: PredictionOptions = field(default_factory=PredictionOptions)
    history: tuple[Path, ...] = ()  # files and folders (DVCLive's TSVs), merged on steps
    baseline: str | None = None
    baseline_optional: bool = False
    gates: tuple[str, ...] = ()
    gates_files: tuple[Path, ...] = ()
    directions: Directions = field(default_factory=Directions)
    sanity: SanityOptions = field(default_factory=SanityOptions)
    min_slice_size: int = 10
    strict_baseline: bool = False
    baseline_predictions: Path | None = None  # the baseline model's predictions, to pair with
    confidence: float = 0.95  # the level of the intervals shown
    min_delta: float = 0.0  # a change this small is "same", for metrics without an interval
    strict_size: bool = False  # a test set too small for a gate's margin fails a check
    data: DataOptions = field(default_factory=DataOptions)
    params: tuple[Path, ...] = ()  # parameters files (params.yaml), diffed against the baseline
    plots: tuple[Path, ...] = ()  # DVC plots files: ROC/PR points, confusion rows, history
    dvc: bool | None = None  # read dvc.yaml: None when there is one, True required, False never
    notes: tuple[str, ...] = ()  # what the report should say about where the inputs came from


@dataclass(frozen=True)
class OutputOptions:
    """Where and how the report is written (render/run)."""

    directory: Path = Path("report")
    template: Path | None = None  # a user template (sandboxed); None: the default one
    title: str = "ML report"
    fail_on_gates: bool = True  # exit 1 when a gate or sanity check fails
    openmetrics: Path | None = None  # also write the numeric metrics as OpenMetrics text
    attach: tuple[Path, ...] = ()  # images and Markdown files added to the report
