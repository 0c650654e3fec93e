"""Timing the command line for the benches: wall time, peak memory, medians of interleaved
runs (the machine is shared: load changes hit every command alike)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

MLREPORT = [sys.executable, "-m", "mlreport"]
Row = tuple[str, str, str, str]  # figure, measured, bar, result


def timed(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def peak(
    command: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Wall time and the peak resident memory (MB) of the largest process *command* starts."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, *command],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1]) / 1024


def median_of(
    runs: int, command: Sequence[str], cwd: Path, env: dict[str, str] | None = None
) -> float:
    return statistics.median(timed(command, cwd, env) for _ in range(runs))


def rounds(
    runs: int,
    commands: Sequence[Sequence[str]],
    cwd: Path,
    also: Callable[[], float] | None = None,
) -> list[list[float]]:
    """Each command's times over *runs* rounds (after one warm-up run each), the commands
    run in turn in every round -- and *also*'s seconds, measured in the same rounds, last."""
    for command in commands:
        timed(command, cwd)
    times: list[list[float]] = [[] for _ in range(len(commands) + (also is not None))]
    for _ in range(runs):
        for command, seconds in zip(commands, times, strict=False):
            seconds.append(timed(command, cwd))
        if also is not None:
            times[-1].append(also())
    return times


def median_difference(a: list[float], b: list[float], *rest: list[float]) -> float:
    """The median over the rounds of a - b (- each of *rest*): what one command adds to
    another, measured under the same load."""
    added = [x - y - sum(r[i] for r in rest) for i, (x, y) in enumerate(zip(a, b, strict=True))]
    return statistics.median(added)
