"""Run the user's training command, streaming its output and keeping the last lines.

Output is passed through as it comes (stdout and stderr merged, in order), secrets masked
(:mod:`mlreport.redact`); the report keeps the tail, cleaned of terminal escapes. Every
wait is bounded, so that ``run`` always gets to write the report:

- the output is read until the command exits, then at most :data:`READ_GRACE` seconds more
  (a background process, or one in a new session, may hold the stream open for hours);
- SIGTERM/SIGINT (a cancelled CI job) go to the command's whole process group; a group
  still running :data:`KILL_GRACE` seconds later gets SIGKILL; so does a spot interruption
  notice (:mod:`mlreport.notice`): the instance goes two minutes later;
- a line without a newline is passed on in pieces: memory stays bounded by
  :data:`CHUNK` + :data:`MAX_PENDING`, whatever the command prints.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import BinaryIO

from mlreport import notice, redact

TAIL_LINES = 50
MAX_LINE_CHARS = 400
READ_GRACE = 2.0  # seconds the output is still read after the command exited
KILL_GRACE = 5.0  # seconds between passing on SIGTERM/SIGINT and SIGKILL
CHUNK = 1 << 16
MAX_PENDING = 1 << 16  # bytes of a line without a newline held back before passing it on
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


@dataclass(frozen=True)
class RunResult:
    command: list[str]  # as shown: secrets masked
    exit_code: int
    duration_s: float
    output_tail: list[str]
    output_lines: int
    error: str | None = None


def clean_line(line: str) -> str:
    """What a terminal would show last on the line: escapes removed, after the last \\r."""
    line = _ANSI.sub("", line.rstrip("\r\n"))
    line = line.rsplit("\r", 1)[-1]
    if len(line) > MAX_LINE_CHARS:
        line = line[: MAX_LINE_CHARS - 1] + "…"
    return line


def signal_name(number: int) -> str:
    """``SIGTERM``, and for real-time signals ``SIGRTMIN+6``."""
    try:
        return signal.Signals(number).name
    except ValueError:
        low, high = getattr(signal, "SIGRTMIN", 0), getattr(signal, "SIGRTMAX", -1)
        return f"SIGRTMIN+{number - low}" if low <= number <= high else f"signal {number}"


def run_command(
    command: Sequence[str],
    *,
    tail_lines: int = TAIL_LINES,
    stream: BinaryIO | None = None,
    environ: Mapping[str, str] | None = None,
    tick: Callable[[float, Sequence[str]], None] | None = None,
) -> RunResult:
    """Run *command* (no shell), echo its output to *stream*, return its outcome; *tick*
    (``run --live``) gets the time so far and the last lines, often."""
    out = stream if stream is not None else sys.stdout.buffer
    redactor = redact.current()
    shown = redactor.argv(command)
    env = dict(os.environ if environ is None else environ)
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            list(command),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group: signals reach all of it, once
        )
    except FileNotFoundError:
        return RunResult(shown, 127, 0.0, [], 0, f"command not found: {command[0]}")
    except PermissionError:
        return RunResult(shown, 126, 0.0, [], 0, f"permission denied: {command[0]}")
    except OSError as exc:
        return RunResult(shown, 126, 0.0, [], 0, f"cannot run {command[0]}: {exc.strerror}")
    output = _Output(out, redactor, tail_lines)
    guard = _Signals(process, notice.location(env))
    with process, guard:
        assert process.stdout is not None
        watch = (lambda now: tick(now - started, output.tail)) if tick else None
        stopped, exited = _pump(process, process.stdout.fileno(), output, guard, watch)
        code = _wait(process, guard)
    output.finish()
    duration = (exited or time.monotonic()) - started
    notes = []
    if code < 0:
        notes.append(f"killed by signal {signal_name(-code)}")
        code = 128 - code
    if guard.notice:
        notes.append(f"stopped: {guard.notice}; the job was interrupted")
    if guard.killed:
        notes.append(f"SIGKILL after {KILL_GRACE:g} s: it did not stop on {guard.received}")
    if stopped:
        notes.append(
            f"its output was read until {READ_GRACE:g} s after it exited (a process it "
            "started still holds the output open)"
        )
    return RunResult(
        shown,
        code,
        round(duration, 3),
        list(output.tail),
        output.lines,
        "; ".join(notes) or None,
    )


class _Output:
    """The command's bytes: passed on redacted, counted, the last lines kept."""

    def __init__(self, out: BinaryIO, redactor: redact.Redactor, tail_lines: int) -> None:
        self.out = out
        self.redactor = redactor
        self.tail: deque[str] = deque(maxlen=tail_lines)
        self.lines = 0
        self._pending = b""  # bytes not passed on yet: the end of an unfinished line
        self._partial = ""  # the unfinished line's text, for the tail (bounded)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes) -> None:
        self._pending += data
        cut = self._pending.rfind(b"\n") + 1
        if cut:
            self._emit(self._pending[:cut])
            self._pending = self._pending[cut:]
        if len(self._pending) > MAX_PENDING:  # a line without end: pass it on in pieces,
            masked = self.redactor.bytes(self._pending)  # holding back what might be
            keep = self.redactor.longest  # a secret's start
            self._emit(masked[: len(masked) - keep])
            self._pending = masked[len(masked) - keep :]

    def finish(self) -> None:
        self._emit(self._pending, final=True)
        self._pending = b""
        if self._partial:
            self._line("")

    def _emit(self, data: bytes, *, final: bool = False) -> None:
        data = self.redactor.bytes(data)
        if data:
            with contextlib.suppress(OSError, ValueError):  # a closed or broken stdout
                self.out.write(data)
                self.out.flush()
        *ended, rest = self._decoder.decode(data, final=final).split("\n")
        for piece in ended:
            self._line(piece)
        self._partial = _bounded(self._partial + rest)

    def _line(self, piece: str) -> None:
        self.tail.append(clean_line(self._partial + piece))
        self._partial = ""
        self.lines += 1


def _bounded(text: str) -> str:
    """Enough of an unfinished line for :func:`clean_line`: what follows its last \\r,
    at most a few times what the report shows."""
    if "\r" in text:
        text = text.rsplit("\r", 1)[-1]
    return text[: 4 * MAX_LINE_CHARS]


def _pump(
    process: subprocess.Popen[bytes],
    fd: int,
    output: _Output,
    guard: _Signals,
    watch: Callable[[float], None] | None = None,
) -> tuple[bool, float | None]:
    """Read the output until it ends, or :data:`READ_GRACE` after the command exited.
    Returns whether it was cut off so, and when the command was seen to exit."""
    os.set_blocking(fd, False)
    exited_at: float | None = None
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            guard.escalate(now)
            if watch is not None and exited_at is None:
                watch(now)
            if exited_at is None and process.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at >= READ_GRACE:
                return True, exited_at
            wait = 0.1 if exited_at is None else max(0.0, exited_at + READ_GRACE - now)
            if not selector.select(min(wait, 0.1)):
                continue
            try:
                data = os.read(fd, CHUNK)
            except BlockingIOError:
                continue
            if not data:
                return False, exited_at
            output.feed(data)


def _wait(process: subprocess.Popen[bytes], guard: _Signals) -> int:
    """The command's exit status; a command that closed its output but runs on is waited
    for, still within the signal rules."""
    while True:
        try:
            return process.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            guard.escalate(time.monotonic())


class _Signals:
    """SIGTERM/SIGINT passed on to the command's process group while it runs, mlreport
    staying to write the report; SIGKILL for the group if it is still there later."""

    def __init__(self, process: subprocess.Popen[bytes], notice: Path | None = None) -> None:
        self.process = process
        self.received: str | None = None
        self.at: float | None = None
        self.killed = False
        self.notice: str | None = None  # a spot interruption notice, once seen
        self._previous: dict[int, object] = {}
        self._watch, self._looked = notice, 0.0

    def __enter__(self) -> _Signals:
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(ValueError):  # not the main thread: nothing to forward
                self._previous[signum] = signal.signal(signum, self._forward)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]

    def _forward(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received, self.at = signal_name(signum), time.monotonic()
        self._group(signum)

    def escalate(self, now: float) -> None:
        if self._watch is not None and self.notice is None and now - self._looked >= 1.0:
            self._looked = now
            self.notice = notice.read(self._watch)  # the machine goes in two minutes: stop
            if self.notice is not None and self.received is None:
                self.received, self.at = "a spot interruption notice", now
                self._group(signal.SIGTERM)
        due = self.at is not None and not self.killed and now - self.at >= KILL_GRACE
        if due and (self.process.poll() is None or self._group_alive()):
            self.killed = self._group(signal.SIGKILL)

    def _group(self, signum: int) -> bool:
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def _group_alive(self) -> bool:
        return self._group(0)  # signal 0: only whether the group is there


@contextlib.contextmanager
def shielded() -> Iterator[list[str]]:
    """While the report of a finished command is written: SIGTERM and SIGINT (the second
    signal of a cancelled CI job) are recorded in the list yielded, not fatal."""
    received: list[str] = []
    previous: dict[int, object] = {}

    def record(signum: int, frame: FrameType | None) -> None:
        received.append(signal_name(signum))

    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(ValueError):  # not the main thread
            previous[signum] = signal.signal(signum, record)
    try:
        yield received
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]


def working_directory_back(path: str) -> str | None:
    """Make *path* the working directory again if the command deleted it (so that the
    report, relative to it, can be written); returns what to tell the user, or None."""
    if os.path.isdir(path):
        with contextlib.suppress(OSError):
            if os.path.samefile(os.getcwd(), path):
                return None
    try:
        os.makedirs(path, exist_ok=True)
        os.chdir(path)
    except OSError as exc:
        return (
            f"the command removed the working directory {path}, and it cannot be made "
            f"again ({exc.strerror})"
        )
    return f"the command removed the working directory {path}: made it again for the report"
