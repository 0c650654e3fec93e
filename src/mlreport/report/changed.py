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
import re
from typing import Any

import numpy as np

from mlreport.pairing import Paired

MAX_LISTED = 10_000  # broken examples listed in report.json (all of them are in changed.csv)
CSV_FILE = "changed.csv"
_SPECIAL = re.compile(r'[,"\r\n]')  # what makes the csv module quote a field


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
    ids = paired.ids[positions].tolist() if paired.ids is not None else [None] * positions.size
    columns = (paired.rows, paired.true, paired.old, paired.new)
    return [
        {
            "id": id_,
            "row": row,
            "true": labels[true],
            "baseline": labels[old],
            "new": labels[new],
            "change": change,
        }
        for id_, row, true, old, new in zip(
            ids, *(column[positions].tolist() for column in columns), strict=True
        )
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
    k = len(paired.labels)
    true, old, new = paired.true[positions], paired.old[positions], paired.new[positions]
    used, each = np.unique((true * k + old) * k + new, return_inverse=True)
    fields = [_field(_cell(label)) for label in paired.labels]
    tails = np.array([_tail(fields, code, k) for code in used.tolist()], dtype=object)
    if paired.ids is not None:
        first = [_field(_cell(str(v))) for v in paired.ids[positions].tolist()]
        header = "id"
    else:
        first, header = [str(row) for row in paired.rows[positions].tolist()], "row"
    lines = map(str.__add__, first, tails[each.reshape(-1)].tolist())
    return f"{header},true,baseline,new,change\n" + "".join(lines)


def _tail(fields: list[str], code: int, k: int) -> str:
    """What follows the first cell on the line of every example whose (true, baseline, new)
    codes make *code* -- the same for all of them, so made once."""
    true, old, new = code // (k * k), code // k % k, code % k
    change = "broken" if old == true else "fixed" if new == true else "changed"
    return f",{fields[true]},{fields[old]},{fields[new]},{change}\n"


def _field(text: str) -> str:
    """*text* as the csv module writes it among other fields: quoted when it holds a comma,
    a quote or a line break, else as it is."""
    if not _SPECIAL.search(text):
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([text, ""])
    return out.getvalue()[:-2]  # without the empty field's "," and the line end


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
