"""`mlreport publish` to GitLab, as a merge request pipeline runs it, against the fake."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import CLI
from tests.e2e.test_publish_github import rendered  # noqa: F401  (the same rendered report)
from tests.fakes.fixtures import GITLAB_PROJECT, GITLAB_TOKEN, MR_IID, MR_SHA
from tests.fakes.gitlab import FakeGitLab
from tests.helpers import MARKER, one_error

BRANCH_SHA = "5" * 40


@pytest.fixture
def report(rendered: Path, workdir: Path) -> Path:  # noqa: F811
    shutil.copytree(rendered, workdir / "report")
    return workdir / "report"


@pytest.fixture
def pipeline(gitlab: FakeGitLab, monkeypatch: pytest.MonkeyPatch) -> FakeGitLab:
    """A merge request pipeline's variables, pointed at the fake."""
    for name, value in {
        "GITLAB_CI": "true",
        "CI_SERVER_URL": gitlab.url,
        "CI_API_V4_URL": f"{gitlab.url}/api/v4",
        "CI_PROJECT_PATH": GITLAB_PROJECT,
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": str(MR_IID),
        "CI_MERGE_REQUEST_PROJECT_PATH": GITLAB_PROJECT,
        "CI_MERGE_REQUEST_PROJECT_ID": "42",
        "CI_COMMIT_SHA": MR_SHA,
        "CI_JOB_TOKEN": gitlab.job_token or "",
        "GITLAB_TOKEN": GITLAB_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    return gitlab


def ours(gitlab: FakeGitLab) -> list[dict[str, Any]]:
    return [n for n in gitlab.notes(GITLAB_PROJECT, MR_IID) if MARKER in n["body"]]


def test_first_and_second_publish(pipeline: FakeGitLab, report: Path, cli: CLI) -> None:
    result = cli("publish", "report")
    assert result.code == 0, result.output
    (note,) = ours(pipeline)
    assert note["body"].startswith(MARKER + "\n## ❌ ML report")
    assert f"created the report on merge request !{MR_IID}" in result.out
    uploads = pipeline.uploads(GITLAB_PROJECT)
    assert len(uploads) == 3
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", note["body"])
    assert sorted(links) == sorted(u["url"] for u in uploads)
    for upload in uploads:  # what the note links to is the chart, served by GitLab
        with requests.get(pipeline.url + upload["full_path"], timeout=10) as answer:
            assert answer.content == upload["content"]
            assert answer.content.startswith(b"\x89PNG")

    (report / "report.md").write_text((report / "report.md").read_text() + "\nAgain.\n")
    assert cli("publish", "report").code == 0
    (again,) = ours(pipeline)
    assert again["id"] == note["id"]
    assert again["body"].endswith("Again.\n")


def test_more_than_a_hundred_notes(pipeline: FakeGitLab, report: Path, cli: CLI) -> None:
    pipeline.seed_notes(GITLAB_PROJECT, MR_IID, count=140, body="lgtm", author="someone")
    assert cli("publish", "report").code == 0
    pipeline.seed_notes(GITLAB_PROJECT, MR_IID, count=110, body="nit", author="someone")
    assert cli("publish", "report").code == 0
    assert len(ours(pipeline)) == 1
    assert len(pipeline.notes(GITLAB_PROJECT, MR_IID)) == 251


def test_branch_pipeline_comments_on_the_commit(
    pipeline: FakeGitLab, report: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.add_commit(GITLAB_PROJECT, BRANCH_SHA)
    monkeypatch.delenv("CI_MERGE_REQUEST_IID")
    monkeypatch.delenv("CI_MERGE_REQUEST_PROJECT_PATH")
    monkeypatch.setenv("CI_COMMIT_SHA", BRANCH_SHA)
    result = cli("publish", "report")
    assert result.code == 0, result.output
    assert (
        f"no open merge request has commit {BRANCH_SHA[:12]} as its head: commenting on the "
        "commit" in result.out
    )
    assert cli("publish", "report").code == 0  # edited in place, not a second discussion
    (discussion,) = pipeline.commit_discussions(GITLAB_PROJECT, BRANCH_SHA)
    assert discussion["notes"][0]["body"].startswith(MARKER)


def test_branch_pipeline_of_a_merge_requests_head_comments_on_it(
    pipeline: FakeGitLab, report: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI_MERGE_REQUEST_IID")
    monkeypatch.delenv("CI_MERGE_REQUEST_PROJECT_PATH")
    monkeypatch.setenv("CI_COMMIT_SHA", MR_SHA)  # a branch pipeline of the MR's source branch
    result = cli("publish", "report")
    assert result.code == 0, result.output
    assert f"commit {MR_SHA[:12]} is the head of merge request !{MR_IID}" in result.out
    assert len(ours(pipeline)) == 1
    assert not pipeline.commit_discussions(GITLAB_PROJECT, MR_SHA)
    pipeline.close_merge_request(GITLAB_PROJECT, MR_IID, "merged")
    again = cli("publish", "report")
    assert again.code == 0 and "no open merge request" in again.out


def test_check_sets_a_commit_status(pipeline: FakeGitLab, report: Path, cli: CLI) -> None:
    result = cli("publish", "report", "--check", "--check-name", "model quality")
    assert result.code == 0, result.output
    (status,) = pipeline.statuses(GITLAB_PROJECT, MR_SHA)
    assert status["name"] == "model quality"
    assert status["status"] == "failed"
    assert status["description"] == "1 of 2 gates failed"


def test_job_token_alone_is_explained(
    pipeline: FakeGitLab, report: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITLAB_TOKEN")
    result = cli("publish", "report")
    assert result.code == 3
    assert one_error(result) == (
        "mlreport: error: only CI_JOB_TOKEN is set, and it cannot post merge request notes; "
        "create a project access token with the api scope, store it in a masked CI/CD "
        "variable and expose it as GITLAB_TOKEN"
    )
    assert pipeline.requests == []


def test_bad_token_and_unknown_merge_request(
    pipeline: FakeGitLab, report: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = cli("publish", "report", "--mr", "99")
    assert unknown.code == 3
    assert "not found (404)" in one_error(unknown)
    monkeypatch.setenv("GITLAB_TOKEN", "glpat-wrong-token-55555")
    rejected = cli("publish", "report")
    assert rejected.code == 3
    assert "GitLab rejected the token (401)" in one_error(rejected)
    assert "glpat-wrong-token" not in rejected.output


@pytest.mark.parametrize(
    "fault",
    [{"status": 500}, {"status": 429, "headers": {"Retry-After": "1"}}, {"reset": True}],
    ids=["500", "429-retry-after", "connection-reset"],
)
def test_transient_faults_are_retried(
    pipeline: FakeGitLab, report: Path, cli: CLI, fault: dict[str, Any]
) -> None:
    pipeline.add_fault(method="POST", path=r"/notes$", times=1, **fault)
    pipeline.add_fault(method="POST", path=r"/uploads$", times=1, **fault)
    started = time.monotonic()
    result = cli("publish", "report")
    assert result.code == 0, result.output
    assert len(ours(pipeline)) == 1
    if fault.get("status") == 429:
        assert time.monotonic() - started >= 1.0


def test_slow_answer_is_retried(pipeline: FakeGitLab, report: Path, cli: CLI) -> None:
    pipeline.add_fault(method="GET", path=r"/notes$", times=1, delay=5.0)
    started = time.monotonic()
    result = cli("publish", "report", "--timeout", "0.5")
    assert result.code == 0, result.output
    assert time.monotonic() - started < 5.0
    assert len(ours(pipeline)) == 1


def test_oversized_report_is_cut(pipeline: FakeGitLab, report: Path, cli: CLI) -> None:
    padding = "".join(f"\n### Extra {i}\n\n" + "word " * 5000 for i in range(45))
    (report / "report.md").write_text((report / "report.md").read_text() + padding)
    assert cli("publish", "report").code == 0
    (note,) = ours(pipeline)
    assert 900_000 < len(note["body"]) <= 1_000_000
    assert "cut to fit gitlab's comment size limit" in note["body"]


def test_self_hosted_outside_ci(gitlab: FakeGitLab, report: Path, cli: CLI, workdir: Path) -> None:
    result = cli(
        "publish",
        "report",
        "--platform",
        "gitlab",
        "--repo",
        GITLAB_PROJECT,
        "--mr",
        str(MR_IID),
        "--api-url",
        gitlab.url,
        "--token",
        GITLAB_TOKEN,
    )
    assert result.code == 0, result.output
    assert len(ours(gitlab)) == 1
    assert GITLAB_TOKEN not in result.output


def test_issue_target_and_replace(pipeline: FakeGitLab, report: Path, cli: CLI) -> None:
    pipeline.add_issue(GITLAB_PROJECT, 3)
    assert cli("publish", "report", "--issue", "3").code == 0
    (first,) = pipeline.issue_notes(GITLAB_PROJECT, 3)
    result = cli("publish", "report", "--issue", "3", "--mode", "replace")
    assert result.code == 0, result.output
    assert "replaced the report on issue #3" in result.out
    (second,) = pipeline.issue_notes(GITLAB_PROJECT, 3)
    assert second["id"] != first["id"]
    assert ours(pipeline) == []  # the merge request is untouched
