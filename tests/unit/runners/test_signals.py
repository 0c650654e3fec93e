"""Cancellation: SIGTERM/SIGINT become Cancelled, held inside deferred(), never raised
inside shielded(), and only once."""

from __future__ import annotations

import os
import signal

import pytest

from mlreport.errors import Cancelled
from mlreport.runners.signals import Cancellation


def _signal(signum: int = signal.SIGTERM) -> None:
    os.kill(os.getpid(), signum)


def _interrupted(cancel: Cancellation, done: list[str]) -> None:
    _signal(signal.SIGINT)
    done.append("not interrupted")


def _held(cancel: Cancellation, done: list[str]) -> None:
    with cancel.deferred():
        _signal()
        done.append("the call finished")  # e.g. RunInstances returned an instance id
        done.append("and was recorded")
    done.append("not raised at the end of the block")


def _held_over_an_error(cancel: Cancellation, done: list[str]) -> None:
    with cancel.deferred():
        _signal()
        raise RuntimeError("InsufficientInstanceCapacity")


def test_a_signal_raises_cancelled_at_once() -> None:
    done: list[str] = []
    with Cancellation() as cancel, pytest.raises(Cancelled, match="cancelled by SIGINT"):
        _interrupted(cancel, done)
    assert done == []


def test_deferred_holds_the_signal_until_the_block_ends() -> None:
    done: list[str] = []
    with Cancellation() as cancel, pytest.raises(Cancelled, match="SIGTERM"):
        _held(cancel, done)
    assert done == ["the call finished", "and was recorded"]


def test_deferred_raises_the_signal_over_another_exception() -> None:
    with Cancellation() as cancel, pytest.raises(Cancelled) as raised:
        _held_over_an_error(cancel, [])
    assert isinstance(raised.value.__context__, RuntimeError)


def test_only_the_first_signal_raises_and_shielded_never_does() -> None:
    undone = []
    with Cancellation() as cancel:
        try:
            _signal()
        except Cancelled:
            with cancel.shielded():
                _signal()  # the runner's SIGTERM after SIGINT, during the termination
                undone.append("terminated")
            with cancel.deferred():
                pass  # already cancelled: not raised a second time
    assert undone == ["terminated"]


def test_handlers_are_restored() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with Cancellation():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
