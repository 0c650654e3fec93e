"""Issue 11's figures: what the confidence intervals add to a render (10 M rows of labels; a
million rows with ten probability columns), and what a paired comparison with the baseline's
predictions adds beyond reading them (and what ``--record all`` adds). Run by
``bench/run.py`` (``--only intervals``); in-process timings come from ``bench/inprocess.py``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from inputs import classification_csv, paired_labels_csv
from measure import MLREPORT, Row, median_difference, rounds

HERE = Path(__file__).resolve().parent
INPROCESS = [sys.executable, str(HERE / "inprocess.py")]


def in_process(*args: object, cwd: Path) -> dict[str, float]:
    out = subprocess.run(
        [*INPROCESS, *map(str, args)], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def verdict(seconds: float, limit: float) -> str:
    return "ok" if seconds <= limit else "MISSED"


def interval_rows(
    what: str, inproc: dict[str, float], on: list[float], off: list[float], limit: float
) -> list[Row]:
    """The rows of one input: in process, then the whole command (*on*, *off*: its times
    with and without the interval code, round by round)."""
    added, added_inproc = median_difference(on, off), inproc["with"] - inproc["without"]
    on_s, off_s = statistics.median(on), statistics.median(off)
    bar = f"≤ {limit:g} s"
    return [
        (
            f"`evaluate()` in process, {what} (file read beforehand)",
            f"{inproc['with']:.2f} s",
            "",
            "",
        ),
        ("  the same without the interval code", f"{inproc['without']:.2f} s", "", ""),
        ("  intervals add, in process", f"{added_inproc:.2f} s", bar, verdict(added_inproc, limit)),
        (f"`mlreport render`, {what}", f"{on_s:.2f} s", "", ""),
        ("  the same without the interval code", f"{off_s:.2f} s", "", ""),
        (
            "  intervals add, whole command (median over the rounds)",
            f"{added:.2f} s",
            bar,
            verdict(added, limit),
        ),
    ]


def intervals_and_pairing(work: Path, runs: int) -> list[Row]:
    """Issue 11's bars: what the confidence intervals add to a 10M-row render (labels) and
    to a 1M-row one with ten probability columns, and what a paired comparison with the
    baseline's predictions adds beyond reading them (and what --record all adds)."""
    new, old = work / "paired_new.csv", work / "paired_old.csv"
    paired_labels_csv(new, old, 10_000_000, changed=0.03)
    proba = work / "proba_1m.csv"
    if not proba.exists():
        classification_csv(proba, 1_000_000, 10, proba=True)
    render = [*MLREPORT, "render", "-p", str(new), "-o", "plain"]
    without = [*INPROCESS, "no-intervals", "render", "-p", str(new), "-o", "no_intervals"]
    pairing = [*render[:-1], "paired", "--baseline-predictions", str(old)]
    recording = [*render[:-1], "recorded", "--record", "all"]

    def reading() -> float:
        return in_process("read", new, old, cwd=work)["read"]

    times = rounds(runs, [render, without, pairing, recording], work, reading)
    plain_s, _, paired_s, recorded_s, read = map(statistics.median, times)
    what = "10,000,000 rows × 10 classes (CSV labels)"
    inproc = in_process("intervals", runs, new, cwd=work)
    rows = interval_rows(what, inproc, times[0], times[1], 0.3)

    render_proba = [*MLREPORT, "render", "-p", str(proba), "-o", "proba_on"]
    without_proba = [*INPROCESS, "no-intervals", "render", "-p", str(proba), "-o", "proba_off"]
    on_off = rounds(runs, [render_proba, without_proba], work)
    what = "1,000,000 rows × 10 classes with probabilities (CSV)"
    inproc = in_process("intervals", runs, proba, cwd=work)
    rows += interval_rows(what, inproc, on_off[0], on_off[1], 1.0)
    small = work / "p10k.csv"  # render_vs_naive's input: a cost that does not shrink with N
    if not small.exists():
        classification_csv(small, 10_000, 10, proba=True)
    inproc = in_process("intervals", runs, small, cwd=work)
    rows += [
        (
            "`evaluate()` in process, 10,000 rows × 10 classes with probabilities "
            "(render vs naive's input)",
            f"{inproc['with']:.2f} s",
            "",
            "",
        ),
        ("  the same without the interval code", f"{inproc['without']:.2f} s", "", ""),
        ("  intervals add, in process", f"{inproc['with'] - inproc['without']:.2f} s", "", ""),
    ]

    found = in_process("pairing", runs, new, old, cwd=work)
    added = median_difference(times[2], times[0], times[4])
    added_inproc = found["paired"] - found["plain"]
    share = f"{found['changed_share']:.1%} of the predictions changed"
    rows += [
        (
            "`mlreport render`, 10,000,000 rows × 10 classes (CSV labels)",
            f"{plain_s:.2f} s",
            "",
            "",
        ),
        (f"  with `--baseline-predictions` ({share})", f"{paired_s:.2f} s", "", ""),
        (
            "  reading the baseline predictions (`load_predictions` after the new ones, in "
            "the same rounds)",
            f"{read:.2f} s",
            "",
            "",
        ),
        (
            "  paired comparison adds beyond reading, whole command (median over the rounds)",
            f"{added:.2f} s",
            "≤ 1.5 s",
            verdict(added, 1.5),
        ),
        (
            "  paired comparison adds, in process (evaluation and report files, both files "
            "read beforehand, charts left out)",
            f"{added_inproc:.2f} s",
            "≤ 1.5 s",
            verdict(added_inproc, 1.5),
        ),
        (
            "  with `--record all` (record.npz written beside the report)",
            f"{recorded_s:.2f} s",
            "",
            f"+{recorded_s - plain_s:.2f} s",
        ),
    ]
    return rows
