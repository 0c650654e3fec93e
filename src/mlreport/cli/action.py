"""The GitHub Action's entrypoint: action inputs to one mlreport command, nothing more.

Every input of ``action.yml`` named after an mlreport option is handed over as that
option's variable (``INPUT_GATES`` -> ``MLREPORT_GATES``: the CLI reads every option from
MLREPORT_*). Three inputs choose the command: ``run`` (a shell command: ``mlreport run
--publish -- sh -c RUN``); else, with inputs to render, ``mlreport render --publish``; else
``mlreport publish OUTPUT`` (a report made earlier, e.g. downloaded as an artifact).
``publish: false`` keeps the comment local (the job summary and outputs are still written).

``mlreport-action runner`` (runner/action.yml) does the same for ``mlreport runner MODE``.
"""

from __future__ import annotations

import os
import subprocess
import sys

from mlreport.errors import UsageError

# Inputs that are mlreport options, by the name of their MLREPORT_* variable.
OPTIONS = (
    "metrics",
    "predictions",
    "history",
    "baseline",
    "baseline_optional",
    "baseline_predictions",
    "confidence",
    "min_delta",
    "strict_size",
    "id_col",
    "data",
    "reference_data",
    "schema",
    "sensitive",
    "drift_share",
    "gates",
    "gates_file",
    "target_col",
    "pred_col",
    "proba_prefix",
    "score_col",
    "pos_label",
    "slice_by",
    "fold_col",
    "task",
    "min_slice_size",
    "lower_is_better",
    "higher_is_better",
    "strict_baseline",
    "category_tolerance",
    "fold_mad",
    "output",
    "template",
    "title",
    "fail_on_gates",
    "openmetrics",
    "attach",
    "platform",
    "repo",
    "pr",
    "issue",
    "commit",
    "mode",
    "id",
    "token",
    "api_url",
    "check",
    "check_name",
    "no_images",
    "allow_fork_skip",
    "assets_branch",
    "bot_login",
    "record",
    "records",
    "records_branch",
    "timeout",
    "debug",
)
RENDER_INPUTS = ("metrics", "predictions", "history", "data")
# The runner action (runner/action.yml, ``mlreport-action runner``): its inputs, likewise.
RUNNER_OPTIONS = (
    "repo",
    "org",
    "token",
    "api_url",
    "region",
    "timeout",
    "label",
    "instance_id",
    "instance_type",
    "subnet",
    "spot",
    "ami",
    "security_group",
    "volume_size",
    "max_lifetime",
    "idle_timeout",
    "wait_timeout",
    "runner_version",
    "runner_group_id",
    "ephemeral",
    "gpu_check",
    "grace",
    "dry_run",
    "rerun",
    "debug",
)
RUNNER_MODES = ("launch", "stop", "cleanup", "list")


def _input(name: str) -> str:
    return os.environ.get(f"INPUT_{name.upper()}", "").strip()


def command() -> list[str]:
    """The mlreport arguments the inputs ask for."""
    if _input("run"):
        return ["run", "--publish", "--", "sh", "-c", _input("run")]
    if any(_input(name) for name in RENDER_INPUTS):
        return ["render", "--publish"]
    return ["publish", _input("output") or "report"]


def runner_command() -> list[str]:
    """``runner MODE``, from the mode input."""
    mode = _input("mode").lower()
    if mode not in RUNNER_MODES:
        raise UsageError(
            f"the runner action's mode must be {', '.join(RUNNER_MODES)}, not {mode!r}"
        )
    return ["runner", mode]


def _hand_over(names: tuple[str, ...]) -> None:
    for name in names:
        value = _input(name)
        if value:
            os.environ[f"MLREPORT_{name.upper()}"] = value


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    from mlreport.cli import handle
    from mlreport.cli import main as cli

    if args == ["runner"]:  # runner/action.yml
        _hand_over(RUNNER_OPTIONS)
        return handle(lambda: cli(runner_command()), args)
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:  # the workspace belongs to the runner's user, not to this container's
        subprocess.run(
            ["git", "config", "--global", "--add", "safe.directory", workspace], check=False
        )
    _hand_over(OPTIONS)
    if _input("publish").lower() == "false":
        os.environ["MLREPORT_PLATFORM"] = "local"
    os.chdir(_input("working_directory") or ".")
    return cli(command())


if __name__ == "__main__":
    sys.exit(main())
