"""A figure factory with a fixed style, and deterministic PNG saving."""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from mlreport.files import write_atomic

DPI = 100
LABEL_CHARS = 24

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "text.parse_math": False,  # labels come from data: '$' is text, never mathtext
    "path.simplify": True,
    "agg.path.chunksize": 10000,
}
COLORS = (
    "#4c72b0",
    "#dd8452",
    "#55a868",
    "#c44e52",
    "#8172b3",
    "#937860",
    "#da8bc3",
    "#8c8c8c",
    "#ccb974",
    "#64b5cd",
)


@dataclass(frozen=True)
class Image:
    """A chart written next to the report."""

    name: str
    path: str  # file name, relative to the report directory
    title: str
    sha256: str
    note: str = ""


@contextmanager
def figure(width: float, height: float) -> Iterator[Any]:
    """A new Figure (with an Agg canvas) under the report style."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(cast(Any, STYLE)), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # data-driven oddities: the chart is still drawn
        fig = Figure(figsize=(width, height), dpi=DPI)
        FigureCanvasAgg(fig)
        yield fig


def save(fig: Any, directory: Path, name: str, title: str, note: str = "") -> Image:
    """Write *fig* as ``<name>.png`` (atomically) and describe it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    data = buffer.getvalue()
    filename = f"{name}.png"
    write_atomic(directory / filename, data)
    return Image(name, filename, title, hashlib.sha256(data).hexdigest(), note)


def short(label: str, limit: int = LABEL_CHARS) -> str:
    """A label fit for a tick: one line, at most *limit* characters."""
    text = " ".join(str(label).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
