"""Run the user's training command, streaming its output and keeping the last lines.

Output is passed through as it comes (stdout and stderr merged, in order), with secrets
from the environment masked; the report keeps the tail, cleaned of terminal escapes.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import BinaryIO

TAIL_LINES = 50
MAX_LINE_CHARS = 400
SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL", re.IGNORECASE
)
MIN_SECRET_LENGTH = 6
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


@dataclass(frozen=True)
class RunResult:
    command: list[str]
    exit_code: int
    duration_s: float
    output_tail: list[str]
    output_lines: int
    error: str | None = None


def secrets_in(environ: Mapping[str, str]) -> list[str]:
    """Values of environment variables whose names say they are secrets, longest first."""
    values = {
        v for k, v in environ.items() if SECRET_NAME.search(k) and len(v) >= MIN_SECRET_LENGTH
    }
    return sorted(values, key=len, reverse=True)


def clean_line(line: str) -> str:
    """What a terminal would show last on the line: escapes removed, after the last \\r."""
    line = _ANSI.sub("", line.rstrip("\r\n"))
    line = line.rsplit("\r", 1)[-1]
    if len(line) > MAX_LINE_CHARS:
        line = line[: MAX_LINE_CHARS - 1] + "…"
    return line


def run_command(
    command: Sequence[str],
    *,
    tail_lines: int = TAIL_LINES,
    stream: BinaryIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> RunResult:
    """Run *command* (no shell), echo its output to *stream*, return its outcome."""
    out = stream if stream is not None else sys.stdout.buffer
    env = dict(os.environ if environ is None else environ)
    secrets = [s.encode() for s in secrets_in(env)]
    tail: deque[str] = deque(maxlen=tail_lines)
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            list(command),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # signals reach it once: from us, not also from the tty
        )
    except FileNotFoundError:
        return RunResult(list(command), 127, 0.0, [], 0, f"command not found: {command[0]}")
    except PermissionError:
        return RunResult(list(command), 126, 0.0, [], 0, f"permission denied: {command[0]}")
    count = 0
    with process:
        previous = _forward_signals(process)
        try:
            assert process.stdout is not None
            for raw in process.stdout:
                for secret in secrets:
                    raw = raw.replace(secret, b"***")
                out.write(raw)
                out.flush()
                tail.append(clean_line(raw.decode("utf-8", errors="replace")))
                count += 1
            code = process.wait()
        finally:
            _restore_signals(previous)
    duration = time.monotonic() - started
    error = None
    if code < 0:
        error = f"killed by signal {signal.Signals(-code).name}"
        code = 128 - code
    return RunResult(list(command), code, round(duration, 3), list(tail), count, error)


Handlers = dict[int, object]


def _forward_signals(process: subprocess.Popen[bytes]) -> Handlers:
    """Pass SIGTERM/SIGINT on to the command's process group, so a cancelled CI job stops
    training (and whatever it started) while mlreport stays to write the report."""

    def forward(signum: int, frame: FrameType | None) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signum)

    previous: Handlers = {}
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(ValueError):  # not the main thread: nothing to forward
            previous[signum] = signal.signal(signum, forward)
    return previous


def _restore_signals(previous: Handlers) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]
