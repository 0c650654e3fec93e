"""Click parameter types of mlreport's options: multi-line and multi-file variables,
durations, word lists."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import click

_UNITS = {"s": 1, "m": 60, "h": 3600}


class Lines(click.types.StringParamType):
    """A string option whose environment variable holds one value per line (gates)."""

    def split_envvar_value(self, rv: str) -> list[str]:
        return [line.strip() for line in rv.splitlines() if line.strip()]


class Source(click.Path):
    """A file option: a path, or a URL (``s3://``, ``gs://``, ``https://``) whose file is
    fetched to a local copy (:mod:`mlreport.remote`) -- never a path with its ``//``
    collapsed."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from mlreport import remote

        if isinstance(value, str) and remote.is_remote(value):
            what = param.name.replace("_", " ") if param is not None and param.name else "file"
            return remote.fetch(value, what)
        return super().convert(value, param, ctx)


class Files(Source):
    """Repeatable file options; their variable lists paths separated by spaces or newlines."""

    envvar_list_splitter = None  # type: ignore[assignment]


FILE = Source(path_type=Path, dir_okay=False)
FILES = Files(path_type=Path, dir_okay=False)


class Number(click.FloatRange):
    """A float in a range, and a real one: ``nan`` and ``inf`` are refused (a range check
    alone lets NaN through, and an infinite timeout cannot be waited for)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


TIMEOUT = Number(min=0.1, max=600)  # seconds for one API answer


class Level(click.types.FloatParamType):
    """A confidence level: ``0.9``, ``90`` or ``90%`` are all 0.9; from 50% to 99.99%."""

    name = "level"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, float):
            return value
        text = str(value).strip()
        percent = text.endswith("%")
        try:
            number = float(text.rstrip("%").strip())
        except ValueError:
            self.fail(f"{value!r} is not a level such as 0.95 or 95%", param, ctx)
        if percent or number > 1:
            number /= 100
        if not (math.isfinite(number) and 0.5 <= number <= 0.9999):
            self.fail(f"{value!r}: a level between 50% and 99.99%", param, ctx)
        return number


class Duration(click.types.FloatParamType):
    """``90s``, ``15m``, ``6h``, ``1h30m``; a bare number is minutes. Converts to seconds,
    at most *longest*."""

    name = "duration"

    def __init__(self, longest: float = 30 * 86400) -> None:
        self.longest = longest

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, int | float):
            seconds = float(value)
        else:
            seconds = self._parse(str(value), param, ctx)
        if not 0 <= seconds <= self.longest:
            self.fail(f"{value!r} is longer than {Duration.text(self.longest)}", param, ctx)
        return seconds

    def _parse(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> float:
        text = value.strip().lower()
        if re.fullmatch(r"\d+(\.\d+)?", text):
            return float(text) * 60
        parts = re.findall(r"(\d+(?:\.\d+)?)([smh])", text)
        if not parts or "".join(n + u for n, u in parts) != text:
            self.fail(f"{value!r} is not a duration like 90s, 15m, 6h or 1h30m", param, ctx)
        return float(sum(float(n) * _UNITS[u] for n, u in parts))

    @staticmethod
    def text(seconds: float) -> str:
        """*seconds* as this type reads it back: ``6h``, ``15m``, ``90s``."""
        for unit in ("h", "m"):
            if seconds % _UNITS[unit] == 0:
                return f"{seconds // _UNITS[unit]:.0f}{unit}"
        return f"{seconds:g}s"


class Words(click.types.StringParamType):
    """Repeatable; each value (and its variable) may list several, split by commas/spaces."""

    name = "text"
    envvar_list_splitter = None

    def split_envvar_value(self, rv: str) -> list[str]:
        return [rv]

    @staticmethod
    def split(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(w for v in values for w in re.split(r"[\s,]+", v) if w)
