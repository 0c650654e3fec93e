"""SIGTERM and SIGINT (what a CI runner sends a cancelled job) as a Cancelled exception.

Only the first signal raises: a second one, while the instance is being terminated, must not
interrupt the termination. Inside :meth:`Cancellation.deferred` (the RunInstances call,
whose instance id is not known until it returns) the signal is held and raised at its end;
inside :meth:`Cancellation.shielded` (undoing a launch) it is only recorded.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from mlreport.errors import Cancelled

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Cancellation:
    def __init__(self) -> None:
        self.received: int | None = None
        self._deferring = 0
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
        if self.received is not None:
            return  # already cancelling
        self.received = signum
        if not self._deferring:
            self._raised = True
            raise self.error()

    def error(self) -> Cancelled:
        name = signal.Signals(self.received).name if self.received else "a signal"
        return Cancelled(f"cancelled by {name}")

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold a signal until the block ends, then raise it, even over another exception
        (a RunInstances that failed must not swallow the cancellation)."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
            if self.received is not None and not self._deferring and not self._raised:
                self._raised = True
                raise self.error()

    @contextmanager
    def shielded(self) -> Iterator[None]:
        """Undoing a launch: a signal now is recorded, never raised (nothing must interrupt
        the termination)."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
