"""Cancellation: SIGTERM/SIGINT are recorded, raised as Cancelled by check() and at once in
sleep(), never inside other code (a library would swallow them), and only once."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from mlreport.errors import Cancelled
from mlreport.runners.signals import Cancellation


def _signal(signum: int = signal.SIGTERM) -> None:
    os.kill(os.getpid(), signum)


def _library_call(done: list[str]) -> None:
    """What botocore does with any exception raised while it sends a request."""
    try:
        _signal()  # Python runs the handler before the next bytecode: it has run by now
    except Exception:  # the point: a library that catches everything
        done.append("swallowed")
        return
    done.append("the call finished")


def _held_over_an_error(cancel: Cancellation) -> None:
    with cancel.checked():
        _signal()
        raise RuntimeError("InsufficientInstanceCapacity")


def test_a_signal_is_recorded_not_raised_inside_a_library_call() -> None:
    done: list[str] = []
    with Cancellation() as cancel:
        _library_call(done)
        assert done == ["the call finished"]
        assert cancel.received == signal.SIGTERM
        with pytest.raises(Cancelled, match="cancelled by SIGTERM"):
            cancel.check()
        cancel.check()  # once only


def test_sleep_ends_at_once_on_a_signal() -> None:
    with Cancellation() as cancel:
        timer = threading.Timer(0.2, _signal, (signal.SIGINT,))
        timer.start()
        started = time.monotonic()
        with pytest.raises(Cancelled, match="cancelled by SIGINT"):
            cancel.sleep(30)
        assert time.monotonic() - started < 5
        timer.join()


def test_checked_raises_the_signal_over_another_exception() -> None:
    with Cancellation() as cancel, pytest.raises(Cancelled) as raised:
        _held_over_an_error(cancel)
    assert isinstance(raised.value.__context__, RuntimeError)


def test_the_second_signal_changes_nothing() -> None:
    with Cancellation() as cancel:
        _signal(signal.SIGINT)
        _signal(signal.SIGTERM)  # the runner's SIGTERM after its SIGINT
        assert cancel.received == signal.SIGINT
        with pytest.raises(Cancelled, match="SIGINT"):
            cancel.check()
        cancel.sleep(0)  # nothing left to raise: the termination goes on


def test_handlers_are_restored() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with Cancellation():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
