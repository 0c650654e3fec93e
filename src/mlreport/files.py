"""Writing mlreport's own files: atomically, and with a one-line error that names the file.

A file is written next to its final name and moved over it, so a reader never sees half of
one; when the write fails (a read-only or missing directory, a full disk, a name the file
system refuses), the partial file is removed and the error says what to fix (exit 2).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from mlreport.errors import UsageError


def printable(text: object) -> str:
    """*text* as it can be shown and written as UTF-8: a file name that is not valid UTF-8
    (kept by Python as lone surrogates) gets U+FFFD for its bad bytes."""
    return str(text).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def write_atomic(path: Path, data: str | bytes, what: str = "") -> None:
    """Write *data* (text as UTF-8) to *path* through a temporary file beside it."""
    temporary = path.with_name(f".{path.name}.tmp")
    payload = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    try:
        temporary.write_bytes(payload)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise UsageError(
            f"{what + ' ' if what else ''}{printable(path)}: cannot write it "
            f"({exc.strerror or type(exc).__name__})",
            "check that its directory exists and is writable",
        ) from None


def make_directory(directory: Path, what: str) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"{what} {printable(directory)}: exists and is not a directory") from None
    except OSError as exc:
        raise UsageError(
            f"{what} {printable(directory)}: cannot create it ({exc.strerror})"
        ) from None
