"""Running podman with the configuration scripts/container-tools wrote."""

from __future__ import annotations

import contextlib
import subprocess
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pytest


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def output(self) -> str:
        return self.out + self.err


@dataclass
class Podman:
    """``podman(...)`` runs podman with the configuration of scripts/container-tools."""

    env: dict[str, str] = field(repr=False)

    def __call__(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        timeout: float = 300,
        check: bool = True,
    ) -> Run:
        started = time.monotonic()
        proc = subprocess.run(
            ["podman", *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        run = Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)
        if check and run.code != 0:
            pytest.fail(f"podman {' '.join(args[:3])} … exited {run.code}:\n{run.output[-4000:]}")
        return run

    def run_container(
        self,
        options: Sequence[str],
        image: str,
        command: Sequence[str] = (),
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 300,
    ) -> Run:
        """``podman run --rm`` with a unique name; a container left running by a timeout is
        removed."""
        name = f"mlreport-test-{uuid.uuid4().hex[:12]}"
        try:
            return self(
                "run", "--rm", "--name", name, *options, image, *command,
                env=env, timeout=timeout, check=False,
            )  # fmt: skip
        finally:
            with contextlib.suppress(subprocess.TimeoutExpired):
                subprocess.run(
                    ["podman", "rm", "--force", "--ignore", name],
                    env=self.env,
                    capture_output=True,
                    timeout=60,
                    check=False,
                )
