"""The release workflow's action job, run as written (its step's shell script, from
.github/workflows/release.yml) in a scratch repository whose origin is a bare one here: the
release commit changes action.yml alone, to pull the pushed image by digest; v1 and v1.2 move
to it only when the release is the newest of theirs; the released action.yml is valid."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_workflows import ROOT, _passes, check_jsonschema, env

__all__ = ["env"]  # the fixture, shared with test_workflows

DIGEST = "sha256:" + "0123456789abcdef" * 4
RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def _step() -> dict[str, Any]:
    workflow = yaml.safe_load(RELEASE.read_text(encoding="utf-8"))
    job = workflow["jobs"]["action"]
    assert job["needs"] == "image" and "digest" in workflow["jobs"]["image"]["outputs"]
    (step,) = [s for s in job["steps"] if "pin_action.py" in s.get("run", "")]
    assert step["env"]["DIGEST"] == "${{ needs.image.outputs.digest }}"
    return step  # type: ignore[no-any-return]


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the real action.yml and scripts/pin_action.py, pushed to a bare
    origin."""
    origin, work = tmp_path / "origin.git", tmp_path / "work"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    (work / "scripts").mkdir()
    shutil.copy(ROOT / "action.yml", work / "action.yml")
    shutil.copy(ROOT / "scripts" / "pin_action.py", work / "scripts" / "pin_action.py")
    git(work, "add", ".")
    git(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "source")
    git(work, "remote", "add", "origin", str(origin))
    git(work, "push", "-q", "origin", "main")
    return work


def release(work: Path, tag: str) -> subprocess.CompletedProcess[str]:
    git(work, "tag", tag)
    git(work, "push", "-q", "origin", f"refs/tags/{tag}")
    step = _step()
    environ = {
        **os.environ,
        "GITHUB_REF_NAME": tag,
        "GITHUB_SHA": git(work, "rev-parse", "HEAD"),
        "GITHUB_REPOSITORY_OWNER": "Acme-Org",
        "DIGEST": DIGEST,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
        cwd=work,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def origin_tag(work: Path, tag: str) -> str | None:
    found = git(work, "ls-remote", "origin", f"refs/tags/{tag}")
    return found.split()[0] if found else None


def test_the_release_commit_pulls_the_image_by_digest(
    repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    source = git(repo, "rev-parse", "HEAD")
    done = release(repo, "v1.2.3")
    released = origin_tag(repo, "v1")
    assert released is not None and released != source
    assert origin_tag(repo, "v1.2") == released
    assert origin_tag(repo, "v1.2.3") == source  # the version tag stays on the source
    git(repo, "fetch", "-q", "origin", "--tags", "--force")
    assert git(repo, "rev-parse", f"{released}^") == source
    assert git(repo, "diff", "--name-only", source, released) == "action.yml"
    before = git(repo, "show", f"{source}:action.yml").splitlines()
    after = git(repo, "show", f"{released}:action.yml").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ("  image: Dockerfile", f'  image: "docker://ghcr.io/acme-org/ml-report@{DIGEST}"')
    ]
    assert yaml.safe_load("\n".join(after))["runs"]["image"].endswith(DIGEST)
    pinned = tmp_path / "action.yml"
    pinned.write_text("\n".join(after) + "\n", encoding="utf-8")
    _passes(check_jsonschema(env, "vendor.github-actions", pinned))
    assert f"v1 now points at {released}" in done.stdout
    assert git(repo, "show", "HEAD:action.yml").count("image: Dockerfile") == 0  # detached


def test_an_older_fix_moves_its_minor_tag_only(repo: Path) -> None:
    release(repo, "v1.5.0")
    v1 = origin_tag(repo, "v1")
    git(repo, "checkout", "-q", "main")
    (repo / "fix.txt").write_text("fix\n", encoding="utf-8")
    git(repo, "add", "fix.txt")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "fix")
    done = release(repo, "v1.4.1")
    assert origin_tag(repo, "v1") == v1
    assert "v1 stays: v1.4.1 is not the newest v1 release" in done.stdout
    v14 = origin_tag(repo, "v1.4")
    assert v14 is not None and v14 != origin_tag(repo, "v1.4.1")


@pytest.mark.parametrize(
    "reference",
    [
        "ghcr.io/acme/ml-report:1.2.3",  # a tag, not a digest
        "ghcr.io/acme/ml-report@sha256:abc",
        "ghcr.io/Acme/ml-report@" + DIGEST,  # upper case: not a valid reference
        "ghcr.io/acme/ml-report@" + DIGEST + "\nimage: x",
    ],
)
def test_pin_action_refuses_what_is_not_a_digest(tmp_path: Path, reference: str) -> None:
    action = tmp_path / "action.yml"
    shutil.copy(ROOT / "action.yml", action)
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pin_action.py"), reference, str(action)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "not IMAGE@sha256" in done.stderr
    assert action.read_text(encoding="utf-8") == (ROOT / "action.yml").read_text(encoding="utf-8")
