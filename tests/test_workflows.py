"""CI configuration as users copy it, checked offline by the tools the platforms would apply.

- action.yml, every GitHub workflow (examples/workflows/github-*.yml, .github/workflows/*.yml)
  and examples/workflows/gitlab-ci.yml validate against the schemas check-jsonschema ships
  (vendored: no download); the GitHub workflows pass actionlint, with shellcheck on their
  `run:` scripts; the Dockerfile passes hadolint.
- Every check is also run on a broken copy and must fail there, so that a check cannot pass
  by checking nothing (a tool that lints no file, a shellcheck that is never found).
- action.yml, the entrypoint (mlreport.action) and the step outputs mlreport writes cannot
  drift apart, and the examples use only inputs and outputs the action has.

The tools run with HTTP(S) proxies pointing at a closed port: anything they tried to
download would fail the test rather than quietly need the network.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from mlreport.cli import action

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "workflows"
GITHUB_WORKFLOWS = sorted(
    [*EXAMPLES.glob("github-*.yml"), *(ROOT / ".github" / "workflows").glob("*.yml")]
)
GITLAB_CI = EXAMPLES / "gitlab-ci.yml"
ACTION = ROOT / "action.yml"
RUNNER_ACTION = ROOT / "runner" / "action.yml"
DOCKERFILE = ROOT / "Dockerfile"
# Inputs the entrypoint handles itself rather than passing on as MLREPORT_* variables.
OWN_INPUTS = {"run", "working_directory", "publish"}
# How the examples refer to this action (the owner is a placeholder).
THIS_ACTION = re.compile(r"^[^/]+/ml-report@")
THE_RUNNER_ACTION = re.compile(r"^[^/]+/ml-report/runner@")
CLOSED_PORT = "http://127.0.0.1:9"

Run = subprocess.CompletedProcess[str]


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(ROOT).as_posix() for p in paths]


def _tool(name: str) -> str:
    """The tool installed next to this Python (the test extras), else on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which(name, path=path)
    if found is None:
        pytest.fail(f"{name} not found: it is a test dependency (pip install '.[test]')")
    return found


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment without the user's tool settings and without network access."""
    home = tmp_path_factory.mktemp("home")
    environ = {
        name: value
        for name, value in os.environ.items()
        if not name.lower().endswith("_proxy") and not name.startswith(("HADOLINT_", "SHELLCHECK_"))
    }
    environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), environ.get("PATH", "")])
    environ["HOME"] = str(home)  # no ~/.shellcheckrc, ~/.config/hadolint.yaml, caches
    environ["XDG_CONFIG_HOME"] = str(home / ".config")
    environ["XDG_CACHE_HOME"] = str(home / ".cache")
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        environ[name] = environ[name.upper()] = CLOSED_PORT
    environ["no_proxy"] = environ["NO_PROXY"] = ""
    return environ


def _run(env: dict[str, str], *args: str | Path) -> Run:
    return subprocess.run(
        [str(a) for a in args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _passes(result: Run) -> None:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"


def _fails(result: Run, *expected: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"{result.args} passed a broken file\n{output}"
    for text in expected:
        assert text in output, f"{result.args}: {text!r} not in\n{output}"


def check_jsonschema(env: dict[str, str], schema: str, path: Path) -> Run:
    extra = ["--data-transform", "gitlab-ci"] if schema == "vendor.gitlab-ci" else []
    return _run(env, _tool("check-jsonschema"), "--builtin-schema", schema, *extra, path)


def actionlint(env: dict[str, str], path: Path, *, shellcheck: bool = True) -> Run:
    checker = _tool("shellcheck") if shellcheck else ""  # "" turns shellcheck off
    return _run(env, _tool("actionlint"), "-no-color", "-oneline", "-shellcheck", checker, path)


def hadolint(env: dict[str, str], path: Path) -> Run:
    return _run(env, _tool("hadolint"), "--no-color", "--failure-threshold", "info", path)


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def _action() -> dict[str, Any]:
    return _load(ACTION)


def _broken(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {source}: update this test's broken copy"
    broken = tmp_path / source.name
    broken.write_text(text.replace(old, new), encoding="utf-8")
    return broken


# -- the files pass their checks ------------------------------------------------------------


def test_the_files_are_there() -> None:
    names = {p.name for p in GITHUB_WORKFLOWS}
    assert {
        "github-pr-report.yml",
        "github-fork-safe.yml",
        "github-fork-safe-publish.yml",
        "github-gpu-ec2.yml",
        "github-gpu-cleanup.yml",
        "github-scheduled-accuracy.yml",
        "release.yml",
    } <= names
    assert GITLAB_CI.is_file()


@pytest.mark.parametrize("path", [ACTION, RUNNER_ACTION], ids=_ids([ACTION, RUNNER_ACTION]))
def test_action_metadata_is_valid(env: dict[str, str], path: Path) -> None:
    _passes(check_jsonschema(env, "vendor.github-actions", path))


@pytest.mark.parametrize("path", GITHUB_WORKFLOWS, ids=_ids(GITHUB_WORKFLOWS))
def test_github_workflow_is_valid(env: dict[str, str], path: Path) -> None:
    _passes(check_jsonschema(env, "vendor.github-workflows", path))


@pytest.mark.parametrize("path", GITHUB_WORKFLOWS, ids=_ids(GITHUB_WORKFLOWS))
def test_github_workflow_passes_actionlint(env: dict[str, str], path: Path) -> None:
    _passes(actionlint(env, path))


def test_gitlab_ci_is_valid(env: dict[str, str]) -> None:
    _passes(check_jsonschema(env, "vendor.gitlab-ci", GITLAB_CI))


def test_dockerfile_passes_hadolint(env: dict[str, str]) -> None:
    _passes(hadolint(env, DOCKERFILE))


# -- ...and each check fails a broken copy ----------------------------------------------------


def test_action_schema_check_can_fail(env: dict[str, str], tmp_path: Path) -> None:
    broken = _broken(tmp_path, ACTION, "using: docker", "using: podman")
    _fails(check_jsonschema(env, "vendor.github-actions", broken), "podman")


def test_workflow_schema_check_can_fail(env: dict[str, str], tmp_path: Path) -> None:
    broken = _broken(tmp_path, EXAMPLES / "github-pr-report.yml", "runs-on:", "runs_on:")
    _fails(check_jsonschema(env, "vendor.github-workflows", broken), "runs_on")


def test_actionlint_can_fail(env: dict[str, str], tmp_path: Path) -> None:
    # A typo in a step id: valid by the schema, caught by actionlint.
    source = EXAMPLES / "github-pr-report.yml"
    broken = _broken(tmp_path, source, "steps.report.outputs", "steps.reprot.outputs")
    _passes(check_jsonschema(env, "vendor.github-workflows", broken))
    _fails(actionlint(env, broken), "reprot")


def test_actionlint_runs_shellcheck(env: dict[str, str], tmp_path: Path) -> None:
    # An unquoted variable: only shellcheck objects (SC2086), so the workflow fails with
    # shellcheck and passes without it.
    workflow = tmp_path / "shellcheck.yml"
    workflow.write_text(
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        "      - run: ls $HOME\n",
        encoding="utf-8",
    )
    _fails(actionlint(env, workflow), "shellcheck", "SC2086")
    _passes(actionlint(env, workflow, shellcheck=False))


def test_gitlab_schema_check_can_fail(env: dict[str, str], tmp_path: Path) -> None:
    broken = _broken(tmp_path, GITLAB_CI, "when: always", "when: sometimes")
    _fails(check_jsonschema(env, "vendor.gitlab-ci", broken), "sometimes")


def test_hadolint_can_fail(env: dict[str, str], tmp_path: Path) -> None:
    # Without its ignore comment, the unpinned apt-get install is reported.
    broken = _broken(tmp_path, DOCKERFILE, "# hadolint ignore=DL3008\n", "")
    _fails(hadolint(env, broken), "DL3008")


# -- action.yml, the entrypoint and mlreport agree ----------------------------------------


def test_every_input_is_handled_by_the_entrypoint() -> None:
    inputs = set(_action()["inputs"])
    handled = set(action.OPTIONS) | OWN_INPUTS
    assert len(set(action.OPTIONS)) == len(action.OPTIONS), "an input listed twice in OPTIONS"
    assert sorted(inputs - handled) == [], "inputs of action.yml that mlreport.action ignores"
    assert sorted(handled - inputs) == [], "inputs mlreport.action reads that action.yml lacks"


def _envvars(command: click.Command) -> set[str]:
    names: set[str] = set()
    for param in command.params:
        if isinstance(param.envvar, str):
            names.add(param.envvar)
        elif param.envvar:
            names.update(param.envvar)
    return names


def test_every_option_input_is_an_mlreport_option() -> None:
    from mlreport.cli import cli

    known = _envvars(cli)
    for name in ("render", "run", "publish"):
        command = cli.commands[name]
        known |= _envvars(command)
    unknown = [n for n in action.OPTIONS if f"MLREPORT_{n.upper()}" not in known]
    assert unknown == [], "inputs passed on as MLREPORT_* variables that no command reads"


def _written_outputs() -> set[str]:
    """The names in publish.py's ``actions.set_outputs(environ, {...})`` call."""
    tree = ast.parse((ROOT / "src" / "mlreport" / "publish.py").read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "set_outputs"
    ]
    assert len(calls) == 1, "expected one actions.set_outputs call in publish.py"
    mapping = calls[0].args[1]
    assert isinstance(mapping, ast.Dict)
    names = {key.value for key in mapping.keys if isinstance(key, ast.Constant)}
    assert len(names) == len(mapping.keys), "set_outputs with a key that is not a literal"
    return {str(name) for name in names}


def test_every_output_is_written_by_mlreport() -> None:
    declared = set(_action()["outputs"])
    written = _written_outputs()
    assert sorted(declared - written) == [], "outputs in action.yml that mlreport never writes"
    assert sorted(written - declared) == [], "outputs mlreport writes that action.yml lacks"


def test_the_entrypoint_is_the_console_script() -> None:
    entrypoint = _action()["runs"]["entrypoint"]
    scripts = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(rf'^{re.escape(entrypoint)} = "mlreport\.cli\.action:main"$', scripts, re.M)


def _steps(workflow: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for job in workflow.get("jobs", {}).values():
        yield from job.get("steps", [])


@pytest.mark.parametrize("path", GITHUB_WORKFLOWS, ids=_ids(GITHUB_WORKFLOWS))
def test_examples_use_only_what_the_action_has(path: Path) -> None:
    """actionlint cannot check the inputs of `<owner>/ml-report@v1`: check them here, and
    the outputs read from its steps."""
    inputs, outputs = set(_action()["inputs"]), set(_action()["outputs"])
    text = path.read_text(encoding="utf-8")
    ours = [s for s in _steps(_load(path)) if THIS_ACTION.match(str(s.get("uses", "")))]
    for step in ours:
        assert sorted(set(step.get("with") or {}) - inputs) == [], f"{path.name}: {step}"
    for step_id in {str(s["id"]) for s in ours if "id" in s}:
        read = set(re.findall(rf"steps\.{re.escape(step_id)}\.outputs\.([\w-]+)", text))
        assert sorted(read - outputs) == [], f"{path.name}: outputs of step {step_id}"


# -- runner/action.yml, likewise -------------------------------------------------------------


def _runner_action() -> dict[str, Any]:
    return _load(RUNNER_ACTION)


def test_the_runner_action_builds_the_same_image() -> None:
    runs = _runner_action()["runs"]
    assert (RUNNER_ACTION.parent / runs["image"]).resolve() == DOCKERFILE
    assert runs["entrypoint"] == _action()["runs"]["entrypoint"]
    assert runs["args"] == ["runner"]


def test_every_runner_input_is_handled() -> None:
    inputs = set(_runner_action()["inputs"])
    handled = set(action.RUNNER_OPTIONS) | {"mode"}
    assert len(set(action.RUNNER_OPTIONS)) == len(action.RUNNER_OPTIONS)
    assert sorted(inputs - handled) == [], "inputs of runner/action.yml the entrypoint ignores"
    assert sorted(handled - inputs) == [], "inputs the entrypoint reads that the action lacks"
    modes = set(re.findall(r"\w+", _runner_action()["inputs"]["mode"]["description"]))
    assert set(action.RUNNER_MODES) <= modes


def test_every_runner_input_is_an_option_of_a_runner_command() -> None:
    from mlreport.cli import cli

    group = cli.commands["runner"]
    assert isinstance(group, click.Group)
    known = _envvars(cli)
    for name in action.RUNNER_MODES:
        known |= _envvars(group.commands[name])
    unknown = [n for n in action.RUNNER_OPTIONS if f"MLREPORT_{n.upper()}" not in known]
    assert unknown == [], "runner inputs passed on as MLREPORT_* variables no command reads"


def test_every_runner_output_is_written_by_launch() -> None:
    from mlreport.runners import launch

    source = Path(launch.__file__).read_text(encoding="utf-8")
    written = set(re.findall(r'^\s+"([a-z-]+)": ', source[source.index("def _outputs") :], re.M))
    written |= set(re.findall(r'outputs\["([a-z-]+)"\] =', source))
    assert written == set(_runner_action()["outputs"])


@pytest.mark.parametrize("path", GITHUB_WORKFLOWS, ids=_ids(GITHUB_WORKFLOWS))
def test_examples_use_only_what_the_runner_action_has(path: Path) -> None:
    spec = _runner_action()
    inputs, outputs = set(spec["inputs"]), set(spec["outputs"])
    workflow = _load(path)
    text = path.read_text(encoding="utf-8")
    ours = [s for s in _steps(workflow) if THE_RUNNER_ACTION.match(str(s.get("uses", "")))]
    for step in ours:
        assert sorted(set(step.get("with") or {}) - inputs) == [], f"{path.name}: {step}"
        assert step["with"]["mode"] in action.RUNNER_MODES
    for step_id in {str(s["id"]) for s in ours if "id" in s}:
        read = set(re.findall(rf"steps\.{re.escape(step_id)}\.outputs\.([\w-]+)", text))
        assert sorted(read - outputs) == [], f"{path.name}: outputs of step {step_id}"


def test_the_gpu_example_stops_whatever_happens() -> None:
    jobs = _load(EXAMPLES / "github-gpu-ec2.yml")["jobs"]
    assert jobs["stop"]["if"].startswith("always()")
    assert set(jobs["stop"]["needs"]) == {"launch", "train"}
    assert "needs.launch.outputs.label" in str(jobs["train"]["runs-on"])
    stop = jobs["stop"]["steps"][-1]["with"]
    assert stop["mode"] == "stop" and "needs.launch.outputs.label" in stop["label"]
