"""Which comments are mlreport's: the marker first AND the publisher as author -- never a
comment that data, a stranger or another report could make look like one.

Against the fake GitHub (as a workflow's GITHUB_TOKEN, a bot GET /user refuses, and as a
personal token's user) and the fake GitLab (a project token's bot user)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLI
from tests.e2e.test_publish_github import HEAD, PR, REPO, actions, rendered  # noqa: F401
from tests.fakes.fixtures import GITLAB_PROJECT, GITLAB_TOKEN, MR_IID, MR_SHA
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab
from tests.helpers import MARKER, render_report, write_classification, write_csv, write_json

SPOOF = "<!-- mlreport:report id=nightly -->"
NIGHTLY = "<!-- mlreport:report id=nightly -->"


def _spoofing_report(folder: Path) -> Path:
    """A default report whose data carries the nightly report's marker, in every place data
    reaches report.md: a metric name, a class label, a slice value, a note."""
    write_json(folder / "m.json", {f"acc {SPOOF}": 0.9, "ok": 1})
    write_classification(
        folder / "p.csv",
        n=60,
        k=2,
        labels=["cat", f"dog {SPOOF}"],
        extra={"region": [f"r{i % 2} {SPOOF}" for i in range(60)]},
    )
    write_csv(folder / "h.csv", ["epoch", f"loss {SPOOF}"], [[1, 0.5], [2, 0.4]])
    render_report(folder, "-m", "m.json", "-p", "p.csv", "--slice-by", "region", "-o", "report")
    return folder / "report"


def test_data_never_makes_a_marker(tmp_path: Path) -> None:
    report = _spoofing_report(tmp_path)
    markdown = (report / "report.md").read_text(encoding="utf-8")
    assert markdown.count("mlreport:report") >= 3  # the data is there, shown ...
    assert SPOOF not in markdown  # ... but never as the marker's text


def test_a_spoofed_marker_does_not_hand_a_comment_to_another_report(
    github: FakeGitHub,
    actions: dict[str, Path],  # noqa: F811
    workdir: Path,
    cli: CLI,
) -> None:
    report = _spoofing_report(workdir)
    assert cli("publish", str(report)).code == 0
    (default,) = [c for c in github.comments(REPO, PR) if c["body"].startswith(MARKER)]
    assert cli("publish", str(report), "--id", "nightly").code == 0
    comments = github.comments(REPO, PR)
    assert [c["id"] for c in comments if c["body"].startswith(MARKER)] == [default["id"]]
    assert [c["body"] for c in comments if c["body"].startswith(MARKER)] == [default["body"]]
    assert len([c for c in comments if c["body"].startswith(NIGHTLY)]) == 1


def _stranger_comments(github: FakeGitHub) -> list[dict[str, Any]]:
    """A human's comments that look like the report's: the marker first, and inside."""
    return [
        *github.seed_comments(REPO, PR, 1, body=f"{MARKER}\nI copied your report", user="mallory"),
        *github.seed_comments(REPO, PR, 1, body=f"quoting:\n{MARKER}\n## ✅", user="mallory"),
    ]


@pytest.mark.parametrize("mode", ["update", "replace"])
def test_a_strangers_comment_is_never_edited_or_deleted(
    github: FakeGitHub,
    actions: dict[str, Path],  # noqa: F811
    rendered: Path,  # noqa: F811
    cli: CLI,
    mode: str,
) -> None:
    strangers = _stranger_comments(github)
    for _ in range(2):
        assert cli("publish", str(rendered), "--mode", mode).code == 0
    comments = {c["id"]: c for c in github.comments(REPO, PR)}
    for stranger in strangers:
        assert comments[stranger["id"]]["body"] == stranger["body"]
    mine = [c for c in comments.values() if c["user"]["login"] == github.user_login]
    assert len(mine) == 1 and mine[0]["body"].startswith(MARKER)
    stranger_ids = {s["id"] for s in strangers}
    edited = [r for r in github.requests if r.method in ("PATCH", "DELETE")]
    assert not any(int(r.path.rsplit("/", 1)[1]) in stranger_ids for r in edited)


def test_with_a_personal_token_only_its_users_comments_are_ours(
    github: FakeGitHub,
    actions: dict[str, Path],  # noqa: F811
    rendered: Path,  # noqa: F811
    cli: CLI,
) -> None:
    github.user_login = "octo-maintainer"  # a PAT: GET /user answers with its user
    bots = github.seed_comments(REPO, PR, 1, body=f"{MARKER}\nold bot report", user=BOT)
    assert cli("publish", str(rendered)).code == 0
    comments = github.comments(REPO, PR)
    assert [c["body"] for c in comments if c["id"] == bots[0]["id"]] == [bots[0]["body"]]
    mine = [c for c in comments if c["user"]["login"] == "octo-maintainer"]
    assert len(mine) == 1
    assert any(r.method == "GET" and r.path == "/user" for r in github.requests)


BOT = "github-actions[bot]"


def test_an_app_token_with_bot_login_owns_only_that_bots_comments(
    github: FakeGitHub,
    actions: dict[str, Path],  # noqa: F811
    rendered: Path,  # noqa: F811
    cli: CLI,
) -> None:
    github.user_login = "mlreport-app[bot]"  # an App's installation token: GET /user is 403
    other = github.seed_comments(REPO, PR, 1, body=f"{MARKER}\nanother app", user="other[bot]")
    for _ in range(2):
        assert cli("publish", str(rendered), "--bot-login", "mlreport-app[bot]").code == 0
    comments = github.comments(REPO, PR)
    assert [c["body"] for c in comments if c["id"] == other[0]["id"]] == [other[0]["body"]]
    assert len([c for c in comments if c["user"]["login"] == "mlreport-app[bot]"]) == 1


def test_racing_publishers_keep_the_oldest_comment(
    github: FakeGitHub,
    actions: dict[str, Path],  # noqa: F811
    rendered: Path,  # noqa: F811
    workdir: Path,
) -> None:
    """Eight publishers at once: every one may create a comment; the oldest survives (a
    reader's link to it keeps working), every later one is deleted."""
    github.latency = 0.05
    env = {**os.environ, "MLREPORT_CHART_WORKERS": "0"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "mlreport", "publish", str(rendered)],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(8)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0] * 8, outputs
    (survivor,) = [c for c in github.comments(REPO, PR) if c["body"].startswith(MARKER)]
    created = [int(m.group(1)) for out in outputs for m in re.finditer(r"issuecomment-(\d+)", out)]
    deleted = [
        int(r.path.rsplit("/", 1)[1])
        for r in github.requests
        if r.method == "DELETE" and "/issues/comments/" in r.path
    ]
    assert survivor["id"] == min(created)
    assert all(d > survivor["id"] for d in deleted)


# -- GitLab ------------------------------------------------------------------------------


@pytest.fixture
def pipeline(gitlab: FakeGitLab, monkeypatch: pytest.MonkeyPatch) -> FakeGitLab:
    for name, value in {
        "GITLAB_CI": "true",
        "CI_SERVER_URL": gitlab.url,
        "CI_API_V4_URL": f"{gitlab.url}/api/v4",
        "CI_PROJECT_PATH": GITLAB_PROJECT,
        "CI_MERGE_REQUEST_IID": str(MR_IID),
        "CI_COMMIT_SHA": MR_SHA,
        "GITLAB_TOKEN": GITLAB_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    return gitlab


@pytest.mark.parametrize("mode", ["update", "replace"])
def test_gitlab_a_strangers_note_is_never_edited_or_deleted(
    pipeline: FakeGitLab,
    rendered: Path,  # noqa: F811
    cli: CLI,
    mode: str,
) -> None:
    strangers = [
        *pipeline.seed_notes(GITLAB_PROJECT, MR_IID, 1, body=f"{MARKER}\ncopy", author="mallory"),
        *pipeline.seed_notes(GITLAB_PROJECT, MR_IID, 1, body=f"x\n{MARKER}", author="mallory"),
    ]
    for _ in range(2):
        assert cli("publish", str(rendered), "--mode", mode).code == 0
    notes = {n["id"]: n for n in pipeline.notes(GITLAB_PROJECT, MR_IID)}
    for stranger in strangers:
        assert notes[stranger["id"]]["body"] == stranger["body"]
    mine = [n for n in notes.values() if n["author"]["username"] == pipeline.user_username]
    assert len(mine) == 1 and mine[0]["body"].startswith(MARKER)


def test_gitlab_a_spoofed_marker_does_not_hand_a_note_to_another_report(
    pipeline: FakeGitLab, workdir: Path, cli: CLI
) -> None:
    report = _spoofing_report(workdir)
    assert cli("publish", str(report)).code == 0
    before = [n for n in pipeline.notes(GITLAB_PROJECT, MR_IID) if n["body"].startswith(MARKER)]
    assert cli("publish", str(report), "--id", "nightly").code == 0
    notes = pipeline.notes(GITLAB_PROJECT, MR_IID)
    assert [n for n in notes if n["body"].startswith(MARKER)] == before
    assert len([n for n in notes if n["body"].startswith(NIGHTLY)]) == 1
    assert json.dumps(notes).count(SPOOF) == 1  # only the nightly note's own marker
