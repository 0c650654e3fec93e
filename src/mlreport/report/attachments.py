"""Files the user attaches to the report (``--attach FILE``): images shown in an Attachments
section, and Markdown files included as sections of their own -- what CML users do with
``echo '![](plot.png)' >> report.md``.

Each file is copied into ``attachments/`` of the report directory, so that publishing (which
uploads the images report.md links to, inside the report directory only) hosts it with the
charts. An attached Markdown file's own images are copied too, when they are inside the
Markdown file's folder or the report directory; a link that leaves them (``../../.ssh/x``) or
is not an image is dropped and replaced by its text, with a note. Links with a scheme
(``https://…``) are kept as they are. The text of an attached Markdown file is the user's
own and is kept as written; publishing still defuses markers and redacts secrets in it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from mlreport.errors import InputError
from mlreport.files import make_directory
from mlreport.inputs.report import is_image

FOLDER = "attachments"
IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".svg"}
MARKDOWN = {".md", ".markdown"}
MAX_BYTES = 10 * 1024 * 1024  # GitHub renders images up to 10 MB in comments
_LINK = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Attachment:
    kind: str  # "image" or "markdown"
    name: str  # the file's name, as given
    path: str = ""  # image: its copy, relative to the report directory
    markdown: str = ""  # markdown: its text, image links pointing at the copies
    notes: tuple[str, ...] = ()


def attach(files: Sequence[Path], directory: Path) -> tuple[list[Attachment], list[InputError]]:
    """Copy *files* into the report *directory* and describe them; the files that cannot be
    attached, as errors (the caller writes the report first, then raises the first)."""
    if not files:
        return [], []
    folder = directory / FOLDER
    make_directory(folder, "-o")
    copied: dict[Path, str] = {}
    out, errors = [], []
    for path in files:
        try:
            out.append(_one(path, directory, copied))
        except InputError as exc:
            errors.append(exc)
    return out, errors


def _one(path: Path, directory: Path, copied: dict[Path, str]) -> Attachment:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError(path, "attachment not found", "check --attach")
    if suffix in IMAGES:
        return Attachment("image", path.name, _copy(path, directory, copied, path))
    if suffix in MARKDOWN:
        return _markdown(path, directory, copied)
    raise InputError(
        path,
        f"cannot attach a {suffix or 'file without extension'}",
        "attach PNG, JPEG, GIF or SVG images, or Markdown (.md) files",
    )


def _copy(source: Path, directory: Path, copied: dict[Path, str], named: Path) -> str:
    real = source.resolve()
    if real in copied:
        return copied[real]
    data = real.read_bytes()
    if len(data) > MAX_BYTES:
        raise InputError(named, f"is {len(data) / 1e6:.1f} MB: attach images of 10 MB at most")
    if not is_image(data, real.suffix):
        raise InputError(named, "is not an image of the kind its name says")
    name = f"{len(copied) + 1}-{_UNSAFE.sub('_', real.name)}"
    shutil.copyfile(real, directory / FOLDER / name)
    copied[real] = f"{FOLDER}/{name}"
    return copied[real]


def _markdown(path: Path, directory: Path, copied: dict[Path, str]) -> Attachment:
    from mlreport.inputs._files import read_text

    text = read_text(path, "attachment")
    home = path.resolve().parent
    report = directory.resolve()
    notes: list[str] = []

    def relink(match: re.Match[str]) -> str:
        alt, link = match.group(1), match.group(2)
        if "://" in link or link.startswith(("data:", "#")):
            return match.group(0)
        target = (home / unquote(link.split("?")[0])).resolve()
        inside = target.is_relative_to(home) or target.is_relative_to(report)
        suffix = target.suffix.lower()
        if not inside or suffix not in IMAGES or not target.is_file():
            why = "outside its folder" if not inside else "not an image file"
            notes.append(f"{path.name}: image {link} not attached ({why})")
            return alt
        try:
            copy = _copy(target, directory, copied, path)
        except InputError as exc:
            notes.append(str(exc))
            return alt
        return f"![{alt}]({quote(copy)})"

    return Attachment("markdown", path.name, markdown=_LINK.sub(relink, text), notes=tuple(notes))
