"""Markdown building blocks that keep data inert.

Everything that comes from data (metric names, labels, slice values, file names, log lines)
goes through :func:`escape` (inline text), :func:`code_span` or :func:`code_block`, so it can
neither break a table nor inject HTML, links, images or math on GitHub and GitLab, nor
mention anyone or link an issue (``@octocat``, ``#123``, ``GH-1``, GitLab's ``!12`` and
``%milestone``: a zero-width space after the sign, invisible, keeps each one text), nor make
mlreport's comment marker (:func:`mlreport.platforms.marker.defuse`). A long value is shown
shortened in the middle (the whole of it is in report.json), and tables are not padded, so
one long cell costs its own length once, not once per row. Helpers return
:class:`markupsafe.Markup`, which the template layer passes through unescaped.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence

from markupsafe import Markup

from mlreport.platforms.marker import defuse

# Characters with a Markdown meaning anywhere in a line (GFM, GitLab math and footnotes).
_INLINE = re.compile(r"([\\`*_\[\]{}|~$^])")
# Block syntax that only counts at the start of a line, followed by a space or the end:
# headings, list items, numbered items; and lines made only of '-' or '=' (rules, setext).
_LINE_START = re.compile(r"^(#{1,6}|[+-]|\d{1,9}[.)])(?=\s|$)|^[-=]+\s*$")
_AUTOLINK = re.compile(r"(?i)(?<=[a-z0-9])(:)(?=//)|(?<=\bwww)(\.)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
# What GitHub and GitLab turn into a mention or a reference when it is text (not code).
_REFERENCE = re.compile(r"([@#!%])(?=[A-Za-z0-9_\"])|(?<=\bGH)(-)(?=\d)", re.IGNORECASE)
ZWSP = "&#8203;"  # a zero-width space, as an entity: it survives as text on both platforms

DASH = "—"
LONG_TEXT = 1000  # characters of a value shown in running text
LONG_CODE = 200  # ... in a code span
LONG_CELL = 100  # ... in a table cell (names: metrics, labels, gate expressions)


def shorten(text: str, limit: int) -> str:
    """*text* if it has at most *limit* characters, else its start and end around ``…``."""
    if len(text) <= limit:
        return text
    head = (limit - 1) * 2 // 3
    return f"{text[:head]}…{text[len(text) - (limit - 1 - head) :]}"


def one_line(text: str) -> str:
    """Newlines and tabs become spaces; control characters are dropped."""
    return _SPACES.sub(" ", _CONTROL.sub("", text.replace("\x00", "\ufffd"))).strip()


def escape(value: object, limit: int = LONG_TEXT) -> Markup:
    """Inline Markdown text showing *value* literally, on one line."""
    text = html.escape(shorten(one_line(str(value)), limit), quote=False)
    text = _INLINE.sub(r"\\\1", text)
    text = _AUTOLINK.sub(lambda m: "\\" + m.group(0), text)  # no links made from data
    text = _REFERENCE.sub(lambda m: m.group(0) + ZWSP, text)  # nor mentions, nor references
    match = _LINE_START.match(text)
    if match:
        marker = match.group(1) or ""
        if marker[:1].isdigit():  # "1." -> "1\."
            text = f"{marker[:-1]}\\{text[len(marker) - 1 :]}"
        else:
            text = "\\" + text
    return Markup(text)


def escape_html(value: object) -> Markup:
    """Text for inside raw HTML (e.g. ``<summary>``), where Markdown is not parsed (but
    mentions and references are)."""
    text = html.escape(shorten(one_line(str(value)), LONG_TEXT), quote=True)
    return Markup(_REFERENCE.sub(lambda m: m.group(0) + ZWSP, text))


def code_span(value: object, *, in_table: bool = False) -> Markup:
    """An inline code span that survives any backticks in *value*.

    Inside a table cell a ``|`` must be escaped even within code (GFM splits cells first);
    outside a table the escape would show, so *in_table* says which one this is.
    """
    text = defuse(shorten(one_line(str(value)), LONG_CELL if in_table else LONG_CODE))
    if in_table:
        text = text.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def code_block(lines: Sequence[str], language: str = "text") -> Markup:
    """A fenced code block whose fence is longer than any backtick run in *lines*."""
    body = defuse("\n".join(_CONTROL.sub("", line.replace("\x00", "\ufffd")) for line in lines))
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return Markup(f"{fence}{language}\n{body}\n{fence}")


def format_number(value: object, precision: int = 4) -> str:
    """A metric value for people: ``precision`` significant digits, no float noise."""
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if not isinstance(value, float):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if value.is_integer() and magnitude < 1e15:
        return format_number(int(value), precision)
    if magnitude >= 1e15 or magnitude < 1e-4:
        mantissa, exponent = f"{value:.{precision - 1}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"
    decimals = max(0, precision - 1 - math.floor(math.log10(magnitude)))
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_delta(value: float | None, precision: int = 4) -> str:
    if value is None:
        return ""
    if value == 0:
        return "0"
    text = format_number(value, precision)
    return text if text.startswith("-") else f"+{text}"


def format_interval(center: object, low: object, high: object, *, signed: bool = False) -> str:
    """The interval [low, high] around *center*, compactly: ``±0.012``; when it is lopsided
    (a bootstrap interval near 0 or 1), ``+0.01/−0.015``, or for a delta (*signed*) its
    ends, ``[0, +0.019]``. Empty without an interval."""
    values = (center, low, high)
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
        return ""
    c, lo, hi = (float(v) for v in values)  # type: ignore[arg-type]
    half = (hi - lo) / 2
    if half <= 0:
        return "±0"
    lo, hi = (0.0 if abs(v) < 1e-9 * half else v for v in (lo, hi))  # float noise at 0
    up, down = max(hi - c, 0.0), max(c - lo, 0.0)
    if abs(up - down) <= 0.25 * half:
        return f"±{format_number(half, 2)}"
    if signed:
        return f"[{format_delta(lo, 2)}, {format_delta(hi, 2)}]"
    return f"+{format_number(up, 2)}/−{format_number(down, 2)}"


def format_p(p: object) -> str:
    if not isinstance(p, int | float) or not math.isfinite(p):
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"


def table(
    headers: Sequence[object], rows: Sequence[Sequence[object]], align: str | None = None
) -> Markup:
    """A GitHub-flavoured Markdown (pipe) table; plain cells are escaped, Markup cells kept.

    *align* has one letter per column: ``l``eft, ``r``ight or ``c``enter. Cells are not
    padded to a common width (a long one would lengthen every row).
    """

    def cell(value: object) -> str:
        if isinstance(value, Markup):
            return str(value)
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_number(value)
        return str(escape(value, LONG_CELL))

    rules = {"l": ":---", "r": "---:", "c": ":---:"}
    width = len(headers)
    # one rule per header, or GitHub and GitLab show no table at all: extra letters are
    # dropped, missing ones are plain
    letters = ((align or "") + " " * width)[:width]
    lines = [
        _row([cell(h) for h in headers]),
        _row([rules.get(a, "---") for a in letters]),
    ]
    lines += [_row([cell(v) for v in row]) for row in rows]
    return Markup("\n".join(lines))


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
