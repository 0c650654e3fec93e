"""Data-check figures (issue 12): mlreport's data checks against Evidently's DataDriftPreset on
the same files, side by side in one run; the agreement of their drift verdicts; time by rows.

    python bench/data.py              # 1,000,000 rows (and 5,000 for agreement), 10^5..10^7
    python bench/data.py --rows 200000 --no-growth

The data: 20 feature columns (10 numeric, 10 categorical of 8 levels) beside a binary
classifier's y_true/y_pred, as reference and as current, with drift planted in 4 columns of
the current data: a mean shift of 0.5 sd (num_0), a 1.5x scale (num_1), one level from 12 %
to 30 % (cat_0), a new level at 10 % (cat_1). mlreport runs `check` with every data check
(schema, integrity, drift, fairness by cat_8 and cat_9); Evidently (installed with pip into a
virtualenv of its own under ~/.cache/mlreport-bench: never a dependency of mlreport) reads
the same CSV files with pandas and runs `Report([DataDriftPreset()])` on the 20 features.
mlreport reads CSV files of 4 MB and more with pyarrow when it is installed (the ``data``
extra); a row without it, at a million rows, shows NumPy's parser alone.
Times are wall-clock medians of whole processes, memory the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

MLREPORT = [sys.executable, "-m", "mlreport"]
# mlreport as installed without pyarrow (its CSV files then read by NumPy's parser alone)
NO_PYARROW = [
    sys.executable, "-c",
    "import sys; sys.modules['pyarrow'] = None; from mlreport.cli import main; main()",
]  # fmt: skip
EVIDENTLY = "0.7.23"
VENV = Path.home() / ".cache" / "mlreport-bench" / f"evidently-{EVIDENTLY}"
NUMERIC = [f"num_{i}" for i in range(10)]
CATEGORICAL = [f"cat_{i}" for i in range(10)]
PLANTED = {"num_0", "num_1", "cat_0", "cat_1"}
LEVELS = [f"L{i}" for i in range(8)]
SHARES = np.array([0.12, 0.18, 0.15, 0.13, 0.12, 0.11, 0.10, 0.09])

EVIDENTLY_SCRIPT = r"""
import json, sys, time
import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset

reference, current, numeric, categorical, out = sys.argv[1:6]
numeric, categorical = numeric.split(","), categorical.split(",")
started = time.perf_counter()
frames = [pd.read_csv(p, usecols=numeric + categorical) for p in (reference, current)]
read = time.perf_counter() - started
definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
ref, cur = (Dataset.from_pandas(f, data_definition=definition) for f in frames)
started = time.perf_counter()
snapshot = Report([DataDriftPreset()]).run(cur, ref)
drift = time.perf_counter() - started
columns = {}
for metric in snapshot.dict()["metrics"]:
    config = metric.get("config", {})
    if config.get("type", "").endswith("ValueDrift"):
        columns[config["column"]] = {
            "method": config["method"], "threshold": config["threshold"], "score": metric["value"]
        }
json.dump({"read": read, "drift": drift, "columns": columns}, open(out, "w"))
"""


def unquoted() -> Any:
    """CSV as pandas and most tools write it: fields quoted only when they must be."""
    import pyarrow.csv as pacsv

    return pacsv.WriteOptions(quoting_style="none")


def generate(folder: Path, rows: int, seed: int = 0) -> tuple[Path, Path]:
    """reference.csv and current.csv of *rows* rows each in *folder* (see the docstring)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    paths = []
    for side, drifted in (("reference", False), ("current", True)):
        rng = np.random.default_rng(seed + drifted)
        columns: dict[str, Any] = {}
        y_true = rng.integers(0, 2, rows)
        columns["y_true"] = y_true
        columns["y_pred"] = np.where(rng.random(rows) < 0.85, y_true, 1 - y_true)
        for i, name in enumerate(NUMERIC):
            mean, sd = 10.0 * i, 1.0 + i
            if drifted and name == "num_0":
                mean += 0.5 * sd
            if drifted and name == "num_1":
                sd *= 1.5
            columns[name] = np.round(rng.normal(mean, sd, rows), 4)
        for name in CATEGORICAL:
            levels, shares = list(LEVELS), SHARES.copy()
            if drifted and name == "cat_0":  # L0: 12 % -> 30 %, the others in proportion
                shares = np.concatenate(([0.30], shares[1:] * 0.70 / shares[1:].sum()))
            if drifted and name == "cat_1":  # a new level at 10 %
                levels, shares = [*levels, "new"], np.append(shares * 0.9, 0.1)
            columns[name] = np.asarray(levels)[rng.choice(len(levels), rows, p=shares)]
        path = folder / f"{side}.csv"
        pacsv.write_csv(pa.table(columns), path, write_options=unquoted())
        paths.append(path)
    return paths[0], paths[1]


def evidently_python() -> Path:
    """The virtualenv's python with Evidently installed (made on the first run)."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"evidently=={EVIDENTLY}", "pandas<3"],
            check=True,
        )
    return python


PROBE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


def peak(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall time and peak resident memory (MB) of *command*, which may exit 0 or 1 (checks
    failed: the planted drift)."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *command], cwd=cwd, check=True, capture_output=True,
        text=True,
    ).stdout.split()  # fmt: skip
    if int(out[2]) not in (0, 1):
        raise SystemExit(f"{command[:4]}… exited {out[2]}")
    return float(out[0]), float(out[1]) / 1024


def median_peak(command: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    results = [peak(command, cwd) for _ in range(runs)]
    return statistics.median(t for t, _ in results), max(m for _, m in results)


def mlreport_check(folder: Path, reference: Path, current: Path) -> list[str]:
    schema = folder / "schema.yml"
    if not schema.exists():
        subprocess.run(
            [*MLREPORT, "schema", "infer", str(reference), "-o", str(schema)],
            check=True,
            capture_output=True,
        )
    return [
        *MLREPORT, "check", "-p", str(current), "--reference-data", str(reference),
        "--schema", str(schema), "--sensitive", "cat_8", "--sensitive", "cat_9",
    ]  # fmt: skip


def mlreport_verdicts(folder: Path, reference: Path, current: Path) -> dict[str, Any]:
    out = folder / "report"
    subprocess.run(
        [*MLREPORT, "render", "-p", str(current), "--reference-data", str(reference), "-o",
         str(out)],
        capture_output=True,
    )  # fmt: skip
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {c["name"]: c["drift"] for c in report["data"]["columns"] if c["drift"]}


def evidently_run(python: Path, folder: Path, reference: Path, current: Path) -> list[str]:
    return [
        str(python), "-c", EVIDENTLY_SCRIPT, str(reference), str(current), ",".join(NUMERIC),
        ",".join(CATEGORICAL), str(folder / "evidently.json"),
    ]  # fmt: skip


def evidently_drifted(found: dict[str, Any]) -> bool:
    """Evidently's verdict from its method, threshold and score (its stattests: a p-value
    drifts below the threshold, K-S at it too; a distance at or above it)."""
    method, score, threshold = found["method"], found["score"], found["threshold"]
    if "p_value" in method:
        return bool(score <= threshold if method.startswith("K-S") else score < threshold)
    return bool(score >= threshold)


def agreement(rows: int, python: Path | None, runs: int) -> tuple[list[str], dict[str, Any]]:
    """The per-column table at *rows* rows, and the figures of both tools."""
    with tempfile.TemporaryDirectory(prefix="mlreport-bench-data-") as tmp:
        folder = Path(tmp)
        reference, current = generate(folder, rows)
        figures: dict[str, Any] = {}
        check = mlreport_check(folder, reference, current)
        figures["mlreport"] = median_peak(check, folder, runs)
        if rows >= 1_000_000:
            figures["numpy"] = median_peak([*NO_PYARROW, *check[3:]], folder, 1)
        ours = mlreport_verdicts(folder, reference, current)
        theirs: dict[str, Any] = {}
        if python is not None:
            command = evidently_run(python, folder, reference, current)
            figures["evidently"] = median_peak(command, folder, 1 if rows > 100_000 else runs)
            found = json.loads((folder / "evidently.json").read_text(encoding="utf-8"))
            figures["evidently_drift"] = found["drift"]
            theirs = found["columns"]
    lines = [
        "| column | planted | mlreport method | score | drifted | Evidently method | score "
        "| drifted | agree |",
        "|---|---|---|---:|---|---|---:|---|---|",
    ]
    agreed = 0
    for name in [*NUMERIC, *CATEGORICAL]:
        mine = ours[name]
        other = theirs.get(name)
        their_drift = evidently_drifted(other) if other else None
        same = their_drift is None or their_drift == mine["drifted"]
        correct = mine["drifted"] == (name in PLANTED)
        agreed += same and correct
        lines.append(
            f"| {name} | {'yes' if name in PLANTED else ''} | {mine['method']} "
            f"| {mine['score']:.4g} | {mine['drifted']} "
            f"| {other['method'] if other else '–'} "
            f"| {other['score'] if other else float('nan'):.4g} "
            f"| {their_drift if other else '–'} | {'yes' if same and correct else 'NO'} |"
        )
    figures["agreed"] = agreed
    return lines, figures


def growth(runs: int) -> list[str]:
    """mlreport's drift of one numeric and one categorical column, by rows."""
    lines = ["| rows | `mlreport check` (drift of 2 columns) | × previous |", "|---:|---:|---:|"]
    previous = None
    for rows in (100_000, 1_000_000, 10_000_000):
        with tempfile.TemporaryDirectory(prefix="mlreport-bench-growth-") as tmp:
            folder = Path(tmp)
            import pyarrow as pa
            import pyarrow.csv as pacsv

            paths = []
            for side in (0, 1):
                rng = np.random.default_rng(side)
                table = pa.table(
                    {
                        "x": np.round(rng.normal(0.1 * side, 1, rows), 4),
                        "c": np.asarray(LEVELS)[rng.choice(8, rows, p=SHARES)],
                    }
                )
                paths.append(folder / f"{side}.csv")
                pacsv.write_csv(table, paths[-1], write_options=unquoted())
            command = [*MLREPORT, "check", "--data", str(paths[1]), "--reference-data",
                       str(paths[0])]  # fmt: skip
            seconds, _ = median_peak(command, folder, runs)
        ratio = f"{seconds / previous:.1f}×" if previous else ""
        lines.append(f"| {rows:,} | {seconds:.2f} s | {ratio} |")
        previous = seconds
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-evidently", action="store_true")
    parser.add_argument("--no-growth", action="store_true")
    args = parser.parse_args()
    python = None if args.no_evidently else evidently_python()
    print(
        f"mlreport data bench · Python {platform.python_version()} · {os.cpu_count()} CPUs · "
        f"Evidently {EVIDENTLY if python else '(not run)'}\n"
    )
    results = {}
    for rows in sorted({5_000, args.rows}):
        lines, figures = agreement(rows, python, args.runs)
        results[rows] = figures
        print(f"Drift verdicts at {rows:,} rows ({figures['agreed']} of 20 columns agree, and "
              "flag exactly the planted ones):\n")  # fmt: skip
        print("\n".join(lines) + "\n")
    print("| rows | tool | time | peak memory | bar |")
    print("|---:|---|---:|---:|---|")
    for rows, figures in results.items():
        seconds, memory = figures["mlreport"]
        bars = []
        if "evidently" in figures:
            ratio = seconds / figures["evidently"][0]
            bars.append(
                f"{ratio:.3f}× Evidently's time (≤ 0.1×): {'ok' if ratio <= 0.1 else 'MISSED'}"
            )
        if rows >= 1_000_000:
            fits = seconds <= 3 and memory <= 600
            bars.append(f"≤ 3 s and ≤ 600 MB: {'ok' if fits else 'MISSED'}")
        bar = "; ".join(bars)
        print(f"| {rows:,} | mlreport check, all data checks | {seconds:.2f} s | {memory:.0f} MB "
              f"| {bar} |")  # fmt: skip
        if "numpy" in figures:
            seconds, memory = figures["numpy"]
            print(f"| {rows:,} | the same without pyarrow (NumPy's CSV parser) | {seconds:.2f} s "
                  f"| {memory:.0f} MB | |")  # fmt: skip
        if "evidently" in figures:
            seconds, memory = figures["evidently"]
            alone = figures["evidently_drift"]
            print(f"| {rows:,} | Evidently DataDriftPreset, read + run | {seconds:.2f} s "
                  f"| {memory:.0f} MB | drift alone {alone:.2f} s |")  # fmt: skip
    if not args.no_growth:
        print("\n" + "\n".join(growth(args.runs)))


if __name__ == "__main__":
    main()
