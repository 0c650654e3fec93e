"""GitHub Actions' workflow commands and files: annotations, the job summary and step
outputs -- and whether mlreport runs in Actions at all (decided here only).

No token is ever sent to ``::add-mask::``: Actions masks the secrets it passes to a step
already, and that line itself would carry the token into any log that tees the step's output.
mlreport keeps secrets out of what it prints instead (:mod:`mlreport.redact`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path

from mlreport import console, redact
from mlreport.errors import PlatformError

SUMMARY_LIMIT = 1024 * 1024  # bytes per step; over it the runner drops the whole summary


def in_actions(environ: Mapping[str, str]) -> bool:
    """Running in a GitHub Actions job (the runner sets GITHUB_ACTIONS=true)."""
    return environ.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """A command's message, as GitHub's toolkit escapes it (``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value (``escapeProperty``): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def warning(message: str, title: str = "mlreport") -> None:
    """A warning annotation on the run."""
    console.command(f"::warning title={escape_property(title)}::{escape_data(message)}")


def append_summary(environ: Mapping[str, str], markdown: str) -> bool:
    path = environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return False
    _append(path, "GITHUB_STEP_SUMMARY", "the job summary", markdown.rstrip("\n") + "\n\n")
    return True


def set_outputs(environ: Mapping[str, str], outputs: Mapping[str, str]) -> bool:
    """Append step outputs to GITHUB_OUTPUT, each in the multi-line form with a fresh
    delimiter, so no value can end its block early."""
    path = environ.get("GITHUB_OUTPUT")
    if not path:
        return False
    text = ""
    for name, value in outputs.items():
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
        text += f"{name}<<{delimiter}\n{value}\n{delimiter}\n"
    _append(path, "GITHUB_OUTPUT", "the step outputs", text)
    return True


def _append(path: str, variable: str, what: str, text: str) -> None:
    try:
        with Path(path).open("a", encoding="utf-8", errors="replace") as handle:
            handle.write(redact.current().text(text))
    except OSError as exc:
        raise PlatformError(
            f"cannot write {what} to {variable} ({console.one_line(path)}): "
            f"{exc.strerror or type(exc).__name__}",
            f"the runner sets {variable}; do not point it elsewhere",
        ) from None
