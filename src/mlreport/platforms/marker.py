"""The hidden marker that identifies a report comment, and where a body may be cut."""

from __future__ import annotations

import re

from mlreport.errors import UsageError

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DEFAULT_ID = "default"


def check_id(report_id: str) -> str:
    if not ID_PATTERN.match(report_id):
        raise UsageError(
            f"--id {report_id!r}: use 1-64 letters, digits, '.', '_' or '-'",
            "e.g. --id nightly-eval",
        )
    return report_id


def marker(report_id: str) -> str:
    """An HTML comment: invisible on GitHub and GitLab, found again on the next publish."""
    return f"<!-- mlreport:report id={check_id(report_id)} -->"


def has_marker(body: str, report_id: str) -> bool:
    """The comment is report *report_id*'s: its body starts with the marker (data inside a
    report can never make one, see :func:`defuse`; and the author must be the publisher's,
    see :class:`~mlreport.platforms.base.Identity`)."""
    return body.startswith(marker(report_id))


_MARKER_LIKE = re.compile(r"<!--(?=\s*mlreport:)", re.IGNORECASE)


def defuse(text: str) -> str:
    """*text* with nothing a marker could be read from: ``<!--`` before ``mlreport:`` gets
    an invisible zero-width space inside it (shown the same, matched by no marker)."""
    return _MARKER_LIKE.sub("<!-\u200b-", text)


FIRST = ("Gates", "Sanity checks")  # kept before any other section when a body is cut
_SECTION = re.compile(r"^(?=#{2,3} )", re.MULTILINE)


def truncate(body: str, limit: int, notice: str, first: tuple[str, ...] = FIRST) -> str:
    """*body* if it fits in *limit* characters, else cut with *notice*: what comes before the
    first section (the marker, the title and status line) and the sections titled *first*
    (the gates) are kept before any other, then the other sections in order while whole ones
    fit (when none does, as much of the next one as fits, cut at a line). Sections stay in
    their order."""
    if len(body) <= limit:
        return body
    head, *sections = _SECTION.split(body)
    room = limit - len(notice) - 64
    kept = {i for i, s in enumerate(sections) if _title(s) in first}
    used = len(head) + sum(len(sections[i]) for i in kept)
    if used > room:
        return cut(body, limit, notice)
    priority = set(kept)
    for i, section in enumerate(sections):
        if i not in kept and used + len(section) <= room:
            kept.add(i)
            used += len(section)
    partial = None
    if kept == priority:  # nothing else fits whole: the start of the next section
        partial = next((i for i in range(len(sections)) if i not in kept), None)
    parts = [head]
    for i, section in enumerate(sections):
        if i in kept:
            parts.append(section)
        elif i == partial and room - used > 200:
            parts.append(_closed(_at_boundary(section[: room - used])))
    return f"{''.join(parts).rstrip()}\n\n{notice}\n"


def _title(section: str) -> str:
    return section.split("\n", 1)[0].lstrip("#").strip()


def cut(body: str, limit: int, notice: str) -> str:
    """*body* cut to *limit* with *notice*: before the last ``## `` / ``### `` heading that
    still fits, else at a blank line, else at a line end -- whichever keeps at least half of
    the room; a code fence or ``<details>`` left open by the cut is closed."""
    if len(body) <= limit:
        return body
    room = max(0, limit - len(notice) - 64)
    return f"{_closed(_at_boundary(body[:room])).rstrip()}\n\n{notice}\n"


def _at_boundary(head: str) -> str:
    room = len(head)
    for boundary in ("\n## ", "\n### ", "\n\n", "\n"):
        where = head.rfind(boundary)
        if where >= room // 2:
            return head[:where]
    return head


def _closed(head: str) -> str:
    closers = ""
    fences = re.findall(r"^(`{3,}|~{3,})", head, re.MULTILINE)
    if len(fences) % 2:
        closers += f"\n{fences[-1]}"
    opened = head.count("<details") - head.count("</details>")
    closers += "\n</details>" * max(0, opened)
    return f"{head.rstrip()}{closers}\n"
