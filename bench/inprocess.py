"""In-process timings for bench/run.py (each in a fresh process of its own), and the command
line with the interval code switched off.

    python bench/inprocess.py intervals RUNS PREDICTIONS
    python bench/inprocess.py pairing RUNS PREDICTIONS BASELINE_PREDICTIONS
    python bench/inprocess.py read PREDICTIONS BASELINE_PREDICTIONS
    python bench/inprocess.py no-intervals render ...      # `mlreport render ...`, no intervals

`intervals` times ``mlreport.evaluation.evaluate`` on the file, read beforehand (the reading
is not timed), with the intervals and without them; `pairing` times the evaluation and the
report files (charts left out: they are the same either way) with and without the baseline
predictions, both files read beforehand; `read` times reading the baseline file once, after
the predictions were read, as the command reads it (a fresh process: a reading repeated in
one process is faster, its memory already mapped). Runs are interleaved, so that machine
load hits both alike; each prints a JSON object of medians (seconds).

"Without the intervals" is the product's own switch, ``evaluate_classification(...,
spreads=False)`` (and ``evaluate_regression``), patched in here: no bootstrap of the confusion
matrix, no DeLong placements, no average-precision bootstrap, no log-loss standard error. The
product has no option for it. For the command line the patch is applied when
``mlreport.evaluation`` is first imported, after the chart workers were forked: importing
NumPy before that would stop them being forked at all.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import importlib.util
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

T = TypeVar("T")


def intervals_off(evaluation: ModuleType) -> Callable[[], None]:
    """Make *evaluation* (mlreport.evaluation) and the baselines evaluate without intervals;
    returns the function that undoes it."""
    from mlreport.evaluate import predictions

    saved = {
        (module, name): getattr(module, name)
        for module in (evaluation, predictions)
        for name in ("evaluate_classification", "evaluate_regression")
    }
    for (module, name), function in saved.items():
        setattr(module, name, functools.partial(function, spreads=False))

    def undo() -> None:
        for (module, name), function in saved.items():
            setattr(module, name, function)

    return undo


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Runs intervals_off on mlreport.evaluation as soon as it is imported."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "mlreport.evaluation":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        assert spec is not None and spec.loader is not None
        loader = spec.loader
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            intervals_off(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def no_intervals_cli(args: list[str]) -> int:
    sys.meta_path.insert(0, _PatchOnImport())
    from mlreport.cli import main

    return main(args)


def _seconds(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _cached_reads() -> dict[Path, Any]:
    """load_predictions, for the evaluation and the baselines, from a cache filled first."""
    import mlreport.baselines
    import mlreport.evaluation
    from mlreport.inputs.predictions import load_predictions

    cache: dict[Path, Any] = {}

    def cached(path: Path, options: Any) -> Any:
        if path not in cache:
            cache[path] = load_predictions(path, options)
        return cache[path]

    for module in (mlreport.evaluation, mlreport.baselines):
        setattr(module, "load_predictions", cached)  # noqa: B010  (mypy: not exported)
    return cache


def time_intervals(runs: int, predictions: Path) -> dict[str, float]:
    import mlreport.evaluation
    from mlreport.config import ReportInputs

    _cached_reads()
    inputs = ReportInputs(predictions=predictions)
    evaluate = mlreport.evaluation.evaluate
    first = evaluate(inputs)  # reads the file (untimed), imports the rest
    assert first.classification is not None and first.classification.spreads
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(runs):
        times["with"].append(_seconds(lambda: evaluate(inputs))[0])
        undo = intervals_off(mlreport.evaluation)
        try:
            seconds, off = _seconds(lambda: evaluate(inputs))
        finally:
            undo()
        assert off.classification is not None and not off.classification.spreads
        times["without"].append(seconds)
    return {name: statistics.median(values) for name, values in times.items()}


def time_pairing(runs: int, predictions: Path, baseline: Path) -> dict[str, float]:
    import tempfile

    import mlreport.report.write
    from mlreport.config import OutputOptions, ReportInputs
    from mlreport.evaluation import evaluate
    from mlreport.report.write import write_report

    _cached_reads()
    setattr(mlreport.report.write, "chart_jobs", lambda evaluation, directory: [])  # noqa: B010
    plain = ReportInputs(predictions=predictions)
    paired = ReportInputs(predictions=predictions, baseline_predictions=baseline)
    stats: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="mlreport-bench-") as tmp:

        def report(inputs: ReportInputs) -> None:
            write_report(evaluate(inputs), OutputOptions(directory=Path(tmp) / "report"))

        found = evaluate(paired)  # reads both files (untimed), imports scipy and the rest
        assert found.paired is not None and found.paired.changes is not None
        stats["changed_share"] = found.paired.changed().size / found.paired.examples
        report(plain)
        times: dict[str, list[float]] = {"plain": [], "paired": []}
        for _ in range(runs):
            times["plain"].append(_seconds(lambda: report(plain))[0])
            times["paired"].append(_seconds(lambda: report(paired))[0])
    return stats | {name: statistics.median(values) for name, values in times.items()}


def time_read(predictions: Path, baseline: Path) -> dict[str, float]:
    from mlreport.config import PredictionOptions
    from mlreport.inputs.predictions import load_predictions

    options = PredictionOptions()
    first = load_predictions(predictions, options)  # kept, as the command keeps it
    seconds, second = _seconds(lambda: load_predictions(baseline, options))
    assert first.n == second.n
    return {"read": seconds}


def main(argv: list[str]) -> int:
    command, rest = argv[0], argv[1:]
    if command == "no-intervals":
        return no_intervals_cli(rest)
    if command == "read":
        print(json.dumps(time_read(Path(rest[0]), Path(rest[1]))))
        return 0
    runs, files = int(rest[0]), [Path(p) for p in rest[1:]]
    if command == "intervals":
        print(json.dumps(time_intervals(runs, *files)))
    elif command == "pairing":
        print(json.dumps(time_pairing(runs, *files)))
    else:
        raise SystemExit(f"unknown command {command!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
