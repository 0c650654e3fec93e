"""Options shared by several commands, each also readable from an MLREPORT_* variable, and
the option dataclasses built from them (the publish options are in :mod:`.publish`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar, get_args

import click

from mlreport.cli.types import FILE, FILES, Level, Lines, Number
from mlreport.config import (
    DataOptions,
    Directions,
    OutputOptions,
    PredictionOptions,
    ReportInputs,
    SanityOptions,
    Task,
)

F = TypeVar("F", bound=Callable[..., Any])
# The defaults, declared once in the option dataclasses: every option below shows them.
PREDICTION = PredictionOptions()
SANITY = SanityOptions()
INPUTS = ReportInputs()
DATA = DataOptions()
OUTPUT = OutputOptions()


def option(*decls: str, env: str, **kwargs: Any) -> Callable[[F], F]:
    return click.option(*decls, envvar=f"MLREPORT_{env}", show_envvar=True, **kwargs)


def apply(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def wrap(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return wrap


metrics_options = apply(
    option(
        "--metrics",
        "-m",
        "metrics",
        env="METRICS",
        type=FILES,
        multiple=True,
        help="Metrics file (JSON, YAML or CSV); repeat for several (default: dvc.yaml's).",
    ),
    option(
        "--params",
        env="PARAMS",
        type=FILES,
        multiple=True,
        help="Parameters file (params.yaml; YAML, JSON or TOML), diffed against the baseline; "
        "repeatable (default: dvc.yaml's).",
    ),
    option(
        "--dvc/--no-dvc",
        env="DVC",
        default=None,
        help="Read the metrics, params and plots files dvc.yaml declares (default: when there "
        "is a dvc.yaml here or at the repository root).",
    ),
)

prediction_options = apply(
    option(
        "--predictions",
        "-p",
        env="PREDICTIONS",
        type=FILE,
        help="Predictions file (CSV, TSV, JSON Lines, JSON or Parquet).",
    ),
    option(
        "--target-col",
        env="TARGET_COL",
        default=PREDICTION.target_col,
        show_default=True,
        help="Column of true values.",
    ),
    option(
        "--pred-col",
        env="PRED_COL",
        default=PREDICTION.pred_col,
        show_default=True,
        help="Column of predicted values.",
    ),
    option(
        "--proba-prefix",
        env="PROBA_PREFIX",
        default=PREDICTION.proba_prefix,
        show_default=True,
        help="Prefix of class-probability columns (<prefix><label>).",
    ),
    option(
        "--score-col",
        env="SCORE_COL",
        default=PREDICTION.score_col,
        show_default=True,
        help="Positive-class probability column (binary tasks).",
    ),
    option("--pos-label", env="POS_LABEL", help="Positive class of a binary task."),
    option(
        "--id-col",
        env="ID_COL",
        help="Column naming each example, to pair them with the baseline's (default: 'id' "
        "when present; else row order, when the true labels match row for row).",
    ),
    option(
        "--slice-by",
        env="SLICE_BY",
        multiple=True,
        help="Column to break metrics down by; repeat for several.",
    ),
    option(
        "--fold-col",
        env="FOLD_COL",
        help="Cross-validation fold column (default: 'fold' when present).",
    ),
    option(
        "--task",
        env="TASK",
        type=click.Choice(get_args(Task)),
        help="Override the inferred task.",
    ),
    option(
        "--min-slice-size",
        env="MIN_SLICE_SIZE",
        type=click.IntRange(min=1),
        default=INPUTS.min_slice_size,
        show_default=True,
        help="Smaller slices are shown but not counted in slice gaps.",
    ),
)

baseline_options = apply(
    option(
        "--baseline",
        "-b",
        env="BASELINE",
        help="Git ref to read the same metrics files at, or a metrics file / report.json.",
    ),
    option(
        "--baseline-optional",
        env="BASELINE_OPTIONAL",
        is_flag=True,
        help="A missing baseline ref or file is a note, not an error (first runs).",
    ),
    option(
        "--baseline-predictions",
        env="BASELINE_PREDICTIONS",
        type=FILE,
        help="The baseline model's predictions on the same examples: its metrics, and a "
        "paired comparison (McNemar, paired bootstrap) with changed predictions.",
    ),
    option(
        "--confidence",
        env="CONFIDENCE",
        type=Level(),
        default=INPUTS.confidence,
        show_default=True,
        help="Level of the confidence intervals shown, and of the noise test of each change.",
    ),
    option(
        "--min-delta",
        env="MIN_DELTA",
        type=Number(min=0),
        default=INPUTS.min_delta,
        show_default=True,
        help="A metric without an interval (from a metrics file) that moves less than this "
        "is 'same'.",
    ),
    option(
        "--lower-is-better",
        env="LOWER_IS_BETTER",
        multiple=True,
        metavar="PATTERN",
        help="Metric names (globs) where lower is better; repeatable.",
    ),
    option(
        "--higher-is-better",
        env="HIGHER_IS_BETTER",
        multiple=True,
        metavar="PATTERN",
        help="Metric names (globs) where higher is better; repeatable.",
    ),
)

gate_options = apply(
    option(
        "--gate",
        "-g",
        "gates",
        env="GATES",
        type=Lines(),
        multiple=True,
        help="Gate, e.g. 'accuracy >= 0.9' or 'f1_macro >= baseline - 0.01'; repeatable.",
    ),
    option(
        "--gates",
        "gates_files",
        env="GATES_FILE",
        type=FILES,
        multiple=True,
        help="YAML file of gates.",
    ),
    option(
        "--strict-baseline",
        env="STRICT_BASELINE",
        is_flag=True,
        help="Fail baseline gates that have no baseline value instead of skipping them.",
    ),
    option(
        "--strict-size",
        env="STRICT_SIZE",
        is_flag=True,
        help="Fail a check when the test set is too small to resolve a gate's margin.",
    ),
    option(
        "--category-tolerance",
        env="CATEGORY_TOLERANCE",
        type=Number(0, 1),
        default=SANITY.category_tolerance,
        show_default=True,
        help="Share by which the count of predicted categories may differ from the true.",
    ),
    option(
        "--fold-mad",
        env="FOLD_MAD",
        type=Number(min=0, min_open=True),
        default=SANITY.fold_mad,
        show_default=True,
        help="A fold further than this many MADs from the median is an outlier.",
    ),
)

data_options = apply(
    option(
        "--data",
        env="DATA",
        metavar="FILE|REF:FILE",
        help="Data to test (features; CSV, TSV, JSON Lines, JSON, Parquet): its schema, "
        "integrity, drift and fairness. Default with the options below: the predictions file.",
    ),
    option(
        "--reference-data",
        env="REFERENCE_DATA",
        metavar="FILE|REF:FILE",
        help="Data to compare with, for drift and leakage (e.g. main:data/train.csv: the "
        "training data as committed on main).",
    ),
    option("--schema", env="SCHEMA", type=FILE, help="Schema of the data (mlreport schema infer)."),
    option(
        "--sensitive",
        env="SENSITIVE",
        multiple=True,
        metavar="COLUMN",
        help="Column to measure the predictions' fairness by (demographic parity, equalized "
        "odds); repeatable.",
    ),
    option(
        "--drift-share",
        env="DRIFT_SHARE",
        type=Number(0, 1, min_open=True),
        default=DATA.drift_share,
        show_default=True,
        help="Dataset drift: at least this share of the columns drifted.",
    ),
)

input_options = apply(
    metrics_options, prediction_options, baseline_options, gate_options, data_options
)


def given(kwargs: dict[str, Any], cls: type[Any], **names: str) -> dict[str, Any]:
    """The fields of dataclass *cls* that *kwargs* sets (an option name differing from its
    field's is in *names*: field=option); the others keep the dataclass's defaults."""
    out = {}
    for f in fields(cls):
        value = kwargs.get(names.get(f.name, f.name))
        if value is not None:
            out[f.name] = tuple(value) if isinstance(value, list | tuple) else value
    return out


def build_inputs(kwargs: dict[str, Any]) -> ReportInputs:
    """ReportInputs from the parsed options of any command (missing ones take defaults)."""
    nested = {"prediction_options", "directions", "sanity", "data"}  # built here, below
    from mlreport.inputs.dvc import with_dvc

    top = {k: v for k, v in given(kwargs, ReportInputs).items() if k not in nested}
    inputs = ReportInputs(
        **top,
        prediction_options=PredictionOptions(**given(kwargs, PredictionOptions)),
        directions=Directions(
            tuple(kwargs.get("lower_is_better") or ()), tuple(kwargs.get("higher_is_better") or ())
        ),
        sanity=SanityOptions(**given(kwargs, SanityOptions)),
        data=DataOptions(**given(kwargs, DataOptions)),
    )
    return with_dvc(inputs)


def build_output_options(kwargs: dict[str, Any]) -> OutputOptions:
    return OutputOptions(**given(kwargs, OutputOptions, directory="output"))
