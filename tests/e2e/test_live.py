"""`mlreport run --live INTERVAL --publish` against the fake GitHub: the sticky comment
follows the training (running status, output so far, history chart), the final report
replaces it in the same comment, requests stay bounded, and a platform that is down never
stops the run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import CLI
from tests.e2e.test_publish_github import PR, REPO, actions, ours  # noqa: F401  (fixtures)
from tests.e2e.test_publish_gitlab import pipeline as gitlab_pipeline  # noqa: F401
from tests.fakes.fixtures import GITLAB_PROJECT, MR_IID
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab
from tests.helpers import MARKER

TRAIN = """
import sys, time
with open("history.csv", "w") as f:
    f.write("epoch,loss,val_loss\\n")
    for e in range(1, 4):
        f.write(f"{e},{1 / e:.3f},{1.2 / e:.3f}\\n")
for step in range(int(sys.argv[1])):
    print(f"step {step} <b>loss</b> `x`", flush=True)
    time.sleep(0.5)
"""


def train(workdir: Path, steps: int) -> list[str]:
    (workdir / "train.py").write_text(TRAIN, encoding="utf-8")
    return [sys.executable, "train.py", str(steps)]


def comment_bodies(github: FakeGitHub) -> list[str]:
    """Every body sent for the report comment, in order (created, then edited)."""
    return [
        str(r.json["body"])
        for r in github.requests
        if r.method in ("POST", "PATCH") and "/comments" in r.path and r.json
    ]


def test_the_comment_follows_the_run_then_becomes_the_report(
    github: FakeGitHub,
    actions: dict[str, Path],  # noqa: F811
    workdir: Path,
    cli: CLI,
) -> None:
    command = train(workdir, steps=10)  # about 5 s
    result = cli("run", "--publish", "--live", "1s", "--history", "history.csv", "--", *command)
    assert result.code == 0, result.output
    bodies = comment_bodies(github)
    live = [b for b in bodies if "training in progress" in b]
    assert "live update failed" not in result.err
    assert 2 <= len(live) <= 7, len(live)  # about one per second, never more
    assert live[0] == bodies[0]  # the first update created the comment
    assert "Last " in live[-1] and "step " in live[-1]
    assert "<b>loss</b>" not in live[-1].split("```")[0]  # output only inside the code block
    assert "Training history so far" in live[-1] and "/blob/" in live[-1]  # the hosted chart
    (comment,) = ours(github)  # one comment: the final report edited the live one
    assert "training in progress" not in comment["body"]
    assert comment["body"] == bodies[-1]
    posts = [r for r in github.requests if r.method == "POST" and r.path.endswith("/comments")]
    assert len(posts) == 1
    blobs = [r for r in github.requests if r.method == "POST" and r.path.endswith("/git/blobs")]
    # the chart did not change between updates: uploaded once, then linked where it is
    assert len(blobs) <= 2 + 1  # the live chart, and the final report's own charts (≤ 2)
    assert "the report on pull request" in result.out
    assert not (workdir / "report" / "live").exists()  # live updates use a folder of their own


def test_a_quick_command_posts_no_live_update(
    github: FakeGitHub,
    actions: dict[str, Path],  # noqa: F811
    workdir: Path,
    cli: CLI,
) -> None:
    result = cli("run", "--publish", "--live", "5m", "--", *train(workdir, steps=1))
    assert result.code == 0, result.output
    assert not any("training in progress" in b for b in comment_bodies(github))
    assert len(ours(github)) == 1


def test_a_platform_that_refuses_warns_once_and_the_run_goes_on(
    github: FakeGitHub,
    actions: dict[str, Path],  # noqa: F811
    workdir: Path,
    cli: CLI,
) -> None:
    github.add_fault(path=r".*", status=401, times=400)  # refused through the whole training
    result = cli("run", "--publish", "--live", "1s", "--", *train(workdir, 6))
    assert result.code == 3  # the final publish fails as publish does; the run finished
    assert result.err.count("live update failed") == 1
    assert (workdir / "report" / "report.md").is_file()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--live", "5m"], "add --publish"),
        (["--publish", "--live", "0s"], "at least 1s"),
        (["--publish", "--live", "soon"], "is not a duration"),
        (["--publish", "--mode", "new", "--live", "1m"], "drop --mode new"),
        (["--publish", "--dry-run", "--live", "1m"], "drop --dry-run"),
        (["--publish", "--platform", "local", "--live", "1m"], "drop --platform local"),
    ],
)
def test_usage(
    actions: dict[str, Path],  # noqa: F811
    workdir: Path,
    cli: CLI,
    args: list[str],
    expected: str,
) -> None:
    result = cli("run", *args, "--", sys.executable, "-c", "pass")
    assert result.code == 2
    assert expected in result.err
    assert not (workdir / "report").exists()  # refused before the command ran


def test_gitlab_the_note_follows_the_run_and_the_chart_is_uploaded_once(
    gitlab_pipeline: FakeGitLab,  # noqa: F811
    workdir: Path,
    cli: CLI,
) -> None:
    command = train(workdir, steps=8)
    result = cli("run", "--publish", "--live", "1s", "--history", "history.csv", "--", *command)
    assert result.code == 0, result.output
    sent = [
        str(r.json["body"])
        for r in gitlab_pipeline.requests
        if r.method in ("POST", "PUT") and "/notes" in r.path and r.json
    ]
    live = [b for b in sent if "training in progress" in b]
    assert len(live) >= 2
    notes = [n for n in gitlab_pipeline.notes(GITLAB_PROJECT, MR_IID) if MARKER in n["body"]]
    assert len(notes) == 1 and "training in progress" not in notes[0]["body"]
    uploads = gitlab_pipeline.uploads(GITLAB_PROJECT)
    assert len(uploads) == 2  # the live chart once (then linked), the final report's once
