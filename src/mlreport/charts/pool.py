"""Chart-drawing worker processes, forked early so charts draw in parallel.

matplotlib costs a third of a second to import and most of a report's time to draw text.
A :class:`ChartPool` forks its workers while the process is still single-threaded (before
NumPy starts its BLAS threads: forking a threaded process can deadlock the child), and each
worker imports matplotlib straight away, while the main process reads and evaluates the
inputs.  Charts are then drawn side by side, and the report is identical to a sequential run.

Only on Linux with two or more CPUs; elsewhere, or when ``MLREPORT_CHART_WORKERS=0``,
charts are drawn in the main process.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

ChartJob = tuple[Callable[..., Any], tuple[Any, ...]]

MAX_WORKERS = 3


def _single_threaded() -> bool:
    """No other thread, Python or native (e.g. NumPy's BLAS pool), runs in this process."""
    if threading.active_count() > 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return "numpy" not in sys.modules


def _warm_up() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt stops
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # and terminate() must stop a worker, even
    # one forked while the parent shields the report from SIGTERM
    from mlreport.charts import confusion, curves, history, regression  # noqa: F401
    from mlreport.charts.figure import figure

    with figure(1, 1) as fig:  # load the font and build the text caches once
        fig.text(0.5, 0.5, "0.9")
        fig.canvas.draw()


@dataclass(frozen=True)
class Failed:
    """A chart that could not be drawn (its data broke matplotlib, or its file could not be
    written): the report goes on without it, and says so."""

    function: str
    error: str


def _call(job: ChartJob) -> Any:
    function, args = job
    try:
        return function(*args)
    except Exception as exc:  # data can break matplotlib in more ways than can be listed
        return Failed(getattr(function, "__name__", "chart"), f"{type(exc).__name__}: {exc}")


def worker_count() -> int:
    wanted = os.environ.get("MLREPORT_CHART_WORKERS")
    if wanted is not None:
        try:
            return max(0, int(wanted))
        except ValueError:
            return 0
    cpus = os.cpu_count() or 1
    return min(MAX_WORKERS, cpus) if cpus > 1 else 0  # the main process mostly waits meanwhile


class ChartPool:
    """A running pool; :meth:`run` draws jobs in it (``None`` pool: in this process)."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    @classmethod
    def start(cls, workers: int | None = None) -> ChartPool | None:
        count = worker_count() if workers is None else workers
        if count < 1 or not sys.platform.startswith("linux"):
            return None
        if not _single_threaded():
            return None  # too late to fork safely
        import multiprocessing

        context = multiprocessing.get_context("fork")
        return cls(context.Pool(count, initializer=_warm_up))

    def submit(self, jobs: Sequence[ChartJob]) -> Callable[[], list[Any]]:
        """Start *jobs*; the returned function waits for their results, in order."""
        pending = self._pool.map_async(_call, list(jobs), chunksize=1)
        return lambda: list(pending.get())

    def terminate(self) -> None:
        self._pool.terminate()
        self._pool.join()


@contextmanager
def chart_pool(enabled: bool = True) -> Iterator[ChartPool | None]:
    """A pool for the duration of a command (``None`` when it cannot or should not run).

    On the way out the workers are terminated rather than joined: every result has been
    collected by then, and a worker's interpreter teardown (matplotlib loaded) is slow.
    """
    pool = ChartPool.start() if enabled else None
    try:
        yield pool
    finally:
        if pool is not None:
            pool.terminate()


def run_jobs(jobs: Sequence[ChartJob], pool: ChartPool | None) -> Callable[[], list[Any]]:
    """Draw *jobs* in *pool* when there is one and more than one job, else here."""
    if pool is not None and len(jobs) > 1:
        return pool.submit(jobs)
    results = [_call(job) for job in jobs]
    return lambda: results
