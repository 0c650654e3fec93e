"""Opening input files: existence, emptiness and encoding checked once, with clear errors."""

from __future__ import annotations

import os
from pathlib import Path

from mlreport.errors import InputError

UTF8_HINT = "save it as UTF-8"


def check_readable(path: Path, what: str) -> None:
    """Fail unless *path* is an existing, non-empty, readable regular file."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(path, f"{what} file not found", _near_miss_hint(path)) from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what} file ({exc.strerror})") from None
    if path.is_dir():
        raise InputError(path, f"is a directory, expected a {what} file")
    if st.st_size == 0:
        raise InputError(path, f"{what} file is empty")
    if not os.access(path, os.R_OK):
        raise InputError(path, f"cannot read {what} file (permission denied)")


def read_text(path: Path, what: str) -> str:
    """Read a whole UTF-8 text file (a leading BOM is dropped)."""
    check_readable(path, what)
    data = path.read_bytes()
    text = decode_utf8(data, path)
    if not text.strip():
        raise InputError(path, f"{what} file is empty (only whitespace)")
    return text


def decode_utf8(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise utf8_error(path, exc) from None


def utf8_error(path: Path, exc: UnicodeDecodeError, offset: int = 0) -> InputError:
    bad = exc.object[exc.start : exc.start + 1]
    return InputError(
        path,
        f"not valid UTF-8 (byte 0x{bad.hex()} at offset {offset + exc.start})",
        UTF8_HINT,
    )


def _near_miss_hint(path: Path) -> str | None:
    """Suggest a file with the same stem and another extension, e.g. metrics.yml for .yaml."""
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"directory {parent} does not exist either"
    stem = path.stem
    for candidate in sorted(parent.glob(f"{stem}.*")):
        if candidate != path and candidate.is_file():
            return f"did you mean {candidate}?"
    return None
