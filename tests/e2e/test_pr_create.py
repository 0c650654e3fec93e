"""`mlreport pr create` against the fake GitHub and GitLab: what a scheduled retraining job
produced is committed to a branch through the API and a pull/merge request opened, updated
on the next run, never duplicated; nothing to commit opens nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mlreport.platforms import gitlab_mr
from tests.conftest import CLI
from tests.e2e.test_publish_github import rendered  # noqa: F401  (a rendered report)
from tests.fakes.fixtures import GITHUB_REPO, GITHUB_TOKEN, GITLAB_PROJECT, GITLAB_TOKEN
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab
from tests.helpers import one_error


def produce(workdir: Path, accuracy: float = 0.91) -> None:
    """What training wrote: a model card, metrics in a folder, an executable script."""
    (workdir / "models").mkdir(exist_ok=True)
    (workdir / "models" / "card.md").write_text(f"# Model\n\naccuracy {accuracy}\n", "utf-8")
    (workdir / "metrics").mkdir(exist_ok=True)
    (workdir / "metrics" / "eval.json").write_text(json.dumps({"accuracy": accuracy}), "utf-8")
    (workdir / "metrics" / "sub").mkdir(exist_ok=True)
    (workdir / "metrics" / "sub" / "loss.csv").write_text("step,loss\n1,0.5\n", "utf-8")
    script = workdir / "retrain.sh"
    script.write_text("#!/bin/sh\npython train.py\n", "utf-8")
    script.chmod(0o755)


# -- GitHub -----------------------------------------------------------------------------------


@pytest.fixture
def scheduled(github: FakeGitHub, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A scheduled workflow run on main (the branch the pull request goes into)."""
    event = workdir / "event.json"
    event.write_text("{}", "utf-8")
    main = github.ref(GITHUB_REPO, "heads/main")
    assert main is not None
    for name, value in {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": GITHUB_REPO,
        "GITHUB_EVENT_NAME": "schedule",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_SHA": main,
        "GITHUB_API_URL": github.api_url,
        "GITHUB_SERVER_URL": github.server_url,
        "GITHUB_TOKEN": GITHUB_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    return main


def pulls(github: FakeGitHub) -> list[dict[str, object]]:
    """The pull requests mlreport opened (the fixture's #12 left out)."""
    import requests

    with requests.get(
        f"{github.api_url}/repos/{GITHUB_REPO}/pulls",
        params={"state": "all"},
        headers={"Authorization": f"token {GITHUB_TOKEN}"},
        timeout=10,
    ) as answer:
        return [p for p in answer.json() if p["number"] != 12]


def test_github_opens_then_updates_one_pull_request(
    github: FakeGitHub, scheduled: str, workdir: Path, cli: CLI
) -> None:
    produce(workdir)
    args = ["pr", "create", "models", "metrics", "retrain.sh", "--label", "retrain"]
    first = cli(*args, "--draft", "--title", "Retrain: daily data")
    assert first.code == 0, first.output
    branch = f"mlreport/pr-{scheduled[:12]}"
    files = github.branch_files(GITHUB_REPO, branch)
    assert set(files) == {
        "README.md", "models/card.md", "metrics/eval.json", "metrics/sub/loss.csv", "retrain.sh",
    }  # fmt: skip
    assert files["metrics/eval.json"] == b'{"accuracy": 0.91}'
    head = github.ref(GITHUB_REPO, f"heads/{branch}")
    assert f"committed 4 file(s) to a new branch {branch}" in first.out
    (pull,) = pulls(github)
    assert pull["title"] == "Retrain: daily data" and pull["draft"] is True
    assert pull["head"]["ref"] == branch and pull["base"]["ref"] == "main"  # type: ignore[index]
    assert [label["name"] for label in pull["labels"]] == ["retrain"]  # type: ignore[attr-defined]
    assert "`retrain.sh`" in str(pull["body"])
    assert f"opened pull request #{pull['number']} ({branch} into main)" in first.out
    assert GITHUB_TOKEN not in first.output

    again = cli(*args)  # the same files: no commit, the same pull request
    assert again.code == 0, again.output
    assert "already has these files" in again.out and "updated pull request" in again.out
    assert github.ref(GITHUB_REPO, f"heads/{branch}") == head
    assert len(pulls(github)) == 1

    produce(workdir, accuracy=0.93)  # the next day's numbers: one more commit on the branch
    third = cli(*args)
    assert third.code == 0, third.output
    assert "committed 2 file(s) to the branch" in third.out
    after = github.branch_files(GITHUB_REPO, branch)
    assert after["models/card.md"].endswith(b"accuracy 0.93\n")
    assert len(pulls(github)) == 1


def test_github_executable_mode_is_kept(
    github: FakeGitHub, scheduled: str, workdir: Path, cli: CLI
) -> None:
    produce(workdir)
    assert cli("pr", "create", "retrain.sh", "--branch", "retrain").code == 0
    import requests

    with requests.get(
        f"{github.api_url}/repos/{GITHUB_REPO}/git/trees/retrain",
        headers={"Authorization": f"token {GITHUB_TOKEN}"},
        timeout=10,
    ) as answer:
        modes = {e["path"]: e["mode"] for e in answer.json()["tree"]}
    assert modes == {"README.md": "100644", "retrain.sh": "100755"}


def test_nothing_to_commit_opens_nothing(
    github: FakeGitHub, scheduled: str, workdir: Path, cli: CLI
) -> None:
    (workdir / "README.md").write_text("# demo\n", "utf-8")  # as committed on main
    result = cli("pr", "create", "README.md")
    assert result.code == 0, result.output
    assert "nothing to commit" in result.out
    assert github.ref(GITHUB_REPO, f"heads/mlreport/pr-{scheduled[:12]}") is None
    assert pulls(github) == []


def test_the_report_is_the_body_with_its_images_hosted(
    github: FakeGitHub,
    scheduled: str,
    workdir: Path,
    cli: CLI,
    rendered: Path,  # noqa: F811
) -> None:
    shutil.copytree(rendered, workdir / "report")
    produce(workdir)
    result = cli("pr", "create", "models", "--report", "report")
    assert result.code == 0, result.output
    (pull,) = pulls(github)
    body = str(pull["body"])
    assert body.startswith("## ")
    assert f"{github.server_url}/{GITHUB_REPO}/blob/" in body  # charts on the assets branch
    assert "](images/" not in body and "mlreport:report" not in body  # no sticky marker


def test_auto_merge(github: FakeGitHub, scheduled: str, workdir: Path, cli: CLI) -> None:
    produce(workdir)
    result = cli("pr", "create", "models", "--auto-merge")
    assert result.code == 0, result.output
    assert "auto-merge enabled" in result.out
    (pull,) = pulls(github)
    assert pull["auto_merge"]["merge_method"] == "merge"  # type: ignore[index]


def test_auto_merge_not_allowed_is_exit_3_after_the_pull_request(
    github: FakeGitHub, scheduled: str, workdir: Path, cli: CLI
) -> None:
    github._repos[GITHUB_REPO].allow_auto_merge = False
    produce(workdir)
    result = cli("pr", "create", "models", "--auto-merge")
    assert result.code == 3
    assert "opened pull request" in result.out  # it exists, and says where
    assert "auto-merge of pull request" in one_error(result)
    assert "Auto merge is not allowed" in one_error(result)


def test_a_read_only_token_is_one_line(
    github: FakeGitHub, scheduled: str, workdir: Path, cli: CLI
) -> None:
    github._repos[GITHUB_REPO].permission = "read"
    produce(workdir)
    result = cli("pr", "create", "models")
    assert result.code == 3
    assert "403" in one_error(result) or "not accessible" in one_error(result)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["../elsewhere.txt"], "is outside the repository"),
        (["missing.csv"], "does not exist"),
        (["models", "--platform", "local"], "GitHub or GitLab"),
        (["models", "--branch", "main"], "is the branch the pull request goes into"),
        (["models", "--branch", "two words"], "is not a valid branch name"),
        (["models", "--branch", "a..b"], "is not a valid branch name"),
        (["models", "--branch", "x.lock"], "is not a valid branch name"),
        (["models", "--label", " "], "--label needs a name"),
    ],
)
def test_usage_errors_are_exit_2(
    github: FakeGitHub,
    scheduled: str,
    workdir: Path,
    cli: CLI,
    args: list[str],
    expected: str,
) -> None:
    produce(workdir)
    (workdir.parent / "elsewhere.txt").write_text("x", "utf-8")
    result = cli("pr", "create", *args)
    assert result.code == 2, result.output
    assert expected in one_error(result)
    assert pulls(github) == []


def test_a_file_name_that_is_not_utf8_is_exit_2(
    github: FakeGitHub, scheduled: str, workdir: Path, cli: CLI
) -> None:
    import os

    folder = workdir / "odd"
    folder.mkdir()
    (Path(os.fsdecode(bytes(folder))) / os.fsdecode(b"model-\xff.bin")).write_bytes(b"x")
    result = cli("pr", "create", "odd")
    assert result.code == 2, result.output
    assert "not UTF-8" in one_error(result)
    assert pulls(github) == []


# -- GitLab -----------------------------------------------------------------------------------


@pytest.fixture
def pipeline(gitlab: FakeGitLab, monkeypatch: pytest.MonkeyPatch) -> str:
    """A scheduled pipeline on main."""
    main = gitlab.branch_head(GITLAB_PROJECT, "main")
    assert main is not None
    for name, value in {
        "GITLAB_CI": "true",
        "CI_SERVER_URL": gitlab.url,
        "CI_API_V4_URL": f"{gitlab.url}/api/v4",
        "CI_PROJECT_PATH": GITLAB_PROJECT,
        "CI_PROJECT_ID": "42",
        "CI_COMMIT_SHA": main,
        "CI_COMMIT_BRANCH": "main",
        "CI_DEFAULT_BRANCH": "main",
        "CI_PIPELINE_SOURCE": "schedule",
        "GITLAB_TOKEN": GITLAB_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(gitlab_mr, "AUTO_MERGE_WAIT", 0.01)
    return main


def requests_of(gitlab: FakeGitLab) -> list[object]:
    return [
        m for m in gitlab._project_or_fail(GITLAB_PROJECT).merge_requests.values() if m.iid != 7
    ]


def test_gitlab_opens_then_updates_one_merge_request(
    gitlab: FakeGitLab, pipeline: str, workdir: Path, cli: CLI
) -> None:
    produce(workdir)
    args = ["pr", "create", "models", "metrics", "retrain.sh", "--label", "retrain"]
    first = cli(*args, "--draft")
    assert first.code == 0, first.output
    branch = f"mlreport/pr-{pipeline[:12]}"
    files = gitlab.branch_files(GITLAB_PROJECT, branch)
    assert {"models/card.md", "metrics/eval.json", "metrics/sub/loss.csv", "retrain.sh"} <= set(
        files
    )
    (mr,) = requests_of(gitlab)
    assert mr.title == "Draft: mlreport: update models, metrics, retrain.sh"  # type: ignore[attr-defined]
    assert mr.labels == ["retrain"] and mr.target_branch == "main"  # type: ignore[attr-defined]
    assert f"opened merge request !{mr.iid}" in first.out  # type: ignore[attr-defined]
    assert GITLAB_TOKEN not in first.output
    head = gitlab.branch_head(GITLAB_PROJECT, branch)
    stored = gitlab._project_or_fail(GITLAB_PROJECT).git.files_at(head or "")
    assert stored["retrain.sh"][0] == "100755" and stored["models/card.md"][0] == "100644"

    again = cli(*args)
    assert again.code == 0, again.output
    assert "already has these files" in again.out
    assert gitlab.branch_head(GITLAB_PROJECT, branch) == head
    assert len(requests_of(gitlab)) == 1

    produce(workdir, accuracy=0.95)
    third = cli(*args)
    assert third.code == 0 and "committed 2 file(s) to the branch" in third.out, third.output
    assert gitlab.branch_files(GITLAB_PROJECT, branch)["models/card.md"].endswith(b"0.95\n")
    assert len(requests_of(gitlab)) == 1


def test_gitlab_auto_merge_waits_for_the_pipeline(
    gitlab: FakeGitLab, pipeline: str, workdir: Path, cli: CLI
) -> None:
    gitlab.refuse_auto_merge = 2  # 405 while the new merge request's pipeline is created
    produce(workdir)
    result = cli("pr", "create", "models", "--auto-merge")
    assert result.code == 0, result.output
    assert "auto-merge set" in result.out
    (mr,) = requests_of(gitlab)
    assert mr.auto_merge is True  # type: ignore[attr-defined]


def test_gitlab_auto_merge_refused_is_exit_3(
    gitlab: FakeGitLab, pipeline: str, workdir: Path, cli: CLI
) -> None:
    gitlab.refuse_auto_merge = 100
    produce(workdir)
    result = cli("pr", "create", "models", "--auto-merge")
    assert result.code == 3
    assert "auto-merge of merge request" in one_error(result)
    assert len(requests_of(gitlab)) == 1


def test_gitlab_nothing_to_commit(
    gitlab: FakeGitLab, pipeline: str, workdir: Path, cli: CLI
) -> None:
    files = gitlab.branch_files(GITLAB_PROJECT, "main")
    name, content = next(iter(files.items()))
    (workdir / name).parent.mkdir(parents=True, exist_ok=True)
    (workdir / name).write_bytes(content)
    result = cli("pr", "create", name)
    assert result.code == 0 and "nothing to commit" in result.out, result.output
    assert requests_of(gitlab) == []
