"""Opening input files: existence, emptiness and encoding checked once, with clear errors."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from mlreport.errors import InputError

UTF8_HINT = "save it as UTF-8"
EMPTY_HINT = "check the step that writes it (did it fail or write elsewhere?)"


def check_readable(path: Path, what: str) -> None:
    """Fail unless *path* is an existing, non-empty, readable regular file."""
    try:
        st = path.stat()
    except FileNotFoundError:
        hint = _near_miss_hint(path) or (
            f"check the path (relative to {Path.cwd()}); if a training step writes it, "
            "that step did not"
        )
        raise InputError(path, f"{what} file not found", hint) from None
    except OSError as exc:
        raise InputError(path, f"cannot read {what} file ({exc.strerror})") from None
    if path.is_dir():
        raise InputError(path, f"is a directory, expected a {what} file")
    if st.st_size == 0:
        raise InputError(path, f"{what} file is empty", EMPTY_HINT)
    if not os.access(path, os.R_OK):
        raise InputError(path, f"cannot read {what} file (permission denied)")


def read_text(path: Path, what: str) -> str:
    """Read a whole UTF-8 text file (a leading BOM is dropped)."""
    check_readable(path, what)
    data = path.read_bytes()
    text = decode_utf8(data, path)
    if not text.strip():
        raise InputError(path, f"{what} file is empty (only whitespace)", EMPTY_HINT)
    return text


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
