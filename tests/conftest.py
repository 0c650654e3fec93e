"""Shared fixtures: run the CLI as a user would, and write input files."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest_plugins = ["tests.fakes.fixtures"]  # `github` and `gitlab`: fake platforms on 127.0.0.1

os.environ.setdefault("MPLBACKEND", "Agg")
_CI = ("MLREPORT_", "GITHUB_", "GITLAB_", "CI_", "RUNNER_")
for _name in [n for n in os.environ if n.startswith(_CI) or n in ("CI", "GITLAB_CI")]:
    del os.environ[_name]  # the developer's or CI's own settings must not leak into tests


@pytest.fixture(autouse=True)
def _restore_environ() -> Iterator[None]:
    """Code under test may set variables (the Action's entrypoint does): undo it."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


CLI = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CLI:
    """``cli("render", "--metrics", path)`` runs ``mlreport`` in-process in *tmp_path*."""
    from mlreport.cli import main

    def invoke(*args: object, cwd: Path | None = None) -> Result:
        monkeypatch.chdir(cwd or tmp_path)
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return invoke


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test runs inside *tmp_path*."""
    monkeypatch.chdir(tmp_path)
    return tmp_path
