"""The predictions that changed from the baseline's: how many were fixed and broken, per
class, the broken examples listed (report.json, the first few in report.md), and every
changed one in ``changed.csv`` beside the report.

An example is *fixed* when the baseline got it wrong and this model right, *broken* the other
way round, *changed* when both are wrong but differently.  Examples are named by their id
when the two were paired by id, else by ``row``: their 0-based position in the predictions.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np

from mlreport.pairing import Paired

MAX_LISTED = 10_000  # broken examples listed in report.json (all of them are in changed.csv)
CSV_FILE = "changed.csv"


def changes_section(paired: Paired | None) -> dict[str, Any] | None:
    """The ``changes`` of report.json, or None when nothing was paired (or a regression)."""
    if paired is None or paired.changes is None:
        return None
    found = paired.changes
    broken = _examples(paired, found.broken_rows[:MAX_LISTED], "broken")
    return {
        "examples": found.examples,
        "by": paired.by,
        "fixed": found.fixed,
        "broken": found.broken,
        "net": found.fixed - found.broken,
        "changed": int(paired.changed().size),
        "by_class": found.by_class,
        "broken_examples": broken,
        "broken_listed": len(broken),
        "file": CSV_FILE if paired.changed().size else None,
    }


def _examples(paired: Paired, positions: np.ndarray, change: str) -> list[dict[str, Any]]:
    assert paired.true is not None and paired.old is not None and paired.new is not None
    labels = paired.labels
    ids = paired.ids
    return [
        {
            "id": ids[p].item() if ids is not None else None,
            "row": int(paired.rows[p]),
            "true": labels[paired.true[p]],
            "baseline": labels[paired.old[p]],
            "new": labels[paired.new[p]],
            "change": change,
        }
        for p in positions.tolist()
    ]


def changed_csv(paired: Paired | None) -> str | None:
    """Every changed example as CSV (broken, then fixed and changed), or None if there are
    none. A value a spreadsheet would run as a formula is quoted with a leading ``'``."""
    if paired is None or paired.changes is None or paired.true is None:
        return None
    positions = paired.changed()
    if not positions.size:
        return None
    assert paired.old is not None and paired.new is not None
    labels = np.array([_cell(label) for label in paired.labels], dtype=object)
    true, old, new = paired.true[positions], paired.old[positions], paired.new[positions]
    kind = np.where(old == true, "broken", np.where(new == true, "fixed", "changed"))
    if paired.ids is not None:
        first: Any = [_cell(str(v)) for v in paired.ids[positions].tolist()]
        header = "id"
    else:
        first, header = paired.rows[positions].tolist(), "row"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([header, "true", "baseline", "new", "change"])
    writer.writerows(zip(first, labels[true], labels[old], labels[new], kind, strict=True))
    return out.getvalue()


def _cell(text: str) -> str:
    """CSV injection: a text cell starting like a formula gets a leading quote (numbers,
    negative ones included, are left as they are)."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
