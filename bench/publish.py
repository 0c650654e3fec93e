"""Publishing figures: a 3-image report to a fake GitHub and a fake GitLab answering 100 ms late.

    python bench/publish.py

Prints, for a first publish (three new images) and a re-publish of unchanged images, without
and with a record of the report (``--record all``, as a push to the default branch records
it), and for finding the record of a commit three commits back (``--baseline REF``), the
time, the number of requests, and how many sequential round trips' worth of time that is
(time / latency). The bars: at most images + 4 round trips for GitHub's first publish; a
record adds no round trip to a publish that uploads images, and at most one otherwise;
finding a record takes at most two requests in turn.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the test fakes live in tests/fakes

from tests.fakes.server import FakePlatform  # noqa: E402
from tests.helpers import render_report, write_inputs  # noqa: E402

from fakes import LATENCY, Fake, on_github, on_gitlab, put_record  # noqa: E402
from mlreport import records  # noqa: E402
from mlreport.platforms.context import PublishOptions  # noqa: E402
from mlreport.publish import publish  # noqa: E402
from mlreport.records import RECORD_FILE as RECORD  # noqa: E402

RUNS = 5
COMMITS = 60  # the history searched for a record (records.HISTORY commits of it, at most)
BEHIND = 3  # the nearest record is this many commits back
Run = tuple[float, int]  # seconds, requests


def render(folder: Path) -> Path:
    """The report, with the record.npz that `render --record all` writes beside it."""
    write_inputs(folder, n=2000, k=5, epochs=19)
    render_report(folder, "-o", "report", "--record", "all", workers="2")
    return folder / "report"


def history(folder: Path) -> list[str]:
    """A git repository of COMMITS commits in *folder*; its first-parent history, newest
    first."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com"}
    env |= {"GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=folder, env=env, check=True, capture_output=True, text=True
        )
        return done.stdout

    git("init", "-q")
    for i in range(COMMITS):
        git("commit", "-q", "--allow-empty", "-m", f"commit {i}")
    return git("rev-list", "--first-parent", "HEAD").split()


@contextlib.contextmanager
def working_directory(folder: Path) -> Iterator[None]:
    """records.find reads the history with git in the current directory."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def measured(fake: FakePlatform, work: Callable[[], object]) -> Run:
    before = len(fake.requests)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # its "created the report on …" lines
        work()
    return time.perf_counter() - started, len(fake.requests) - before


def rerendered(report: Path) -> Path:
    """A copy of *report* as a re-run of its pipeline renders it: the same report, a record
    that differs (recorded at another time, by another run)."""
    from mlreport.inputs.outcomes import pack, unpack

    again = report.with_name("report-again")
    shutil.copytree(report, again)
    document, outcomes, meta = unpack((report / RECORD).read_bytes())
    meta |= {"recorded_at": "2000-01-01T00:00:00Z", "run": "rerun"}
    (again / RECORD).write_bytes(pack(document, outcomes, meta))
    return again


def series(
    platform: Callable[..., contextlib.AbstractContextManager[Fake]],
    report: Path,
    repo: Path,
    shas: list[str],
) -> dict[str, list[Run]]:
    """Every figure of one platform, RUNS times, each series on a fake of its own."""
    runs: dict[str, list[Run]] = {}
    record = (report / RECORD).read_bytes()
    again = report.with_name("report-again")

    def publishing(
        fake: FakePlatform, options: PublishOptions, env: dict[str, str], folder: Path = report
    ) -> Run:
        return measured(fake, lambda: publish(folder, options, env))

    for run in range(RUNS):
        commit = f"{run + 100:040x}"  # a made-up commit of the default branch
        with platform(run) as (fake, options, env):
            runs.setdefault("first", []).append(publishing(fake, options, env))
            runs.setdefault("again", []).append(publishing(fake, options, env))
        with platform(run, record) as (fake, options, env):
            recording = replace(options, record="all", commit=commit)
            runs.setdefault("first+record", []).append(publishing(fake, recording, env))
            newer = replace(recording, commit=f"{run + 200:040x}")
            runs.setdefault("again+record", []).append(publishing(fake, newer, env))
            runs.setdefault("rerun+record", []).append(publishing(fake, newer, env))
            runs.setdefault("rerun+changed", []).append(publishing(fake, newer, env, again))
            put_record(fake, records.record_path("default", shas[BEHIND]), record)
            lookup = replace(options, pr=None)
            finding(runs, fake, repo, lookup, env)
        if platform is on_gitlab:
            with platform(run) as (fake, options, env):
                first_record = replace(options, record="all", commit=commit)
                runs.setdefault("first+first record", []).append(
                    publishing(fake, first_record, env)
                )
            with platform(run, record) as (fake, options, env):  # a record written otherwise
                path = records.record_path("default", shas[BEHIND])
                put_record(fake, path, record, named=False)
                finding(runs, fake, repo, replace(options, pr=None), env, " unnamed")
    return runs


def finding(
    runs: dict[str, list[Run]],
    fake: FakePlatform,
    repo: Path,
    options: PublishOptions,
    env: dict[str, str],
    suffix: str = "",
) -> None:
    """records.find of HEAD in *repo* (git's history, the platform's find_file, the record
    unpacked), then the platform's find_file alone (the network part); named "find" and
    "find_file", and *suffix*."""
    with working_directory(repo):
        paths = [records.record_path("default", sha) for sha in records.history("HEAD")]

    def find() -> None:
        with working_directory(repo):
            found, note = records.find("HEAD", options, env)
        assert found is not None and found.behind == BEHIND, note

    def find_file() -> None:
        store = records.open_store(options, env)
        try:
            assert store.find_file(paths) is not None
        finally:
            store.close()

    runs.setdefault("find" + suffix, []).append(measured(fake, find))
    runs.setdefault("find_file" + suffix, []).append(measured(fake, find_file))


def median(runs: list[Run]) -> tuple[float, int, float]:
    """Median seconds, requests and round trips' worth."""
    seconds = statistics.median(t for t, _ in runs)
    return seconds, int(statistics.median(n for _, n in runs)), seconds / LATENCY


def added(runs: dict[str, list[Run]], name: str, base: str, most: int) -> str:
    extra = median(runs[name])[2] - median(runs[base])[2]
    return f"≤ +{most}: {extra:+.1f} {'ok' if extra < most + 0.5 else 'MISSED'}"


def main() -> None:
    import github  # noqa: F401  (imported once, outside the timings)
    import gitlab  # noqa: F401

    with tempfile.TemporaryDirectory(prefix="mlreport-bench-") as tmp:
        report = render(Path(tmp))
        rerendered(report)
        (Path(tmp) / "repo").mkdir()
        shas = history(Path(tmp) / "repo")
        images = len(list(report.glob("*.png")))
        size = (report / RECORD).stat().st_size
        github_figures = series(on_github, report, Path(tmp) / "repo", shas)
        gitlab_figures = series(on_gitlab, report, Path(tmp) / "repo", shas)
    print(
        f"mlreport publish bench · {images} images, a {size / 1024:.0f} KB record · "
        f"{LATENCY * 1000:.0f} ms per request · median of {RUNS} · {os.cpu_count()} CPUs · "
        f"history of {min(COMMITS, records.HISTORY)} commits, the record {BEHIND} back\n"
    )
    print("| figure | time | requests | round trips' worth | bar |")
    print("|---|---:|---:|---:|---|")
    first_bar = images + 4
    trips = median(github_figures["first"])[2]
    gh: list[tuple[str, str, str]] = [
        (
            "first publish (3 new images)",
            "first",
            f"≤ {first_bar} (images + 4): {'ok' if trips <= first_bar else 'MISSED'}",
        ),
        ("  with a record", "first+record", added(github_figures, "first+record", "first", 0)),
        ("re-publish, images unchanged", "again", ""),
        (
            "  with a record (a new commit's)",
            "again+record",
            added(github_figures, "again+record", "again", 1),
        ),
        (
            "  with a record, a re-run of that commit (the same record there already)",
            "rerun+record",
            added(github_figures, "rerun+record", "again", 0),
        ),
        (
            "  with a record, a re-run of that commit (its record re-rendered)",
            "rerun+changed",
            added(github_figures, "rerun+changed", "again", 1),
        ),
        (
            f"finding a record {BEHIND} commits back (`records.find`)",
            "find",
            find_bar(github_figures["find"]),
        ),
        ("  the platform's `find_file` alone", "find_file", find_bar(github_figures["find_file"])),
    ]
    gl: list[tuple[str, str, str]] = [
        ("first publish (3 images uploaded)", "first", ""),
        (
            "  with a record (the records branch there)",
            "first+record",
            added(gitlab_figures, "first+record", "first", 0),
        ),
        (
            "  with the project's first record (the records branch made)",
            "first+first record",
            added(gitlab_figures, "first+first record", "first", 0),
        ),
        ("re-publish (3 images uploaded again)", "again", ""),
        (
            "  with a record (a new commit's)",
            "again+record",
            added(gitlab_figures, "again+record", "again", 0),
        ),
        (
            "  with a record, a re-run of that commit (the same record there already)",
            "rerun+record",
            added(gitlab_figures, "rerun+record", "again", 0),
        ),
        (
            "  with a record, a re-run of that commit (its record re-rendered)",
            "rerun+changed",
            added(gitlab_figures, "rerun+changed", "again", 0),
        ),
        (
            f"finding a record {BEHIND} commits back (`records.find`)",
            "find",
            find_bar(gitlab_figures["find"]),
        ),
        ("  the platform's `find_file` alone", "find_file", find_bar(gitlab_figures["find_file"])),
        (
            "  the same, its commit not naming it (a record written otherwise)",
            "find unnamed",
            "",
        ),
        ("    the platform's `find_file` alone", "find_file unnamed", ""),
    ]
    for platform, rows, runs in (("GitHub", gh, github_figures), ("GitLab", gl, gitlab_figures)):
        for name, key, bar in rows:
            seconds, requests, trips = median(runs[key])
            print(f"| {platform}: {name} | {seconds:.2f} s | {requests} | {trips:.1f} | {bar} |")


def find_bar(runs: list[Run]) -> str:
    trips = median(runs)[2]
    return f"≤ 2 in turn: {'ok' if trips < 2.5 else 'MISSED'}"


if __name__ == "__main__":
    main()
