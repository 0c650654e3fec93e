"""Reading a data file named on the command line: a path, or ``REF:path`` -- the file as
committed at a git ref (``main:data/train.csv``: main's training data)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mlreport.data.frame import Frame, read_frame
from mlreport.errors import InputError


def split_ref(spec: str) -> tuple[str, str] | None:
    """(ref, path) when *spec* is ``REF:path`` and not a file or URL of its own."""
    if "://" in spec or Path(spec).exists() or ":" not in spec:
        return None
    ref, _, path = spec.partition(":")
    if not ref or not path or len(ref) == 1:  # C:\\data on Windows is a path
        return None
    return ref, path


def load_frame(spec: str, option: str) -> Frame:
    """The columns of the data file *spec* names (see the module's docstring)."""
    from mlreport import remote

    if remote.is_remote(spec):
        return read_frame(remote.fetch(spec, option.lstrip("-")), remote.shown(spec))
    at = split_ref(spec)
    if at is None:
        return read_frame(Path(spec), spec)
    from mlreport.inputs.baseline import check_ref, file_at

    ref, name = at
    check_ref(ref)
    data = file_at(ref, Path(name))
    if data is None:
        raise InputError(spec, f"{name} is not committed at {ref}", f"check {option}")
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / Path(name).name
        copy.write_bytes(data)
        return read_frame(copy, spec)
