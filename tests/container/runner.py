"""How the GitHub Actions runner starts a container action (actions/runner's
ContainerActionHandler), and the README's quick-start step that the smoke test runs.

The runner builds the action's image from ``runs.image: Dockerfile`` and starts it with
``docker run --workdir /github/workspace --rm -e INPUT_… -e HOME -e GITHUB_… -e GITHUB_ACTIONS=true
-e CI=true -v …:/github/home -v …:/github/workflow -v …:/github/file_commands
-v <checkout>:/github/workspace --entrypoint <runs.entrypoint> IMAGE``. Variables are passed
by name (``-e NAME``), so their values (the token among them) never appear in the command line.
Every input of action.yml becomes ``INPUT_<NAME>`` (upper case, spaces to underscores) holding
the ``with:`` value or the input's default, expressions evaluated.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
ACTION_YML = REPO / "action.yml"
README = REPO / "README.md"
EVENTS = REPO / "tests" / "fixtures" / "events"

# The real pull_request payload: repository Codertocat/Hello-World, pull request #2.
EVENT = EVENTS / "pull_request.opened.json"
REPOSITORY = "Codertocat/Hello-World"
PULL = 2
HEAD_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"  # pull_request.head.sha
RUNNER_UID = 1001  # the hosted runner's user owns the checkout, not the container's root

_TOKEN_EXPRESSION = re.compile(r"\$\{\{\s*(?:github\.token|secrets\.GITHUB_TOKEN)\s*\}\}")
_QUICK_START_USES = re.compile(r"^[\w.-]+/ml-report@v1$|^<owner>/ml-report@v1$")


def action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION_YML.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def evaluate(value: str, token: str) -> str:
    """The value after the runner evaluated its ``${{ }}`` expressions (only the token's)."""
    value = _TOKEN_EXPRESSION.sub(token, value)
    if "${{" in value:
        raise AssertionError(f"an expression the smoke test cannot evaluate: {value!r}")
    return value


def input_variables(with_: Mapping[str, str], token: str) -> dict[str, str]:
    """``INPUT_*`` as the runner sets them: every input of action.yml (its ``with:`` value,
    else its default, else empty), plus ``with:`` keys action.yml does not declare."""
    inputs: dict[str, Any] = action()["inputs"]
    values: dict[str, str] = {}
    for name, spec in inputs.items():
        default = (spec or {}).get("default")
        values[name] = with_.get(name, "" if default is None else str(default))
    for name, value in with_.items():
        values.setdefault(name, value)
    return {
        "INPUT_" + name.replace(" ", "_").upper(): evaluate(value, token)
        for name, value in values.items()
    }


def entrypoint() -> str:
    runs = action()["runs"]
    assert runs["using"] == "docker" and runs["image"] == "Dockerfile", runs
    return str(runs["entrypoint"])


@dataclass(frozen=True)
class QuickStart:
    """The ``uses: <owner>/ml-report@v1`` step of the README's first workflow."""

    step_id: str
    with_: dict[str, str]


def quick_start() -> QuickStart:
    """The step of the first ```yaml block of README.md that uses the action."""
    text = README.read_text(encoding="utf-8")
    for block in re.findall(r"^```ya?ml\n(.*?)^```", text, re.M | re.S):
        if not re.search(r"^\s*-?\s*uses:\s*\S+/ml-report@v1\s*$", block, re.M):
            continue
        workflow = yaml.safe_load(block)
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                if _QUICK_START_USES.match(str(step.get("uses", ""))):
                    with_ = {str(k): _input_text(v) for k, v in (step.get("with") or {}).items()}
                    return QuickStart(str(step.get("id", "ml-report")), with_)
    raise AssertionError("README.md has no ```yaml block with a `uses: <owner>/ml-report@v1` step")


def _input_text(value: Any) -> str:
    """An input's value as the runner hands it over: YAML scalars as their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Job:
    """The runner's directories on the host for one container step, and its variables."""

    workspace: Path
    home: Path
    workflow: Path
    file_commands: Path

    @property
    def output(self) -> Path:
        return self.file_commands / "set_output_1c6ffc9d"

    @property
    def summary(self) -> Path:
        return self.file_commands / "step_summary_1c6ffc9d"

    def mounts(self) -> list[str]:
        return [
            "-v", f"{self.home}:/github/home",
            "-v", f"{self.workflow}:/github/workflow",
            "-v", f"{self.file_commands}:/github/file_commands",
            "-v", f"{self.workspace}:/github/workspace",
        ]  # fmt: skip


def prepare_job(root: Path, workspace: Path) -> Job:
    """The runner's _temp directories next to the checkout: home, the event payload and the
    file commands (empty files the step appends to), all owned by the runner's user."""
    job = Job(workspace, root / "_github_home", root / "_github_workflow", root / "_file_commands")
    for folder in (job.home, job.workflow, job.file_commands):
        folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(EVENT, job.workflow / "event.json")
    for name in ("set_output_1c6ffc9d", "step_summary_1c6ffc9d", "set_env_1c6ffc9d",
                 "add_path_1c6ffc9d", "save_state_1c6ffc9d"):  # fmt: skip
        (job.file_commands / name).touch()
    chown(root, RUNNER_UID)
    return job


def chown(path: Path, uid: int) -> None:
    subprocess.run(["chown", "-R", f"{uid}:{uid}", str(path)], check=True)


def runner_variables(
    job: Job, *, api_url: str, server_url: str, sha: str, step_id: str
) -> dict[str, str]:
    """What the runner passes a container step besides the inputs (paths as the container
    sees them); ACTIONS_RUNTIME_* and other credentials are left out."""
    owner = REPOSITORY.split("/")[0]
    ref = f"refs/pull/{PULL}/merge"
    return {
        "HOME": "/github/home",
        "GITHUB_JOB": "report",
        "GITHUB_REF": ref,
        "GITHUB_SHA": sha,
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_REPOSITORY_OWNER": owner,
        "GITHUB_REPOSITORY_OWNER_ID": "21031067",
        "GITHUB_RUN_ID": "6512345678",
        "GITHUB_RUN_NUMBER": "7",
        "GITHUB_RETENTION_DAYS": "90",
        "GITHUB_RUN_ATTEMPT": "1",
        "GITHUB_REPOSITORY_ID": "186853002",
        "GITHUB_ACTOR_ID": "21031067",
        "GITHUB_ACTOR": owner,
        "GITHUB_TRIGGERING_ACTOR": owner,
        "GITHUB_WORKFLOW": "ml-report",
        "GITHUB_HEAD_REF": "changes",
        "GITHUB_BASE_REF": "master",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_SERVER_URL": server_url,
        "GITHUB_API_URL": api_url,
        "GITHUB_GRAPHQL_URL": f"{api_url}/graphql",
        "GITHUB_REF_NAME": f"{PULL}/merge",
        "GITHUB_REF_PROTECTED": "false",
        "GITHUB_REF_TYPE": "branch",
        "GITHUB_WORKFLOW_REF": f"{REPOSITORY}/.github/workflows/ml-report.yml@{ref}",
        "GITHUB_WORKFLOW_SHA": sha,
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_ACTION": step_id,
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_ACTION_REPOSITORY": "",
        "GITHUB_ACTION_REF": "",
        "GITHUB_PATH": "/github/file_commands/add_path_1c6ffc9d",
        "GITHUB_ENV": "/github/file_commands/set_env_1c6ffc9d",
        "GITHUB_STEP_SUMMARY": f"/github/file_commands/{job.summary.name}",
        "GITHUB_STATE": "/github/file_commands/save_state_1c6ffc9d",
        "GITHUB_OUTPUT": f"/github/file_commands/{job.output.name}",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_NAME": "GitHub Actions 2",
        "RUNNER_ENVIRONMENT": "github-hosted",
        "RUNNER_TOOL_CACHE": "/opt/hostedtoolcache",
        "RUNNER_TEMP": "/home/runner/work/_temp",
        "RUNNER_WORKSPACE": "/home/runner/work/Hello-World",
        "GITHUB_ACTIONS": "true",
        "CI": "true",
    }


def docker_run_options(job: Job, variables: Mapping[str, str]) -> list[str]:
    """The runner's ``docker run`` options, ``-e NAME`` taking values from the environment.
    One deviation: ``--network host``, so that the container reaches the fake on 127.0.0.1
    (the runner puts it on a job network with internet access)."""
    options = ["--workdir", "/github/workspace", "--network", "host"]
    for name in variables:
        options += ["-e", name]
    return [*options, *job.mounts(), "--entrypoint", entrypoint()]
