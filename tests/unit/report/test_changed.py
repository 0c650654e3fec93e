"""changed.csv is what the csv module writes for every changed example, whatever the labels
and ids hold -- though it is put together from a line per (true, baseline, new) codes."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from mlreport.evaluate.paired import changes
from mlreport.pairing import Paired
from mlreport.report.changed import _cell, changed_csv

LABELS = ("plain", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "=SUM(A1)", "-3", " ", "")


def reference(paired: Paired) -> str:
    """Row by row with csv.writer: what changed.csv must be."""
    assert paired.true is not None and paired.old is not None and paired.new is not None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = "id" if paired.ids is not None else "row"
    writer.writerow([header, "true", "baseline", "new", "change"])
    for p in paired.changed().tolist():
        true, old, new = (int(a[p]) for a in (paired.true, paired.old, paired.new))
        change = "broken" if old == true else "fixed" if new == true else "changed"
        first = _cell(str(paired.ids[p])) if paired.ids is not None else int(paired.rows[p])
        writer.writerow([first, *(_cell(LABELS[c]) for c in (true, old, new)), change])
    return out.getvalue()


@pytest.mark.parametrize("by_id", [False, True])
def test_changed_csv_is_the_csv_modules(by_id: bool) -> None:
    rng = np.random.default_rng(3)
    n, k = 2000, len(LABELS)
    true, old, new = (rng.integers(0, k, n) for _ in range(3))
    ids = np.array([f"{LABELS[i % k]}#{i}" if i % 3 else LABELS[i % k] for i in range(n)])
    paired = Paired(
        n,
        n,
        changes=changes(true, old, new, LABELS),
        rows=np.arange(n),
        labels=LABELS,
        old=old,
        new=new,
        true=true,
        ids=ids if by_id else None,
        by="id" if by_id else "row order",
    )
    assert changed_csv(paired) == reference(paired)
