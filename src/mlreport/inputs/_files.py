"""Opening input files: existence, emptiness, size and encoding checked once, with clear
errors.

Limits, so that no input can exhaust memory: a text file read whole (metrics, gates, a
template, report.md) is at most :data:`MAX_TEXT_BYTES`; a line of a table at most
:data:`MAX_LINE_BYTES`. A pipe (``<(command)``, a FIFO) can be read as a text file, read once;
tables are read more than once, so they must be files.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path
from typing import BinaryIO

from mlreport.errors import InputError

UTF8_HINT = "save it as UTF-8"
EMPTY_HINT = "check the step that writes it (did it fail or write elsewhere?)"
MAX_TEXT_BYTES = 64 << 20
MAX_LINE_BYTES = 16 << 20


def check_readable(path: Path, what: str, *, stream: bool = False) -> bool:
    """Fail unless *path* is an existing, non-empty, readable regular file -- or, when
    *stream*, a pipe to read once. Returns whether it is a pipe."""
    try:
        st = path.stat()
    except FileNotFoundError:
        try:
            where = f"relative to {Path.cwd()}"
        except OSError:
            where = "the working directory is gone"
        hint = _near_miss_hint(path) or (
            f"check the path ({where}); if a training step writes it, that step did not"
        )
        raise InputError(path, f"{what} file not found", hint) from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what} file ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(path, f"is a directory, expected a {what} file")
    pipe = stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode) or stat.S_ISSOCK(st.st_mode)
    if pipe and not stream:
        raise InputError(
            path,
            f"is a pipe or device, not a file: mlreport reads a {what} file more than once",
            "write it to a file first",
        )
    if not pipe and not stat.S_ISREG(st.st_mode):
        raise InputError(path, f"is not a regular file, expected a {what} file")
    if not pipe and st.st_size == 0:
        raise InputError(path, f"{what} file is empty", EMPTY_HINT)
    if not os.access(path, os.R_OK):
        raise InputError(path, f"cannot read {what} file (permission denied)")
    return pipe


def read_text(path: Path, what: str) -> str:
    """Read a whole UTF-8 text file, or a pipe, of at most MAX_TEXT_BYTES (a leading BOM is
    dropped)."""
    check_readable(path, what, stream=True)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_TEXT_BYTES + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read {what} file ({exc.strerror})") from None
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            path, f"{what} file is larger than {MAX_TEXT_BYTES >> 20} MB", "is it the right file?"
        )
    if not data:
        raise InputError(path, f"{what} file is empty", EMPTY_HINT)
    text = decode_utf8(data, path)
    if not text.strip():
        raise InputError(path, f"{what} file is empty (only whitespace)", EMPTY_HINT)
    return text


def read_line(handle: BinaryIO, path: Path, number: int) -> bytes:
    """The next line of *handle* (line *number* of *path*), of at most MAX_LINE_BYTES."""
    line = handle.readline(MAX_LINE_BYTES + 1)
    if len(line) > MAX_LINE_BYTES:
        raise line_too_long(path, number)
    return line


def line_too_long(path: Path, number: int) -> InputError:
    return InputError(
        path,
        f"line {number:,} is longer than {MAX_LINE_BYTES >> 20} MB",
        "write one row per line (is the file one line, or not text at all?)",
    )


def decode_utf8(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig counts from after the BOM; report the offset in the file
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        raise utf8_error(path, exc, bom) from None


def utf8_error(path: Path, exc: UnicodeDecodeError, offset: int = 0) -> InputError:
    bad = exc.object[exc.start : exc.start + 1]
    return InputError(
        path,
        f"not valid UTF-8 (byte 0x{bad.hex()} at offset {offset + exc.start})",
        UTF8_HINT,
    )


def utf8_error_in_file(path: Path, fallback: UnicodeDecodeError) -> InputError:
    """The error for the first non-UTF-8 byte of *path*, at its offset in the whole file (a
    reader that decodes in chunks reports offsets within a chunk); the slow, error-only path."""
    offset = 0
    with path.open("rb") as handle:
        for line in handle:  # b"\n" never occurs inside a multi-byte UTF-8 sequence
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return utf8_error(path, exc, offset)
            offset += len(line)
    return utf8_error(path, fallback)


def _near_miss_hint(path: Path) -> str | None:
    """Suggest a file with the same stem and another extension, e.g. metrics.yml for .yaml."""
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"directory {parent} does not exist either; check the path"
    stem = path.stem
    for candidate in sorted(parent.glob(f"{stem}.*")):
        if candidate != path and candidate.is_file():
            return f"did you mean {candidate}?"
    return None
