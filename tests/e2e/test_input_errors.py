"""Every input error is one line on stderr, ``mlreport: error: <file>: <what>; <fix>``, exit 2."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CLI, Result
from tests.helpers import write_classification, write_json, write_jsonl, write_text

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@e", "-c", "init.defaultBranch=main"]
GIT += ["-c", "commit.gpgsign=false"]


def git(cwd: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True)


def one_line_error(result: Result, file: str | None, *keywords: str) -> str:
    """Assert exit 2 and a single ``mlreport: error:`` line naming *file*; return the line."""
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    line = lines[0]
    prefix = "mlreport: error: "
    assert line.startswith(prefix), line
    if file is not None:
        assert line.startswith(f"{prefix}{file}: "), line
    for keyword in keywords:
        assert keyword in line, f"{keyword!r} not in {line!r}"
    return line


# ---------------------------------------------------------------------- files that are not there


@pytest.mark.parametrize(
    ("option", "what"),
    [("--metrics", "metrics"), ("--predictions", "predictions"), ("--history", "history")],
)
def test_missing_file(tmp_path: Path, cli: CLI, option: str, what: str) -> None:
    result = cli("render", option, "nope.csv", "-o", "out")
    line = one_line_error(result, "nope.csv", f"{what} file not found")
    assert line == (
        f"mlreport: error: nope.csv: {what} file not found; check the path (relative to "
        f"{tmp_path}); if a training step writes it, that step did not"
    )


def test_missing_file_names_the_directory_it_is_relative_to(tmp_path: Path, cli: CLI) -> None:
    (tmp_path / "sub").mkdir()
    result = cli("check", "-p", "pred.csv", cwd=tmp_path / "sub")
    line = one_line_error(result, "pred.csv", "predictions file not found")
    assert f"; check the path (relative to {tmp_path / 'sub'}); " in line


def test_missing_file_suggests_one_with_another_extension(tmp_path: Path, cli: CLI) -> None:
    write_json(tmp_path / "metrics.json", {"accuracy": 0.9})
    result = cli("check", "-m", "metrics.yaml", "--gate", "accuracy >= 0.5")
    line = one_line_error(result, "metrics.yaml", "metrics file not found")
    assert line.endswith("; did you mean metrics.json?")


def test_missing_file_in_a_missing_directory(cli: CLI) -> None:
    result = cli("render", "-p", "out/pred.csv")
    line = one_line_error(result, "out/pred.csv")
    assert line == (
        "mlreport: error: out/pred.csv: predictions file not found; directory out does not "
        "exist either; check the path"
    )


@pytest.mark.parametrize(
    ("option", "name", "what"),
    [
        ("--metrics", "m.json", "metrics"),
        ("--predictions", "p.csv", "predictions"),
        ("--predictions", "p.jsonl", "predictions"),
        ("--history", "h.csv", "history"),
    ],
)
def test_empty_file(tmp_path: Path, cli: CLI, option: str, name: str, what: str) -> None:
    (tmp_path / name).write_bytes(b"")
    result = cli("render", option, name, "-o", "out")
    line = one_line_error(result, name)
    assert line == (
        f"mlreport: error: {name}: {what} file is empty; check the step that writes it (did "
        "it fail or write elsewhere?)"
    )


def test_whitespace_only_metrics(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "m.yaml", "\n   \n")
    line = one_line_error(cli("diff", "-m", "m.yaml"), "m.yaml")
    assert line == (
        "mlreport: error: m.yaml: metrics file is empty (only whitespace); check the step that "
        "writes it (did it fail or write elsewhere?)"
    )


def test_whitespace_only_json_predictions(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.json", " \n\t\n")
    line = one_line_error(cli("check", "-p", "p.json"), "p.json")
    assert line == (
        "mlreport: error: p.json: file is empty (only whitespace); check the step that writes "
        "it (did it fail or write elsewhere?)"
    )


def test_header_only_predictions(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred\n")
    one_line_error(cli("check", "-p", "p.csv"), "p.csv", "no data rows")


# ---------------------------------------------------------------------------- invalid syntax


def test_invalid_json_metrics(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "m.json", '{\n  "accuracy": 0.9,\n}\n')
    line = one_line_error(cli("check", "-m", "m.json", "--gate", "accuracy >= 0.5"), "m.json")
    assert line.startswith("mlreport: error: m.json: invalid JSON at line 3, column 1: ")
    assert line.endswith("; fix the file at that position (a JSON linter shows the context)")


def test_duplicate_key_in_json_metrics(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "m.json", '{"accuracy": 0.9, "accuracy": 0.95}')
    line = one_line_error(cli("check", "-m", "m.json", "--gate", "accuracy >= 0.5"), "m.json")
    assert line == "mlreport: error: m.json: key 'accuracy' appears twice in one object"


def test_metrics_that_collide_once_flattened(tmp_path: Path, cli: CLI) -> None:
    write_json(tmp_path / "m.json", {"test": {"acc": 0.9}, "test.acc": 0.8})
    line = one_line_error(cli("diff", "-m", "m.json"), "m.json")
    assert line == (
        "mlreport: error: m.json: metric 'test.acc' appears twice once nested keys are joined"
    )


def test_invalid_json_predictions(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.json", '{"y_true": [0, 1], "y_pred": [1, 0]')
    one_line_error(cli("render", "-p", "p.json"), "p.json", "invalid JSON at line 1")


def test_invalid_json_lines(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.jsonl", '{"y_true": 0, "y_pred": 1}\n{"y_true": 1, "y_pred": 0\n')
    line = one_line_error(cli("check", "-p", "p.jsonl"), "p.jsonl")
    assert line.startswith("mlreport: error: p.jsonl: line 2: invalid JSON: ")


def test_json_lines_row_that_is_not_an_object(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.jsonl", '{"y_true": 0, "y_pred": 1}\n[1, 0]\n')
    one_line_error(cli("check", "-p", "p.jsonl"), "p.jsonl", "line 2", "JSON object per line")


def test_invalid_yaml_metrics(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "m.yaml", "accuracy: 0.9\n  f1: [0.8\n")
    line = one_line_error(cli("diff", "-m", "m.yaml"), "m.yaml")
    assert line.startswith("mlreport: error: m.yaml: invalid YAML at line 2, column ")
    assert line.endswith("; fix the file at that position (check indentation and quotes)")


def test_duplicate_key_in_yaml_metrics(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "m.yaml", "test:\n  acc: 0.9\n  loss: 0.3\n  acc: 0.8\n")
    line = one_line_error(cli("diff", "-m", "m.yaml"), "m.yaml")
    assert line == "mlreport: error: m.yaml: key 'acc' appears twice in one mapping (line 4)"


def test_invalid_csv_metrics(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "m.csv", "name,value\naccuracy,0.9\nf1,0.8,0.7\n")
    line = one_line_error(cli("diff", "-m", "m.csv"), "m.csv")
    assert line == "mlreport: error: m.csv: line 3 has 3 fields, expected 2 (name,value)"


def test_csv_metrics_of_unknown_shape(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "m.csv", "a,b,c\n1,2,3\n4,5,6\n")
    one_line_error(cli("diff", "-m", "m.csv"), "m.csv", "name,value", "accuracy,0.93")


def test_invalid_csv_predictions_unterminated_quote(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", 'y_true,y_pred\n0,1\n"1,0\n')
    line = one_line_error(cli("check", "-p", "p.csv"), "p.csv")
    assert line == (
        "mlreport: error: p.csv: line 3 has 1 field but the header has 2; every row needs one "
        "value per column; quote values that contain the separator (are y_true and y_pred the "
        "same length?)"
    )


def test_invalid_parquet(tmp_path: Path, cli: CLI) -> None:
    (tmp_path / "p.parquet").write_bytes(b"PAR1 not really parquet")
    one_line_error(cli("check", "-p", "p.parquet"), "p.parquet", "not a readable Parquet file")


def test_unknown_predictions_extension(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.xlsx", "y_true,y_pred\n0,1\n")
    one_line_error(cli("check", "-p", "p.xlsx"), "p.xlsx", "unknown predictions format", ".csv")


def test_metrics_that_are_not_a_mapping(tmp_path: Path, cli: CLI) -> None:
    write_json(tmp_path / "m.json", [0.9, 0.8])
    one_line_error(cli("diff", "-m", "m.json"), "m.json", "found a list", '{"accuracy": 0.93}')


def test_duplicate_metric_in_csv(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "m.csv", "accuracy,0.9\naccuracy,0.8\n")
    one_line_error(cli("diff", "-m", "m.csv"), "m.csv", "'accuracy' appears twice")


# ------------------------------------------------------------------------------------ UTF-8


@pytest.mark.parametrize(
    ("args", "name", "data"),
    [
        (("diff", "-m"), "m.json", b'{"accuracy": 0.9, "model": "caf\xe9"}'),
        (("diff", "-m"), "m.yaml", b"accuracy: 0.9\nmodel: caf\xe9\n"),
        (("diff", "-m"), "m.csv", b"accuracy,0.9\nmodel,caf\xe9\n"),
        (("check", "-p"), "p.csv", b"y_true,y_pred\ncaf\xe9,tea\ntea,tea\n"),
        (("check", "-p"), "p.csv", b"y_true,y_pred\r\n0,1\r\n1,0\r\n0,\xff\r\n"),
        (("check", "-p"), "p.tsv", b"y_true\ty_pred\n0\t1\n\xfe\t0\n"),
        (("check", "-p"), "p.jsonl", b'{"y_true": 0, "y_pred": 1}\n{"y_true": "\xe9"}\n'),
        (("check", "-p"), "p.json", b'{"y_true": ["\xe9", "a"], "y_pred": ["a", "a"]}'),
        (("render", "--history"), "h.csv", b"epoch,loss\n1,0.9\n2,\xff\n"),
        (("check", "-p"), "utf16.csv", "y_true,y_pred\n0,1\n".encode("utf-16")),
    ],
)
def test_non_utf8(tmp_path: Path, cli: CLI, args: tuple[str, ...], name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    line = one_line_error(cli(*args, name), name, "not valid UTF-8 (byte 0x")
    assert line.endswith("; save it as UTF-8")


# ---------------------------------------------------------------------------------- columns


def test_missing_target_column(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "label,y_pred\n0,1\n1,0\n")
    line = one_line_error(cli("render", "-p", "p.csv"), "p.csv")
    assert line == (
        "mlreport: error: p.csv: column 'y_true' not found (columns: label, y_pred); set the "
        "true-value column with --target-col"
    )


def test_missing_prediction_column(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,prediction\n0,1\n1,0\n")
    one_line_error(cli("check", "-p", "p.csv"), "p.csv", "'y_pred' not found", "--pred-col")


def test_wrong_target_col_option(tmp_path: Path, cli: CLI) -> None:
    write_classification(tmp_path / "p.csv", n=20, k=2, proba=False)
    result = cli("check", "-p", "p.csv", "--target-col", "truth")
    one_line_error(result, "p.csv", "column 'truth' not found", "y_true, y_pred", "--target-col")


def test_target_col_option_finds_the_column(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "truth,guess\n0,1\n1,1\n0,0\n1,0\n")
    result = cli("check", "-p", "p.csv", "--target-col", "truth", "--pred-col", "guess", "--json")
    assert result.code in (0, 1), result.output
    assert result.err == ""


def test_missing_slice_column(tmp_path: Path, cli: CLI) -> None:
    write_classification(tmp_path / "p.csv", n=20, k=2)
    result = cli("check", "-p", "p.csv", "--slice-by", "region")
    one_line_error(result, "p.csv", "column 'region' not found", "--slice-by")


def test_tsv_that_is_comma_separated(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.tsv", "y_true,y_pred\n0,1\n1,0\n")
    one_line_error(cli("check", "-p", "p.tsv"), "p.tsv", "not found", "y_true,y_pred")


def test_semicolon_separated_csv(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true;y_pred\n0;1\n1;0\n")
    one_line_error(cli("check", "-p", "p.csv"), "p.csv", "';'-separated", "','")


def test_duplicate_column(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred,y_pred\n0,1,1\n1,0,0\n")
    one_line_error(cli("check", "-p", "p.csv"), "p.csv", "'y_pred' appears twice")


def test_text_probabilities(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred,score\n0,1,0.5\n1,0,high\n")
    one_line_error(cli("check", "-p", "p.csv"), "p.csv", "column 'score' is not numeric (line 3)")


# ------------------------------------------------------------------- y_true / y_pred lengths


def test_csv_row_with_a_missing_field(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred\n0,1\n1,0\n1\n0,0\n")
    line = one_line_error(cli("render", "-p", "p.csv"), "p.csv")
    assert line == (
        "mlreport: error: p.csv: line 4 has 1 field but the header has 2; every row needs one "
        "value per column; quote values that contain the separator (are y_true and y_pred the "
        "same length?)"
    )


def test_csv_row_with_an_extra_field(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred\n0,1\n1,0,1\n0,0\n")
    line = one_line_error(cli("check", "-p", "p.csv"), "p.csv")
    assert line == (
        "mlreport: error: p.csv: line 3 has 3 fields but the header has 2; every row needs one "
        "value per column; quote values that contain the separator (are y_true and y_pred the "
        "same length?)"
    )


def test_csv_row_with_an_extra_field_in_a_quoted_file(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", 'y_true,y_pred\n"a",b\n\nb,a,"c"\na,a\n')
    line = one_line_error(cli("check", "-p", "p.csv"), "p.csv")
    assert line.startswith("mlreport: error: p.csv: line 4 has 3 fields but the header has 2; ")


def test_unquoted_separator_in_a_label_is_found(tmp_path: Path, cli: CLI) -> None:
    write_text(
        tmp_path / "p.csv",
        "y_true,y_pred\nBoston,Boston\nBoston,Boston\nNew York, NY,Boston\nBoston,Austin\n",
    )
    line = one_line_error(cli("render", "-p", "p.csv", "-o", "out"), "p.csv")
    assert line == (
        "mlreport: error: p.csv: line 4 has 3 fields but the header has 2; every row needs one "
        "value per column; quote values that contain the separator (are y_true and y_pred the "
        "same length?)"
    )
    assert not (tmp_path / "out").exists()


def test_quoted_separator_in_a_label_is_read(tmp_path: Path, cli: CLI) -> None:
    write_text(
        tmp_path / "p.csv",
        'y_true,y_pred\nBoston,Boston\nBoston,Boston\n"New York, NY",Boston\nBoston,Austin\n',
    )
    result = cli("render", "-p", "p.csv", "-o", "out")
    assert result.code == 0, result.output
    assert result.err == ""
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["n_predictions"] == 4
    assert report["classification"]["labels"] == ["Austin", "Boston", "New York, NY"]


def test_history_row_with_an_extra_field_has_no_y_true_hint(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "h.csv", "epoch,loss\n1,0.5\n2,0.4,0.3\n")
    line = one_line_error(cli("render", "--history", "h.csv", "-o", "out"), "h.csv")
    assert line == (
        "mlreport: error: h.csv: line 3 has 3 fields but the header has 2; every row needs one "
        "value per column; quote values that contain the separator"
    )


def test_csv_row_with_a_missing_field_and_text_labels(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred,proba_a,proba_b\na,b,0.2,0.8\nb,a,0.9\n")
    one_line_error(cli("check", "-p", "p.csv"), "p.csv", "line 3 has 3 fields", "same length")


def test_json_column_arrays_of_different_lengths(tmp_path: Path, cli: CLI) -> None:
    write_json(tmp_path / "p.json", {"y_true": [0, 1, 1], "y_pred": [1, 0]})
    line = one_line_error(cli("check", "-p", "p.json"), "p.json")
    assert line == (
        "mlreport: error: p.json: columns differ in length (y_true has 3, y_pred has 2); every "
        "column needs one value per row (are y_true and y_pred from the same examples?)"
    )


def test_json_lines_row_missing_a_key(tmp_path: Path, cli: CLI) -> None:
    write_jsonl(
        tmp_path / "p.jsonl",
        [{"y_true": 0, "y_pred": 1}, {"y_true": 1, "y_pred": 0}, {"y_true": 1}],
    )
    line = one_line_error(cli("render", "-p", "p.jsonl"), "p.jsonl")
    assert line == (
        "mlreport: error: p.jsonl: line 3: missing 'y_pred' key; every row needs the keys of "
        "the first (y_true, y_pred)"
    )


def test_json_lines_row_with_extra_keys(tmp_path: Path, cli: CLI) -> None:
    write_text(
        tmp_path / "p.jsonl",
        '{"y_true": 0, "y_pred": 1}\n\n{"y_true": 1, "y_pred": 0, "a": 1, "b": 2}\n',
    )
    line = one_line_error(cli("check", "-p", "p.jsonl"), "p.jsonl")
    assert line == (
        "mlreport: error: p.jsonl: line 3: unexpected 'a', 'b' keys; every row needs the keys "
        "of the first (y_true, y_pred)"
    )


def test_json_rows_with_a_missing_key(tmp_path: Path, cli: CLI) -> None:
    write_json(tmp_path / "p.json", [{"y_true": 0, "y_pred": 1}, {"y_pred": 0}])
    line = one_line_error(cli("check", "-p", "p.json"), "p.json")
    assert line == (
        "mlreport: error: p.json: row 2: missing 'y_true' key; every row needs the keys of the "
        "first (y_true, y_pred)"
    )


# --------------------------------------------------------------------------------- labels


def test_nan_label_from_an_empty_field(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred\ncat,dog\n,dog\ndog,cat\n")
    line = one_line_error(cli("render", "-p", "p.csv"), "p.csv")
    assert line == (
        "mlreport: error: p.csv: column 'y_true' has a missing value (first at line 3); drop "
        "or fill those rows"
    )


def test_nan_labels_in_predictions_counted(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred\n0,1\n1,\n0,nan\n1,0\n")
    one_line_error(
        cli("check", "-p", "p.csv"), "p.csv", "'y_pred' has 2 missing values", "line 3", "drop"
    )


def test_null_label_in_json(tmp_path: Path, cli: CLI) -> None:
    write_json(tmp_path / "p.json", {"y_true": [0, None, 1], "y_pred": [0, 1, 1]})
    one_line_error(cli("check", "-p", "p.json"), "p.json", "'y_true' has a missing value")


def test_nan_regression_target(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred\n1.5,1\n,2.5\n3.5,2\nnan,1\n")
    line = one_line_error(cli("check", "-p", "p.csv"), "p.csv")
    assert line == (
        "mlreport: error: p.csv: column 'y_true' has 2 missing or infinite values (first at "
        "line 3); drop or fill those rows"
    )


def test_infinite_regression_target(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred\n1.5,1\n2.5,2\ninf,2.5\n-inf,1\n")
    line = one_line_error(cli("render", "-p", "p.csv"), "p.csv")
    assert line == (
        "mlreport: error: p.csv: column 'y_true' has 2 missing or infinite values (first at "
        "line 4); drop or fill those rows"
    )


def test_single_class(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred\nspam,spam\nspam,spam\n")
    line = one_line_error(cli("render", "-p", "p.csv"), "p.csv")
    assert line == (
        "mlreport: error: p.csv: only one class ('spam') in y_true and y_pred; classification "
        "metrics need at least two; evaluate on a sample with more than one class"
    )


def test_probability_column_for_an_unknown_label(tmp_path: Path, cli: CLI) -> None:
    write_text(
        tmp_path / "p.csv",
        "y_true,y_pred,proba_a,proba_b,proba_c\na,b,0.1,0.8,0.1\nb,a,0.6,0.3,0.1\n",
    )
    line = one_line_error(cli("check", "-p", "p.csv"), "p.csv")
    assert line == (
        "mlreport: error: p.csv: column 'proba_c' is for label 'c', which is in neither y_true "
        "nor y_pred (labels: a, b); name probability columns proba_<label>, or set "
        "--proba-prefix"
    )


def test_probability_column_missing_for_a_label(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred,proba_a,proba_b\na,b,0.2,0.8\nc,a,0.6,0.4\n")
    one_line_error(cli("check", "-p", "p.csv"), "p.csv", "no probability column for label(s) c")


def test_score_column_for_three_classes(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred,score\na,b,0.2\nc,a,0.6\n")
    one_line_error(cli("check", "-p", "p.csv"), "p.csv", "binary", "proba_<label>")


def test_unknown_pos_label(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred,score\na,b,0.2\nb,a,0.6\n")
    result = cli("check", "-p", "p.csv", "--pos-label", "yes")
    one_line_error(result, "p.csv", "--pos-label 'yes' is not one of the labels (a, b)")


def test_regression_task_on_text(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred\ncat,dog\ndog,dog\n")
    result = cli("check", "-p", "p.csv", "--task", "regression")
    one_line_error(result, "p.csv", "not numeric ('cat' at line 2)", "--task regression")


def test_history_without_numbers(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "h.csv", "epoch,phase\n1,train\n2,eval\n")
    one_line_error(cli("render", "--history", "h.csv"), "h.csv", "no numeric series", "epoch,loss")


# ------------------------------------------------------------------------------------- git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository in tmp_path with metrics.json committed on main."""
    git(tmp_path, "init", "-q")
    write_json(tmp_path / "metrics.json", {"accuracy": 0.9, "loss": 0.3})
    git(tmp_path, "add", "metrics.json")
    git(tmp_path, "commit", "-qm", "metrics")
    write_json(tmp_path / "metrics.json", {"accuracy": 0.92, "loss": 0.25})
    return tmp_path


def test_unknown_git_ref(repo: Path, cli: CLI) -> None:
    result = cli("diff", "-m", "metrics.json", "--baseline", "no-such-ref")
    line = one_line_error(result, "--baseline no-such-ref", "no such file or git ref")
    assert "git fetch origin no-such-ref" in line
    assert "shallow" not in line


def test_unknown_git_ref_in_check(repo: Path, cli: CLI) -> None:
    result = cli(
        "check", "-m", "metrics.json", "--gate", "accuracy >= baseline", "-b", "origin/main"
    )
    one_line_error(result, "--baseline origin/main", "git fetch origin main")


def test_unknown_git_ref_in_a_shallow_clone(repo: Path, tmp_path: Path, cli: CLI) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.as_uri(), str(clone))
    assert (clone / "metrics.json").is_file()
    result = cli("diff", "-m", "metrics.json", "--baseline", "no-such-ref", cwd=clone)
    line = one_line_error(result, "--baseline no-such-ref", "shallow clone", "fetch")
    assert "git fetch origin no-such-ref" in line
    assert "fetch-depth: 0" in line


def test_metrics_file_missing_at_the_baseline_ref(repo: Path, cli: CLI) -> None:
    write_json(repo / "new.json", {"f1": 0.5})
    result = cli("diff", "-m", "new.json", "--baseline", "main")
    line = one_line_error(result, "new.json", "not found at baseline ref 'main' (new.json)")
    assert "--baseline-optional" in line


def test_metrics_file_missing_at_the_baseline_ref_is_optional(repo: Path, cli: CLI) -> None:
    write_json(repo / "new.json", {"f1": 0.5})
    result = cli("diff", "-m", "new.json", "--baseline", "main", "--baseline-optional")
    assert result.code == 0, result.output
    assert result.err == ""


def test_invalid_metrics_at_the_baseline_ref(repo: Path, cli: CLI) -> None:
    write_text(repo / "broken.json", "{not json")
    git(repo, "add", "broken.json")
    git(repo, "commit", "-qm", "broken")
    write_json(repo / "broken.json", {"accuracy": 0.5})
    result = cli("diff", "-m", "broken.json")
    one_line_error(result, "broken.json", "invalid JSON at line 1")


def test_baseline_ref_outside_a_repository(tmp_path: Path, cli: CLI) -> None:
    write_json(tmp_path / "metrics.json", {"accuracy": 0.9})
    result = cli("diff", "-m", "metrics.json", "--baseline", "main")
    one_line_error(result, "--baseline main", "not inside a git repository")


# ------------------------------------------------------------------------------------ gates


@pytest.fixture
def metrics(tmp_path: Path) -> Path:
    return write_json(tmp_path / "metrics.json", {"accuracy": 0.9, "f1_macro": 0.8})


@pytest.mark.parametrize(
    ("gate", "keywords"),
    [
        ("accuracy => 0.9", ("gate 'accuracy => 0.9': unknown operator", ">= > <= < == !=")),
        ("accuracy >=", ("gate 'accuracy >=': nothing after '>='", "e.g. 'accuracy >= 0.9'")),
        (
            "accuracy >= basline",
            ("gate 'accuracy >= basline': cannot read 'basline'", "'baseline'"),
        ),
        (">= 0.9", ("expected NAME OP VALUE", "e.g.")),
        ("accuracy >= baseline * 5%", ("'%' goes with + or -",)),
    ],
)
def test_malformed_gate(metrics: Path, cli: CLI, gate: str, keywords: tuple[str, ...]) -> None:
    result = cli("check", "-m", metrics.name, "--gate", gate)
    one_line_error(result, None, *keywords)


def test_malformed_gate_fails_before_reading_inputs(cli: CLI) -> None:
    result = cli("check", "-m", "missing.json", "--gate", "accuracy => 0.9")
    one_line_error(result, None, "unknown operator")


def test_unknown_metric_in_a_gate(metrics: Path, cli: CLI) -> None:
    result = cli("check", "-m", metrics.name, "--gate", "acuracy >= 0.9")
    line = one_line_error(result, None)
    assert line == (
        "mlreport: error: gate 'acuracy >= 0.9': unknown metric 'acuracy'; did you mean 'accuracy'?"
    )


def test_unknown_metric_without_a_close_match(metrics: Path, cli: CLI) -> None:
    result = cli("check", "-m", metrics.name, "--gate", "zzz >= 1")
    one_line_error(result, None, "unknown metric 'zzz'", "known metrics: accuracy, f1_macro")


def test_malformed_gate_in_a_gates_file(tmp_path: Path, metrics: Path, cli: CLI) -> None:
    write_text(tmp_path / "gates.yaml", "gates:\n  - accuracy >= basline\n")
    result = cli("check", "-m", metrics.name, "--gates", "gates.yaml")
    one_line_error(result, "gates.yaml", "cannot read 'basline'")


# --------------------------------------------------------------------- --debug and bugs


def test_debug_shows_a_traceback(tmp_path: Path, cli: CLI) -> None:
    result = cli("--debug", "render", "-p", "nope.csv")
    assert result.code == 2
    assert "Traceback (most recent call last)" in result.err
    assert "InputError" in result.err
    assert result.err.splitlines()[-1] == (
        f"mlreport: error: nope.csv: predictions file not found; check the path (relative to "
        f"{tmp_path}); if a training step writes it, that step did not"
    )


def test_debug_from_the_environment(cli: CLI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLREPORT_DEBUG", "1")
    result = cli("render", "-p", "nope.csv")
    assert result.code == 2
    assert "Traceback (most recent call last)" in result.err
    assert result.err.splitlines()[-1].startswith(
        "mlreport: error: nope.csv: predictions file not found; "
    )


def test_debug_after_the_subcommand_is_a_usage_error(cli: CLI) -> None:
    result = cli("render", "--debug", "-p", "nope.csv")
    line = one_line_error(result, None)
    assert line == "mlreport: error: --debug goes before the command: mlreport --debug render …"


def test_debug_as_an_option_value_is_not_the_flag(tmp_path: Path, cli: CLI) -> None:
    result = cli("render", "-p", "nope.csv", "--title", "--debug")
    line = one_line_error(result, "nope.csv", "predictions file not found")
    assert "Traceback" not in result.err
    assert line.endswith("that step did not")


def test_without_debug_there_is_no_traceback(tmp_path: Path, cli: CLI) -> None:
    write_text(tmp_path / "p.csv", "y_true,y_pred\n0,1\n1\n")
    result = cli("render", "-p", "p.csv")
    one_line_error(result, "p.csv")


def test_internal_error_is_one_line_and_exit_70(
    metrics: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("mlreport.evaluation.load_metrics", broken)
    result = cli("check", "-m", metrics.name, "--gate", "accuracy >= 0.5")
    assert result.code == 70
    assert result.out == ""
    assert result.err == (
        "mlreport: error: internal error: RuntimeError: boom (rerun with --debug and report it)\n"
    )
    debug = cli("--debug", "check", "-m", metrics.name, "--gate", "accuracy >= 0.5")
    assert debug.code == 70
    assert "Traceback (most recent call last)" in debug.err
    assert debug.err.splitlines()[-1].startswith("mlreport: error: internal error: RuntimeError")
