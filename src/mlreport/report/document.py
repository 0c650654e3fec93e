"""The report document: ``report.json``, and the context every report template receives.

Plain JSON data only (NaN and infinities become ``null``), built once from an
:class:`~mlreport.evaluation.Evaluation`, the charts drawn, and the ``run`` result.
The README documents every key; ``schema`` changes when a key changes meaning.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mlreport import REPORT_SCHEMA, __version__, redact
from mlreport.charts.figure import Image
from mlreport.evaluation import Evaluation
from mlreport.files import printable
from mlreport.integrations import mlflow
from mlreport.report.changed import changes_section
from mlreport.runcmd import RunResult

MAX_DENSE_CONFUSION = 100
TOP_CONFUSIONS = 20


def build_document(
    evaluation: Evaluation,
    images: list[Image],
    run: RunResult | None,
    title: str,
    chart_notes: list[str] | None = None,
) -> dict[str, Any]:
    pred = evaluation.predictions
    failed = run is not None and run.exit_code != 0
    failures = ([f"command exited {run.exit_code}"] if failed and run else []) + evaluation.failures
    document: dict[str, Any] = {
        "schema": REPORT_SCHEMA,
        "mlreport_version": __version__,
        "title": title,
        "status": "fail" if failures else "pass",
        "summary": summary(evaluation, run),
        "failures": failures,
        "task": pred.task if pred else None,
        "task_inferred": pred.task_inferred if pred else None,
        "n_predictions": pred.n if pred else None,
        "inputs": {
            "metrics": [_named(p) for p in evaluation.inputs.metrics],
            "predictions": _named(evaluation.inputs.predictions),
            "history": str(evaluation.inputs.history[0]) if evaluation.inputs.history else None,
            "params": [str(p) for p in evaluation.inputs.params],
            "baseline": _baseline(evaluation),
            "mlflow": mlflow.provenance(evaluation.mlflow_runs, evaluation.baseline),
        },
        "ci": {"run_url": _run_url()},
        "confidence": evaluation.inputs.confidence,
        "metrics": [asdict(row) for row in evaluation.metrics],
        "gates": [{**asdict(g), "passed": g.passed} for g in evaluation.gates],
        "checks": [asdict(c) for c in evaluation.checks],
        "params": [asdict(p) for p in evaluation.params],
        **_data(evaluation),
        "paired": _paired(evaluation),
        "changes": changes_section(evaluation.paired),
        "classification": _classification(evaluation),
        "regression": _regression(evaluation),
        "slices": [_groups(t) for t in evaluation.slices],
        "folds": _groups(evaluation.folds) if evaluation.folds else None,
        "history": _history(evaluation),
        "run": _run(run),
        "images": {image.name: asdict(image) for image in images},
        "notes": [*evaluation.notes, *(chart_notes or [])],
        "errors": list(evaluation.errors),
    }
    cleaned: dict[str, Any] = clean(document)
    return cleaned


def summary(evaluation: Evaluation, run: RunResult | None) -> str:
    """One line: what failed, or that everything passed (and what was skipped)."""
    parts = []
    gates = [g for g in evaluation.gates if g.status != "skipped"]
    skipped = len(evaluation.gates) - len(gates)
    kinds = [
        ("gate", len(gates), sum(g.status == "fail" for g in gates)),
        ("sanity check", len(evaluation.checks), sum(not c.passed for c in evaluation.checks)),
        (
            "data check",
            len(evaluation.data_checks),
            sum(not c.passed for c in evaluation.data_checks),
        ),
    ]
    if run is not None and run.exit_code != 0:
        parts.append(f"the command failed (exit {run.exit_code})")
    if evaluation.errors:
        parts.append("the inputs could not be read")
    parts += [
        f"{failed} of {_count(total, noun)} failed" for noun, total, failed in kinds if failed
    ]
    if not parts:
        shown = [_count(total, noun) for noun, total, _ in kinds if total]
        if not shown:
            parts.append("no gates or checks ran")
        else:
            single = sum(total for _, total, _ in kinds) == 1
            listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
            parts.append(f"{'' if single else 'all '}{listed} passed")
    if skipped:
        reasons = dict.fromkeys(g.reason for g in evaluation.gates if g.status == "skipped")
        parts.append(f"{_count(skipped, 'gate')} skipped: {', '.join(r for r in reasons if r)}")
    return "; ".join(parts)


def _data(evaluation: Evaluation) -> dict[str, Any]:
    """``data`` and ``fairness`` (their modules load only when there is data)."""
    if evaluation.data is None:
        return {"data": None, "fairness": []}
    from mlreport.report.data_sections import data_section, fairness_section

    return {"data": data_section(evaluation.data), "fairness": fairness_section(evaluation.data)}


def _baseline(evaluation: Evaluation) -> dict[str, Any] | None:
    baseline = evaluation.baseline
    if baseline is None:
        return None
    return {
        "source": baseline.source,
        "kind": baseline.kind,
        "provenance": baseline.provenance or baseline.source,
        "outcomes": baseline.outcomes is not None,
    }


def _paired(evaluation: Evaluation) -> dict[str, Any] | None:
    paired = evaluation.paired
    if paired is None:
        return None
    return {"by": paired.by, "examples": paired.examples, "total": paired.total}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _classification(evaluation: Evaluation) -> dict[str, Any] | None:
    result = evaluation.classification
    if result is None:
        return None
    cm = result.confusion
    k = len(result.labels)
    off = cm.copy()
    off.flat[:: k + 1] = 0
    order = off.ravel().argsort(kind="stable")[::-1][:TOP_CONFUSIONS]
    confusions = [
        {
            "true": result.labels[i // k],
            "predicted": result.labels[i % k],
            "count": int(off.flat[i]),
        }
        for i in order
        if off.flat[i] > 0
    ]
    return {
        "labels": list(result.labels),
        "n_classes": k,
        "pos_label": result.pos_label,
        "per_class": [asdict(row) for row in result.per_class],
        "confusion_matrix": cm.tolist() if k <= MAX_DENSE_CONFUSION else None,
        "top_confusions": confusions,
        "curves": [
            {"label": c.label, "roc_auc": c.roc_auc, "average_precision": c.average_precision}
            for c in result.curves
        ],
    }


def _regression(evaluation: Evaluation) -> dict[str, Any] | None:
    result = evaluation.regression
    if result is None:
        return None
    return {"n_finite": int(result.y_true.size), **result.metrics}


def _groups(table: Any) -> dict[str, Any]:
    return {
        "column": table.column,
        "min_size": table.min_size,
        "rows": [asdict(r) for r in table.rows],
        "gaps": [asdict(g) for g in table.gaps],
    }


def _history(evaluation: Evaluation) -> dict[str, Any] | None:
    history = evaluation.history
    if history is None:
        return None
    final = {}
    for name, values in history.series.items():
        finite = values[~(values != values)]  # drop NaN
        final[name] = float(finite[-1]) if finite.size else None
    return {
        "path": str(history.path),
        "paths": [str(p) for p in history.paths or (history.path,)],
        "x": history.x_name,
        "steps": int(history.x.size),
        "series": list(history.series),
        "final": final,
        "ignored_columns": list(history.ignored),
    }


def _run(run: RunResult | None) -> dict[str, Any] | None:
    return asdict(run) if run is not None else None


def clean(value: Any) -> Any:
    """JSON-safe copy: NaN/inf -> None, tuples -> lists, numpy scalars -> Python, text as
    valid UTF-8 (a file name that is not gets U+FFFD) with this invocation's secrets masked."""
    if isinstance(value, str):
        return redact.current().text(printable(value))
    if isinstance(value, dict):
        return {clean(str(k)): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return clean(value.item())
    return value


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _named(path: Path | None) -> str | None:
    """An input file as the user named it: its URL when it was fetched from one."""
    from mlreport.errors import shown_as

    return shown_as(path) if path else None


def _run_url() -> str | None:
    import os

    from mlreport.platforms.runlink import run_url

    return run_url(os.environ)
