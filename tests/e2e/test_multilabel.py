"""Multi-label predictions (a list of labels per row) are refused with one line, exit 2 —
never scored as if each set of labels were a class of its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CLI

ROWS = [
    {"y_true": ["cat", "dog"], "y_pred": ["cat"]},
    {"y_true": ["dog"], "y_pred": ["dog", "cat"]},
    {"y_true": [], "y_pred": ["cat"]},
]


def write(path: Path) -> None:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    elif path.suffix == ".json":
        path.write_text(json.dumps(ROWS), encoding="utf-8")
    elif path.suffix == ".csv":
        lines = ["y_true,y_pred"]
        for r in ROWS:
            cells = [json.dumps(r[k]).replace('"', '""') for k in ("y_true", "y_pred")]
            lines.append(",".join(f'"{c}"' for c in cells))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        pa = pytest.importorskip("pyarrow")
        import pyarrow.parquet as pq

        pq.write_table(pa.table({k: [r[k] for r in ROWS] for k in ("y_true", "y_pred")}), path)


@pytest.mark.parametrize("name", ["p.jsonl", "p.json", "p.csv", "p.parquet"])
@pytest.mark.parametrize("command", ["render", "check"])
def test_label_sets_are_refused(workdir: Path, cli: CLI, name: str, command: str) -> None:
    write(workdir / name)
    result = cli(command, "-p", name)
    assert result.code == 2, result.output
    assert f"{name}: column 'y_true' holds lists of labels" in result.err
    assert "multi-label predictions are not supported" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not (workdir / "report" / "report.json").exists()
