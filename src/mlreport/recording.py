"""Recording a report as the baseline of later pull requests (:mod:`mlreport.records`).

``render`` and ``run`` write ``record.npz`` beside report.json when the report will be
recorded -- a push to the default branch (``--record auto``), or ``--record all|metrics`` --
since only they still hold the per-example outcomes. ``publish`` then stores it (or, with no
record.npz, one made of report.json alone: metrics only) at
``records/<report id>/<commit>/record.npz``, in the same commit as the images on GitHub.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlreport import git
from mlreport.files import write_atomic
from mlreport.platforms.base import StoredFile
from mlreport.platforms.context import PublishOptions, default_branch_commit
from mlreport.records import RECORD_FILE, make_record, record_path

if TYPE_CHECKING:
    from mlreport.evaluation import Evaluation


def recording(options: PublishOptions, environ: Mapping[str, str]) -> bool:
    """Whether this run's report is recorded."""
    if options.record == "off":
        return False
    return options.record != "auto" or default_branch_commit(environ) is not None


def write_record(
    directory: Path,
    evaluation: Evaluation,
    options: PublishOptions,
    environ: Mapping[str, str] | None = None,
) -> Path | None:
    """``record.npz`` in *directory* (report.json, and the outcomes unless ``--record
    metrics`` or over the size cap) when the report will be recorded; else none (an old one
    is removed: it is not this run's)."""
    from mlreport.inputs.outcomes import from_predictions

    env = os.environ if environ is None else environ
    target = directory / RECORD_FILE
    document = directory / "report.json"
    if not recording(options, env) or not document.is_file():
        target.unlink(missing_ok=True)
        return None
    report = json.loads(document.read_text(encoding="utf-8"))
    pred = evaluation.predictions
    outcomes = from_predictions(pred) if pred is not None and options.record != "metrics" else None
    write_atomic(target, make_record(report, outcomes, options.report_id, env), "-o")
    return target


@dataclass(frozen=True)
class Recorded:
    file: StoredFile
    sha: str
    outcomes: bool  # the record holds per-example outcomes (else: metrics only)
    note: str = ""  # why it is metrics only

    def describe(self) -> str:
        what = "with its outcomes" if self.outcomes else "metrics only"
        why = f": {self.note}" if self.note else ""
        return f"the report of {self.sha[:7]} ({what}{why}) as {self.file.path}"


def record_file(
    directory: Path, options: PublishOptions, environ: Mapping[str, str]
) -> Recorded | None:
    """What publishing *directory* records, or None (not recording, or nothing to record)."""
    if not recording(options, environ):
        return None
    from mlreport.inputs.outcomes import Unreadable, unpack

    sha = default_branch_commit(environ) or _this_commit(options, environ)
    if not sha:
        return None
    stored = directory / RECORD_FILE
    note = ""
    data: bytes | None = None
    if stored.is_file():
        data = stored.read_bytes()
        try:
            report, outcomes, meta = unpack(data)
        except Unreadable as exc:
            data, note = None, f"{RECORD_FILE} is unusable ({exc})"
        else:
            if options.record == "metrics" and outcomes is not None:
                data = make_record(report, None, options.report_id, environ)
                outcomes = None
            elif outcomes is None:
                note = str(meta.get("outcomes_left_out") or "")
    else:
        note = f"render wrote no {RECORD_FILE} (pass --record to render or run)"
    if data is None:
        path = directory / "report.json"
        if not path.is_file():
            return None
        report = json.loads(path.read_text(encoding="utf-8"))
        data, outcomes = make_record(report, None, options.report_id, environ), None
    if options.record == "metrics":
        note = ""
    return Recorded(
        StoredFile(record_path(options.report_id, sha), data), sha, outcomes is not None, note
    )


def _this_commit(options: PublishOptions, environ: Mapping[str, str]) -> str:
    sha = options.commit or environ.get("GITHUB_SHA") or environ.get("CI_COMMIT_SHA") or git.head()
    return sha if len(sha) == 40 and all(c in "0123456789abcdef" for c in sha.lower()) else ""
