"""A report drawn by the worker pool is byte-identical to one drawn in one process."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import render_report, write_classification, write_csv


def test_parallel_and_sequential_reports_are_identical(tmp_path: Path) -> None:
    write_classification(tmp_path / "p.csv", n=2000, k=6)
    write_csv(
        tmp_path / "h.csv",
        ["epoch", "loss", "val_loss"],
        [[i, 1 / i, 1.2 / i] for i in range(1, 30)],
    )
    render_report(tmp_path, "-o", "parallel", workers="2")
    render_report(tmp_path, "-o", "sequential", workers="0")
    names = sorted(p.name for p in (tmp_path / "parallel").iterdir())
    assert names == [
        "confusion_matrix.png",
        "curves.png",
        "history.png",
        "report.json",
        "report.md",
    ]
    for name in names:
        assert (tmp_path / "parallel" / name).read_bytes() == (
            tmp_path / "sequential" / name
        ).read_bytes(), name
