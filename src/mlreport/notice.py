"""The spot interruption notice: EC2 warns a spot instance two minutes before reclaiming it
(instance metadata ``spot/instance-action``); the runner's boot script writes that notice as
:data:`FILE` in the job's temporary folder (``$RUNNER_TEMP``), where ``mlreport run`` looks
for it while the command runs, to stop the command and write the report in time."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

FILE = "mlreport-spot-interruption.json"


def location(environ: Mapping[str, str]) -> Path | None:
    """Where the notice would be (MLREPORT_INTERRUPTION_FILE, else in $RUNNER_TEMP)."""
    if environ.get("MLREPORT_INTERRUPTION_FILE"):
        return Path(environ["MLREPORT_INTERRUPTION_FILE"])
    if environ.get("RUNNER_TEMP"):
        return Path(environ["RUNNER_TEMP"]) / FILE
    return None


def read(path: Path) -> str | None:
    """The notice at *path*, said in words, or None when there is none."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    action = str(data.get("action") or "terminate")[:20]
    when = str(data.get("time") or "")[:40]
    return f"EC2 is reclaiming this spot instance ({action}{f' at {when}' if when else ''})"
