"""A report directory read back: ``report.md``, ``report.json`` and the images it links to.

The files on disk are the contract between writing a report and publishing it (a report may
be published by another job, from an artifact), so this is the one reader of them, used by
``publish`` and ``preview``.  Only PNG, JPEG, GIF and SVG files inside the directory count as the
report's images: report.md may come from untrusted code (a fork's pull request, in the
fork-safe workflow), and a link to /proc/self/environ or ../../.git/config must never be
uploaded by the job that holds the write token.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from mlreport.config import OutputOptions
from mlreport.errors import InputError
from mlreport.inputs._files import read_text
from mlreport.inputs.structured import parse_json
from mlreport.platforms.base import ImageFile

# ![alt](link) as mlreport's templates write it (a link without spaces).
IMAGE_LINK = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


@dataclass(frozen=True)
class LocalReport:
    directory: Path
    markdown: str
    status: str  # pass / fail / unknown
    gates_failed: int
    title: str
    summary: str
    images: list[ImageFile]
    gates_skipped: int = 0


def markdown_file(source: Path) -> Path:
    """report.md of *source* (a report directory, or the file itself)."""
    markdown = source / "report.md" if source.is_dir() else source
    if not markdown.is_file():
        raise InputError(source, "has no report.md", "run mlreport render (or run) first")
    return markdown


def read_report(source: Path) -> LocalReport:
    """The report in *source* (a directory written by render or run, or its report.md).
    report.json is optional (a report.md alone is published with an unknown status), but one
    that is there must be a report's."""
    markdown_path = markdown_file(source)
    folder = markdown_path.parent
    markdown = read_text(markdown_path, "report")
    data = _document(folder / "report.json")
    gates = data.get("gates") or []
    images = []
    seen: set[str] = set()
    for alt, link in IMAGE_LINK.findall(markdown):
        if "://" in link or link in seen:
            continue
        seen.add(link)
        content = _image_file(folder, unquote(link))
        if content is not None:
            images.append(ImageFile(link, content, hashlib.sha256(content).hexdigest(), alt))
    return LocalReport(
        folder,
        markdown,
        str(data.get("status") or "unknown"),
        sum(1 for g in gates if g.get("status") == "fail"),
        str(data.get("title") or OutputOptions.title),
        str(data.get("summary") or ""),
        images,
        sum(1 for g in gates if g.get("status") == "skipped"),
    )


_FIELDS = {"status": str, "title": str, "summary": str, "gates": list}


def _document(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    data = parse_json(read_text(path, "report.json"), path)
    if not isinstance(data, dict):
        wrong = ["the whole file"]
    else:
        wrong = [
            key
            for key, kind in _FIELDS.items()
            if data.get(key) is not None and not isinstance(data[key], kind)
        ]
        if not wrong and not all(isinstance(g, dict) for g in data.get("gates") or []):
            wrong = ["gates"]
    if wrong:
        raise InputError(
            path,
            f"is not an mlreport report.json ({', '.join(wrong)} of the wrong type)",
            "publish the directory that render or run wrote",
        )
    document: dict[str, Any] = data
    return document


def _image_file(folder: Path, link: str) -> bytes | None:
    """The bytes of an image the report links to -- only a PNG, JPEG, GIF or SVG file inside
    the report directory."""
    root = folder.resolve()
    file = (folder / link).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        return None
    content = file.read_bytes()
    return content if is_image(content, file.suffix) else None


def is_image(content: bytes, suffix: str) -> bool:
    """A PNG, JPEG or GIF by its signature, or an SVG file (*suffix* .svg) by its start."""
    if suffix.lower() == ".svg":
        head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return head.startswith((b"<svg", b"<?xml", b"<!--")) and b"<svg" in content[:65536].lower()
    return content.startswith(IMAGE_SIGNATURES)
