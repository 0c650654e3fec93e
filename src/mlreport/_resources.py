"""Files shipped with mlreport: the ``templates/`` folder (report, preview, runner boot script)."""

from __future__ import annotations

from pathlib import Path


def templates_root() -> Path:
    """``templates/`` inside the installed wheel, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "templates"
    return packaged if packaged.is_dir() else here.parents[1] / "templates"
