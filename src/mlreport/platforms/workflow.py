"""GitHub Actions' workflow commands and files: masking, annotations, the job summary and
step outputs -- and whether mlreport runs in Actions at all (decided here only)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path

import click

SUMMARY_LIMIT = 1024 * 1024  # bytes per step; over it the runner drops the whole summary


def in_actions(environ: Mapping[str, str]) -> bool:
    """Running in a GitHub Actions job (the runner sets GITHUB_ACTIONS=true)."""
    return environ.get("GITHUB_ACTIONS") == "true"


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def mask(value: str) -> None:
    """Ask the runner to hide *value* in the log (the runner does not echo this line)."""
    if value:
        click.echo(f"::add-mask::{_escape(value)}")


def warning(message: str, title: str = "mlreport") -> None:
    click.echo(
        f"::warning title={_escape(title).replace(',', '%2C').replace(':', '%3A')}::"
        f"{_escape(message)}"
    )


def append_summary(environ: Mapping[str, str], markdown: str) -> bool:
    path = environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(markdown.rstrip("\n") + "\n\n")
    return True


def set_outputs(environ: Mapping[str, str], outputs: Mapping[str, str]) -> bool:
    """Append step outputs to GITHUB_OUTPUT, each in the multi-line form with a fresh
    delimiter, so no value can end its block early."""
    path = environ.get("GITHUB_OUTPUT")
    if not path:
        return False
    with Path(path).open("a", encoding="utf-8") as handle:
        for name, value in outputs.items():
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return True
