"""Performance figures for mlreport, printed as a Markdown table (recorded in docs/benchmarks.md).

    python bench/run.py            # everything (about three minutes)
    python bench/run.py --quick    # skip the ten-million-row series
    python bench/run.py --only intervals   # issue 11's interval and pairing figures alone
    python bench/run.py --only naive       # render vs the naive script alone

Every figure is the median of several runs of the real command line in a fresh process, so
it includes interpreter start-up and imports, as a user (or CI) sees it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from inputs import classification_csv, digit_labels_csv
from intervals import intervals_and_pairing
from measure import MLREPORT, Row, median_of, peak, timed

HERE = Path(__file__).resolve().parent


def startup(work: Path) -> list[Row]:
    rows = []
    for args in (["--help"], ["--version"]):
        seconds = median_of(15, [*MLREPORT, *args], work)
        rows.append(
            (
                f"`mlreport {' '.join(args)}`",
                f"{seconds:.3f} s",
                "≤ 0.15 s",
                "ok" if seconds <= 0.15 else "MISSED",
            )
        )
    return rows


def render_vs_naive(work: Path, runs: int) -> list[Row]:
    data = work / "p10k.csv"
    classification_csv(data, 10_000, 10, proba=True)
    (work / "base.json").write_text(json.dumps({"accuracy": 0.84, "f1_macro": 0.83}))
    ours = [*MLREPORT, "render", "-p", str(data), "-b", "base.json", "-o", "ours"]
    naive = [sys.executable, str(HERE / "naive_render.py"), str(data), "base.json", "naive"]
    sequential_env = {**os.environ, "MLREPORT_CHART_WORKERS": "0"}
    times: dict[str, list[float]] = {"ours": [], "naive": [], "sequential": []}
    timed(ours, work)  # warm the disk cache and matplotlib's font cache
    timed(naive, work)
    for _ in range(runs):  # interleaved, so load changes hit both alike
        times["ours"].append(timed(ours, work))
        times["naive"].append(timed(naive, work))
        times["sequential"].append(timed(ours, work, sequential_env))
    ours_s, naive_s, seq_s = (statistics.median(times[k]) for k in ("ours", "naive", "sequential"))
    ratio = ours_s / naive_s
    return [
        (
            "naive script (sklearn.metrics + pyplot), 10k rows × 10 classes",
            f"{naive_s:.2f} s",
            "",
            "",
        ),
        (
            "`mlreport render`, same input",
            f"{ours_s:.2f} s",
            "≤ 0.6 × naive",
            f"{ratio:.2f} × {'ok' if ratio <= 0.6 else 'MISSED'}",
        ),
        (
            "`mlreport render`, charts drawn in one process (MLREPORT_CHART_WORKERS=0)",
            f"{seq_s:.2f} s",
            "",
            f"{seq_s / naive_s:.2f} ×",
        ),
    ]


def many_classes(work: Path) -> list[Row]:
    code = (
        "import time, numpy as np\n"
        "from pathlib import Path\n"
        "import matplotlib.figure\n"
        "from mlreport.charts.confusion import draw_confusion\n"
        "rng = np.random.default_rng(0)\n"
        "k, n = 1000, 1_000_000\n"
        "t = rng.integers(0, k, n)\n"
        "p = np.where(rng.random(n) < 0.7, t, rng.integers(0, k, n))\n"
        "cm = np.bincount(t * k + p, minlength=k * k).reshape(k, k)\n"
        "labels = tuple(f'class_{i}' for i in range(k))\n"
        "start = time.perf_counter()\n"
        "image = draw_confusion(cm, labels, Path('.'))\n"
        "print(time.perf_counter() - start, Path(image.path).stat().st_size)\n"
    )
    seconds, size = subprocess.run(
        [sys.executable, "-c", code], cwd=work, check=True, capture_output=True, text=True
    ).stdout.split()
    rows: list[Row] = [
        (
            "confusion-matrix chart, 1,000 classes",
            f"{float(seconds):.2f} s",
            "≤ 3 s",
            "ok" if float(seconds) <= 3 else "MISSED",
        ),
        (
            "its PNG",
            f"{int(size) / 1024:.0f} KB",
            "≤ 400 KB",
            "ok" if int(size) <= 400 * 1024 else "MISSED",
        ),
    ]
    data = work / "k1000.csv"
    classification_csv(data, 200_000, 1000, proba=False)
    seconds_render = median_of(3, [*MLREPORT, "render", "-p", str(data), "-o", "k1000"], work)
    rows.append(
        (
            "`mlreport render`, 200k rows × 1,000 classes (whole report)",
            f"{seconds_render:.2f} s",
            "",
            "",
        )
    )
    return rows


def scale(work: Path, sizes: Sequence[int]) -> list[Row]:
    rows: list[Row] = []
    results = []
    for n in sizes:
        data = work / f"labels_{n}.csv"
        digit_labels_csv(data, n)
        seconds, megabytes = peak([*MLREPORT, "render", "-p", str(data), "-o", f"out_{n}"], work)
        results.append((n, seconds, megabytes))
        bar = "≤ 8 s, ≤ 1.5 GB" if n == 10_000_000 else ""
        status = ""
        if n == 10_000_000:
            status = "ok" if seconds <= 8 and megabytes <= 1536 else "MISSED"
        rows.append(
            (
                f"`mlreport render`, {n:,} rows × 10 classes (CSV labels)",
                f"{seconds:.2f} s, {megabytes:,.0f} MB peak",
                bar,
                status,
            )
        )
    for (n0, t0, _), (n1, t1, _) in itertools.pairwise(results):
        per_million = (t1 - t0) / ((n1 - n0) / 1e6)
        rows.append(
            (
                f"  added time per million rows, {n0:,} → {n1:,}",
                f"{per_million:.3f} s",
                "linear: about equal",
                "",
            )
        )
    if sizes[-1] == 10_000_000:
        data = work / "text_labels.csv"
        digit_labels_csv(data, 10_000_000, prefix=b"class_")
        seconds, megabytes = peak([*MLREPORT, "render", "-p", str(data), "-o", "text"], work)
        status = "ok" if seconds <= 8 and megabytes <= 1536 else "MISSED"
        rows.append(
            (
                "`mlreport render`, 10,000,000 rows × 10 classes (CSV text labels)",
                f"{seconds:.2f} s, {megabytes:,.0f} MB peak",
                "≤ 8 s, ≤ 1.5 GB",
                status,
            )
        )
    return rows


def with_probabilities(work: Path) -> list[Row]:
    """A million rows with ten probability columns: NumPy's CSV float parser vs Parquet."""
    rows: list[Row] = []
    data = work / "proba_1m.csv"
    classification_csv(data, 1_000_000, 10, proba=True)
    seconds, megabytes = peak([*MLREPORT, "render", "-p", str(data), "-o", "proba_csv"], work)
    rows.append(
        (
            "`mlreport render`, 1,000,000 rows × 10 classes with probabilities (CSV)",
            f"{seconds:.2f} s, {megabytes:,.0f} MB peak",
            "",
            "",
        )
    )
    try:
        import pyarrow.csv
        import pyarrow.parquet
    except ImportError:
        return rows
    parquet = work / "proba_1m.parquet"
    pyarrow.parquet.write_table(pyarrow.csv.read_csv(data), parquet)
    seconds, megabytes = peak([*MLREPORT, "render", "-p", str(parquet), "-o", "proba_pq"], work)
    rows.append(
        (
            "`mlreport render`, the same as Parquet",
            f"{seconds:.2f} s, {megabytes:,.0f} MB peak",
            "",
            "",
        )
    )
    return rows


def everything(work: Path, quick: bool, runs: int) -> list[Row]:
    rows = startup(work)
    rows += render_vs_naive(work, runs)
    rows += many_classes(work)
    rows += scale(work, [100_000, 1_000_000] if quick else [100_000, 1_000_000, 10_000_000])
    if not quick:
        rows += with_probabilities(work)
        rows += intervals_and_pairing(work, runs)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10M-row series")
    parser.add_argument("--runs", type=int, default=7, help="runs per render figure")
    parser.add_argument(
        "--only",
        choices=["intervals", "naive"],
        help="one series alone: intervals_and_pairing, or render_vs_naive",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()[0]  # the machine is shared: other work skews the figures
    with tempfile.TemporaryDirectory(prefix="mlreport-bench-") as tmp:
        work = Path(tmp)
        if args.only == "intervals":
            rows = intervals_and_pairing(work, args.runs)
        elif args.only == "naive":
            rows = render_vs_naive(work, args.runs)
        else:
            rows = everything(work, args.quick, args.runs)
    cpu = platform.processor() or platform.machine()
    load = " → ".join(f"{before:.2f}" for before in (load_before, os.getloadavg()[0]))
    print(
        f"mlreport bench · Python {platform.python_version()} · {os.cpu_count()} CPUs "
        f"({cpu}) · {time.strftime('%Y-%m-%d')} · load average {load}\n"
    )
    if sys.flags.dont_write_bytecode:  # then every start compiles mlreport from source
        print(
            "PYTHONDONTWRITEBYTECODE is set: without __pycache__ every process compiles the "
            "modules again (+0.07 s start-up); set PYTHONPYCACHEPREFIX and unset it\n"
        )
    print("| figure | measured | bar | result |")
    print("|---|---:|---|---|")
    for figure, value, bar, result in rows:
        print(f"| {figure} | {value} | {bar} | {result} |")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    main()
