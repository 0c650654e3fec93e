"""The chart worker pool forks only while the process is single-threaded."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mlreport.charts.pool import ChartPool, run_jobs, worker_count


def test_no_pool_once_numpy_runs_threads() -> None:
    import numpy  # noqa: F401  (its BLAS pool is what makes forking unsafe)

    assert ChartPool.start(workers=2) is None


def test_jobs_run_here_without_a_pool() -> None:
    wait = run_jobs([(pow, (2, 10)), (pow, (3, 2))], None)
    assert wait() == [1024, 9]


@pytest.mark.parametrize(("value", "count"), [("0", 0), ("2", 2), ("nonsense", 0), ("-1", 0)])
def test_worker_count_from_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, count: int
) -> None:
    monkeypatch.setenv("MLREPORT_CHART_WORKERS", value)
    assert worker_count() == count


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the pool runs on Linux only")
def test_pool_runs_jobs_in_worker_processes() -> None:
    """In a fresh interpreter (single-threaded), jobs run in forked workers, in order."""
    code = (
        "import os\n"
        "from mlreport.charts.pool import chart_pool, run_jobs\n"
        "with chart_pool() as pool:\n"
        "    assert pool is not None\n"
        "    wait = run_jobs([(os.getpid, ()), (os.getpid, ()), (abs, (-3,))], pool)\n"
        "    pids = wait()\n"
        "print(pids[2], os.getpid() not in pids[:2])\n"
    )
    env = {"MLREPORT_CHART_WORKERS": "2", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out.split() == ["3", "True"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the pool runs on Linux only")
def test_a_failing_job_is_reported_and_the_others_drawn() -> None:
    code = (
        "from mlreport.charts.pool import chart_pool, run_jobs\n"
        "with chart_pool() as pool:\n"
        "    failed, drawn = run_jobs([(int, ('x',)), (int, ('1',))], pool)()\n"
        "print('failed', failed.function, failed.error, 'drawn', drawn)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"MLREPORT_CHART_WORKERS": "2"},
    ).stdout
    assert out.startswith("failed int ValueError: invalid literal for int()")
    assert out.strip().endswith("drawn 1")
