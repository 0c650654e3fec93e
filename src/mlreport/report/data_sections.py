"""The ``data`` and ``fairness`` keys of report.json, from a :class:`DataReport`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from mlreport.data.checks import MAX_VIOLATIONS, DataReport
from mlreport.data.drift import Drift


def data_section(data: DataReport | None) -> dict[str, Any] | None:
    if data is None:
        return None
    found = data.integrity
    drift = {d.column: d for d in data.drift}
    missing = found.missing if found is not None else {}
    columns: list[dict[str, Any]] = [
        {
            "name": name,
            "type": data.kinds.get(name),
            "missing": missing.get(name),
            "drift": _drift(drift[name]) if name in drift else None,
        }
        for name in data.features
    ]
    columns.sort(key=lambda c: not (c["drift"] or {}).get("drifted"))  # drifted first (stable)
    return {
        "current": data.current,
        "rows": data.rows,
        "reference": data.reference,
        "reference_rows": data.reference_rows,
        "schema": data.schema,
        "checks": [asdict(c) for c in data.checks],
        "columns": columns,
        "drift": {
            "share": data.drift_share,
            "dataset_drift": data.dataset_drift,
            "label": _drift(data.label_drift) if data.label_drift else None,
            "prediction": [_drift(d) for d in data.prediction_drift],
        }
        if data.reference is not None
        else None,
        "integrity": {
            "rows": found.rows,
            "duplicates": found.duplicates,
            "duplicate_share": found.duplicate_share,
            "leaked": found.leaked,
            "leakage_share": found.leakage_share,
            "leakage_columns": list(found.leakage_columns),
            "constant": list(found.constant),
        }
        if found is not None
        else None,
        "violations": [asdict(v) for v in data.violations[:MAX_VIOLATIONS]],
        "violations_count": len(data.violations),
    }


def _drift(drift: Drift) -> dict[str, Any]:
    return {
        "column": drift.column,
        "method": drift.method,
        "score": drift.score,
        "threshold": drift.threshold,
        "drifted": drift.drifted,
        "psi": drift.psi,
        "note": drift.note,
    }


def fairness_section(data: DataReport | None) -> list[dict[str, Any]]:
    if data is None:
        return []
    return [
        {
            "column": f.column,
            "min_size": data.min_size,
            "positive": f.positive,
            "demographic_parity_difference": f.demographic_parity_difference,
            "demographic_parity_ratio": f.demographic_parity_ratio,
            "equalized_odds_difference": f.equalized_odds_difference,
            "groups": [asdict(g) for g in f.groups],
            "notes": list(f.notes),
        }
        for f in data.fairness
    ]
