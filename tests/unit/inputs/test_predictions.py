"""Prediction files in every format, label canonicalisation, task inference; history files."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mlreport.config import PredictionOptions
from mlreport.errors import InputError
from mlreport.inputs.history import load_history
from mlreport.inputs.labels import Labels
from mlreport.inputs.predictions import Predictions, load_predictions
from tests.helpers import write_csv, write_json, write_jsonl

Columns = dict[str, list[Any]]


# ------------------------------------------------------------------------------- writers


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def to_csv(path: Path, columns: Columns, delimiter: str = ",") -> Path:
    rows = zip(*columns.values(), strict=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(list(columns))
        writer.writerows([_cell(v) for v in row] for row in rows)
    return path


def as_rows(columns: Columns) -> list[dict[str, Any]]:
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def write_as(fmt: str, directory: Path, columns: Columns) -> Path:
    if fmt == "csv":
        return to_csv(directory / "pred.csv", columns)
    if fmt == "tsv":
        return to_csv(directory / "pred.tsv", columns, "\t")
    if fmt == "jsonl":
        return write_jsonl(directory / "pred.jsonl", as_rows(columns))
    if fmt == "json-rows":
        return write_json(directory / "pred.json", as_rows(columns))
    if fmt == "json-columns":
        return write_json(directory / "pred.json", columns)
    assert fmt == "parquet"
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = directory / "pred.parquet"
    pq.write_table(pa.table(columns), path)
    return path


FORMATS = ["csv", "tsv", "jsonl", "json-rows", "json-columns", "parquet"]


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def load(path: Path, **options: Any) -> Predictions:
    return load_predictions(path, PredictionOptions(**options))


def load_error(path: Path, **options: Any) -> str:
    with pytest.raises(InputError) as info:
        load(path, **options)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message


def codes(labels: Labels) -> list[int]:
    return [int(c) for c in labels.codes]


# ------------------------------------------------------------------ one dataset, every format

PROBA = {  # per row: cat, dog, emu
    "cat": [0.7, 0.1, 0.2, 0.1, 0.3, 0.0],
    "dog": [0.2, 0.3, 0.2, 0.8, 0.5, 0.25],
    "emu": [0.1, 0.6, 0.6, 0.1, 0.2, 0.75],
}
SHUFFLED: Columns = {  # columns deliberately out of order
    "y_pred": ["cat", "emu", "emu", "dog", "dog", "emu"],
    "proba_emu": PROBA["emu"],
    "region": ["eu", "us", "eu", None, "us", "eu"],
    "y_true": ["cat", "dog", "emu", "dog", "cat", "emu"],
    "proba_cat": PROBA["cat"],
    "fold": [0, 0, 1, 1, 2, 2],
    "proba_dog": PROBA["dog"],
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_the_same_predictions(tmp_path: Path, fmt: str) -> None:
    path = write_as(fmt, tmp_path, SHUFFLED)
    pred = load(path, slice_by=("region",))
    assert pred.path == path
    assert pred.task == "classification"
    assert pred.task_inferred is True
    assert pred.labels == ("cat", "dog", "emu")
    assert pred.y_true.tolist() == [0, 1, 2, 1, 0, 2]
    assert pred.y_pred.tolist() == [0, 2, 2, 1, 1, 2]
    assert pred.n == 6
    assert pred.proba is not None
    expected = np.array([PROBA["cat"], PROBA["dog"], PROBA["emu"]]).T
    np.testing.assert_array_equal(pred.proba, expected)
    assert pred.score is None
    assert pred.pos_label is None
    assert list(pred.slices) == ["region"]
    assert pred.slices["region"].names == ("eu", "us", "(missing)")
    assert codes(pred.slices["region"]) == [0, 1, 0, 2, 1, 0]
    assert pred.fold_column == "fold"
    assert pred.folds is not None
    assert pred.folds.names == ("0", "1", "2")
    assert codes(pred.folds) == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_the_same_regression(tmp_path: Path, fmt: str) -> None:
    columns: Columns = {"y_true": [1.5, 2.0, -3.25, 4.0], "y_pred": [1.0, None, -3.0, 4.5]}
    pred = load(write_as(fmt, tmp_path, columns))
    assert pred.task == "regression"
    assert pred.task_inferred is True
    assert pred.labels == ()
    assert pred.y_true.dtype == np.float64
    assert pred.y_true.tolist() == [1.5, 2.0, -3.25, 4.0]
    assert pred.y_pred[[0, 2, 3]].tolist() == [1.0, -3.0, 4.5]
    assert math.isnan(pred.y_pred[1])  # a missing prediction is kept as NaN
    assert pred.proba is None
    assert pred.score is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_true_value_is_an_error_in_every_format(tmp_path: Path, fmt: str) -> None:
    columns: Columns = {"y_true": ["a", None, "b"], "y_pred": ["a", "b", "b"]}
    path = write_as(fmt, tmp_path, columns)
    message = load_error(path)
    assert "column 'y_true' has a missing value" in message
    assert message.endswith("; drop or fill those rows")


@pytest.mark.parametrize("fmt", FORMATS)
def test_numeric_labels_in_every_format(tmp_path: Path, fmt: str) -> None:
    columns: Columns = {"y_true": [10, 2, 1, 2], "y_pred": [1, 2, 10, 10]}
    pred = load(write_as(fmt, tmp_path, columns))
    assert pred.task == "classification"
    assert pred.labels == ("1", "2", "10")  # sorted by value, not as text
    assert pred.y_true.tolist() == [2, 1, 0, 1]
    assert pred.y_pred.tolist() == [0, 1, 2, 2]
    assert pred.pos_label is None


# ------------------------------------------------------------------------------ labels


def test_string_labels(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred\nspam,ham\nham,ham\nspam,spam\n")
    pred = load(path)
    assert pred.labels == ("ham", "spam")
    assert pred.y_true.tolist() == [1, 0, 1]
    assert pred.y_pred.tolist() == [0, 0, 1]
    assert pred.pos_label == 1  # scikit-learn's classes_[1]


def test_string_labels_of_one_column_only_seen_in_the_other(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred\na,c\nb,b\n")
    pred = load(path)
    assert pred.labels == ("a", "b", "c")
    assert pred.y_true.tolist() == [0, 1]
    assert pred.y_pred.tolist() == [2, 1]


def test_numeric_labels_are_canonical_in_csv(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", 'y_true,y_pred\n1,1.0\n"2",2.00\n1.0,"2"\n')
    pred = load(path)
    assert pred.task == "classification"
    assert pred.labels == ("1", "2")
    assert pred.y_true.tolist() == [0, 1, 0]
    assert pred.y_pred.tolist() == [0, 1, 1]


def test_numeric_labels_are_canonical_in_json(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "p.json", {"y_true": [1, "1", 1.0, 2, "10"], "y_pred": [2.0, "2", 1, "1.0", 10]}
    )
    pred = load(path)
    assert pred.labels == ("1", "2", "10")
    assert pred.y_true.tolist() == [0, 0, 0, 1, 2]
    assert pred.y_pred.tolist() == [1, 1, 0, 0, 2]


def test_probability_columns_of_numeric_labels_are_canonical(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "y_true,y_pred,proba_2.0,proba_1,proba_10.0\n1,2,0.5,0.25,0.25\n10,10,0.1,0.1,0.8\n",
    )
    pred = load(path)
    assert pred.labels == ("1", "2", "10")
    assert pred.proba is not None
    assert pred.proba.tolist() == [[0.25, 0.5, 0.25], [0.1, 0.1, 0.8]]


def test_integers_beyond_int64_are_read_as_numbers(tmp_path: Path) -> None:
    big = 10**20
    from_json = load(write_json(tmp_path / "p.json", {"y_true": [big, 1], "y_pred": [1, 1]}))
    from_csv = load(write_text(tmp_path / "p.csv", f"y_true,y_pred\n{big},1\n1,1\n"))
    assert from_json.labels == from_csv.labels == ("1", "1e+20")
    assert from_json.y_true.tolist() == from_csv.y_true.tolist() == [1, 0]


def test_boolean_json_labels(tmp_path: Path) -> None:
    pred = load(write_json(tmp_path / "p.json", {"y_true": [True, False], "y_pred": [True, True]}))
    assert pred.labels == ("false", "true")
    assert pred.y_true.tolist() == [1, 0]


def test_parquet_categorical_columns_ignore_unused_categories(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    categories = pa.array(["cat", "dog", "emu"])
    labels = pa.DictionaryArray.from_arrays(pa.array([1, 0, 1, 0], pa.int8()), categories)
    group = pa.DictionaryArray.from_arrays(pa.array([2, None, 2, 2], pa.int8()), categories)
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"y_true": labels, "y_pred": labels, "g": group}), path)
    pred = load(path, slice_by=("g",))
    assert pred.labels == ("cat", "dog")
    assert pred.y_true.tolist() == [1, 0, 1, 0]
    assert pred.slices["g"].names == ("emu", "(missing)")
    assert codes(pred.slices["g"]) == [0, 1, 0, 0]


# ------------------------------------------------------------------------- task inference


def test_whole_floats_are_classes(tmp_path: Path) -> None:
    pred = load(write_text(tmp_path / "p.csv", "y_true,y_pred\n0.0,1.0\n1.0,1.0\n"))
    assert pred.task == "classification"
    assert pred.labels == ("0", "1")


def test_fractional_numbers_are_a_regression(tmp_path: Path) -> None:
    pred = load(write_text(tmp_path / "p.csv", "y_true,y_pred\n1,2\n3,4.5\n"))
    assert pred.task == "regression"
    assert pred.y_true.tolist() == [1.0, 3.0]
    assert pred.y_pred.tolist() == [2.0, 4.5]


def test_fractional_numbers_given_as_text_in_json_are_a_regression(tmp_path: Path) -> None:
    pred = load(write_json(tmp_path / "p.json", {"y_true": ["1.5", "2"], "y_pred": [1, 2]}))
    assert pred.task == "regression"
    assert pred.y_true.tolist() == [1.5, 2.0]


def integers(tmp_path: Path, distinct: int) -> Path:
    rows = [(i, (i + 1) % distinct) for i in range(distinct)]
    return write_csv(tmp_path / "p.csv", ["y_true", "y_pred"], rows)


def test_a_thousand_integer_labels_are_still_classes(tmp_path: Path) -> None:
    pred = load(integers(tmp_path, 1000))
    assert pred.task == "classification"
    assert len(pred.labels) == 1000
    assert pred.labels[:3] == ("0", "1", "2")
    assert pred.labels[-1] == "999"


def test_more_than_a_thousand_integer_values_are_a_regression(tmp_path: Path) -> None:
    pred = load(integers(tmp_path, 1001))
    assert pred.task == "regression"
    assert pred.task_inferred is True
    assert pred.y_true.tolist() == [float(i) for i in range(1001)]
    assert pred.y_pred[-1] == 0.0


def test_task_classification_overrides_the_inference(tmp_path: Path) -> None:
    pred = load(integers(tmp_path, 1001), task="classification")
    assert pred.task == "classification"
    assert pred.task_inferred is False
    assert len(pred.labels) == 1001
    assert pred.labels[-1] == "1000"
    assert pred.y_true.tolist() == list(range(1001))


def test_task_regression_overrides_the_inference(tmp_path: Path) -> None:
    pred = load(write_text(tmp_path / "p.csv", "y_true,y_pred\n1,2\n3,3\n"), task="regression")
    assert pred.task == "regression"
    assert pred.task_inferred is False
    assert pred.y_true.tolist() == [1.0, 3.0]
    assert pred.y_pred.tolist() == [2.0, 3.0]


def test_task_regression_on_text_is_an_error(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred\n1,2\nx,3\n")
    assert load_error(path, task="regression") == (
        f"{path}: target column 'y_true' is not numeric ('x' at line 3); a regression task "
        "needs numbers; for class labels drop --task regression"
    )


def test_probability_columns_make_it_a_classification(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,score\n0,1,0.5\n1,1,0.75\n")
    assert load(path).task == "classification"


# ---------------------------------------------------------------------- regression NaNs


def test_regression_keeps_nan_predictions(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred\n1.5,\n2.5,nan\n3.5,4.25\n")
    pred = load(path)
    assert pred.task == "regression"
    assert np.isnan(pred.y_pred[:2]).all()
    assert pred.y_pred[2] == 4.25
    assert pred.y_true.tolist() == [1.5, 2.5, 3.5]


def test_regression_refuses_nan_targets(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred\n1.5,1\n,2\n2.5,3\nnan,1\n")
    assert load_error(path) == (
        f"{path}: column 'y_true' has 2 missing or infinite values (first at line 3); drop or "
        "fill those rows"
    )


@pytest.mark.parametrize(
    ("name", "text", "many", "where"),
    [
        (
            "p.csv",
            "y_true,y_pred\n1.5,1\n2.5,2\ninf,3\n-inf,1\n,2\n",
            "3 missing or infinite values",
            "line 4",
        ),
        (
            "p.tsv",
            "y_true\ty_pred\n1.5\t1\n-inf\t2\n2.5\t3\nnan\t1\ninf\t0\n",
            "3 missing or infinite values",
            "line 3",
        ),
        (
            "p.json",
            '{"y_true": [1.5, Infinity, null, 2.5], "y_pred": [1, 2, 3, 4]}',
            "2 missing or infinite values",
            "row 2",
        ),  # column arrays have rows, not lines
        (
            "p.jsonl",
            '{"y_true": 1.5, "y_pred": 1}\n\n{"y_true": "inf", "y_pred": 2}\n',
            "a missing or infinite value",
            "line 3",
        ),
    ],
)
def test_regression_refuses_infinite_targets(
    tmp_path: Path, name: str, text: str, many: str, where: str
) -> None:
    path = write_text(tmp_path / name, text)
    assert load_error(path, task="regression") == (
        f"{path}: column 'y_true' has {many} (first at {where}); drop or fill those rows"
    )


def test_regression_keeps_infinite_predictions(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred\n1.5,inf\n2.5,-inf\n3.5,4.25\n")
    pred = load(path)
    assert pred.task == "regression"
    assert pred.y_pred.tolist() == [math.inf, -math.inf, 4.25]


def test_classification_refuses_missing_predictions(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred\na,b\nb,\na,\n")
    assert load_error(path) == (
        f"{path}: column 'y_pred' has 2 missing values (first at line 3); drop or fill those rows"
    )


# --------------------------------------------------------------------- score and pos_label


def test_score_column_scores_the_second_label(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,score\n0,1,0.75\n1,1,0.5\n0,0,0.25\n")
    pred = load(path)
    assert pred.labels == ("0", "1")
    assert pred.pos_label == 1
    assert pred.proba is None
    assert pred.score is not None
    assert pred.score.tolist() == [0.75, 0.5, 0.25]


def test_pos_label_flips_the_score(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,score\n0,1,0.75\n1,1,0.5\n0,0,0.25\n")
    pred = load(path, pos_label="0")
    assert pred.pos_label == 0
    assert pred.score is not None
    assert pred.score.tolist() == [0.25, 0.5, 0.75]


def test_pos_label_is_canonicalised(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,score\n0,1,0.75\n1,1,0.5\n")
    assert load(path, pos_label="1.0").pos_label == 1


def test_score_column_with_another_name(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,p\nno,yes,0.75\nyes,yes,0.5\n")
    pred = load(path, score_col="p")
    assert pred.labels == ("no", "yes")
    assert pred.score is not None
    assert pred.score.tolist() == [0.75, 0.5]


def test_a_single_probability_column_is_the_score_of_its_label(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,proba_0\n0,1,0.75\n1,1,0.5\n")
    pred = load(path)
    assert pred.proba is None
    assert pred.pos_label == 0  # the label the column is for
    assert pred.score is not None
    assert pred.score.tolist() == [0.75, 0.5]


def test_pos_label_flips_a_single_probability_column(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,proba_0\n0,1,0.75\n1,1,0.5\n")
    pred = load(path, pos_label="1")
    assert pred.pos_label == 1
    assert pred.score is not None
    assert pred.score.tolist() == [0.25, 0.5]


def test_single_probability_column_of_text_labels(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,proba_dog\ncat,dog,0.75\ndog,dog,0.5\n")
    pred = load(path)
    assert pred.labels == ("cat", "dog")
    assert pred.pos_label == 1
    assert pred.score is not None
    assert pred.score.tolist() == [0.75, 0.5]


def test_two_probability_columns_give_the_score_of_pos_label(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "y_true,y_pred,proba_dog,proba_cat\ncat,dog,0.75,0.25\ndog,cat,0.4,0.6\n",
    )
    default = load(path)
    assert default.proba is not None
    assert default.proba.tolist() == [[0.25, 0.75], [0.6, 0.4]]
    assert default.pos_label == 1
    assert default.score is not None
    assert default.score.tolist() == [0.75, 0.4]
    flipped = load(path, pos_label="cat")
    assert flipped.pos_label == 0
    assert flipped.score is not None
    assert flipped.score.tolist() == [0.25, 0.6]


def test_custom_proba_prefix(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "truth,guess,p:b,p:a\na,b,0.75,0.25\nb,b,0.5,0.5\n")
    pred = load(path, target_col="truth", pred_col="guess", proba_prefix="p:")
    assert pred.labels == ("a", "b")
    assert pred.proba is not None
    assert pred.proba.tolist() == [[0.25, 0.75], [0.5, 0.5]]


def test_unknown_pos_label(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,score\na,b,0.75\nb,b,0.5\n")
    assert load_error(path, pos_label="c") == (
        f"{path}: --pos-label 'c' is not one of the labels (a, b)"
    )


def test_score_column_of_a_multiclass_task(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,score\na,b,0.75\nc,b,0.5\n")
    assert load_error(path) == (
        f"{path}: a 'score' column is for binary tasks, found 3 labels; give one "
        "proba_<label> column per class instead"
    )


def test_score_and_probability_columns_together(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,score,proba_a\na,b,0.75,0.25\nb,b,0,1\n")
    assert "has both 'score' and proba_<label> columns" in load_error(path)


def test_probability_column_missing_for_a_class(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,proba_a,proba_b\na,b,0.5,0.5\nc,b,0,1\n")
    assert load_error(path) == (
        f"{path}: no probability column for label(s) c; give one proba_<label> column per class"
    )


def test_probability_column_that_is_not_numeric(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,proba_a,proba_b\na,b,0.5,high\nb,b,0,1\n")
    assert load_error(path) == f"{path}: column 'proba_b' is not numeric (line 2)"


# -------------------------------------------------------------------------- slices and folds


def test_slices_with_missing_values_get_a_missing_group(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "p.csv",
        "y_true,y_pred,region,age\na,b,eu,3\nb,b,,\na,a,us,1\nb,a,eu,\n",
    )
    pred = load(path, slice_by=("region", "age"))
    assert list(pred.slices) == ["region", "age"]
    region, age = pred.slices["region"], pred.slices["age"]
    assert region.names == ("eu", "us", "(missing)")
    assert codes(region) == [0, 2, 1, 0]
    assert age.names == ("1", "3", "(missing)")
    assert codes(age) == [1, 2, 0, 2]


def test_slices_without_missing_values(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,size\na,b,10\nb,b,2\n")
    size = load(path, slice_by=("size",)).slices["size"]
    assert size.names == ("2", "10")
    assert size.numeric is True
    assert codes(size) == [1, 0]


def test_fold_column_is_found_by_name(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,fold\na,b,1\nb,b,0\na,a,1\n")
    pred = load(path)
    assert pred.fold_column == "fold"
    assert pred.folds is not None
    assert pred.folds.names == ("0", "1")
    assert codes(pred.folds) == [1, 0, 1]


def test_no_fold_column(tmp_path: Path) -> None:
    pred = load(write_text(tmp_path / "p.csv", "y_true,y_pred\na,b\nb,b\n"))
    assert pred.folds is None
    assert pred.fold_column is None
    assert pred.slices == {}


def test_fold_column_with_another_name(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred,cv,fold\na,b,x,1\nb,b,y,1\n")
    pred = load(path, fold_col="cv")
    assert pred.fold_column == "cv"
    assert pred.folds is not None
    assert pred.folds.names == ("x", "y")


def test_fold_column_that_is_not_there(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred\na,b\nb,b\n")
    assert load_error(path, fold_col="cv") == (
        f"{path}: column 'cv' not found (columns: y_true, y_pred); check --fold-col"
    )


def test_slice_column_that_is_not_there(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", "y_true,y_pred\na,b\nb,b\n")
    assert load_error(path, slice_by=("region",)) == (
        f"{path}: column 'region' not found (columns: y_true, y_pred); check the --slice-by "
        "column names"
    )


# ------------------------------------------------------------------------ CSV details


def test_quoted_fields_with_commas_newlines_and_quotes(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "p.csv",
        'y_true,y_pred,note\n"a, b","a, b","two\nlines"\nc,"a, b","say ""hi"""\n',
    )
    pred = load(path, slice_by=("note",))
    assert pred.labels == ("a, b", "c")
    assert pred.y_true.tolist() == [0, 1]
    assert pred.y_pred.tolist() == [0, 0]
    assert pred.slices["note"].names == ('say "hi"', "two\nlines")
    assert codes(pred.slices["note"]) == [1, 0]


@pytest.mark.parametrize(
    "data",
    [
        b"y_true,y_pred,proba_b,proba_a\r\nb,a,0.25,0.75\r\na,a,0.5,0.5\r\n",
        b"\xef\xbb\xbfy_true,y_pred,proba_b,proba_a\nb,a,0.25,0.75\na,a,0.5,0.5\n",
        b"\xef\xbb\xbfy_true,y_pred,proba_b,proba_a\r\nb,a,0.25,0.75\r\na,a,0.5,0.5",
        b"y_true,y_pred,proba_b,proba_a\n\nb,a,0.25,0.75\n\na,a,0.5,0.5\n\n",
    ],
    ids=["crlf", "bom", "bom-crlf-no-final-newline", "blank-lines"],
)
def test_crlf_bom_and_blank_lines(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    pred = load(path)
    assert pred.labels == ("a", "b")  # no stray '\r' or BOM in labels or column names
    assert pred.y_true.tolist() == [1, 0]
    assert pred.y_pred.tolist() == [0, 0]
    assert pred.proba is not None
    assert pred.proba.tolist() == [[0.75, 0.25], [0.5, 0.5]]


SHAPE_HINT = (
    "every row needs one value per column; quote values that contain the separator (are "
    "y_true and y_pred the same length?)"
)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("p.csv", b"y_true,y_pred\na,b\nb,a,c\na,a\n", "line 3 has 3 fields but the header has 2"),
        ("p.csv", b"y_true,y_pred\na,b\nb\na,a\n", "line 3 has 1 field but the header has 2"),
        ("p.csv", b"y_true,y_pred\na,b\nb,a,\n", "line 3 has 3 fields but the header has 2"),
        ("p.csv", b"y_true,y_pred\na,b\nb,a\na,a,b,c", "line 4 has 4 fields but the header has 2"),
        (
            "p.csv",
            b"y_true,y_pred\r\n\r\na,b\r\n\r\nb,a,c\r\n",
            "line 5 has 3 fields but the header has 2",
        ),
        (
            "p.csv",
            b'y_true,y_pred\n"a",b\n"b,c",a,"d"\n',
            "line 3 has 3 fields but the header has 2",
        ),
        (
            "p.csv",
            b'y_true,y_pred\n"a\nb",b\nb,a,c\n',  # a quoted newline: line 4 in the file
            "line 4 has 3 fields but the header has 2",
        ),
        (
            "p.tsv",
            b"y_true\ty_pred\na\tb\nb\ta\tc\n",
            "line 3 has 3 fields but the header has 2",
        ),
        (
            "p.csv",
            b"\xef\xbb\xbfy_true,y_pred,proba_a,proba_b\na,b,0.5,0.5\nb,a,0.5\n",
            "line 3 has 3 fields but the header has 4",
        ),
    ],
    ids=[
        "more",
        "fewer",
        "trailing-separator",
        "no-final-newline",
        "crlf-blank-lines",
        "quoted",
        "quoted-newline",
        "tsv",
        "bom",
    ],
)
def test_csv_rows_must_have_one_field_per_column(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert load_error(path) == f"{path}: {expected}; {SHAPE_HINT}"


def test_csv_extra_field_in_a_column_that_is_not_read(tmp_path: Path) -> None:
    """NumPy reads only the columns asked for; a shifted row must not slip through."""
    path = write_text(
        tmp_path / "p.csv", "y_true,y_pred,city\na,b,Paris\nb,a,New York, NY\na,a,Rome\n"
    )
    assert load_error(path) == f"{path}: line 3 has 4 fields but the header has 3; {SHAPE_HINT}"


def test_csv_value_with_a_quoted_separator_is_one_field(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "p.csv", 'y_true,y_pred,city\na,b,Paris\nb,a,"New York, NY"\na,a,Rome\n'
    )
    pred = load(path, slice_by=("city",))
    assert pred.slices["city"].names == ("New York, NY", "Paris", "Rome")
    assert codes(pred.slices["city"]) == [1, 0, 2]


def test_csv_with_an_unterminated_quote(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.csv", 'y_true,y_pred\na,b\na,a\n"b,a\n')
    assert load_error(path) == f"{path}: line 4 has 1 field but the header has 2; {SHAPE_HINT}"


def test_jsonl_with_bom_crlf_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"y_true": "a", "y_pred": "b"}\r\n\r\n{"y_true": "b", "y_pred": "b"}\r\n'
    )
    pred = load(path)
    assert pred.labels == ("a", "b")
    assert pred.y_true.tolist() == [0, 1]


def test_txt_is_read_as_csv(tmp_path: Path) -> None:
    pred = load(write_text(tmp_path / "p.txt", "y_true,y_pred\na,b\nb,b\n"))
    assert pred.labels == ("a", "b")


def test_non_utf8_byte_far_into_a_csv_is_reported_at_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    head = b"y_true,y_pred\n" + b"a,b\nb,a\n" * 50_000
    path.write_bytes(head + b"\xe9,a\n")
    assert load_error(path) == (
        f"{path}: not valid UTF-8 (byte 0xe9 at offset {len(head)}); save it as UTF-8"
    )


def test_unknown_predictions_format(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.xlsx", "y_true,y_pred\n")
    assert load_error(path) == (
        f"{path}: unknown predictions format '.xlsx'; use .csv, .tsv, .jsonl, .json or .parquet"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("y_true,y_pred\n", "has a header but no data rows"),
        ("\ny_true,y_pred\na,b\n", "first line is blank, expected a header row of column names"),
        ("y_true,y_pred,y_true\na,b,c\n", "column 'y_true' appears twice in the header"),
        ("y_true;y_pred\na;b\n", "looks ';'-separated; write it with ',' as the separator"),
    ],
)
def test_csv_shape_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = write_text(tmp_path / "p.csv", text)
    assert load_error(path) == f"{path}: {expected}"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "contains no rows"),
        ({"y_true": [], "y_pred": []}, "contains no rows"),
        ([{"y_true": 1, "y_pred": 1}, [1, 2]], "expected a list of row objects"),
        (
            {"y_true": 1},
            "expected a list of row objects or an object of column arrays; "
            'e.g. {"y_true": [...], "y_pred": [...]}',
        ),
        (
            [{"y_true": 1, "y_pred": 1}, {"y_true": 1, "y_pred": 1, "x": 0}],
            "row 2: unexpected 'x' key; every row needs the keys of the first (y_true, y_pred)",
        ),
        (
            [{"y_true": 1, "y_pred": 1, "w": 2}, {"y_true": 1, "y_pred": 1, "w": 3}, {"w": 0}],
            "row 3: missing 'y_true', 'y_pred' keys; every row needs the keys of the first "
            "(y_true, y_pred, w)",
        ),
        (
            {"y_true": [1, 2, 3], "y_pred": [1, 2], "w": [1, 2, 3]},
            "columns differ in length (y_true has 3, y_pred has 2, w has 3); every column needs "
            "one value per row (are y_true and y_pred from the same examples?)",
        ),
    ],
)
def test_json_shape_errors(tmp_path: Path, data: Any, expected: str) -> None:
    path = write_json(tmp_path / "p.json", data)
    assert load_error(path) == f"{path}: {expected}"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ['{"y_true": 1, "y_pred": 1}', '{"y_true": 0}'],
            "line 2: missing 'y_pred' key",
        ),
        (
            ['{"y_true": 1, "y_pred": 1}', "", '{"y_pred": 1, "y_true": 0, "a": 1, "b": 2}'],
            "line 3: unexpected 'a', 'b' keys",
        ),
    ],
)
def test_json_lines_key_errors(tmp_path: Path, lines: list[str], expected: str) -> None:
    path = write_text(tmp_path / "p.jsonl", "\n".join(lines) + "\n")
    assert load_error(path) == (
        f"{path}: {expected}; every row needs the keys of the first (y_true, y_pred)"
    )


def test_json_lines_keys_in_another_order_are_fine(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "p.jsonl", '{"y_true": "a", "y_pred": "b"}\n{"y_pred": "a", "y_true": "b"}\n'
    )
    pred = load(path)
    assert pred.y_true.tolist() == [0, 1]
    assert pred.y_pred.tolist() == [1, 0]


def test_parquet_that_is_not_parquet(tmp_path: Path) -> None:
    path = write_text(tmp_path / "p.parquet", "y_true,y_pred\na,b\n")
    assert "not a readable Parquet file" in load_error(path)


# ------------------------------------------------------------------------------- history


def history_file(tmp_path: Path, name: str, text: str) -> Path:
    return write_text(tmp_path / name, text)


def test_history_epoch_column_blanks_and_text_columns(tmp_path: Path) -> None:
    path = history_file(
        tmp_path,
        "history.csv",
        "epoch,loss,val_loss,note\n1,0.9,1.0,warmup\n2,0.5,,x\n3,0.25,0.5,done\n",
    )
    history = load_history(path)
    assert history.path == path
    assert history.x_name == "epoch"
    assert history.x.tolist() == [1.0, 2.0, 3.0]
    assert list(history.series) == ["loss", "val_loss"]
    assert history.series["loss"].tolist() == [0.9, 0.5, 0.25]
    val = history.series["val_loss"]
    assert val[[0, 2]].tolist() == [1.0, 0.5]
    assert math.isnan(val[1])
    assert history.ignored == ("note",)


@pytest.mark.parametrize(
    ("header", "x_name"),
    [
        ("step,loss", "step"),
        ("iteration,loss", "iteration"),
        ("iter,loss", "iter"),
        ("loss,step,epoch", "epoch"),  # epoch wins over step
    ],
)
def test_history_x_column(tmp_path: Path, header: str, x_name: str) -> None:
    names = header.split(",")
    rows = [[str(10 * (i + 1) + j) for j in range(len(names))] for i in range(3)]
    path = write_csv(tmp_path / "h.csv", names, rows)
    history = load_history(path)
    assert history.x_name == x_name
    column = names.index(x_name)
    assert history.x.tolist() == [float(row[column]) for row in rows]
    assert x_name not in history.series
    assert sorted(history.series) == sorted(n for n in names if n != x_name)


def test_history_without_an_x_column_counts_steps(tmp_path: Path) -> None:
    path = history_file(tmp_path, "h.csv", "loss,acc\n0.9,0.5\n0.5,0.75\n")
    history = load_history(path)
    assert history.x_name == "step"
    assert history.x.tolist() == [1.0, 2.0]
    assert history.series["acc"].tolist() == [0.5, 0.75]


def test_history_json_lines(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "h.jsonl",
        [
            {"step": 100, "loss": 0.9, "phase": "train"},
            {"step": 200, "loss": None, "phase": "train"},
            {"step": 300, "loss": 0.25, "phase": "eval"},
        ],
    )
    history = load_history(path)
    assert history.x_name == "step"
    assert history.x.tolist() == [100.0, 200.0, 300.0]
    loss = history.series["loss"]
    assert loss[[0, 2]].tolist() == [0.9, 0.25]
    assert math.isnan(loss[1])
    assert history.ignored == ("phase",)


def test_history_with_only_text_series(tmp_path: Path) -> None:
    path = history_file(tmp_path, "h.csv", "epoch,note\n1,a\n2,b\n")
    with pytest.raises(InputError) as info:
        load_history(path)
    assert str(info.value) == (
        f"{path}: has no numeric series to plot; write one row per epoch with numeric "
        "columns, e.g. epoch,loss,val_loss"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("epoch,loss\n1,0.5\n2,0.4,0.3\n", "line 3 has 3 fields but the header has 2"),
        ("epoch,loss\n1,0.5\n2\n", "line 3 has 1 field but the header has 2"),
        ('"epoch","loss"\n1,0.5\n"2",0.4,\n', "line 3 has 3 fields but the header has 2"),
    ],
)
def test_history_rows_must_have_one_field_per_column(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = history_file(tmp_path, "h.csv", text)
    with pytest.raises(InputError) as info:
        load_history(path)
    assert str(info.value) == (  # no y_true / y_pred in a history file
        f"{path}: {expected}; every row needs one value per column; quote values that contain "
        "the separator"
    )


def test_history_with_a_text_epoch_column(tmp_path: Path) -> None:
    path = history_file(tmp_path, "h.csv", "epoch,loss\nfirst,1\nsecond,2\n")
    with pytest.raises(InputError) as info:
        load_history(path)
    assert str(info.value) == f"{path}: column 'epoch' is not numeric"
