"""Jenkins: a multibranch pipeline's variables, as Jenkins sets them, say where to publish —
the pull request of CHANGE_ID on the host of CHANGE_URL (or GIT_URL), at GIT_COMMIT — against
the fake GitHub (a GitHub Enterprise host, for Jenkins) and the fake GitLab."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CLI
from tests.e2e.test_publish_github import rendered  # noqa: F401  (the same rendered report)
from tests.fakes.fixtures import GITHUB_TOKEN, GITLAB_PROJECT, GITLAB_TOKEN, MR_IID, MR_SHA
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab
from tests.helpers import MARKER

REPO = "octo/demo"
HEAD = "d" * 40
BUILD = "https://ci.example.com/job/demo/job/PR-7/3/"


@pytest.fixture
def report(rendered: Path, workdir: Path) -> Path:  # noqa: F811
    shutil.copytree(rendered, workdir / "report")
    return workdir / "report"


def jenkins(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name in ("GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_TOKEN", "GITLAB_TOKEN", "CI"):
        monkeypatch.delenv(name, raising=False)
    base = {
        "JENKINS_URL": "https://ci.example.com/",
        "JENKINS_HOME": "/var/jenkins_home",
        "BUILD_URL": BUILD,
        "BUILD_NUMBER": "3",
        "JOB_NAME": "demo/PR-7",
        "BRANCH_NAME": "PR-7",
    }
    for name, value in {**base, **values}.items():
        monkeypatch.setenv(name, value)


def test_a_pull_request_build_comments_on_the_pull_request(
    github: FakeGitHub, report: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    github.add_repo(REPO, permission="write")
    github.add_pull(REPO, 7, head_sha=HEAD)
    jenkins(
        monkeypatch,
        CHANGE_ID="7",
        CHANGE_URL=f"{github.server_url}/{REPO}/pull/7",
        CHANGE_TARGET="main",
        CHANGE_BRANCH="feature",
        GIT_URL=f"{github.server_url}/{REPO}.git",
        GIT_COMMIT=HEAD,
        GITHUB_TOKEN=GITHUB_TOKEN,
    )
    result = cli("publish", "report", "--check")
    assert result.code == 0, result.output
    (comment,) = [c for c in github.comments(REPO, 7) if MARKER in c["body"]]
    assert f"created the report on pull request #7: {comment['html_url']}" in result.out
    (run,) = github.check_runs(REPO)
    assert run["head_sha"] == HEAD  # GIT_COMMIT, not the workspace's HEAD


def test_a_branch_build_comments_on_git_commit(
    github: FakeGitHub, report: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    github.add_repo(REPO, permission="write")
    github.add_commit(REPO, HEAD)
    jenkins(
        monkeypatch,
        BRANCH_NAME="main",
        GIT_URL=f"{github.server_url}/{REPO}.git",
        GIT_COMMIT=HEAD,
        GITHUB_TOKEN=GITHUB_TOKEN,
    )
    unknown = cli("publish", "report")  # a GitHub Enterprise host not named github
    assert unknown.code == 2 and "pass --platform github|gitlab|local" in unknown.err
    result = cli("publish", "report", "--platform", "github")
    assert result.code == 0, result.output
    assert f"no open pull request has commit {HEAD[:12]} as its head" in result.out
    assert any(MARKER in c["body"] for c in github.commit_comments(REPO, HEAD))


def test_a_merge_request_build_on_a_self_hosted_gitlab(
    gitlab: FakeGitLab, report: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    jenkins(
        monkeypatch,
        CHANGE_ID=str(MR_IID),
        CHANGE_URL=f"{gitlab.url}/{GITLAB_PROJECT}/-/merge_requests/{MR_IID}",
        CHANGE_TARGET="main",
        GIT_URL=f"{gitlab.url}/{GITLAB_PROJECT}.git",
        GIT_COMMIT=MR_SHA,
        GITLAB_TOKEN=GITLAB_TOKEN,
    )
    result = cli("publish", "report")
    assert result.code == 0, result.output
    notes = [n for n in gitlab.notes(GITLAB_PROJECT, MR_IID) if MARKER in n["body"]]
    assert len(notes) == 1
    assert f"created the report on merge request !{MR_IID}" in result.out
