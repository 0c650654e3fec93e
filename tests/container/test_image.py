"""Smoke tests of the action's image (docs/container.md): built from the repository's
Dockerfile with podman, run as the GitHub Actions runner runs a container action and as a
GitLab CI job runs an image, against the fake platforms on the host."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from mlreport import __version__
from tests.container import runner
from tests.container.podman import Podman, Run
from tests.container.project import BASELINE, make_project
from tests.fakes.fixtures import GITLAB_PROJECT, GITLAB_TOKEN, MR_IID, MR_SHA
from tests.fakes.github import FakeGitHub
from tests.fakes.gitlab import FakeGitLab
from tests.helpers import MARKER, fetch, image_urls, step_outputs

pytestmark = pytest.mark.container

MAX_IMAGE_BYTES = 600 * 1000 * 1000

# --- the image ------------------------------------------------------------------------------------


def test_image_size(podman: Podman, image: str) -> None:
    size = int(podman("image", "inspect", "--format", "{{.Size}}", image).out)
    assert size <= MAX_IMAGE_BYTES, f"the image is {size / 1e6:.0f} MB, over 600 MB"


def test_image_contents(podman: Podman, image: str) -> None:
    """mlreport runs; no compiler, pip cache, apt lists or build leftovers were kept."""
    script = r"""
        mlreport --version
        for tool in gcc cc c++ g++ clang tcc make; do
          command -v "$tool" >/dev/null && echo "compiler: $tool"
        done
        find / -xdev -type d \( -path '*/.cache/pip' -o -path /install -o -path /src \) \
          -printf 'leftover: %p\n'
        find /var/lib/apt/lists -mindepth 1 -not -name lock -not -name partial \
          -printf 'apt list: %p\n'
        true
    """
    run = podman.run_container(["--network", "none"], image, ["sh", "-c", script])
    assert run.code == 0, run.output
    assert run.out.splitlines() == [f"mlreport, version {__version__}"], run.output
    default = podman.run_container(["--network", "none"], image)  # CMD: mlreport --help
    assert default.code == 0, default.output
    assert default.out.startswith("Usage: mlreport"), default.output


def test_image_has_the_aws_clients_the_runner_needs(podman: Podman, image: str) -> None:
    """botocore's models are trimmed to what `mlreport runner` and AWS credentials use."""
    script = (
        "import boto3\n"
        "for name in ('ec2', 'ssm', 'sts', 'sso', 'sso-oidc'):\n"
        "    boto3.client(name, region_name='us-east-1').close()\n"
        "try:\n"
        "    boto3.client('s3', region_name='us-east-1')\n"
        "except Exception as exc:\n"
        "    print('s3:', type(exc).__name__)\n"
    )
    run = podman.run_container(["--network", "none"], image, ["python", "-c", script])
    assert run.code == 0, run.output
    assert run.out.splitlines() == ["s3: UnknownServiceError"], run.output


# --- the GitHub Action ----------------------------------------------------------------------------


def run_action(
    podman: Podman,
    image: str,
    github: FakeGitHub,
    root: Path,
    *,
    wrong: int,
    inputs: dict[str, str] | None = None,
) -> tuple[runner.Job, str, Run]:
    """The README's quick-start step on a pull_request event, as the runner runs it; returns
    the job's directories, the checkout's commit and the run."""
    github.add_repo(runner.REPOSITORY, permission="write")
    github.add_pull(runner.REPOSITORY, runner.PULL, head_sha=runner.HEAD_SHA)
    workspace = root / "Hello-World"
    sha = make_project(workspace, wrong=wrong)
    job = runner.prepare_job(root / "_temp", workspace)
    runner.chown(workspace, runner.RUNNER_UID)
    return job, sha, _start(podman, image, github, job, sha, inputs or {})


def _start(
    podman: Podman,
    image: str,
    github: FakeGitHub,
    job: runner.Job,
    sha: str,
    inputs: dict[str, str],
) -> Run:
    step = runner.quick_start()
    variables = {
        **runner.input_variables({**step.with_, **inputs}, github.token),
        **runner.runner_variables(
            job, api_url=github.api_url, server_url=github.server_url, sha=sha, step_id=step.step_id
        ),
    }
    options = runner.docker_run_options(job, variables)
    return podman.run_container(options, image, env=variables)


def ours(github: FakeGitHub) -> list[dict[str, Any]]:
    return [c for c in github.comments(runner.REPOSITORY, runner.PULL) if MARKER in c["body"]]


def assert_token_masked(run: Run, token: str) -> None:
    """Not in the output in any form: not even in an ::add-mask:: line (Actions masks the
    secrets it passes; that line would carry the token into any log that tees the output)."""
    assert token not in run.output, run.output
    assert "::add-mask::" not in run.output, run.output


def test_action_on_a_pull_request(
    podman: Podman, image: str, github: FakeGitHub, tmp_path: Path
) -> None:
    job, _, run = run_action(podman, image, github, tmp_path, wrong=5)
    assert run.code == 0, run.output
    assert "trained: {'accuracy': 0.95" in run.output  # the `run` input ran in the container
    assert "dubious ownership" not in run.output
    # ... which the entrypoint's safe.directory avoids: git alone refuses the runner's checkout.
    plain = podman.run_container(
        ["--network", "none", "-v", f"{job.workspace}:/github/workspace", "-e", "HOME=/tmp"],
        image,
        ["git", "-C", "/github/workspace", "rev-parse", "HEAD"],
    )
    assert plain.code != 0
    assert "dubious ownership" in plain.err

    (comment,) = ours(github)
    assert comment["body"].startswith(MARKER + "\n## ✅ ML report: all 2 gates")
    assert "baseline origin/main" in comment["body"]  # git read main's metrics in the mount
    urls = image_urls(comment["body"])
    assert urls, comment["body"]
    for url in urls:  # hosted on the assets branch, pinned to its commit, and they resolve
        assert url.startswith(f"{github.server_url}/{runner.REPOSITORY}/blob/"), url
        assert fetch(url).startswith(b"\x89PNG")

    outputs = step_outputs(job.output)
    assert outputs.keys() == runner.action()["outputs"].keys()
    assert outputs == {
        "report-path": "report/report.md",
        "comment-url": comment["html_url"],
        "status": "pass",
        "gates-failed": "0",
        "gates-skipped": "0",
    }
    summary = job.summary.read_text(encoding="utf-8")
    assert summary.startswith("## ✅ ML report: all 2 gates")
    assert "### Gates" in summary
    assert image_urls(summary) == urls

    report = job.workspace / "report"
    assert {p.name for p in report.iterdir()} >= {"report.md", "report.json"}
    assert list(report.glob("*.png"))
    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert json.dumps(BASELINE["f1_macro"]) in json.dumps(data)  # the baseline value is in it
    assert_token_masked(run, github.token)


def test_failing_gates_decide_the_exit_code(
    podman: Podman, image: str, github: FakeGitHub, tmp_path: Path
) -> None:
    job, sha, failed = run_action(podman, image, github, tmp_path, wrong=20)
    assert failed.code == 1, failed.output
    outputs = step_outputs(job.output)
    assert (outputs["status"], outputs["gates-failed"]) == ("fail", "2")
    (comment,) = ours(github)
    assert comment["body"].startswith(MARKER + "\n## ❌ ML report: 2 of 2 gates failed")
    assert_token_masked(failed, github.token)

    # The same step with fail_on_gates: false only reports, and updates the same comment.
    job.output.write_text("")
    reported = _start(podman, image, github, job, sha, {"fail_on_gates": "false"})
    assert reported.code == 0, reported.output
    outputs = step_outputs(job.output)
    assert (outputs["status"], outputs["gates-failed"]) == ("fail", "2")
    assert_token_masked(reported, github.token)
    (again,) = ours(github)
    assert again["id"] == comment["id"]
    assert outputs["comment-url"] == again["html_url"]


# --- a GitLab CI job ------------------------------------------------------------------------------


def test_gitlab_merge_request_job(
    podman: Podman, image: str, gitlab: FakeGitLab, tmp_path: Path
) -> None:
    """``image: …`` plus a ``script:`` in a merge request pipeline: the runner starts the image
    with the job's shell and CI_* variables, in a clone under /builds."""
    project_dir = f"/builds/{GITLAB_PROJECT}"
    checkout = tmp_path / "proj"
    make_project(checkout, wrong=5)
    variables = {
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_SERVER_URL": gitlab.url,
        "CI_API_V4_URL": f"{gitlab.url}/api/v4",
        "CI_PROJECT_PATH": GITLAB_PROJECT,
        "CI_PROJECT_ID": "42",
        "CI_PROJECT_DIR": project_dir,
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_MERGE_REQUEST_IID": str(MR_IID),
        "CI_MERGE_REQUEST_PROJECT_PATH": GITLAB_PROJECT,
        "CI_MERGE_REQUEST_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
        "CI_COMMIT_SHA": MR_SHA,
        "CI_JOB_TOKEN": gitlab.job_token or "",
        "GITLAB_TOKEN": GITLAB_TOKEN,
    }
    script = shlex.join(
        [
            "mlreport", "run", "--publish", "-o", "report",
            "-m", "metrics.json", "-p", "predictions.csv", "--baseline", "origin/main",
            "-g", "accuracy >= 0.90", "-g", "f1_macro >= baseline - 0.01",
            "--openmetrics", "metrics.txt",
            "--", "python", "train.py",
        ]
    )  # fmt: skip
    options = ["--network", "host", "-v", f"{checkout}:{project_dir}", "-w", project_dir]
    for name in variables:
        options += ["-e", name]
    run = podman.run_container(options, image, ["sh", "-c", script], env=variables)
    assert run.code == 0, run.output
    assert GITLAB_TOKEN not in run.output

    notes = [n for n in gitlab.notes(GITLAB_PROJECT, MR_IID) if MARKER in n["body"]]
    (note,) = notes
    assert note["body"].startswith(MARKER + "\n## ✅ ML report: all 2 gates")
    uploads = gitlab.uploads(GITLAB_PROJECT)
    links = image_urls(note["body"])
    assert links
    assert sorted(links) == sorted(u["url"] for u in uploads)
    for upload in uploads:
        assert fetch(gitlab.url + upload["full_path"]) == upload["content"]

    # artifacts:reports:metrics reads OpenMetrics text: one `name value` line per metric.
    lines = (checkout / "metrics.txt").read_text(encoding="utf-8").splitlines()
    assert "accuracy 0.95" in lines
    assert all(re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]* \S+", line) for line in lines), lines
