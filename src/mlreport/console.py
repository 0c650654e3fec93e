"""What mlreport prints, guarded: no secret, and no line that a CI runner would execute.

GitHub Actions executes any line of a step's output that starts with ``::`` (after
whitespace) as a workflow command -- ``::error``, ``::add-mask::``, ``::stop-commands::``.
Data (a metric name, a label, a file name) must never produce one, so:

- values that come from data are made one line the way GitHub's toolkit escapes command
  data (:func:`one_line`: CR and LF as ``%0D`` and ``%0A``), so no message can be split;
- :func:`guarded` puts every write to stdout and stderr through the invocation's redactor
  and defuses any line that would still start with ``::`` (its colons become ``%3A``);
  mlreport's own workflow commands go out through :func:`command`, and the output of the
  ``run`` command's process is passed through as bytes (redacted, not defused: it is the
  user's own program speaking).
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

from mlreport import redact
from mlreport.files import printable

_COMMAND_START = re.compile(r"^([ \t]*)::", re.MULTILINE)


_BREAKS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(value: object) -> str:
    """*value* as text that stays on one line: CR and LF as ``%0D``/``%0A`` (GitHub's
    toolkit's escaping), any other control character -- a vertical tab, a terminal escape, a
    Unicode line separator -- as ``\\xNN`` / ``\\uNNNN``."""
    text = str(value).replace("\r", "%0D").replace("\n", "%0A")
    return _BREAKS.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def defuse(text: str) -> str:
    """No line of *text* starts with ``::``."""
    return _COMMAND_START.sub(r"\1%3A%3A", text)


class Guarded(io.TextIOBase):
    """A text stream that redacts and defuses what is written to it, line by line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._line_start = True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._write(text, trusted=False)
        return len(text)

    def _write(self, text: str, *, trusted: bool) -> None:
        if trusted and isinstance(self.stream, Guarded):  # a guard inside a guard
            self.stream._write(text, trusted=True)
            return
        safe = redact.current().text(printable(text))
        if not trusted:
            if self._line_start:
                safe = defuse(safe)
            else:  # the line under way was checked at its start
                head, newline, rest = safe.partition("\n")
                safe = head + newline + defuse(rest)
        if safe:
            self._line_start = safe.endswith("\n")
        self.stream.write(safe)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8") or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self.stream, "errors", None)

    @property
    def buffer(self) -> Any:
        return self.stream.buffer

    def writable(self) -> bool:
        return True


def command(line: str) -> None:
    """Write one of mlreport's own workflow commands (``::warning …``) to stdout."""
    out = sys.stdout
    if isinstance(out, Guarded):
        out._write(line + "\n", trusted=True)
    else:
        out.write(redact.current().text(line) + "\n")
    out.flush()


@contextmanager
def guarded() -> Iterator[None]:
    """Guard stdout and stderr for the duration of one invocation."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = Guarded(sys.stdout), Guarded(sys.stderr)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):
                stream.flush()
        sys.stdout, sys.stderr = saved
