"""Options shared by several commands, each also readable from an MLREPORT_* variable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from mlreport.config import ReportInputs
    from mlreport.platforms.context import PublishOptions

F = TypeVar("F", bound=Callable[..., Any])


class Lines(click.types.StringParamType):
    """A string option whose environment variable holds one value per line (gates)."""

    def split_envvar_value(self, rv: str) -> list[str]:
        return [line.strip() for line in rv.splitlines() if line.strip()]


FILE = click.Path(path_type=Path, dir_okay=False)


class Files(click.Path):
    """Repeatable file options; their variable lists paths separated by spaces or newlines."""

    envvar_list_splitter = None  # type: ignore[assignment]


FILES = Files(path_type=Path, dir_okay=False)


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
        help="Metrics file (JSON, YAML or CSV); repeat for several.",
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
        default="y_true",
        show_default=True,
        help="Column of true values.",
    ),
    option(
        "--pred-col",
        env="PRED_COL",
        default="y_pred",
        show_default=True,
        help="Column of predicted values.",
    ),
    option(
        "--proba-prefix",
        env="PROBA_PREFIX",
        default="proba_",
        show_default=True,
        help="Prefix of class-probability columns (<prefix><label>).",
    ),
    option(
        "--score-col",
        env="SCORE_COL",
        default="score",
        show_default=True,
        help="Positive-class probability column (binary tasks).",
    ),
    option("--pos-label", env="POS_LABEL", help="Positive class of a binary task."),
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
        type=click.Choice(["classification", "regression"]),
        help="Override the inferred task.",
    ),
    option(
        "--min-slice-size",
        env="MIN_SLICE_SIZE",
        type=click.IntRange(min=1),
        default=10,
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
        "--category-tolerance",
        env="CATEGORY_TOLERANCE",
        type=click.FloatRange(0, 1),
        default=0.10,
        show_default=True,
        help="Share by which the count of predicted categories may differ from the true.",
    ),
    option(
        "--fold-mad",
        env="FOLD_MAD",
        type=click.FloatRange(min=0, min_open=True),
        default=3.0,
        show_default=True,
        help="A fold further than this many MADs from the median is an outlier.",
    ),
)

input_options = apply(metrics_options, prediction_options, baseline_options, gate_options)

publish_options = apply(
    option(
        "--platform",
        env="PLATFORM",
        default="auto",
        show_default=True,
        type=click.Choice(["auto", "github", "gitlab", "local"]),
        help="Where to publish; auto: from the CI environment or the git remote.",
    ),
    option("--repo", env="REPO", help="owner/name (GitHub) or group/sub/project (GitLab)."),
    option(
        "--pr",
        "--mr",
        "pr",
        env="PR",
        type=click.IntRange(min=1),
        help="Pull request (GitHub) or merge request (GitLab) number.",
    ),
    option("--issue", env="ISSUE", type=click.IntRange(min=1), help="Comment on an issue."),
    option(
        "--commit",
        env="COMMIT",
        metavar="SHA",
        help="Comment on this commit (with --pr: the head commit for --check).",
    ),
    option(
        "--mode",
        env="MODE",
        default="update",
        show_default=True,
        type=click.Choice(["update", "new", "replace"]),
        help="update: edit the report comment in place; new: always add one; replace: "
        "delete the old one and post anew.",
    ),
    option(
        "--id",
        "report_id",
        env="ID",
        default="default",
        show_default=True,
        help="Which sticky comment: several reports per PR need different ids.",
    ),
    option(
        "--token",
        env="TOKEN",
        help="API token (else GITHUB_TOKEN / GITLAB_TOKEN / MLREPORT_TOKEN).",
    ),
    option(
        "--api-url",
        env="API_URL",
        help="API URL for GitHub Enterprise or self-hosted GitLab (else GITHUB_API_URL / "
        "CI_API_V4_URL).",
    ),
    option(
        "--check",
        env="CHECK",
        is_flag=True,
        help="Also set a GitHub check run (GitLab: a commit status) from the gates.",
    ),
    option(
        "--check-name",
        env="CHECK_NAME",
        default="mlreport",
        show_default=True,
        help="Name of the check run / commit status.",
    ),
    option(
        "--no-images", "no_images", env="NO_IMAGES", is_flag=True, help="Do not upload the charts."
    ),
    option(
        "--dry-run", env="DRY_RUN", is_flag=True, help="Print what would be sent; send nothing."
    ),
    option(
        "--allow-fork-skip",
        env="ALLOW_FORK_SKIP",
        is_flag=True,
        help="A read-only token (fork pull request) is a warning, not an error.",
    ),
    option(
        "--assets-branch",
        env="ASSETS_BRANCH",
        default="mlreport-assets",
        show_default=True,
        help="GitHub branch that holds the report images.",
    ),
    option(
        "--timeout",
        env="TIMEOUT",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        help="Seconds to wait for one answer before retrying.",
    ),
)


def build_publish_options(kwargs: dict[str, Any]) -> PublishOptions:
    from mlreport.platforms.context import PublishOptions
    from mlreport.platforms.marker import DEFAULT_ID, check_id

    get = kwargs.get
    return PublishOptions(
        platform=get("platform") or "auto",
        repo=get("repo"),
        pr=get("pr"),
        issue=get("issue"),
        commit=get("commit"),
        mode=get("mode") or "update",
        report_id=check_id(get("report_id") or DEFAULT_ID),
        token=get("token"),
        api_url=get("api_url"),
        check=bool(get("check")),
        check_name=get("check_name") or "mlreport",
        images=not get("no_images"),
        dry_run=bool(get("dry_run")),
        allow_fork_skip=bool(get("allow_fork_skip")),
        assets_branch=get("assets_branch") or "mlreport-assets",
        timeout=get("timeout") or 30.0,
    )


def build_inputs(kwargs: dict[str, Any]) -> ReportInputs:
    """ReportInputs from the parsed options of any command (missing ones take defaults)."""
    from mlreport.compare import Directions
    from mlreport.config import PredictionOptions, ReportInputs, SanityOptions

    get = kwargs.get
    prediction = PredictionOptions(
        target_col=get("target_col") or "y_true",
        pred_col=get("pred_col") or "y_pred",
        proba_prefix=get("proba_prefix") or "proba_",
        score_col=get("score_col") or "score",
        slice_by=tuple(get("slice_by") or ()),
        fold_col=get("fold_col"),
        task=get("task"),
        pos_label=get("pos_label"),
    )
    return ReportInputs(
        metrics=tuple(get("metrics") or ()),
        predictions=get("predictions"),
        prediction_options=prediction,
        history=get("history"),
        baseline=get("baseline"),
        baseline_optional=bool(get("baseline_optional")),
        gates=tuple(get("gates") or ()),
        gates_files=tuple(get("gates_files") or ()),
        directions=Directions(
            tuple(get("lower_is_better") or ()), tuple(get("higher_is_better") or ())
        ),
        sanity=SanityOptions(
            category_tolerance=get("category_tolerance", 0.10),
            fold_mad=get("fold_mad", 3.0),
        ),
        min_slice_size=get("min_slice_size") or 10,
        strict_baseline=bool(get("strict_baseline")),
    )
