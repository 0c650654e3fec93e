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
    return marker(report_id) in body


def truncate(body: str, limit: int, notice: str) -> str:
    """*body* if it fits in *limit* characters, else cut at a section boundary with *notice*.

    The cut falls before the last ``## `` / ``### `` heading that still fits, else at a blank
    line, else at a line end -- whichever keeps at least half of the room; a code fence or
    ``<details>`` left open by the cut is closed.
    """
    if len(body) <= limit:
        return body
    room = max(0, limit - len(notice) - 64)
    head = body[:room]
    for boundary in ("\n## ", "\n### ", "\n\n", "\n"):
        cut = head.rfind(boundary)
        if cut >= room // 2:
            head = head[:cut]
            break
    closers = ""
    fences = re.findall(r"^(`{3,}|~{3,})", head, re.MULTILINE)
    if len(fences) % 2:
        closers += f"\n{fences[-1]}"
    opened = head.count("<details") - head.count("</details>")
    closers += "\n</details>" * max(0, opened)
    return f"{head.rstrip()}{closers}\n\n{notice}\n"
