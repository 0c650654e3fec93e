"""Main's records as the baseline of a branch (issue 11), through the CLI: recording, finding
the nearest record in the first-parent history, metrics-only records, falling back to the
committed predictions, and every fault a record can have -- a note, never a wrong pairing."""

from __future__ import annotations

import io
import json
import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import CLI, Result
from tests.e2e.paired_data import (
    IDS,
    NEW,
    A,
    B,
    N,
    Y,
    assert_noted,
    baseline,
    git,
    load,
    reference,
    row,
    write_preds,
)
from tests.helpers import write_json

# ---------------------------------------------------------------- records of main's reports


@pytest.fixture
def repo(workdir: Path) -> Path:
    """main: commit A (model A, to be recorded), then commit B (model B, not recorded)."""
    git(workdir, "init", "-q")
    write_json(workdir / "metrics.json", {"epochs": 3})
    write_preds(workdir / "preds.csv", A)
    git(workdir, "add", "metrics.json", "preds.csv")
    git(workdir, "commit", "-qm", "A")
    write_preds(workdir / "preds.csv", B)
    git(workdir, "commit", "-qam", "B")
    return workdir


def record(cli: CLI, sha: str, *options: str, kind: str = "all", **examples: Any) -> Result:
    """Render model A (on *examples*: ids, y) as the report of commit *sha*, and publish it
    locally with its record."""
    write_preds(Path("rec.csv"), A, **examples)
    rendered = cli("render", "-p", "rec.csv", "-m", "metrics.json", "-o", "rec", "--record", kind)
    assert rendered.code == 0 and Path("rec/record.npz").is_file(), rendered.output
    result = cli(
        "publish", "rec", "--platform", "local", "--record", kind, "--commit", sha, *options
    )
    assert result.code == 0, result.output
    Path("rec.csv").unlink()
    return result


def branch_render(cli: CLI, *options: str) -> tuple[Result, dict[str, Any]]:
    """On branch `feature` with model NEW: render against main."""
    write_preds(Path("preds.csv"), NEW)
    shutil.rmtree("out", ignore_errors=True)
    result = cli(
        "render", "-p", "preds.csv", "-m", "metrics.json", "--baseline", "main", "-o", "out",
        *options,
    )  # fmt: skip
    assert "Traceback" not in result.output and result.code != 70, result.output
    return result, load(Path("out"))


def test_a_record_is_the_baseline_of_every_metric(repo: Path, cli: CLI) -> None:
    sha = git(repo, "rev-parse", "HEAD~1")
    published = record(cli, sha)
    path = f"records/default/{sha}/record.npz"
    assert f"mlreport: recorded the report of {sha[:7]} (with its outcomes) as {path}" in (
        published.out.splitlines()
    )
    assert (repo / ".mlreport" / path).is_file()  # --platform local: records in .mlreport
    cli("render", "-m", "metrics.json", "-o", "rec")  # not recorded: its old record.npz goes
    assert not (repo / "rec" / "record.npz").exists()
    git(repo, "checkout", "-qb", "feature")
    gate = "accuracy >= baseline - 0.01 with 95% confidence"
    result, report = branch_render(cli, "--platform", "local", "-g", gate)
    assert result.code == 0, result.output
    assert report["gates"][0]["bound"] == pytest.approx(0.85 + reference(A, NEW)["low"])
    provenance = f"main @ {sha[:7]} (recorded, 1 commit behind)"
    assert report["inputs"]["baseline"] == baseline("record", provenance)
    assert report["paired"] == {"by": "id", "examples": N, "total": N}
    accuracy = row(report, "accuracy")
    assert accuracy["baseline"] == 0.85  # A's, from the record: not B's 0.9 at main's head
    assert accuracy["p_value"] == pytest.approx(reference(A, NEW)["p"])
    assert all(m["baseline"] is not None for m in report["metrics"])
    assert row(report, "epochs")["baseline"] == 3
    assert report["changes"]["fixed"] == 30 and report["changes"]["broken"] == 8
    markdown = (repo / "out" / "report.md").read_text(encoding="utf-8")
    assert f"baseline {provenance}" in markdown


def test_records_folder_and_report_id_for_render_check_and_diff(repo: Path, cli: CLI) -> None:
    sha = git(repo, "rev-parse", "HEAD~1")
    record(cli, sha, "--records", "recs", "--id", "nightly")
    assert (repo / "recs" / "records" / "nightly" / sha / "record.npz").is_file()
    assert not (repo / ".mlreport").exists()
    git(repo, "checkout", "-qb", "feature")
    found = ["--records", "recs", "--id", "nightly"]
    _, report = branch_render(cli, *found)
    assert report["inputs"]["baseline"]["kind"] == "record"
    gate = ["-g", "accuracy >= baseline + 0.05"]  # 0.905 vs A's 0.85 passes, vs B's 0.9 not
    checked = cli("check", "-p", "preds.csv", "-b", "main", *gate, *found)
    assert checked.code == 0, checked.output
    diffed = cli("diff", "-p", "preds.csv", "-b", "main", "--json", *found)
    assert next(r for r in json.loads(diffed.out) if r["name"] == "accuracy")["baseline"] == 0.85
    assert cli("check", "-p", "preds.csv", "-b", "main", *gate, "--records", "recs").code == 1


def test_a_metrics_only_record_has_no_outcomes(repo: Path, cli: CLI) -> None:
    from mlreport.inputs.outcomes import unpack

    sha = git(repo, "rev-parse", "HEAD~1")
    record(cli, sha, kind="metrics")
    stored = repo / ".mlreport" / "records" / "default" / sha / "record.npz"
    with np.load(stored) as archive:
        assert sorted(archive.files) == ["meta", "report"]  # no labels, no predictions
    assert unpack(stored.read_bytes())[1] is None
    git(repo, "checkout", "-qb", "feature")
    result, report = branch_render(cli, "--platform", "local")
    assert result.code == 0
    provenance = f"main @ {sha[:7]} (recorded, 1 commit behind; metrics only)"
    assert report["inputs"]["baseline"] == baseline("record", provenance, outcomes=False)
    accuracy = row(report, "accuracy")
    assert report["paired"] is None and report["changes"] is None
    assert accuracy["baseline"] == 0.85 and accuracy["paired"] is False
    assert accuracy["delta_low"] < 0.055 < accuracy["delta_high"]  # from both intervals


def test_without_a_record_the_committed_predictions_are_evaluated_again(
    repo: Path, cli: CLI
) -> None:
    git(repo, "checkout", "-qb", "feature")
    result, report = branch_render(cli, "--platform", "local")
    assert_noted(result, report, "no record", "main", "last 2 commits")
    provenance = "main (its preds.csv evaluated again; no record)"
    assert report["inputs"]["baseline"] == baseline("git", provenance)
    assert row(report, "accuracy")["baseline"] == 0.9  # B: main's head
    assert row(report, "accuracy")["p_value"] == pytest.approx(reference(B, NEW)["p"])
    write_preds(repo / "other.csv", NEW)  # not committed on main
    cli("render", "-p", "other.csv", "-m", "metrics.json", "-b", "main", "--platform", "local")
    report = load(repo / "report")
    assert report["inputs"]["baseline"]["provenance"] == (
        "main (metrics files only — no record; computed metrics have no baseline)"
    )
    assert row(report, "accuracy")["baseline"] is None and row(report, "epochs")["baseline"] == 3


def _unknown_schema(data: bytes, meta: Any = None) -> bytes:
    """The record with another schema in its meta (or *meta* instead of its meta)."""
    with np.load(io.BytesIO(data)) as archive:
        arrays = {name: archive[name] for name in archive.files}
    if meta is None:
        meta = json.loads(bytes(arrays["meta"]).decode()) | {"schema": "mlreport/outcomes@99"}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez_compressed(out, **arrays)
    return out.getvalue()


def _declared_huge(data: bytes) -> bytes:
    """Each entry of the central directory claims ~4 GiB unpacked (a zip bomb's header)."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        start, count = archive.start_dir, len(archive.infolist())
    for _ in range(count):
        assert out[start : start + 4] == b"PK\x01\x02"
        struct.pack_into("<I", out, start + 24, 0xFFFFFFF0)
        names, extra, comment = struct.unpack_from("<HHH", out, start + 28)
        start += 46 + names + extra + comment
    return bytes(out)


@pytest.mark.parametrize(
    ("spoil", "note"),
    [
        (lambda data: np.random.default_rng(3).bytes(2000), "is unusable: not a record"),
        (_unknown_schema, "is unusable: a record of an unknown kind ('mlreport/outcomes@99')"),
        (_declared_huge, "is unusable: too large: it unpacks to"),
        (lambda data: _unknown_schema(data, []), "is unusable: "),
    ],
    ids=["corrupt", "unknown schema", "too large", "meta not an object"],
)
def test_an_unusable_record_is_a_note(
    repo: Path, cli: CLI, spoil: Callable[[bytes], bytes], note: str
) -> None:
    sha = git(repo, "rev-parse", "HEAD~1")
    record(cli, sha)
    stored = repo / ".mlreport" / "records" / "default" / sha / "record.npz"
    stored.write_bytes(spoil(stored.read_bytes()))
    git(repo, "checkout", "-qb", "feature")
    result, report = branch_render(cli, "--platform", "local")
    assert_noted(result, report, f"the record of main @ {sha[:7]} {note}")
    assert report["inputs"]["baseline"]["kind"] == "git"  # main's files, evaluated again
    assert row(report, "accuracy")["baseline"] == 0.9


@pytest.mark.parametrize(
    ("ids", "y", "note"),
    [
        ([f"zz-{i}" for i in range(N)], Y, "not paired: no id is in both the predictions and the "
         "baseline"),
        (IDS, (Y + 1) % 3, f"not paired: the true labels differ for {N} of the matched examples"),
    ],
    ids=["other ids", "other labels"],
)  # fmt: skip
def test_a_record_of_other_examples_is_not_paired(
    repo: Path, cli: CLI, ids: list[str], y: np.ndarray, note: str
) -> None:
    record(cli, git(repo, "rev-parse", "HEAD~1"), ids=ids, y=y)
    git(repo, "checkout", "-qb", "feature")
    result, report = branch_render(cli, "--platform", "local")
    assert_noted(result, report, note)
    assert report["inputs"]["baseline"]["kind"] == "record"
    assert report["paired"] is None and report["changes"] is None
    assert not any(m["paired"] for m in report["metrics"])


def test_no_record_within_reach_of_the_first_parent_history(repo: Path, cli: CLI) -> None:
    far = git(repo, "rev-parse", "HEAD~1")
    record(cli, far)
    for i in range(48):
        git(repo, "commit", "-q", "--allow-empty", "-m", f"c{i}")
    git(repo, "checkout", "-qb", "feature")
    _, report = branch_render(cli, "--platform", "local")
    assert report["inputs"]["baseline"]["provenance"].endswith("(recorded, 49 commits behind)")
    git(repo, "checkout", "-q", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "one more")  # the record: 51st of main
    git(repo, "checkout", "-q", "-B", "feature")
    result, report = branch_render(cli, "--platform", "local")
    assert_noted(result, report, "no record", "main", "last 50 commits")
    assert report["inputs"]["baseline"]["kind"] == "git"

    shutil.rmtree(repo / ".mlreport")
    git(repo, "checkout", "-qb", "side", "main")
    git(repo, "commit", "-q", "--allow-empty", "-m", "side")
    record(cli, git(repo, "rev-parse", "HEAD"))  # on a merged branch: not first-parent
    git(repo, "checkout", "-q", "main")
    git(repo, "reset", "-q", "--hard", "HEAD~44")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    git(repo, "checkout", "-q", "feature")
    result, report = branch_render(cli, "--platform", "local")
    assert_noted(result, report, "no record", "main", "last 8 commits")
    assert report["inputs"]["baseline"]["kind"] == "git"
