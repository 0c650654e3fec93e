"""Baselines with statistics (issue 11): intervals, paired comparisons, changed predictions,
gates with confidence and gates that need a baseline -- through the CLI, on the test set of
:mod:`tests.e2e.paired_data`."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import binom
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.weightstats import DescrStatsW

from tests.conftest import CLI
from tests.e2e.paired_data import (
    IDS,
    NEW,
    PERM,
    A,
    N,
    Y,
    assert_noted,
    baseline,
    load,
    reference,
    row,
    write_preds,
)
from tests.helpers import markdown_html, one_error, step_outputs, write_classification, write_json

# ---------------------------------------------------------------- intervals, levels, gates


def test_every_computed_metric_has_an_interval_at_the_chosen_level(workdir: Path, cli: CLI) -> None:
    write_classification(workdir / "p.csv", n=300, k=3)
    assert cli("render", "-p", "p.csv", "-o", "r95").code == 0
    r95 = load(workdir / "r95")
    assert r95["confidence"] == 0.95
    computed = [m for m in r95["metrics"] if m["source"] == "p.csv"]
    names = {m["name"] for m in computed}
    assert {"accuracy", "f1_macro", "roc_auc", "log_loss", "average_precision"} <= names
    for m in computed:
        assert isinstance(m["ci_method"], str) and m["ci_method"], m
        assert m["ci_low"] <= m["value"] <= m["ci_high"], m
    accuracy = row(r95, "accuracy")
    correct = round(accuracy["value"] * 300)  # a bootstrap of the cells: binomial, to a count
    expected = binom.ppf([0.025, 0.975], 300, correct / 300) / 300
    assert [accuracy["ci_low"], accuracy["ci_high"]] == pytest.approx(expected, abs=1.01 / 300)
    half = (accuracy["ci_high"] - accuracy["ci_low"]) / 2
    markdown = (workdir / "r95" / "report.md").read_text(encoding="utf-8")
    cell = next(line for line in markdown.splitlines() if line.startswith("| `accuracy` |"))
    shown = cell.split("|")[2].split()
    assert shown[0] == f"{accuracy['value']:.4g}" and shown[1].startswith("±")
    assert float(shown[1][1:]) == pytest.approx(half, rel=0.05)
    assert "<sub>± 95% confidence interval</sub>" in markdown

    bounds = []
    for level in ("0.9", "90", "90%"):
        assert cli("render", "-p", "p.csv", "-o", "r90", "--confidence", level).code == 0
        r90 = load(workdir / "r90")
        assert r90["confidence"] == pytest.approx(0.9)
        bounds.append((row(r90, "accuracy")["ci_low"], row(r90, "accuracy")["ci_high"]))
    assert bounds[0] == bounds[1] == bounds[2]
    assert accuracy["ci_low"] < bounds[0][0] <= bounds[0][1] < accuracy["ci_high"]
    assert "± 90% confidence interval" in (workdir / "r90" / "report.md").read_text()


def test_gates_on_interval_bounds_and_with_confidence(workdir: Path, cli: CLI) -> None:
    write_preds(workdir / "new.csv", NEW)
    cli("render", "-p", "new.csv", "-o", "r90", "--confidence", "90%")
    low90 = row(load(workdir / "r90"), "accuracy")["ci_low"]
    cli("render", "-p", "new.csv", "-o", "r95")
    accuracy = row(load(workdir / "r95"), "accuracy")
    low, high = accuracy["ci_low"], accuracy["ci_high"]
    assert low < 0.9 < 0.905 < high
    gates = [
        f"accuracy.ci_low >= {low - 0.001}",  # pass
        f"accuracy.ci_high <= {high - 0.001}",  # fail
        "accuracy >= 0.9 with 95% confidence",  # fail: the point value clears it, the bound not
        f"accuracy >= {low - 0.001} with 95% confidence",  # pass
        f"accuracy <= {high + 0.001} with 95% confidence",  # pass, on the upper bound
        f"accuracy >= {low90 - 0.001} with 90% confidence",  # pass: another level than 95%
    ]
    result = cli("check", "-p", "new.csv", "--json", *[a for g in gates for a in ("-g", g)])
    assert result.code == 1, result.output
    found = {g["expression"]: g for g in json.loads(result.out)["gates"]}
    assert [found[g]["status"] for g in gates] == ["pass", "fail", "fail", "pass", "pass", "pass"]
    sure = found["accuracy >= 0.9 with 95% confidence"]
    assert (sure["confidence"], sure["bound"], sure["actual"]) == (0.95, low, 0.905)
    assert found[gates[4]]["bound"] == high
    assert found[gates[5]]["confidence"] == 0.9 and found[gates[5]]["bound"] == low90
    assert found[gates[0]]["confidence"] is None and found[gates[0]]["actual"] == low
    # `accuracy = 0.905, expected ≥ 0.9` alone reads as a pass: the line gives the bound
    text = cli("check", "-p", "new.csv", "-g", "accuracy >= 0.9 with 95% confidence")
    line = next(line for line in text.out.splitlines() if line.startswith("  gate  fail"))
    assert f"{low:.4g}" in line, line


# ---------------------------------------------------------------- paired baseline predictions


def test_baseline_predictions_paired_by_id(workdir: Path, cli: CLI) -> None:
    write_preds(workdir / "new.csv", NEW)
    write_preds(workdir / "old.csv", A, order=PERM)  # another order: the ids pair them
    gate = "accuracy >= baseline - 0.01 with 95% confidence"
    plain, zero = "accuracy >= baseline - 0.01", "accuracy >= baseline"  # zero: no margin
    more = ["-g", plain, "-g", zero]
    result = cli("render", "-p", "new.csv", "--baseline-predictions", "old.csv", "-g", gate, *more)
    assert result.code == 0, result.output
    report = load(workdir / "report")
    assert report["inputs"]["baseline"] == baseline("predictions", "old.csv", "old.csv")
    assert report["paired"] == {"by": "id", "examples": N, "total": N}
    ref = reference(A, NEW)
    accuracy = row(report, "accuracy")
    assert (accuracy["value"], accuracy["baseline"], accuracy["paired"]) == (0.905, 0.85, True)
    assert accuracy["delta"] == pytest.approx(22 / N)
    assert accuracy["p_value"] == pytest.approx(ref["p"], rel=1e-9)
    assert [accuracy["delta_low"], accuracy["delta_high"]] == pytest.approx(
        [ref["low"], ref["high"]], rel=1e-9
    )
    assert accuracy["change"] == "better"
    assert all(m["paired"] for m in report["metrics"]), "every confusion metric is paired"
    assert report["gates"][0]["bound"] == pytest.approx(0.85 + ref["low"])
    half = (ref["high"] - ref["low"]) / 2  # the delta's interval is wider than the margin
    notes = {note.split("'")[1]: note for note in report["notes"] if note.startswith("gate '")}
    assert notes[plain] == (
        f"gate '{plain}': this test set (400 examples) resolves accuracy to ±{half:.2g} at 95%, "
        f"wider than the gate's margin of 0.01; about {math.ceil(N * (half / 0.01) ** 2):,} "
        "examples would resolve it"
    )
    assert "examples would resolve it" not in notes.get(zero, "")  # not 10^17 of them

    changes = report["changes"]
    fixed, broken = (A != Y) & (NEW == Y), (A == Y) & (NEW != Y)
    fixed_by, broken_by = np.bincount(Y[fixed], minlength=3), np.bincount(Y[broken], minlength=3)
    by_class = [(c, int(fixed_by[c]), int(broken_by[c])) for c in range(3)]
    assert changes["by_class"] == [
        {"label": str(c), "fixed": f, "broken": b, "net": f - b} for c, f, b in by_class if f or b
    ]
    assert {k: changes[k] for k in ("examples", "by", "fixed", "broken", "net", "changed")} == {
        "examples": N, "by": "id", "fixed": 30, "broken": 8, "net": 22, "changed": 48
    }  # fmt: skip
    assert {e["id"] for e in changes["broken_examples"]} == {IDS[i] for i in PERM[60:68]}
    assert changes["broken_listed"] == 8 and changes["file"] == "changed.csv"
    example = changes["broken_examples"][0]
    i = IDS.index(example["id"])
    assert example == {
        "id": IDS[i], "row": i, "true": str(Y[i]), "baseline": str(A[i]), "new": str(NEW[i]),
        "change": "broken",
    }  # fmt: skip

    lines = (workdir / "report" / "changed.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,true,baseline,new,change"
    kinds = {line.split(",")[0]: line.split(",")[-1] for line in lines[1:]}
    assert kinds == {
        **{IDS[i]: "fixed" for i in PERM[:30]},
        **{IDS[i]: "changed" for i in PERM[50:60]},
        **{IDS[i]: "broken" for i in PERM[60:68]},
    }
    markdown = (workdir / "report" / "report.md").read_text(encoding="utf-8")
    assert "### Changed predictions" in markdown
    summary = "**30 fixed**, **8 broken** (net +22), 10 changed from one wrong answer to another"
    assert summary in markdown
    assert "<details><summary>Broken examples (8)</summary>" in markdown
    assert "Δ paired on 400 examples (matched by id)" in markdown
    acc_line = next(line for line in markdown.splitlines() if line.startswith("| `accuracy` |"))
    assert "| 0.85 | +0.055 " in acc_line and "🟢 better (p < 0.001)" in acc_line
    html = markdown_html(markdown)
    assert '<th align="right">Fixed</th>' in html
    assert f'<td align="left"><code>{IDS[i]}</code></td>' in html


def test_paired_by_row_order_without_ids(workdir: Path, cli: CLI) -> None:
    write_preds(workdir / "new.csv", NEW, ids=False)
    write_preds(workdir / "old.csv", A, ids=False)
    assert cli("render", "-p", "new.csv", "--baseline-predictions", "old.csv").code == 0
    report = load(workdir / "report")
    assert report["paired"] == {"by": "row order", "examples": N, "total": N}
    assert row(report, "accuracy")["p_value"] == pytest.approx(reference(A, NEW)["p"])
    assert {e["row"] for e in report["changes"]["broken_examples"]} == set(PERM[60:68].tolist())
    assert all(e["id"] is None for e in report["changes"]["broken_examples"])
    lines = (workdir / "report" / "changed.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,true,baseline,new,change"
    broken_rows = {int(line.split(",")[0]) for line in lines[1:] if line.endswith(",broken")}
    assert broken_rows == set(PERM[60:68].tolist())
    assert "| row | True | Baseline | Now |" in (workdir / "report" / "report.md").read_text()


@pytest.mark.parametrize(
    ("old_rows", "note"),
    [
        (PERM, ("not paired: the true labels differ for", f" {(Y[PERM] != Y).sum()} of the")),
        (np.arange(300), ("not paired", "400", "300", "id")),
    ],
    ids=["shuffled", "fewer rows"],
)
def test_rows_that_cannot_be_matched_are_not_paired(
    workdir: Path, cli: CLI, old_rows: np.ndarray, note: tuple[str, ...]
) -> None:
    write_preds(workdir / "new.csv", NEW, ids=False)
    write_preds(workdir / "old.csv", A, ids=False, order=old_rows)
    (workdir / "report").mkdir()
    (workdir / "report" / "changed.csv").write_text("stale")
    result = cli("render", "-p", "new.csv", "--baseline-predictions", "old.csv")
    report = load(workdir / "report")
    assert_noted(result, report, *note)
    assert report["paired"] is None and report["changes"] is None
    assert not (workdir / "report" / "changed.csv").exists()
    accuracy = row(report, "accuracy")
    assert accuracy["paired"] is False and accuracy["baseline"] == pytest.approx(
        float((A[old_rows] == Y[old_rows]).mean())
    )
    assert "### Changed predictions" not in (workdir / "report" / "report.md").read_text()


def test_the_examples_both_have_are_paired_by_an_id_column(workdir: Path, cli: CLI) -> None:
    write_preds(workdir / "new.csv", NEW, id_col="key")
    keep = PERM[:250]
    write_preds(workdir / "old.csv", A, id_col="key", order=keep[::-1])
    result = cli("render", "-p", "new.csv", "--baseline-predictions", "old.csv", "--id-col", "key")
    report = load(workdir / "report")
    assert_noted(result, report, "paired on 250 of 400 examples (by id)")
    assert report["paired"] == {"by": "id", "examples": 250, "total": N}
    fixed = int(((A[keep] != Y[keep]) & (NEW[keep] == Y[keep])).sum())
    broken = int(((A[keep] == Y[keep]) & (NEW[keep] != Y[keep])).sum())
    expected = mcnemar([[0, fixed], [broken, 0]], exact=True).pvalue
    assert row(report, "accuracy")["p_value"] == pytest.approx(expected)
    assert (report["changes"]["fixed"], report["changes"]["broken"]) == (fixed, broken)
    missing = cli("check", "-p", "new.csv", "--id-col", "nope")
    assert missing.code == 2 and "check --id-col" in one_error(missing)


def test_a_change_within_noise_and_no_change(workdir: Path, cli: CLI) -> None:
    write_preds(workdir / "new.csv", NEW)
    write_preds(workdir / "same.csv", NEW)
    assert cli("render", "-p", "new.csv", "--baseline-predictions", "same.csv").code == 0
    report = load(workdir / "report")
    accuracy = row(report, "accuracy")
    assert (accuracy["delta"], accuracy["delta_low"], accuracy["delta_high"]) == (0, 0, 0)
    assert accuracy["change"] == "same" and accuracy["p_value"] == 1.0
    assert report["changes"]["changed"] == 0 and not (workdir / "report" / "changed.csv").exists()
    markdown = (workdir / "report" / "report.md").read_text(encoding="utf-8")
    assert "No prediction changed on the 400 paired examples." in markdown

    close = NEW.copy()
    close[PERM[30:33]] = Y[PERM[30:33]]  # 3 fixed
    close[PERM[200:202]] = (Y[PERM[200:202]] + 1) % 3  # 2 broken
    write_preds(workdir / "close.csv", close)
    assert cli("render", "-p", "close.csv", "--baseline-predictions", "new.csv").code == 0
    accuracy = row(load(workdir / "report"), "accuracy")
    assert accuracy["change"] == "noise" and accuracy["delta_low"] < 0 < accuracy["delta_high"]
    assert accuracy["p_value"] == pytest.approx(mcnemar([[0, 3], [2, 0]], exact=True).pvalue)
    markdown = (workdir / "report" / "report.md").read_text(encoding="utf-8")
    acc_line = next(line for line in markdown.splitlines() if line.startswith("| `accuracy` |"))
    assert "≈ within noise (p = 1.00)" in acc_line
    legend = "≈ within noise: the change's interval contains 0, or its p-value is 0.05 or more"
    assert legend in markdown


def test_paired_regression_deltas(workdir: Path, cli: CLI) -> None:
    rng = np.random.default_rng(5)
    truth = rng.normal(10, 3, N)
    old, new = truth + rng.normal(0, 1.0, N), truth + rng.normal(0, 0.8, N)
    for name, pred in (("old.csv", old), ("new.csv", new)):
        rows = [[IDS[i], f"{truth[i]:.6f}", f"{pred[i]:.6f}"] for i in range(N)]
        with (workdir / name).open("w", newline="") as handle:
            csv.writer(handle).writerows([["id", "y_true", "y_pred"], *rows])
    assert cli("render", "-p", "new.csv", "--baseline-predictions", "old.csv").code == 0
    report = load(workdir / "report")
    mae = row(report, "mae")
    rounded = np.round(truth, 6)
    diff = np.abs(np.round(new, 6) - rounded) - np.abs(np.round(old, 6) - rounded)
    stats = DescrStatsW(diff)
    assert mae["paired"] and mae["delta"] == pytest.approx(diff.mean())
    assert [mae["delta_low"], mae["delta_high"]] == pytest.approx(stats.zconfint_mean(0.05))
    assert mae["p_value"] == pytest.approx(stats.ztest_mean()[1])
    assert mae["change"] == "better"
    assert report["changes"] is None and not (workdir / "report" / "changed.csv").exists()


def test_changed_csv_quotes_what_a_spreadsheet_would_run(workdir: Path, cli: CLI) -> None:
    labels = ["=SUM(A1)", "+cmd", "@x|y", "-1", "-x"]
    y = np.arange(N) % 5
    old = y.copy()
    new = (y + 1) % 5  # every prediction broken
    ids = ["@1+1", *IDS[1:]]  # an id is data too
    write_preds(workdir / "old.csv", old, y=y, labels=labels, ids=ids)
    write_preds(workdir / "new.csv", new, y=y, labels=labels, ids=ids)
    assert cli("render", "-p", "new.csv", "--baseline-predictions", "old.csv").code == 0
    text = (workdir / "report" / "changed.csv").read_text(encoding="utf-8")
    cells = list(csv.reader(io.StringIO(text)))
    assert cells[1] == ["'@1+1", "'=SUM(A1)", "'=SUM(A1)", "'+cmd", "broken"]
    seen = {cell for line in cells[1:] for cell in line[1:4]}
    assert seen == {"'=SUM(A1)", "'+cmd", "'@x|y", "-1", "'-x"}  # a number is left alone
    markdown = (workdir / "report" / "report.md").read_text(encoding="utf-8")
    assert "| `@1+1` | `=SUM(A1)` | `=SUM(A1)` | `+cmd` |" in markdown
    html = markdown_html(markdown)
    assert '<td align="left"><code>@x|y</code></td>' in html  # one cell, its | a character


def test_an_unpaired_delta_reads_the_baseline_interval_at_its_own_level(
    workdir: Path, cli: CLI
) -> None:
    """A baseline report.json made at 95% compared at 90%: its interval is a 95% one."""
    from statistics import NormalDist

    write_preds(workdir / "old.csv", A)
    write_preds(workdir / "new.csv", NEW)
    cli("render", "-p", "old.csv", "-o", "old")
    cli("render", "-p", "new.csv", "-b", "old/report.json", "--confidence", "0.9", "-o", "new")
    old, new = row(load(workdir / "old"), "accuracy"), row(load(workdir / "new"), "accuracy")
    z90, z95 = (NormalDist().inv_cdf(0.5 + level / 2) for level in (0.9, 0.95))
    se = math.hypot(
        (new["ci_high"] - new["ci_low"]) / (2 * z90), (old["ci_high"] - old["ci_low"]) / (2 * z95)
    )
    assert new["paired"] is False and new["delta"] == pytest.approx(0.055)
    assert [new["delta_low"], new["delta_high"]] == pytest.approx(
        [0.055 - z90 * se, 0.055 + z90 * se]
    )


# ---------------------------------------------------------------- gates that need a baseline


def test_a_baseline_gate_without_any_baseline_is_an_error(workdir: Path, cli: CLI) -> None:
    write_preds(workdir / "new.csv", NEW)
    gate = "f1_macro >= baseline - 0.01"
    for command in ("render", "check"):
        result = cli(command, "-p", "new.csv", "-g", gate)
        assert result.code == 2
        assert f"gate '{gate}' compares with the baseline, and there is none" in one_error(result)
    assert not (workdir / "report").exists()
    write_preds(workdir / "old.csv", A)
    assert cli("check", "-p", "new.csv", "-g", gate, "--baseline-predictions", "old.csv").code == 0


def test_a_baseline_gate_is_skipped_when_the_baseline_lacks_the_metric(
    workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_preds(workdir / "new.csv", NEW)
    write_json(workdir / "base.json", {"loss": 0.3})
    gates = ["-g", "accuracy >= baseline", "-g", "accuracy >= 0.5"]
    status = "PASS: all 1 gate and 1 sanity check passed; 1 gate skipped: no baseline for accuracy"
    checked = cli("check", "-p", "new.csv", "-b", "base.json", *gates)
    assert checked.code == 0 and checked.out.splitlines()[0] == status
    assert "::warning" not in checked.out
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_OUTPUT", str(workdir / "output.txt"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(workdir / "summary.md"))
    result = cli("render", "-p", "new.csv", "-b", "base.json", *gates)
    assert result.code == 0, result.output
    assert result.out.splitlines()[1] == status  # after "Wrote report/report.md …"
    assert (
        "::warning title=mlreport%3A gate skipped::gate 'accuracy >= baseline' skipped: "
        "no baseline for accuracy"
    ) in result.out.splitlines()
    report = load(workdir / "report")
    assert report["summary"] == status.removeprefix("PASS: ")
    assert report["gates"][0]["status"] == "skipped" and report["gates"][0]["passed"] is None
    assert cli("publish", "report", "--platform", "local").code == 0
    outputs = step_outputs(workdir / "output.txt")
    assert (outputs["gates-skipped"], outputs["gates-failed"], outputs["status"]) == (
        "1", "0", "pass"
    )  # fmt: skip
    strict = cli("check", "-p", "new.csv", "-b", "base.json", *gates, "--strict-baseline")
    assert strict.code == 1


def test_a_test_set_too_small_for_the_gate_margin(workdir: Path, cli: CLI) -> None:
    write_preds(workdir / "new.csv", NEW)
    result = cli("render", "-p", "new.csv", "-g", "accuracy >= 0.9", "-g", "accuracy >= 0.5")
    assert result.code == 0
    report = load(workdir / "report")
    accuracy = row(report, "accuracy")
    half = (accuracy["ci_high"] - accuracy["ci_low"]) / 2
    needed = math.ceil(N * (half / abs(accuracy["value"] - 0.9)) ** 2)
    start = f"gate 'accuracy >= 0.9': this test set (400 examples) resolves accuracy to ±{half:.2g}"
    end = f"; about {needed:,} examples would resolve it"
    assert_noted(result, report, start)
    assert len(report["notes"]) == 1  # the wide gate resolves: no note
    note = report["notes"][0]
    assert note.startswith(f"{start} at 95%, wider than ") and note.endswith(end), note
    assert "0.005" in note.removeprefix(start).removesuffix(end)  # the gate's margin
    strict = cli("render", "-p", "new.csv", "-g", "accuracy >= 0.9", "--strict-size")
    assert strict.code == 1
    report = load(workdir / "report")
    check = next(c for c in report["checks"] if c["name"] == "test_set_size")
    assert check["passed"] is False and note in check["detail"]
    assert report["failures"] == ["check test_set_size"] and report["notes"] == []
    wide = cli("check", "-p", "new.csv", "-g", "accuracy >= 0.5", "--strict-size", "--json")
    assert wide.code == 0
    assert next(c for c in json.loads(wide.out)["checks"] if c["name"] == "test_set_size")["passed"]


def test_diff_compares_with_baseline_predictions_outside_git(workdir: Path, cli: CLI) -> None:
    write_preds(workdir / "new.csv", NEW)
    write_preds(workdir / "old.csv", A)
    result = cli("diff", "-p", "new.csv", "--baseline-predictions", "old.csv", "--json")
    assert result.code == 0, result.output
    accuracy = next(r for r in json.loads(result.out) if r["name"] == "accuracy")
    assert (accuracy["baseline"], accuracy["paired"]) == (0.85, True)
