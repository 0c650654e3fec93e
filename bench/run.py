"""Performance figures for mlreport, printed as a Markdown table (recorded in docs/benchmarks.md).

    python bench/run.py            # everything (about three minutes)
    python bench/run.py --quick    # skip the ten-million-row series

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

import numpy as np

HERE = Path(__file__).resolve().parent
MLREPORT = [sys.executable, "-m", "mlreport"]
Row = tuple[str, str, str, str]


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


def classification_csv(path: Path, n: int, k: int, proba: bool, seed: int = 0) -> None:
    """Predictions with probabilities that agree with y_pred (rows sum to 1)."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.85, y_true, rng.integers(0, k, n))
    with path.open("w") as handle:
        header = ["y_true", "y_pred"] + ([f"proba_{i}" for i in range(k)] if proba else [])
        handle.write(",".join(header) + "\n")
        if proba:
            logits = rng.normal(size=(n, k))
            logits[np.arange(n), y_pred] += 3
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            np.savetxt(
                handle, np.c_[y_true, y_pred, p], delimiter=",", fmt=["%d", "%d"] + ["%.6f"] * k
            )
        else:
            np.savetxt(handle, np.c_[y_true, y_pred], delimiter=",", fmt="%d")


def digit_labels_csv(path: Path, n: int, seed: int = 0, prefix: bytes = b"") -> None:
    """Rows of 'd,d' (or 'class_d,class_d' with a prefix) for ten classes, written as raw
    bytes: ten million rows in a second."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 10, n, dtype=np.uint8)
    y_pred = np.where(rng.random(n) < 0.85, y_true, rng.integers(0, 10, n, dtype=np.uint8))
    p = len(prefix)
    rows = np.empty((n, 2 * p + 4), dtype=np.uint8)
    rows[:, :p] = np.frombuffer(prefix, dtype=np.uint8)
    rows[:, p] = y_true + ord("0")
    rows[:, p + 1] = ord(",")
    rows[:, p + 2 : 2 * p + 2] = np.frombuffer(prefix, dtype=np.uint8)
    rows[:, 2 * p + 2] = y_pred + ord("0")
    rows[:, 2 * p + 3] = ord("\n")
    with path.open("wb") as handle:
        handle.write(b"y_true,y_pred\n")
        rows.tofile(handle)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10M-row series")
    parser.add_argument("--runs", type=int, default=7, help="runs per render figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlreport-bench-") as tmp:
        work = Path(tmp)
        rows = startup(work)
        rows += render_vs_naive(work, args.runs)
        rows += many_classes(work)
        sizes = [100_000, 1_000_000] if args.quick else [100_000, 1_000_000, 10_000_000]
        rows += scale(work, sizes)
        if not args.quick:
            rows += with_probabilities(work)
    cpu = platform.processor() or platform.machine()
    print(
        f"mlreport bench · Python {platform.python_version()} · {os.cpu_count()} CPUs "
        f"({cpu}) · {time.strftime('%Y-%m-%d')}\n"
    )
    print("| figure | measured | bar | result |")
    print("|---|---:|---|---|")
    for figure, value, bar, result in rows:
        print(f"| {figure} | {value} | {bar} | {result} |")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    main()
