"""What data becomes in report.md: no mention, no issue link, no runaway size -- and when a
comment must be cut, the status line and the gates are what is kept."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from tests.conftest import CLI
from tests.e2e.test_publish_github import PR, REPO, actions  # noqa: F401
from tests.fakes.github import FakeGitHub
from tests.helpers import markdown_html, write_classification, write_csv, write_json

REFERENCES = ["@octocat", "@org/team", "#123", "GH-45", "!67", "%v1.0", "owner/repo#9"]
HOSTILE_LABEL = " ".join(REFERENCES)


def _visible_outside_code(markdown: str) -> str:
    """The text GitHub shows outside code spans and blocks (where it links references)."""
    rendered = markdown_html(markdown)
    rendered = re.sub(r"<(code|pre)>.*?</\1>", " ", rendered, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", rendered))


def test_data_mentions_no_one_and_links_no_issue(workdir: Path, cli: CLI) -> None:
    write_json(workdir / "m.json", {f"acc {HOSTILE_LABEL}": 0.9})
    write_classification(
        workdir / "p.csv",
        n=60,
        k=3,
        labels=["a", "b", HOSTILE_LABEL],
        extra={"region": [HOSTILE_LABEL if i % 2 else "west" for i in range(60)]},
    )
    # the third class has no true instances in a slice of its own: a note names it
    result = cli(
        "render", "-m", "m.json", "-p", "p.csv", "--slice-by", "region", "-o", "out",
        "--title", f"Report for {HOSTILE_LABEL}", "-g", "accuracy >= 0.99",
    )  # fmt: skip
    assert result.code == 1, result.output
    markdown = (workdir / "out" / "report.md").read_text()
    assert markdown.count("octocat") >= 3  # the data is shown ...
    visible = _visible_outside_code(markdown)
    for reference in ("@octocat", "@org", "#123", "GH-45", "!67", "%v1", "repo#9"):
        assert reference not in visible, reference  # ... but as text, not as a reference
    assert "octocat" in visible.replace("\u200b", "")


def test_notes_are_neutralised_too(workdir: Path, cli: CLI) -> None:
    """A class no true label has: its note ("left out of ROC AUC") names it, in text."""
    odd = "@octocat #123"
    header = ["y_true", "y_pred", "proba_a", "proba_b", f"proba_{odd}"]
    rows = [["a", "a", 0.8, 0.1, 0.1], ["b", "b", 0.1, 0.8, 0.1], ["a", odd, 0.2, 0.2, 0.6]] * 4
    write_csv(workdir / "p.csv", header, rows)
    assert cli("render", "-p", "p.csv", "-o", "out").code in (0, 1)
    markdown = (workdir / "out" / "report.md").read_text()
    notes = json.loads((workdir / "out" / "report.json").read_text())["notes"]
    assert any(odd in note for note in notes)
    visible = _visible_outside_code(markdown)
    assert "@octocat" not in visible and "#123" not in visible


def test_a_very_long_name_costs_its_length_once(workdir: Path, cli: CLI) -> None:
    long_name = "m" * 10_000
    metrics = {long_name: 0.5, **{f"metric_{i}": i / 100 for i in range(50)}}
    write_json(workdir / "m.json", metrics)
    assert cli("render", "-m", "m.json", "-o", "out").code == 0
    markdown = (workdir / "out" / "report.md").read_text()
    assert len(markdown) < 6_000  # not 51 rows padded to 10,000 characters
    assert "m" * 200 not in markdown and "…" in markdown  # shown shortened ...
    names = [
        m["name"] for m in json.loads((workdir / "out" / "report.json").read_text())["metrics"]
    ]
    assert long_name in names  # ... and whole in report.json
    rows = [line for line in markdown.splitlines() if line.startswith("| `metric_")]
    assert rows and all(len(row) < 40 for row in rows)


def test_a_cut_comment_keeps_the_status_line_and_the_gates(
    github: FakeGitHub,
    actions: dict[str, Path],  # noqa: F811
    workdir: Path,
    cli: CLI,
) -> None:
    write_json(workdir / "m.json", {f"metric_{i:05d}_{'x' * 60}": i for i in range(3_000)})
    gates = [f"metric_{i:05d}_{'x' * 60} >= 1" for i in range(2)]
    result = cli("render", "-m", "m.json", "-o", "out", *[a for g in gates for a in ("-g", g)])
    assert result.code == 1  # metric_00000 is 0: a failing gate
    assert len((workdir / "out" / "report.md").read_text()) > 65_536  # GitHub's limit
    assert cli("publish", "out").code == 0
    (comment,) = github.comments(REPO, PR)
    body = comment["body"]
    assert len(body) <= 65_536
    assert "## ❌ ML report: 1 of 2 gates failed" in body
    assert "### Gates" in body and body.count("metric_00001") >= 1
    assert "cut to fit github's comment size limit" in body.lower()
