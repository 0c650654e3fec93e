"""The launch's state file: what was started, written the moment the instance exists, so
``mlreport runner stop`` finds it even if the launch itself is killed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from mlreport.errors import InputError

DEFAULT = Path(".mlreport") / "runner.json"


def write(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    partial.replace(path)


def read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        raise InputError(path, f"not a runner state file ({exc})", "pass --label") from None
    if not isinstance(data, dict):
        raise InputError(path, "not a runner state file", "pass --label")
    return data
