"""Publishing figures: a 3-image report to a fake GitHub answering 100 ms late.

    python bench/publish.py

Prints, for a first publish (three new images) and a re-publish of unchanged images, the
time, the number of requests, and how many sequential round trips' worth of time that is
(time / latency). The bar: at most images + 4 round trips for the first publish.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the test fakes live in tests/fakes

from tests.fakes.github import FakeGitHub  # noqa: E402
from tests.helpers import render_report, write_inputs  # noqa: E402

from mlreport.platforms.context import PublishOptions  # noqa: E402
from mlreport.publish import publish  # noqa: E402

LATENCY = 0.1
TOKEN = "ghs_bench_token_0000000000"
RUNS = 5


def render(folder: Path) -> Path:
    write_inputs(folder, n=2000, k=5, epochs=19)
    render_report(folder, "-o", "report", workers="2")
    return folder / "report"


def once(report: Path, pr: int, fake: FakeGitHub) -> tuple[float, int]:
    env = {"GITHUB_API_URL": fake.api_url, "GITHUB_SERVER_URL": fake.server_url}
    options = PublishOptions(platform="github", repo="octo/demo", pr=pr, token=TOKEN)
    before = len(fake.requests)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # its "created the report on …" line
        publish(report, options, env)
    return time.perf_counter() - started, len(fake.requests) - before


def main() -> None:
    import github  # noqa: F401  (imported once, outside the timings)
    import gitlab  # noqa: F401

    with tempfile.TemporaryDirectory(prefix="mlreport-bench-") as tmp:
        report = render(Path(tmp))
        images = len(list(report.glob("*.png")))
        first: list[tuple[float, int]] = []
        again: list[tuple[float, int]] = []
        for run in range(RUNS):
            with FakeGitHub(token=TOKEN) as fake:
                fake.validate = False
                fake.add_repo("octo/demo", permission="write")
                fake.add_pull("octo/demo", 1 + run, head_sha=f"{run:040x}")
                fake.latency = LATENCY
                first.append(once(report, 1 + run, fake))
                again.append(once(report, 1 + run, fake))
    print(
        f"mlreport publish bench · {images} images · {LATENCY * 1000:.0f} ms per request · "
        f"median of {RUNS} · {os.cpu_count()} CPUs\n"
    )
    print("| figure | time | requests | round trips' worth | bar |")
    print("|---|---:|---:|---:|---|")
    bar = images + 4
    for name, runs in (
        ("first publish (3 new images)", first),
        ("re-publish, images unchanged", again),
    ):
        seconds = statistics.median(t for t, _ in runs)
        requests = int(statistics.median(n for _, n in runs))
        trips = seconds / LATENCY
        verdict = f"≤ {bar}: {'ok' if trips <= bar else 'MISSED'}" if "first" in name else ""
        print(f"| {name} | {seconds:.2f} s | {requests} | {trips:.1f} | {verdict} |")


if __name__ == "__main__":
    main()
