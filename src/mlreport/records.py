"""Records: main's reports kept, so that a pull request's report has a baseline for every
metric -- computed ones included -- and the examples to pair with.

Publishing on the default branch (a push to it, a branch pipeline of it) or with
``--record`` records the report of that commit: ``records/<report id>/<commit>/record.npz``,
report.json and the per-example outcomes (:mod:`mlreport.inputs.outcomes`; above
:data:`MAX_OUTCOMES` compressed bytes only report.json, and the record says so). On GitHub it
goes to the assets branch, in the same commit as the images; on GitLab to a branch of its
own; with ``--platform local`` to a folder.

``--baseline REF`` walks REF's first-parent history back (:data:`HISTORY` commits at most) to
the nearest commit with a record; finding it costs two requests in turn at most.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlreport import __version__, git
from mlreport.errors import MlreportError
from mlreport.platforms.context import PublishOptions

if TYPE_CHECKING:
    from mlreport.inputs.outcomes import Outcomes

RECORD_FILE = "record.npz"

HISTORY = 50  # first-parent commits searched for a record
MAX_OUTCOMES = 20 << 20  # bytes of a compressed record, beyond which outcomes are left out


def record_path(report_id: str, sha: str) -> str:
    return f"records/{report_id}/{sha}/{RECORD_FILE}"


def make_record(
    report: dict[str, Any], outcomes: Outcomes | None, report_id: str, environ: Mapping[str, str]
) -> bytes:
    """The record of *report*, with *outcomes* unless they would pass MAX_OUTCOMES."""
    from mlreport import redact
    from mlreport.inputs.outcomes import pack

    if outcomes is not None:  # labels are text from data: no secret of this run in them
        hide = redact.current().text
        outcomes = replace(outcomes, labels=tuple(hide(label) for label in outcomes.labels))
    meta: dict[str, Any] = {
        "mlreport_version": __version__,
        "report_id": report_id,
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "run": environ.get("GITHUB_RUN_NUMBER") or environ.get("CI_PIPELINE_IID") or "",
    }
    if outcomes is not None:
        data = pack(report, outcomes, meta)
        if len(data) <= MAX_OUTCOMES:
            return data
        meta["outcomes_left_out"] = (
            f"{len(data) / 2**20:.1f} MB with the outcomes, over the {MAX_OUTCOMES >> 20} MB cap"
        )
    return pack(report, None, meta)


@dataclass(frozen=True)
class Found:
    sha: str
    behind: int  # commits between the ref and the recorded one
    report: dict[str, Any]
    outcomes: Outcomes | None
    meta: dict[str, Any]

    def provenance(self, ref: str) -> str:
        run = f"recorded by run {self.meta['run']}" if self.meta.get("run") else "recorded"
        behind = {0: "", 1: ", 1 commit behind"}.get(self.behind, f", {self.behind} commits behind")
        kept = "" if self.outcomes is not None else "; metrics only"
        return f"{ref} @ {self.sha[:7]} ({run}{behind}{kept})"


def history(ref: str) -> list[str]:
    """REF and its first-parent ancestors, nearest first (HISTORY at most)."""
    done = git.run(["rev-list", "--first-parent", f"--max-count={HISTORY}", ref, "--"])
    if done is None or done.returncode != 0:
        return []
    return [line for line in done.stdout.decode().split() if len(line) == 40]


def find(ref: str, options: PublishOptions, environ: Mapping[str, str]) -> tuple[Found | None, str]:
    """The nearest record in REF's history, and a note (why there is none, or what was
    wrong with it). Records are looked up where publishing would put them."""
    shas = history(ref)
    if not shas:
        return None, f"{ref}: no history to look for a record in"
    store = open_store(options, environ)
    if isinstance(store, str):
        return None, store
    try:
        found = store.find_file([record_path(options.report_id, sha) for sha in shas])
    except MlreportError as exc:
        return None, f"records not read: {exc}"
    finally:
        store.close()
    if found is None:
        searched = "its commit" if len(shas) == 1 else f"the last {len(shas)} commits"
        return None, f"no record for {ref}: none in {searched}"
    from mlreport.inputs.outcomes import Unreadable, unpack

    path, data = found
    sha = path.split("/")[2]
    try:
        report, outcomes, meta = unpack(data)
    except Unreadable as exc:
        return None, f"the record of {ref} @ {sha[:7]} is unusable: {exc}"
    return Found(sha, shas.index(sha), report, outcomes, meta), ""


def open_store(options: PublishOptions, environ: Mapping[str, str]) -> Any:
    """The records store publishing would use, or why there is none (a string)."""
    from mlreport.platforms.connect import connect
    from mlreport.platforms.context import resolve
    from mlreport.platforms.workflow import in_actions

    in_ci = in_actions(environ) or environ.get("GITLAB_CI") == "true"
    if options.records is not None or (options.platform == "local" and not in_ci):
        from mlreport.platforms.local import RecordsFolder

        return RecordsFolder(options.records)
    if options.platform == "local":  # publishing to files in CI: records are on the platform
        options = replace(options, platform="auto")
    try:
        context = resolve(options, environ)
        if not context.token:
            return f"records not looked up: no {context.platform} token"
        return connect(context, options, Path(os.curdir))
    except MlreportError as exc:
        return f"records not looked up: {exc}"
