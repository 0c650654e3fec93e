"""Data checks through the command line: schema, integrity, drift and fairness in the report,
in report.json and in the gates; bad input is one line and exit 2; odd data is a reported fact."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import CLI


def write_csv(path: Path, columns: dict[str, Any]) -> Path:
    names = list(columns)
    rows = zip(*(columns[n] for n in names), strict=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        writer.writerows(rows)
    return path


def dataset(n: int, seed: int, drift: bool = False, biased: bool = False) -> dict[str, Any]:
    """Predictions with features: y_true/y_pred beside age, income, city, gender.
    *drift*: age shifted by one sd and a new city; *biased*: women are predicted positive
    far less often."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, n)
    gender = rng.choice(["f", "m"], n)
    y_pred = np.where(rng.random(n) < 0.85, y_true, 1 - y_true)
    if biased:
        y_pred = np.where((gender == "f") & (rng.random(n) < 0.6), 0, y_pred)
    cities = ["north", "south", "east", "west"] + (["new"] if drift else [])
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "age": np.round(rng.normal(40 + (10 if drift else 0), 10, n), 1),
        "income": np.round(rng.lognormal(10, 1, n), 2),
        "city": rng.choice(cities, n),
        "gender": gender,
    }


@pytest.fixture
def files(workdir: Path) -> Path:
    write_csv(workdir / "train.csv", dataset(3000, 1))
    write_csv(workdir / "same.csv", dataset(2000, 2))
    write_csv(workdir / "drifted.csv", dataset(2000, 3, drift=True))
    write_csv(workdir / "biased.csv", dataset(2000, 4, biased=True))
    return workdir


def report(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return data


def test_stable_data_passes_and_is_reported(files: Path, cli: CLI) -> None:
    result = cli(
        "render", "-p", "same.csv", "--reference-data", "train.csv", "--sensitive", "gender",
        "--gate", "data.drift.share <= 0.3",
        "--gate", "fairness.gender.demographic_parity_difference <= 0.1", "-o", "out",
    )  # fmt: skip
    assert result.code == 0, result.output
    md = (files / "out" / "report.md").read_text(encoding="utf-8")
    assert "### Data" in md and "### Fairness by `gender`" in md
    assert "`same.csv` (2,000 rows) · against `train.csv` (3,000 rows)" in md
    assert "🔴 drifted" not in md and "data_drift.png" not in md
    data = report(files / "out")
    names = {c["name"] for c in data["data"]["columns"]}
    assert names == {"age", "income", "city", "gender"}  # y_true/y_pred are not features
    assert data["data"]["drift"]["label"]["column"] == "y_true"
    assert {c["name"] for c in data["data"]["checks"]} >= {
        "data_drift", "data_constant", "data_duplicates", "data_leakage",
    }  # fmt: skip
    assert all(c["passed"] for c in data["data"]["checks"])
    for name in ("data.drift.share", "data.psi.age", "data.missing.max", "data.leakage"):
        assert name in data["metrics"] or any(m.get("name") == name for m in data["metrics"])
    (group_f, group_m) = data["fairness"][0]["groups"]
    assert (group_f["group"], group_m["group"]) == ("f", "m")
    assert group_f["n"] + group_m["n"] == 2000


def test_drifted_data_fails_with_a_chart_of_the_drifted_columns(files: Path, cli: CLI) -> None:
    result = cli("render", "-p", "drifted.csv", "--reference-data", "train.csv", "-o", "out")
    assert result.code == 1, result.output
    assert "data_drift: 2 of 4 columns drifted (50%" in result.output
    md = (files / "out" / "report.md").read_text(encoding="utf-8")
    table = md[md.index("| Column |") :]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert [r.split("|")[1].strip() for r in rows[:2]] == ["`age`", "`city`"]  # drifted first
    assert all("🔴 drifted" in r for r in rows[:2]) and all("🟢" in r for r in rows[2:])
    assert "![Drifted columns: reference vs current](data_drift.png)" in md
    assert (files / "out" / "data_drift.png").read_bytes().startswith(b"\x89PNG")
    data = report(files / "out")
    assert data["data"]["drift"]["dataset_drift"] is True
    drifted = {
        c["name"]: c["drift"]["method"] for c in data["data"]["columns"] if c["drift"]["drifted"]
    }
    assert drifted == {"age": "wasserstein", "city": "jensenshannon"}  # 3,000 rows: distances


def test_gates_on_data_and_fairness_metrics(files: Path, cli: CLI) -> None:
    result = cli(
        "check", "-p", "biased.csv", "--sensitive", "gender",
        "--gate", "fairness.gender.demographic_parity_difference <= 0.1",
    )  # fmt: skip
    assert result.code == 1, result.output
    assert "fairness.gender.demographic_parity_difference" in result.output
    drift_gate = cli(
        "check", "-p", "drifted.csv", "--reference-data", "train.csv",
        "--drift-share", "0.9", "--gate", "data.drift.share <= 0.3",
    )  # fmt: skip
    assert drift_gate.code == 1, drift_gate.output  # the check passes at 0.9, the gate does not
    assert "data.drift.share" in drift_gate.output


def test_nothing_about_data_without_a_data_option(files: Path, cli: CLI) -> None:
    assert cli("render", "-p", "same.csv", "-o", "out").code == 0
    md = (files / "out" / "report.md").read_text(encoding="utf-8")
    assert "### Data" not in md and "Fairness" not in md
    data = report(files / "out")
    assert not data.get("data") and not data.get("fairness")
    assert not any(str(k).startswith("data.") for k in json.dumps(data["metrics"]).split('"'))


def test_schema_infer_then_check_finds_each_kind_of_violation(files: Path, cli: CLI) -> None:
    inferred = cli("schema", "infer", "train.csv", "-o", "schema.yml")
    assert inferred.code == 0, inferred.output
    text = (files / "schema.yml").read_text(encoding="utf-8")
    assert text.startswith("# mlreport data schema, inferred from train.csv")
    ok = cli("check", "--data", "same.csv", "--schema", "schema.yml")
    assert ok.code == 0, ok.output  # the same distribution passes the schema inferred from it
    rng = np.random.default_rng(5)
    bad = dataset(200, 6)
    bad["age"] = np.where(np.arange(200) < 3, -1.0, bad["age"])  # below min 0
    bad["city"] = np.where(np.arange(200) < 7, "<b>|x|</b>", bad["city"])  # unseen, hostile
    bad["gender"] = np.where(np.arange(200) < 2, "", bad["gender"])  # nulls where not allowed
    del bad["income"]  # a missing column
    bad["extra"] = rng.integers(0, 3, 200)  # an unexpected one
    write_csv(files / "bad.csv", bad)
    result = cli("render", "--data", "bad.csv", "--schema", "schema.yml", "-o", "out")
    assert result.code == 1, result.output
    violations = {(v["column"], v["kind"]): v for v in report(files / "out")["data"]["violations"]}
    assert violations.keys() == {
        ("age", "range"), ("city", "category"), ("gender", "null"),
        ("income", "missing_column"), ("extra", "unexpected_column"),
    }  # fmt: skip
    assert violations[("age", "range")]["count"] == 3
    assert violations[("city", "category")]["count"] == 7
    md = (files / "out" / "report.md").read_text(encoding="utf-8")
    assert "<b>" not in md and "|x|" not in md  # data is escaped in the table


def test_reference_data_at_a_git_ref(files: Path, cli: CLI) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=files, check=True, capture_output=True,
        )  # fmt: skip

    git("init", "-q", "-b", "main")
    git("add", "train.csv")
    git("commit", "-qm", "training data")
    write_csv(files / "train.csv", dataset(3000, 9, drift=True))  # changed in the tree
    result = cli("check", "-p", "same.csv", "--reference-data", "main:train.csv")
    assert result.code == 0, result.output  # main's (stable) data, not the working tree's
    assert "data_drift: 0 of 4 columns drifted" in result.output
    missing = cli("check", "-p", "same.csv", "--reference-data", "main:nope.csv")
    assert missing.code == 2 and "nope.csv is not committed at main" in missing.err


def test_leakage_and_duplicates(files: Path, cli: CLI) -> None:
    train = dataset(3000, 1)
    leaked = {k: np.concatenate([v[:40], v[:10], dataset(500, 7)[k]]) for k, v in train.items()}
    write_csv(files / "leaky.csv", leaked)
    result = cli("render", "--data", "leaky.csv", "--reference-data", "train.csv", "-o", "out")
    assert result.code == 1, result.output
    integrity = report(files / "out")["data"]["integrity"]
    assert integrity["leaked"] == 50 and integrity["duplicates"] == 10
    assert integrity["leakage_share"] == pytest.approx(50 / 550)
    assert "data_leakage: 50 of 550 rows (9.09%) are also in the reference data" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-p", "same.csv", "--sensitive", "religion"],
            "same.csv: has no sensitive column 'religion'",
        ),
        (["--data", "same.csv", "--schema", "broken.yml"], "broken.yml: invalid YAML at line"),
        (["--data", "same.csv", "--schema", "typo.yml"], "unknown type 'floatt'"),
        (["--data", "same.csv", "--reference-data", "other.csv"], "has no column in common"),
        (["--data", "same.csv", "--reference-data", "absent.csv"], "absent.csv"),
        (["--schema", "typo.yml"], "need the data to check"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    files: Path, cli: CLI, args: list[str], message: str
) -> None:
    (files / "broken.yml").write_text("columns: [\n", encoding="utf-8")
    (files / "typo.yml").write_text("columns:\n  age: {type: floatt}\n", encoding="utf-8")
    write_csv(files / "other.csv", {"q": [1, 2], "r": [3, 4]})
    result = cli("check", *args)
    assert result.code == 2, result.output
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


def test_odd_data_is_a_reported_fact_not_an_error(files: Path, cli: CLI) -> None:
    n = 150_000
    rng = np.random.default_rng(11)
    ids = [f"u{i}" for i in rng.permutation(n)]
    current = {
        "empty": [""] * n,  # all missing
        "user": ids[:100_000] + ids[:50_000],  # 100,000 distinct values
        "mixed": np.where(np.arange(n) % 100 == 0, "oops", rng.integers(0, 9, n).astype(str)),
        "x": rng.normal(size=n).round(3),
    }
    write_csv(files / "odd.csv", current)
    write_csv(files / "odd_ref.csv", {k: v[: n // 2] for k, v in current.items()})
    tiny = {k: v[:20] for k, v in current.items()}
    write_csv(files / "tiny.csv", tiny)
    (files / "mixed.yml").write_text(
        "extra_columns: allow\ncolumns:\n  mixed: {type: categorical}\n", encoding="utf-8"
    )
    result = cli(
        "render", "--data", "odd.csv", "--reference-data", "odd_ref.csv",
        "--schema", "mixed.yml", "-o", "out",
    )  # fmt: skip
    assert result.code in (0, 1), result.output  # facts, not errors
    data = report(files / "out")["data"]
    by_name = {c["name"]: c for c in data["columns"]}
    assert by_name["empty"]["missing"] == 1.0
    assert by_name["empty"]["drift"]["drifted"] is None
    assert "no values" in by_name["empty"]["drift"]["note"]
    assert "categories" in by_name["user"]["drift"]["note"]  # capped, and said so
    assert by_name["user"]["drift"]["drifted"] is not None
    assert any(v["kind"] == "mixed" and v["column"] == "mixed" for v in data["violations"])
    small = cli("render", "--data", "odd.csv", "--reference-data", "tiny.csv", "-o", "small")
    assert small.code in (0, 1), small.output
    notes = [c["drift"]["note"] for c in report(files / "small")["data"]["columns"] if c["drift"]]
    assert any("drift needs at least 30" in note for note in notes)
    md = (files / "small" / "report.md").read_text(encoding="utf-8")
    assert "not computed" in md


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_data_files_in_other_formats(files: Path, cli: CLI, suffix: str) -> None:
    columns = dataset(500, 12)
    path = files / f"data{suffix}"
    if suffix == ".jsonl":
        keys = list(columns)
        lines = [
            json.dumps(
                {k: (v.item() if hasattr(v, "item") else v) for k, v in zip(keys, row, strict=True)}
            )
            for row in zip(*(columns[k] for k in keys), strict=True)
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        pa = pytest.importorskip("pyarrow")
        import pyarrow.parquet as pq

        pq.write_table(pa.table({k: list(v) for k, v in columns.items()}), path)
    result = cli("check", "--data", path.name, "--reference-data", "train.csv")
    assert result.code == 0, result.output
    assert "data_drift: 0 of 4 columns drifted" in result.output


def test_a_schema_sets_a_columns_drift_method_and_threshold(files: Path, cli: CLI) -> None:
    (files / "s.yml").write_text(
        "extra_columns: allow\n"
        "columns:\n"
        "  age: {type: numeric, drift: {method: psi, threshold: 5}}\n"
        "  city: {type: categorical, drift: {method: chisquare}}\n",
        encoding="utf-8",
    )
    result = cli(
        "render", "-p", "drifted.csv", "--reference-data", "train.csv", "--schema", "s.yml",
        "-o", "out",
    )  # fmt: skip
    assert result.code == 0, result.output  # 1 of 4 columns drifted: no dataset drift
    columns = {c["name"]: c["drift"] for c in report(files / "out")["data"]["columns"]}
    assert (columns["age"]["method"], columns["age"]["threshold"]) == ("psi", 5.0)
    assert columns["age"]["drifted"] is False  # PSI below the schema's threshold of 5
    assert columns["age"]["score"] == pytest.approx(columns["age"]["psi"])
    assert (columns["city"]["method"], columns["city"]["threshold"]) == ("chisquare", 0.05)
    assert columns["city"]["drifted"] is True and columns["city"]["score"] < 1e-6
    assert columns["income"]["method"] == "wasserstein"  # not named: Evidently's choice
