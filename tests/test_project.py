"""The project as users meet it: packaging, start-up, documentation."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import mlreport
from mlreport import errors
from mlreport.cli import _COMMANDS, cli

ROOT = Path(__file__).resolve().parents[1]
HEAVY = (
    "numpy",
    "matplotlib",
    "sklearn",
    "scipy",
    "jinja2",
    "tabulate",
    "yaml",
    "cmarkgfm",
    "github",
    "gitlab",
    "boto3",
    "pyarrow",
    "mlflow",
    "dvc",
    "fsspec",
    "requests",
)


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["render", "--help"]])
def test_cli_starts_without_heavy_imports(args: list[str]) -> None:
    code = (
        "import sys\n"
        "from mlreport.cli import main\n"
        f"main({args!r})\n"
        f"loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))\n"
        "print('LOADED', loaded)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines()[-1] == "LOADED []"


def test_wheel_ships_the_templates(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("mlreport-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "templates").rglob("*") if p.is_file()
    }
    assert templates
    assert {f"mlreport/{t}" for t in templates} <= names
    assert "mlreport/demo/baseline.json" in names


def test_installed_package_finds_its_templates() -> None:
    from mlreport._resources import templates_root

    assert (templates_root() / "report.md.j2").is_file()


def test_errors_all_is_complete() -> None:
    public = {
        name
        for name in vars(errors)
        if not name.startswith("_")
        and (isinstance(getattr(errors, name), type) or name.startswith("EXIT_"))
    }
    assert set(errors.__all__) == public


def test_exception_tree_exit_codes() -> None:
    assert errors.UsageError("x").exit_code == 2
    assert errors.InputError("f", "x").exit_code == 2
    assert errors.BaselineNotFound("f", "x").exit_code == 2
    assert errors.TemplateError("x").exit_code == 2
    assert errors.PublishError("x").exit_code == 3
    assert str(errors.InputError("f.csv", "bad", "fix it")) == "f.csv: bad; fix it"


def test_every_command_is_documented_and_has_help() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in _COMMANDS:
        command = cli.commands.get(name)
        assert command is not None and (command.help or "").strip(), name
        assert f"mlreport {name}" in readme, f"README does not show mlreport {name}"


def test_readme_opens_with_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", readme, re.S)
    assert block is not None
    assert block.group(1).strip().splitlines() == [
        "pip install . && mlreport demo",
        "./scripts/test",
    ]
    assert "./scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_version_is_single_sourced() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'path = "src/mlreport/__init__.py"' in pyproject
    assert re.fullmatch(r"\d+\.\d+\.\d+", mlreport.__version__)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{mlreport.__version__}]" in changelog


# The floors of the package, lowest first: a module imports only from lower floors, or from
# its own part. (Imports inside functions count: they are how heavy modules load lazily.)
FLOORS = (
    {"errors", ""},
    {"config", "_resources", "git", "redact", "files", "remote", "notice"},
    {"console", "runcmd"},
    {"platforms"},
    {"inputs"},
    {"evaluate", "compare", "gates", "runners"},
    {"verdicts", "records", "pairing", "data"},
    {"integrations"},
    {"uncertainty", "baselines"},
    {"charts"},
    {"evaluation"},
    {"report", "recording"},
    {"publish", "demo"},
    {"proposal", "live"},
    {"cli"},
    {"__main__"},
)


def _part(module: str) -> str:
    """mlreport.inputs.tables.codes -> inputs; mlreport -> ''."""
    return module.split(".")[1] if "." in module else ""


def _floor(part: str) -> int:
    return next(i for i, names in enumerate(FLOORS) if part in names)


def test_no_module_imports_from_a_higher_floor() -> None:
    import ast

    src = ROOT / "src"
    upward = []
    for path in sorted((src / "mlreport").rglob("*.py")):
        module = ".".join(path.relative_to(src).with_suffix("").parts).removesuffix(".__init__")
        here = _part(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] != "mlreport":
                    continue
                there = _part(name)
                if there != here and _floor(there) >= _floor(here):
                    upward.append(f"{module} imports {name}")
    assert upward == []


def test_no_module_is_much_over_300_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "src").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 320
    }
    assert long == {}
