"""Where to publish, from flags, the CI environment and the git remote."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from mlreport.errors import PublishError, UsageError
from mlreport.git import parse_remote
from mlreport.platforms.base import Target
from mlreport.platforms.context import PublishOptions, default_branch_commit, resolve

HEAD = "a" * 40
MERGE = "b" * 40
MR_SHA = "c" * 40


def event(tmp_path: Path, payload: Mapping[str, object]) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return str(path)


def actions_env(tmp_path: Path, payload: Mapping[str, object], **extra: str) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": "octo/demo",
        "GITHUB_API_URL": "https://api.github.com",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": event(tmp_path, payload),
        "GITHUB_SHA": MERGE,
        "GITHUB_TOKEN": "ghs_x",
        **extra,
    }


def pull(head_repo: str = "octo/demo") -> dict[str, object]:
    return {
        "pull_request": {
            "number": 12,
            "head": {"sha": HEAD, "repo": {"full_name": head_repo}},
            "base": {"repo": {"full_name": "octo/demo"}},
        }
    }


def test_pull_request_event_uses_the_head_sha_not_the_merge_commit(tmp_path: Path) -> None:
    context = resolve(PublishOptions(), actions_env(tmp_path, pull()))
    assert context.platform == "github" and context.actions
    assert context.repo == "octo/demo"
    assert context.target == Target("pr", 12, HEAD)
    assert context.token == "ghs_x"
    assert context.fork is False
    assert context.api_url == "https://api.github.com"
    assert context.server_url == "https://github.com"


def test_fork_pull_request_is_recognised(tmp_path: Path) -> None:
    context = resolve(PublishOptions(), actions_env(tmp_path, pull("someone/demo")))
    assert context.fork is True


def test_push_event_comments_on_the_commit(tmp_path: Path) -> None:
    env = actions_env(tmp_path, {"ref": "refs/heads/main"}, GITHUB_EVENT_NAME="push")
    context = resolve(PublishOptions(), env)
    assert context.target == Target("commit", sha=MERGE)
    assert context.notes == (f"no pull request found: commenting on commit {MERGE[:12]}",)


def test_workflow_run_event_finds_the_pull_request(tmp_path: Path) -> None:
    payload = {"workflow_run": {"head_sha": HEAD, "pull_requests": [{"number": 5}]}}
    context = resolve(PublishOptions(), actions_env(tmp_path, payload))
    assert context.target == Target("pr", 5, HEAD)


def test_flags_win_over_the_event(tmp_path: Path) -> None:
    options = PublishOptions(
        repo="other/repo", pr=3, token="t", api_url="https://ghe.example/api/v3/"
    )
    context = resolve(options, actions_env(tmp_path, pull(), GITHUB_SERVER_URL=""))
    assert context.repo == "other/repo"
    assert context.target == Target("pr", 3)
    assert context.token == "t"
    assert context.api_url == "https://ghe.example/api/v3"
    assert context.server_url == "https://ghe.example"


def test_gitlab_merge_request_pipeline() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_PROJECT_PATH": "fork/proj",
        "CI_PROJECT_ID": "9",
        "CI_MERGE_REQUEST_PROJECT_PATH": "group/sub/proj",
        "CI_MERGE_REQUEST_IID": "7",
        "CI_COMMIT_SHA": HEAD,
        "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
        "CI_SERVER_URL": "https://gitlab.example.com",
        "GITLAB_TOKEN": "glpat-x",
        "CI_JOB_TOKEN": "job",
    }
    context = resolve(PublishOptions(), env)
    assert context.platform == "gitlab"
    assert context.repo == "group/sub/proj"  # the MR's target project, not the fork
    assert context.target == Target("pr", 7, HEAD)
    assert context.api_url == "https://gitlab.example.com"
    assert context.token == "glpat-x"


def test_gitlab_branch_pipeline_comments_on_the_commit() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_PROJECT_PATH": "g/p",
        "CI_COMMIT_SHA": HEAD,
        "CI_SERVER_URL": "https://gitlab.com",
        "GITLAB_TOKEN": "t",
    }
    context = resolve(PublishOptions(), env)
    assert context.target == Target("commit", sha=HEAD)
    assert context.api_url == "https://gitlab.com"
    assert context.notes == (f"no merge request found: commenting on commit {HEAD[:12]}",)


def test_gitlab_job_token_alone_is_explained() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_PROJECT_PATH": "g/p",
        "CI_MERGE_REQUEST_IID": "1",
        "CI_JOB_TOKEN": "job",
    }
    with pytest.raises(PublishError) as info:
        resolve(PublishOptions(), env)
    assert "CI_JOB_TOKEN" in str(info.value) and "api scope" in str(info.value)


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("git@github.com:octo/demo.git", ("github.com", "octo/demo")),
        ("https://github.com/octo/demo", ("github.com", "octo/demo")),
        ("https://github.com/octo/demo.git", ("github.com", "octo/demo")),
        (
            "ssh://git@gitlab.example.com:2222/group/sub/proj.git",
            ("gitlab.example.com", "group/sub/proj"),
        ),
        ("https://oauth2:tok@gitlab.com/group/proj.git", ("gitlab.com", "group/proj")),
        ("", None),
        ("/local/path", None),
    ],
)
def test_parse_remote(url: str, parsed: tuple[str, str] | None) -> None:
    assert parse_remote(url) == parsed


def test_outside_ci_from_the_git_remote(workdir: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@e", *args],
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("remote", "add", "origin", "git@github.com:octo/local.git")
    git("commit", "-q", "--allow-empty", "-m", "x")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    context = resolve(PublishOptions(), {})
    assert (context.platform, context.repo) == ("github", "octo/local")
    assert context.target == Target("commit", sha=head)
    assert context.api_url == "https://api.github.com"
    assert context.token is None


def test_unknown_platform_outside_ci(workdir: Path) -> None:
    with pytest.raises(UsageError, match="pass --platform"):
        resolve(PublishOptions(), {})


# -- which runs record their report ------------------------------------------------------------

REPOSITORY = {"full_name": "octo/demo", "default_branch": "main"}


@pytest.mark.parametrize(
    ("name", "payload", "ref", "recorded"),
    [
        ("push", {"repository": REPOSITORY}, "refs/heads/main", MERGE),
        ("push", {"repository": REPOSITORY}, "refs/heads/feature", None),
        ("push", {"repository": REPOSITORY}, "refs/tags/v1", None),
        ("pull_request", {**pull(), "repository": REPOSITORY}, "refs/pull/5/merge", None),
        (
            "workflow_run",  # the fork-safe publisher, for a push to main: its head commit
            {
                "repository": REPOSITORY,
                "workflow_run": {
                    "event": "push",
                    "head_branch": "main",
                    "head_sha": HEAD,
                    "head_repository": {"full_name": "octo/demo"},
                },
            },
            "refs/heads/main",
            HEAD,
        ),
        (
            "workflow_run",  # for a pull request from a fork named "main": never a record
            {
                "repository": REPOSITORY,
                "workflow_run": {
                    "event": "pull_request",
                    "head_branch": "main",
                    "head_sha": HEAD,
                    "head_repository": {"full_name": "someone/demo"},
                },
            },
            "refs/heads/main",
            None,
        ),
        (
            "workflow_run",  # a push to a fork's main does not run here, but if it said so
            {
                "repository": REPOSITORY,
                "workflow_run": {
                    "event": "push",
                    "head_branch": "main",
                    "head_sha": HEAD,
                    "head_repository": {"full_name": "someone/demo"},
                },
            },
            "refs/heads/main",
            None,
        ),
    ],
)
def test_the_runs_that_record(
    tmp_path: Path, name: str, payload: dict[str, object], ref: str, recorded: str | None
) -> None:
    env = actions_env(tmp_path, payload, GITHUB_EVENT_NAME=name, GITHUB_REF=ref)
    assert default_branch_commit(env) == recorded


@pytest.mark.parametrize(
    ("extra", "recorded"),
    [
        ({"CI_COMMIT_BRANCH": "main"}, MR_SHA),
        ({"CI_COMMIT_BRANCH": "feature"}, None),
        ({"CI_MERGE_REQUEST_IID": "7"}, None),  # a merge request pipeline
        ({"CI_COMMIT_TAG": "v1"}, None),
    ],
)
def test_the_gitlab_pipelines_that_record(extra: dict[str, str], recorded: str | None) -> None:
    env = {"GITLAB_CI": "true", "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_SHA": MR_SHA, **extra}
    assert default_branch_commit(env) == recorded
