"""SIGTERM and SIGINT (what a CI runner sends a cancelled job) as a Cancelled exception.

Only the first signal raises: a second one, while the instance is being terminated, must not
interrupt the termination. Inside :meth:`Cancellation.deferred` (the RunInstances call,
whose instance id is not known until it returns) the signal is held and raised at its end.
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
            raise self.error()

    def error(self) -> Cancelled:
        name = signal.Signals(self.received).name if self.received else "a signal"
        return Cancelled(f"cancelled by {name}")

    @contextmanager
    def deferred(self) -> Iterator[None]:
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
        if self.received is not None and not self._deferring:
            raise self.error()
