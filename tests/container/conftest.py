"""Podman and the action's image for the container smoke tests (docs/container.md).

``podman``: podman set up by ``scripts/container-tools`` (installed with apt-get when missing,
configured, the stand-in base image built or loaded from its cache). The tests are skipped, with
the reason in pytest's summary, only when podman cannot be made available at all (not root, no
apt-get); every other failure of the set-up is an error.

``image``: the image built from the repository's Dockerfile, as the runner builds
``image: Dockerfile`` (``--pull=never``: the base is the stand-in; the host's CA bundle is
mounted for pip).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.container.podman import Podman

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "scripts" / "container-tools"
IMAGE = "localhost/mlreport-action:test"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Set by scripts/test when container-tools reported that podman cannot be installed here.
SKIP_VARIABLE = "CONTAINER_TESTS_SKIP"


def _setup_podman() -> dict[str, str]:
    """The environment to run podman with, or skip (podman cannot be had here), or fail."""
    reason = os.environ.get(SKIP_VARIABLE)
    if reason:
        pytest.skip(reason)
    try:
        proc = subprocess.run(
            [str(TOOLS), "setup"], capture_output=True, text=True, timeout=1800, check=False
        )
    except OSError as exc:
        pytest.fail(f"cannot run {TOOLS}: {exc}")
    values = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    if proc.returncode == 2 and SKIP_VARIABLE in values:
        pytest.skip(values[SKIP_VARIABLE])
    if proc.returncode != 0:
        pytest.fail(f"scripts/container-tools failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return {**os.environ, **values}


@pytest.fixture(scope="session")
def podman() -> Podman:
    return Podman(_setup_podman())


@pytest.fixture(scope="session")
def image(podman: Podman) -> str:
    """The action's image, built from the repository (layers cached between runs)."""
    volume = ["-v", f"{CA_BUNDLE}:{CA_BUNDLE}:ro"] if CA_BUNDLE.is_file() else []
    proc = subprocess.run(
        ["podman", "build", "--pull=never", *volume, "-t", IMAGE, "."],
        cwd=REPO,
        env=podman.env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"podman build failed ({proc.returncode}):\n{(proc.stdout + proc.stderr)[-6000:]}"
        )
    prune(podman, set(re.findall(r"^--> (?:Using cache )?([0-9a-f]{11,64})$", proc.stdout, re.M)))
    return IMAGE


def prune(podman: Podman, keep: set[str]) -> None:
    """Remove the untagged images (layers) the last build did not use, such as those an
    earlier build made before src/ changed (~600 MB each). Dangling images are untagged ones
    without children; removing them leaves their parents dangling, hence the passes."""
    if not keep:  # the build's output did not show its images: prune nothing
        return
    previous: list[str] = []
    while True:
        listing = podman("images", "--all", "--no-trunc", "--format", "{{.ID}} {{.Dangling}}")
        stale = [
            image_id
            for image_id, dangling in (line.split() for line in listing.out.splitlines())
            if dangling == "true"
            and not any(image_id.removeprefix("sha256:").startswith(k) for k in keep)
        ]
        if not stale or stale == previous:
            return
        podman("rmi", *stale, check=False)
        previous = stale
