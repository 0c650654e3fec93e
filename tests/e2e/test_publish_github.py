"""`mlreport publish` to GitHub, as a workflow runs it, against the contract-checked fake."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CLI
from tests.fakes.fixtures import GITHUB_TOKEN
from tests.fakes.github import FakeGitHub
from tests.helpers import (
    MARKER,
    fetch,
    image_urls,
    one_error,
    render_report,
    step_outputs,
    write_classification,
    write_inputs,
)

EVENTS = Path(__file__).resolve().parents[1] / "fixtures" / "events"
REPO = "Codertocat/Hello-World"  # the repository of the real webhook payloads
PR = 2
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"  # pull_request.head.sha in the payload
MERGE = "0" * 39 + "1"  # GITHUB_SHA of a pull_request run: the merge commit, not the head


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A report with three charts and one failing gate, rendered once."""
    folder = tmp_path_factory.mktemp("rendered")
    write_inputs(folder, n=400, k=3, epochs=5)
    render_report(
        folder, "-g", "accuracy >= 0.5", "-g", "accuracy >= 0.99", "-o", "report", check=False
    )  # exits 1: a gate fails, on purpose
    assert (folder / "report" / "report.md").is_file()
    return folder / "report"


@pytest.fixture
def report(rendered: Path, workdir: Path) -> Path:
    shutil.copytree(rendered, workdir / "report")
    return workdir / "report"


@pytest.fixture
def actions(github: FakeGitHub, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The environment of a `pull_request` workflow run, pointed at the fake."""
    github.add_repo(REPO, permission="write")
    github.add_pull(REPO, PR, head_sha=HEAD)
    files = {"summary": workdir / "summary.md", "output": workdir / "output.txt"}
    for name, value in {
        "GITHUB_ACTIONS": "true",
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(EVENTS / "pull_request.opened.json"),
        "GITHUB_SHA": MERGE,
        "GITHUB_API_URL": github.api_url,
        "GITHUB_SERVER_URL": github.server_url,
        "GITHUB_TOKEN": GITHUB_TOKEN,
        "GITHUB_STEP_SUMMARY": str(files["summary"]),
        "GITHUB_OUTPUT": str(files["output"]),
    }.items():
        monkeypatch.setenv(name, value)
    return files


def ours(github: FakeGitHub, number: int = PR) -> list[dict[str, Any]]:
    return [c for c in github.comments(REPO, number) if MARKER in c["body"]]


def writes(github: FakeGitHub, path: str) -> int:
    return sum(1 for r in github.requests if r.method != "GET" and re.search(path, r.path))


def test_first_publish(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    result = cli("publish", "report")
    assert result.code == 0, result.output
    (comment,) = ours(github)
    assert comment["body"].startswith(MARKER + "\n## ❌ ML report: 1 of 2 gates failed")
    assert comment["user"]["login"] == github.user_login
    assert f"mlreport: created the report on pull request #{PR}: {comment['html_url']}" in (
        result.out
    )
    urls = image_urls(comment["body"])
    assert len(urls) == 3
    files = github.branch_files(REPO, "mlreport-assets")
    for url in urls:
        assert re.fullmatch(
            rf"{github.server_url}/{REPO}/blob/[0-9a-f]{{40}}/images/[0-9a-f]{{64}}\.png\?raw=true",
            url,
        )
        content = fetch(url)  # the link resolves, pinned to its commit
        assert content.startswith(b"\x89PNG")
        assert files[url.split("/blob/")[1].split("/", 1)[1].split("?")[0]] == content
    assert writes(github, r"/git/blobs$") == 3
    assert not github.check_runs(REPO)


def test_second_publish_updates_the_same_comment(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    assert cli("publish", "report").code == 0
    (first,) = ours(github)
    blobs = writes(github, r"/git/blobs$")
    (report / "report.md").write_text((report / "report.md").read_text() + "\nSecond push.\n")
    result = cli("publish", "report")
    assert result.code == 0, result.output
    (second,) = ours(github)
    assert second["id"] == first["id"]
    assert second["body"].endswith("Second push.\n")
    assert "mlreport: updated the report" in result.out
    assert writes(github, r"/git/blobs$") == blobs  # unchanged charts are not uploaded again
    assert writes(github, r"/git/commits$") == 1


def test_more_than_a_hundred_comments(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    github.seed_comments(REPO, PR, count=130, body="lgtm", user="someone")
    assert cli("publish", "report").code == 0
    github.seed_comments(REPO, PR, count=120, body="nit", user="someone")
    assert cli("publish", "report").code == 0
    comments = github.comments(REPO, PR)
    assert len(comments) == 251
    assert [c["id"] for c in comments].index(ours(github)[0]["id"]) == 130
    pages = [r for r in github.requests if r.method == "GET" and r.path.endswith("/comments")]
    assert {r.query.get("page", "1") for r in pages} >= {"1", "2", "3"}


def test_ids_keep_reports_apart(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    assert cli("publish", "report", "--id", "nightly").code == 0
    assert cli("publish", "report", "--id", "gpu").code == 0
    assert cli("publish", "report", "--id", "nightly").code == 0
    bodies = [c["body"] for c in github.comments(REPO, PR)]
    assert len(bodies) == 2
    assert bodies[0].startswith("<!-- mlreport:report id=nightly -->")
    assert bodies[1].startswith("<!-- mlreport:report id=gpu -->")


def test_replace_and_new_modes(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    assert cli("publish", "report").code == 0
    (old,) = ours(github)
    result = cli("publish", "report", "--mode", "replace")
    assert "mlreport: replaced the report" in result.out
    (new,) = ours(github)
    assert new["id"] > old["id"]
    assert cli("publish", "report", "--mode", "new").code == 0
    assert len(ours(github)) == 2


def test_push_event_finds_the_pull_request_of_its_commit(
    github: FakeGitHub,
    actions: dict[str, Path],
    report: Path,
    cli: CLI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`on: push` (CML's default trigger): the event has no pull request; the open one whose
    head is the pushed commit gets the report, as CML finds it."""
    payload = json.loads((EVENTS / "push.json").read_text())
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(EVENTS / "push.json"))
    monkeypatch.setenv("GITHUB_SHA", HEAD)  # the head of pull request #PR
    assert payload.get("pull_request") is None
    result = cli("publish", "report", "--check")
    assert result.code == 0, result.output
    assert f"commit {HEAD[:12]} is the head of pull request #{PR}: commenting there" in result.out
    (comment,) = ours(github)
    assert comment["body"].startswith(MARKER)
    assert not github.commit_comments(REPO, HEAD)
    (run,) = github.check_runs(REPO)
    assert run["head_sha"] == HEAD
    assert any(r.path.endswith(f"/commits/{HEAD}/pulls") for r in github.requests)


def test_push_event_without_an_open_pull_request_comments_on_the_commit(
    github: FakeGitHub,
    actions: dict[str, Path],
    report: Path,
    cli: CLI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(EVENTS / "push.json"))
    monkeypatch.setenv("GITHUB_SHA", HEAD)
    github.close_pull(REPO, PR)  # merged: a push to main after it is not its report
    result = cli("publish", "report")
    assert result.code == 0, result.output
    assert (
        f"mlreport: no open pull request has commit {HEAD[:12]} as its head: commenting on "
        "the commit" in result.out
    )
    (comment,) = github.commit_comments(REPO, HEAD)
    assert comment["body"].startswith(MARKER)
    assert cli("publish", "report").code == 0
    assert len(github.commit_comments(REPO, HEAD)) == 1  # updated in place
    assert not ours(github)


def test_check_run_from_the_gates(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    result = cli("publish", "report", "--check", "--check-name", "model quality")
    assert result.code == 0, result.output
    (run,) = github.check_runs(REPO)
    assert run["name"] == "model quality"
    assert run["head_sha"] == HEAD  # the PR's head, not GITHUB_SHA's merge commit
    assert run["conclusion"] == "failure"  # one gate failed
    assert run["output"]["title"] == "1 of 2 gates failed"
    assert "### Gates" in run["output"]["summary"]
    assert MARKER not in run["output"]["summary"]


def test_summary_and_outputs(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    result = cli("publish", "report")
    assert result.code == 0
    (comment,) = ours(github)
    values = step_outputs(actions["output"])
    assert values == {
        "report-path": str(Path("report") / "report.md"),
        "comment-url": comment["html_url"],
        "status": "fail",
        "gates-failed": "1",
        "gates-skipped": "0",
    }
    summary = actions["summary"].read_text()
    assert summary.startswith("## ❌ ML report")
    assert image_urls(summary) == image_urls(comment["body"])  # hosted, so they show there
    assert "::add-mask::" not in result.output  # Actions masks its secrets; this line would not
    assert GITHUB_TOKEN not in result.output


def test_oversized_report_is_cut_not_rejected(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    markdown = (report / "report.md").read_text()
    padding = "".join(f"\n### Extra {i}\n\n" + "word " * 400 for i in range(60))
    (report / "report.md").write_text(markdown + padding)
    result = cli("publish", "report")
    assert result.code == 0, result.output
    (comment,) = ours(github)
    body = comment["body"]
    assert len(body) <= 65_536
    assert body.rstrip().endswith("The whole report is in the job summary and the report artifact.")
    assert "### Gates" in body
    summary = actions["summary"].read_text()
    assert "### Extra 59" in summary  # the job summary keeps everything within 1 MiB


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 502},
        {"reset": True},
        {"status": 429, "headers": {"Retry-After": "1"}},
        {
            "status": 403,
            "headers": {"Retry-After": "1"},
            "body": {"message": "You have exceeded a secondary rate limit."},
        },
    ],
    ids=["500", "502", "connection-reset", "429-retry-after", "403-secondary-limit"],
)
def test_transient_faults_are_retried(
    github: FakeGitHub,
    actions: dict[str, Path],
    report: Path,
    cli: CLI,
    fault: dict[str, Any],
) -> None:
    github.add_fault(method="POST", path=r"/issues/\d+/comments$", times=1, **fault)
    github.add_fault(method="POST", path=r"/git/blobs$", times=1, **fault)
    started = time.monotonic()
    result = cli("publish", "report")
    assert result.code == 0, result.output
    assert len(ours(github)) == 1
    if "Retry-After" in fault.get("headers", {}):
        assert time.monotonic() - started >= 1.0  # the server's wait was honoured


def test_slow_response_is_retried(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    github.add_fault(method="GET", path=r"/issues/\d+/comments$", times=1, delay=5.0)
    started = time.monotonic()
    result = cli("publish", "report", "--timeout", "0.5")
    assert result.code == 0, result.output
    assert time.monotonic() - started < 5.0  # the slow answer was not waited for ...
    listings = [r for r in github.requests if r.method == "GET" and r.path.endswith("/comments")]
    assert len(listings) >= 2  # ... but asked again
    assert len(ours(github)) == 1


def test_rate_limit_reset_is_honoured(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    reset = str(int(time.time()) + 1)
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset}
    github.add_fault(
        method="POST",
        path=r"/issues/\d+/comments$",
        status=403,
        times=1,
        headers=headers,
        body={"message": "API rate limit exceeded for installation."},
    )
    assert cli("publish", "report").code == 0
    assert len(ours(github)) == 1


def test_too_long_a_wait_gives_up_at_once(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    github.add_fault(
        method="POST",
        path=r"/issues/\d+/comments$",
        status=429,
        times=5,
        headers={"Retry-After": "3600"},
    )
    started = time.monotonic()
    result = cli("publish", "report")
    assert result.code == 3
    assert time.monotonic() - started < 20
    assert "asked to wait 3600 s, more than the 60 s allowed" in one_error(result)


def test_persistent_failure_is_bounded(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    github.add_fault(method="GET", path=r"/issues/\d+/comments$", status=503, times=50)
    started = time.monotonic()
    result = cli("publish", "report")
    assert result.code == 3
    assert time.monotonic() - started < 30
    line = one_error(result)
    assert "GitHub kept failing after several attempts" in line
    attempts = [r for r in github.requests if r.path.endswith(f"/issues/{PR}/comments")]
    assert 2 <= len(attempts) <= 6
    assert step_outputs(actions["output"])["status"] == "fail"  # the summary and outputs still come
    assert actions["summary"].read_text().startswith("## ❌ ML report")


def test_bad_token(
    github: FakeGitHub,
    actions: dict[str, Path],
    report: Path,
    cli: CLI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs_wrong_token_0987654321")
    result = cli("publish", "report")
    assert result.code == 3
    line = one_error(result)
    assert "GitHub rejected the token (401 Bad credentials)" in line
    assert "ghs_wrong_token" not in result.output


def test_unknown_pull_request(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    result = cli("publish", "report", "--pr", "999")
    assert result.code == 3
    assert "not found (404)" in one_error(result)


def test_fork_pull_request_with_a_read_only_token(
    github: FakeGitHub,
    actions: dict[str, Path],
    report: Path,
    cli: CLI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    github.add_repo(REPO, permission="read")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(EVENTS / "pull_request.opened.fork.json"))
    result = cli("publish", "report")
    assert result.code == 3
    line = one_error(result)
    assert "Resource not accessible by integration" in line
    assert "workflow_run" in line
    assert any(out.startswith("::warning title=mlreport::") for out in result.out.splitlines())
    assert step_outputs(actions["output"])["comment-url"] == ""
    assert actions["summary"].read_text().startswith("## ❌ ML report")
    assert not ours(github)

    skipped = cli("publish", "report", "--allow-fork-skip")
    assert skipped.code == 0
    assert "report not posted" in skipped.out


def test_dry_run_sends_nothing(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    result = cli("publish", "report", "--dry-run", "--check")
    assert result.code == 0
    assert github.requests == []
    assert f"would publish to github {REPO} pull request #{PR}" in result.out
    assert "image confusion_matrix.png" in result.out
    assert MARKER in result.out


def test_without_images(
    github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI
) -> None:
    assert cli("publish", "report", "--no-images").code == 0
    (comment,) = ours(github)
    assert image_urls(comment["body"]) == []
    assert (
        "*Confusion matrix: not published here; it is in the report's artifact.*"
        in (comment["body"])
    )
    assert github.branch_files(REPO, "mlreport-assets") == {}


def test_render_and_run_publish_in_one_step(
    github: FakeGitHub, actions: dict[str, Path], workdir: Path, cli: CLI
) -> None:
    write_classification(workdir / "p.csv")
    result = cli("render", "-p", "p.csv", "-o", "out", "--publish", "--id", "render")
    assert result.code == 0, result.output
    script = "import json; json.dump({'accuracy': 0.5}, open('m.json', 'w'))"
    result = cli(
        "run",
        "-o",
        "run",
        "-m",
        "m.json",
        "-g",
        "accuracy >= 0.9",
        "--publish",
        "--id",
        "run",
        "--",
        sys.executable,
        "-c",
        script,
    )
    assert result.code == 1  # the gate failed; publishing worked
    ids = [re.match(r"<!-- mlreport:report id=(\w+)", c["body"]) for c in github.comments(REPO, PR)]
    assert [m.group(1) for m in ids if m] == ["render", "run"]


def test_token_never_printed(
    github: FakeGitHub,
    actions: dict[str, Path],
    report: Path,
    cli: CLI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    captured = [cli("--debug", "publish", "report", "--check")]
    github.add_fault(method="PATCH", path=r"/issues/comments/\d+$", status=500, times=20)
    captured.append(cli("--debug", "publish", "report"))
    captured.append(cli("publish", "report", "--token", "ghs_typed_on_the_command_line_9"))
    monkeypatch.delenv("GITHUB_ACTIONS")
    captured.append(cli("--debug", "publish", "report", "--platform", "github", "--pr", "4040"))
    texts = [r.out + r.err for r in captured]
    texts += [p.read_text() for p in (actions["summary"], actions["output"])]
    texts += [p.read_text() for p in report.iterdir() if p.suffix in (".md", ".json")]
    texts += [c["body"] for c in github.comments(REPO, PR)]
    texts += [json.dumps(github.check_runs(REPO))]
    for text in texts:
        assert GITHUB_TOKEN not in text
        assert "ghs_typed_on_the_command_line_9" not in text
        assert "::add-mask::" not in text
    assert [r.code for r in captured] == [0, 3, 3, 3]


def test_concurrent_publishers_leave_one_comment(
    github: FakeGitHub, actions: dict[str, Path], report: Path, workdir: Path
) -> None:
    github.latency = 0.05  # widen the race window
    env = {**os.environ, "MLREPORT_CHART_WORKERS": "0"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "mlreport", "publish", "report"],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(8)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0] * 8, outputs
    (comment,) = ours(github)
    for url in image_urls(comment["body"]):
        assert fetch(url).startswith(b"\x89PNG")


def test_issue_target(github: FakeGitHub, actions: dict[str, Path], report: Path, cli: CLI) -> None:
    github.add_issue(REPO, 31)
    result = cli("publish", "report", "--issue", "31", "--id", "nightly")
    assert result.code == 0, result.output
    assert "created the report on issue #31" in result.out
    assert cli("publish", "report", "--issue", "31", "--id", "nightly").code == 0
    (comment,) = github.comments(REPO, 31)
    assert comment["body"].startswith("<!-- mlreport:report id=nightly -->")
    assert ours(github) == []  # nothing on the pull request


def test_a_failed_publish_outranks_the_gates_in_run(
    github: FakeGitHub, actions: dict[str, Path], workdir: Path, cli: CLI
) -> None:
    github.add_fault(method="POST", path=r"/issues/\d+/comments$", status=404, times=10)
    script = "import json; json.dump({'accuracy': 0.5}, open('m.json', 'w'))"
    result = cli(
        "run",
        "-o",
        "out",
        "-m",
        "m.json",
        "-g",
        "accuracy >= 0.9",
        "--publish",
        "--no-images",
        "--",
        sys.executable,
        "-c",
        script,
    )
    assert result.code == 3  # the report is not where reviewers look: that comes first
    assert (workdir / "out" / "report.md").is_file()


def test_only_images_inside_the_report_are_uploaded(
    github: FakeGitHub,
    actions: dict[str, Path],
    report: Path,
    cli: CLI,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """report.md may come from a fork: its links must not exfiltrate the job's files."""
    monkeypatch.setenv("SECRET_CANARY", "canary-0123456789")
    (workdir / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"outside")
    (report / "notes.png").write_bytes(b"not an image at all")
    (report / "report.md").write_text(
        "## Report\n\n![env](/proc/self/environ)\n![up](../outside.png)\n![up2](%2E%2E/outside.png)"
        "\n![fake](notes.png)\n![ok](confusion_matrix.png)\n"
    )
    assert cli("publish", "report").code == 0
    files = github.branch_files(REPO, "mlreport-assets")
    assert len(files) == 1  # the one real chart
    for content in files.values():
        assert content.startswith(b"\x89PNG") and b"outside" not in content
        assert b"canary" not in content
    (comment,) = ours(github)
    assert comment["body"].count("not published here") == 4
