"""SIGTERM and SIGINT (what a CI runner sends a cancelled job) as a Cancelled exception.

A signal is only recorded when it comes; it is raised by :meth:`Cancellation.check`, which
the launch calls between requests, and at once if the process is in
:meth:`Cancellation.sleep`. It is never raised inside a client library: botocore turns any
exception raised during a request into an HTTPClientError and retries the request, so a
cancellation raised there would be lost. Only the first signal counts: the second one that
a cancelled Actions job gets must not interrupt the termination that follows the first.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from mlreport.errors import Cancelled

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Cancellation:
    def __init__(self) -> None:
        self.received: int | None = None
        self._sleeping = False
        self._raised = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Cancellation:
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
        if self._sleeping:
            self.check()

    def error(self) -> Cancelled:
        name = signal.Signals(self.received).name if self.received else "a signal"
        return Cancelled(f"cancelled by {name}")

    def check(self) -> None:
        """Raise Cancelled if a signal came (once)."""
        if self.received is not None and not self._raised:
            self._raised = True
            raise self.error()

    def sleep(self, seconds: float) -> None:
        """time.sleep that a signal ends at once, with Cancelled."""
        self.check()
        self._sleeping = True
        try:
            self.check()  # a signal between the first check and the flag
            time.sleep(seconds)
        finally:
            self._sleeping = False

    @contextmanager
    def checked(self) -> Iterator[None]:
        """Check at the end of the block, even over another exception: a RunInstances that
        failed must not hide the cancellation."""
        try:
            yield
        finally:
            self.check()
