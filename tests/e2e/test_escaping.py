"""Hostile names from data cannot break the report's Markdown or inject HTML.

Everything is checked on the HTML that cmark-gfm (GitHub's parser) makes of report.md.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

from tests.conftest import CLI
from tests.helpers import markdown_html, write_csv, write_json

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "a|b",
    "`tick` ``double``",
    "new\nline",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "**bold** $math$",
    "<!-- open",
]


def test_hostile_names_everywhere(workdir: Path, cli: CLI) -> None:
    write_json(
        workdir / "m.json",
        {name: i / 10 for i, name in enumerate(HOSTILE)} | {"note": "<b>text value</b>"},
    )
    rows = []
    for i in range(120):
        truth = HOSTILE[i % 3]
        rows.append([truth, HOSTILE[(i // 2) % 3], HOSTILE[3 + i % 4]])
    write_csv(workdir / "p.csv", ["y_true", "y_pred", "where|<b>"], rows)
    odd = workdir / "we`ird <name>.csv"
    write_csv(odd, ["epoch", "loss <i>"], [[1, 0.5], [2, 0.4]])
    result = cli(
        "render",
        "-m",
        "m.json",
        "-p",
        "p.csv",
        "--slice-by",
        "where|<b>",
        "--history",
        odd.name,
        "--min-slice-size",
        "1",
        "-o",
        "out",
    )
    assert result.code in (0, 1), result.output
    markdown = (workdir / "out" / "report.md").read_text()
    page = markdown_html(markdown)

    assert "<img" not in page.replace('<img src="confusion_matrix.png"', "").replace(
        '<img src="history.png"', ""
    )
    assert "<script" not in page and "<b>" not in page and "<i>" not in page
    assert "<a " not in page  # no links at all: none of the data may become one
    assert "<!--" not in page
    for table in re.findall(r"<table>.*?</table>", page, re.S):
        head, body = table.split("</thead>")
        header_cells = len(re.findall(r"<th[ >]", head))
        assert header_cells >= 2
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            assert len(re.findall(r"<td[ >]", row)) == header_cells
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", page))
    for name in HOSTILE:
        assert " ".join(name.split()) in text, name
    assert "<b>text value</b>" in text
    assert "we`ird <name>.csv" in text

    report = json.loads((workdir / "out" / "report.json").read_text())
    assert {m["name"] for m in report["metrics"]} >= set(HOSTILE)
