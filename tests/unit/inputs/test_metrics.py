"""Metrics files: JSON, YAML and CSV, flattened with dots as DVC does."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from mlreport.errors import InputError
from mlreport.inputs.metrics import flatten, is_number, load_metrics, parse_metrics
from tests.helpers import write_text


def load_error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_metrics(path)
    assert info.value.path == str(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


# ------------------------------------------------------------------------------------ JSON


def test_json_nested_objects_and_lists_are_flattened_with_dots(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "metrics.json",
        '{"test": {"acc": 0.9, "loss": {"ce": 0.25}}, "folds": [0.5, {"f1": 0.75}], "epochs": 7}',
    )
    metrics = load_metrics(path)
    assert metrics == {
        "test.acc": 0.9,
        "test.loss.ce": 0.25,
        "folds.0": 0.5,
        "folds.1.f1": 0.75,
        "epochs": 7,
    }
    assert list(metrics) == ["test.acc", "test.loss.ce", "folds.0", "folds.1.f1", "epochs"]
    assert type(metrics["epochs"]) is int


def test_json_non_numeric_values_are_kept_but_not_numbers(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "metrics.json",
        '{"model": "resnet", "converged": true, "note": null, "acc": 0.5}',
    )
    metrics = load_metrics(path)
    assert metrics == {"model": "resnet", "converged": True, "note": None, "acc": 0.5}
    assert [name for name, value in metrics.items() if is_number(value)] == ["acc"]


def test_json_strings_that_look_like_numbers_stay_text(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.json", '{"lr": "1e-3", "version": "2"}')
    assert load_metrics(path) == {"lr": "1e-3", "version": "2"}


def test_json_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "metrics.json"
    path.write_bytes(b'\xef\xbb\xbf{"acc": 1}')
    assert load_metrics(path) == {"acc": 1}


def test_flatten_directly() -> None:
    assert flatten({"a": {"b": [1, [2, 3]]}, "c": "x"}, Path("m.json")) == {
        "a.b.0": 1,
        "a.b.1.0": 2,
        "a.b.1.1": 3,
        "c": "x",
    }


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ({"a": {"b": 1}, "a.b": 2}, "a.b"),
        ({"a.b": 2, "a": {"b": 1}}, "a.b"),
        ({"a": [1, 2], "a.1": 3}, "a.1"),
        ({"x": {"a": {"b": 1}, "a.b": 2}}, "x.a.b"),
        ({"a": {"b.c": 1, "b": {"c": 2}}}, "a.b.c"),
    ],
)
def test_flatten_refuses_two_keys_that_join_to_one_name(data: dict[str, Any], name: str) -> None:
    path = Path("m.json")
    with pytest.raises(InputError) as info:
        flatten(data, path)
    assert info.value.path == str(path)
    assert str(info.value) == f"{path}: metric '{name}' appears twice once nested keys are joined"


def test_flatten_keeps_distinct_names_that_share_a_prefix() -> None:
    flat = flatten({"a": {"b": 1}, "a.bc": 2, "ab": 3}, Path("m.json"))
    assert flat == {"a.b": 1, "a.bc": 2, "ab": 3}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("metrics.json", '{"test": {"acc": 0.9}, "test.acc": 0.8}'),
        ("metrics.yaml", "test:\n  acc: 0.9\ntest.acc: 0.8\n"),
        ("metrics.txt", '{"test": {"acc": 0.9}, "test.acc": 0.8}'),
    ],
)
def test_keys_that_collide_once_flattened(tmp_path: Path, name: str, text: str) -> None:
    path = write_text(tmp_path / name, text)
    assert load_error(path) == (
        f"{path}: metric 'test.acc' appears twice once nested keys are joined"
    )


@pytest.mark.parametrize(
    "text",
    ['{"acc": 0.9, "acc": 0.8}', '{"test": {"acc": 0.9, "f1": 0.5, "acc": 0.8}}'],
)
def test_json_duplicate_keys_are_an_error(tmp_path: Path, text: str) -> None:
    path = write_text(tmp_path / "metrics.json", text)
    assert load_error(path) == f"{path}: key 'acc' appears twice in one object"


def test_json_same_key_in_different_objects_is_fine(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.json", '{"acc": 0.9, "test": {"acc": 0.8}}')
    assert load_metrics(path) == {"acc": 0.9, "test.acc": 0.8}


def test_is_number() -> None:
    assert is_number(1)
    assert is_number(0.5)
    assert not is_number(True)
    assert not is_number("1")
    assert not is_number(None)


# ------------------------------------------------------------------------------------ YAML


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_yaml_is_flattened_and_reads_1e_minus_3_as_a_number(tmp_path: Path, suffix: str) -> None:
    path = write_text(
        tmp_path / f"metrics{suffix}",
        "lr: 1e-3\nbig: 2E+5\ntest:\n  acc: 0.9\n  per_class: [0.8, 0.7]\nname: resnet\n"
        "count: 12\n",
    )
    metrics = load_metrics(path)
    assert metrics == {
        "lr": 0.001,
        "big": 200000.0,
        "test.acc": 0.9,
        "test.per_class.0": 0.8,
        "test.per_class.1": 0.7,
        "name": "resnet",
        "count": 12,
    }
    assert isinstance(metrics["lr"], float)
    assert is_number(metrics["lr"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1e-3", 0.001),
        ("1E3", 1000.0),
        ("-2e-1", -0.2),
        ("+1.5e+2", 150.0),
        ("1.0e-10", 1e-10),
        (".5", 0.5),
        ("1_000.5", 1000.5),
        ("10", 10),
        ("-3", -3),
        ('"1e-3"', "1e-3"),
        ("'1e-3'", "1e-3"),
        ('"0.5"', "0.5"),
        ("1e-3x", "1e-3x"),
        ("e-3", "e-3"),
    ],
)
def test_yaml_numbers_unless_quoted(tmp_path: Path, text: str, expected: object) -> None:
    path = write_text(tmp_path / "metrics.yaml", f"value: {text}\n")
    value = load_metrics(path)["value"]
    assert value == expected
    assert type(value) is type(expected)


def test_yaml_number_resolver_applies_in_lists_and_not_to_keys(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.yaml", "lrs: [1e-3, '1e-4', 2e-5]\n1e-3: 7\n")
    metrics = load_metrics(path)
    assert metrics == {"lrs.0": 0.001, "lrs.1": "1e-4", "lrs.2": 2e-05, "1e-3": 7}  # as written


def test_yaml_loading_leaves_the_safe_loader_alone(tmp_path: Path) -> None:
    import yaml

    load_metrics(write_text(tmp_path / "metrics.yaml", "lr: 1e-3\n"))
    assert yaml.safe_load("lr: 1e-3\n") == {"lr": "1e-3"}  # YAML 1.1, as PyYAML reads it


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("acc: 0.9\nf1: 0.5\nacc: 0.8\n", 3),
        ("test:\n  acc: 0.9\n  acc: 0.8\n", 3),
        ("test: {acc: 0.9, acc: 0.8}\n", 1),
        ("runs:\n  - acc: 0.9\n    acc: 0.8\n", 3),
    ],
)
def test_yaml_duplicate_keys_are_an_error(tmp_path: Path, text: str, line: int) -> None:
    path = write_text(tmp_path / "metrics.yaml", text)
    assert load_error(path) == f"{path}: key 'acc' appears twice in one mapping (line {line})"


def test_yaml_keys_equal_in_python_but_not_as_written_are_two_names(tmp_path: Path) -> None:
    """1 == True in Python: read as objects, `1:` and `true:` would be one key."""
    path = write_text(tmp_path / "metrics.yaml", "1: 0.5\ntrue: 0.7\n1.0: 0.1\nnull: 3\n")
    assert load_metrics(path) == {"1": 0.5, "true": 0.7, "1.0": 0.1, "null": 3}


def test_yaml_same_key_in_different_mappings_is_fine(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.yaml", "acc: 0.9\ntest:\n  acc: 0.8\n")
    assert load_metrics(path) == {"acc": 0.9, "test.acc": 0.8}


def test_yaml_merge_keys_and_overrides(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "metrics.yaml",
        "base: &base {acc: 0.9, f1: 0.5}\ntuned:\n  <<: *base\n  acc: 0.95\n",
    )
    assert load_metrics(path) == {
        "base.acc": 0.9,
        "base.f1": 0.5,
        "tuned.acc": 0.95,
        "tuned.f1": 0.5,
    }


def test_yaml_duplicate_key_next_to_a_merge_is_an_error(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "metrics.yaml",
        "base: &base {acc: 0.9}\ntuned:\n  <<: *base\n  f1: 0.5\n  f1: 0.6\n",
    )
    assert load_error(path) == f"{path}: key 'f1' appears twice in one mapping (line 5)"


def test_yaml_unhashable_key_is_invalid_yaml(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.yaml", "? [a, b]\n: 0.5\n")
    assert load_error(path) == (
        f"{path}: invalid YAML at line 1, column 3: a key must be a plain name; fix the file "
        "at that position (check indentation and quotes)"
    )


def test_yaml_dates_become_text(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.yaml", "trained: 2024-01-31\nacc: 0.5\n")
    assert load_metrics(path) == {"trained": "2024-01-31", "acc": 0.5}


# ------------------------------------------------------------------------------------- CSV


def test_csv_long_with_header(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "name,value\naccuracy,0.93\nf1,0.8\nmodel,resnet\n")
    assert load_metrics(path) == {"accuracy": 0.93, "f1": 0.8, "model": "resnet"}


def test_csv_long_with_metric_header_in_capitals(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "Metric,Value\naccuracy,0.93\n")
    assert load_metrics(path) == {"accuracy": 0.93}


def test_csv_headerless(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "accuracy,0.93\nf1, 0.8 \nmodel,resnet\n")
    assert load_metrics(path) == {"accuracy": 0.93, "f1": 0.8, "model": "resnet"}


def test_csv_headerless_starting_with_a_text_value(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "model,resnet\nacc,0.9\n")
    assert load_metrics(path) == {"model": "resnet", "acc": 0.9}


def test_csv_headerless_of_text_values_only(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "model,resnet\ndataset,imagenet\n")
    assert load_metrics(path) == {"model": "resnet", "dataset": "imagenet"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acc,f1\n0.9,0.8\n", {"acc": 0.9, "f1": 0.8}),
        ("epochs,model\n3,resnet\n", {"epochs": 3, "model": "resnet"}),
        ("acc,model\n0.9,resnet\n", {"acc": 0.9, "model": "resnet"}),
    ],
)
def test_csv_two_by_two_with_a_number_first_is_a_header_over_values(
    tmp_path: Path, text: str, expected: dict[str, object]
) -> None:
    assert load_metrics(write_text(tmp_path / "metrics.csv", text)) == expected


def test_csv_single_row_with_a_numeric_name_is_not_name_value(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "1,0.9\n")
    assert "expected 'name,value' rows" in load_error(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acc,1\n", {"acc": 1}),
        (
            "name,value\nepochs,12\nloss,-3\nstep,+7\nlr,1e-3\n",
            {"epochs": 12, "loss": -3, "step": 7, "lr": 0.001},
        ),
        ("epochs,acc\n12,0.5\n", {"epochs": 12, "acc": 0.5}),
        ("acc,1.0\n", {"acc": 1.0}),
    ],
)
def test_csv_integers_stay_integers(tmp_path: Path, text: str, expected: dict[str, object]) -> None:
    metrics = load_metrics(write_text(tmp_path / "metrics.csv", text))
    assert metrics == expected
    assert [type(v).__name__ for v in metrics.values()] == [
        type(v).__name__ for v in expected.values()
    ]


def test_csv_wide_header_over_one_row(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "accuracy,f1,model\n0.93,0.8,resnet\n")
    assert load_metrics(path) == {"accuracy": 0.93, "f1": 0.8, "model": "resnet"}


def test_csv_crlf_blank_lines_and_quotes(tmp_path: Path) -> None:
    path = write_text(
        tmp_path / "metrics.csv", 'name,value\r\n\r\n"top-1, acc",0.7\r\nloss,1e-2\r\n'
    )
    assert load_metrics(path) == {"top-1, acc": 0.7, "loss": 0.01}


def test_tsv(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.tsv", "name\tvalue\naccuracy\t0.5\n")
    assert load_metrics(path) == {"accuracy": 0.5}


def test_csv_duplicate_names_are_an_error(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "name,value\nacc,0.9\nf1,0.8\nacc,0.7\n")
    assert load_error(path) == f"{path}: metric 'acc' appears twice (lines 2 and 4)"


def test_csv_duplicate_names_headerless(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "acc,0.9\nacc,0.7\n")
    assert "metric 'acc' appears twice (lines 1 and 2)" in load_error(path)


def test_csv_duplicate_names_wide(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "acc,acc\n0.9,0.7\n")
    assert "metric 'acc' appears twice" in load_error(path)


def test_csv_row_with_three_fields(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "name,value\nacc,0.9\nf1,0.8,extra\n")
    assert load_error(path) == f"{path}: line 3 has 3 fields, expected 2 (name,value)"


def test_csv_empty_name(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "name,value\n,0.9\n")
    assert load_error(path) == f"{path}: line 2: empty metric name"


def test_csv_of_unknown_shape(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "a,b,c\n1,2,3\n4,5,6\n")
    message = load_error(path)
    assert "expected 'name,value' rows" in message
    assert message.endswith("write e.g. 'accuracy,0.93' on each line")


def test_csv_with_a_field_beyond_the_csv_limit_is_an_input_error(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.csv", "acc," + "9" * 200_000 + "\n")
    assert "invalid CSV at line 1" in load_error(path)


# --------------------------------------------------------------------- top level and sniffing


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("metrics.json", "[0.9, 0.8]", "list"),
        ("metrics.json", "0.9", "float"),
        ("metrics.json", '"acc"', "str"),
        ("metrics.json", "null", "null"),
        ("metrics.yaml", "- 0.9\n- 0.8\n", "list"),
        ("metrics.yaml", "just text\n", "str"),
    ],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, name: str, text: str, kind: str) -> None:
    path = write_text(tmp_path / name, text)
    assert load_error(path) == (
        f"{path}: expected an object mapping metric names to values, found a {kind}; "
        'write e.g. {"accuracy": 0.93}'
    )


def test_empty_mapping_has_no_metrics(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.json", '{"nested": {}}')
    assert load_error(path) == f"{path}: contains no metrics"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("metrics.txt", '{"acc": 0.9, "x": {"y": 2}}', {"acc": 0.9, "x.y": 2}),
        ("metrics", "acc: 0.9\nlr: 1e-4\n", {"acc": 0.9, "lr": 0.0001}),
        ("metrics", "lr: 1e-4\nq: '1e-4'\nd: \"2e-5\"\n", {"lr": 0.0001, "q": "1e-4", "d": "2e-5"}),
        ("metrics.txt", '{"lr": "1e-4"}', {"lr": "1e-4"}),
        ("metrics.out", "acc: 0.5\n", {"acc": 0.5}),
    ],
)
def test_unknown_extension_is_sniffed(
    tmp_path: Path, name: str, text: str, expected: dict[str, object]
) -> None:
    assert load_metrics(write_text(tmp_path / name, text)) == expected


@pytest.mark.parametrize("name", ["metrics.txt", "metrics"])
def test_unknown_extension_that_is_neither_json_nor_yaml(tmp_path: Path, name: str) -> None:
    path = write_text(tmp_path / name, "accuracy = 0.9\n")
    shown = path.suffix or "(no extension)"
    assert load_error(path) == (
        f"{path}: unknown metrics format '{shown}'; use a .json, .yaml or .csv file"
    )


def test_parse_metrics_with_explicit_format(tmp_path: Path) -> None:
    assert parse_metrics("acc,0.5\n", tmp_path / "x.json", fmt="csv") == {"acc": 0.5}
    assert parse_metrics("acc: 1e-3\n", tmp_path / "x.txt", fmt="yaml") == {"acc": 0.001}


# ------------------------------------------------------------------------------------ errors


def test_invalid_json(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.json", '{"acc": 0.9 "f1": 0.5}')
    assert load_error(path) == (
        f"{path}: invalid JSON at line 1, column 13: Expecting ',' delimiter; fix the file at "
        "that position (a JSON linter shows the context)"
    )


def test_invalid_yaml(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.yaml", "acc: [0.9\n")
    message = load_error(path)
    assert message.startswith(f"{path}: invalid YAML at line 2, column 1: ")
    assert message.endswith("; fix the file at that position (check indentation and quotes)")


def test_yaml_python_tags_are_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.yaml", "acc: !!python/object/apply:os.getcwd []\n")
    assert "invalid YAML" in load_error(path)


def test_missing_file_suggests_a_near_miss(tmp_path: Path) -> None:
    write_text(tmp_path / "metrics.yml", "acc: 1\n")
    path = tmp_path / "metrics.yaml"
    assert load_error(path) == (
        f"{path}: metrics file not found; did you mean {tmp_path / 'metrics.yml'}?"
    )


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    empty = write_text(tmp_path / "empty.json", "")
    blank = write_text(tmp_path / "blank.json", " \n\t\n")
    hint = "check the step that writes it (did it fail or write elsewhere?)"
    assert load_error(empty) == f"{empty}: metrics file is empty; {hint}"
    assert load_error(blank) == f"{blank}: metrics file is empty (only whitespace); {hint}"


def test_missing_file_without_a_near_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_text(tmp_path / "other.json", "{}")
    path = Path("metrics.json")
    assert load_error(path) == (
        f"{path}: metrics file not found; check the path (relative to {tmp_path}); if a "
        "training step writes it, that step did not"
    )


def test_missing_file_in_a_missing_directory(tmp_path: Path) -> None:
    path = tmp_path / "out" / "metrics.json"
    assert load_error(path) == (
        f"{path}: metrics file not found; directory {tmp_path / 'out'} does not exist either; "
        "check the path"
    )


def test_directory_is_not_a_metrics_file(tmp_path: Path) -> None:
    (tmp_path / "metrics.json").mkdir()
    assert "is a directory" in load_error(tmp_path / "metrics.json")


def test_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "metrics.json"
    path.write_bytes(b'{"acc": 0.9, "name": "caf\xe9"}')
    assert load_error(path) == (
        f"{path}: not valid UTF-8 (byte 0xe9 at offset 25); save it as UTF-8"
    )


def test_non_utf8_offset_counts_the_bom(tmp_path: Path) -> None:
    path = tmp_path / "metrics.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": "\xff"}')
    assert load_error(path) == f"{path}: not valid UTF-8 (byte 0xff at offset 10); save it as UTF-8"


def test_nan_and_infinity_in_json_are_floats(tmp_path: Path) -> None:
    path = write_text(tmp_path / "metrics.json", '{"a": NaN, "b": Infinity}')
    metrics = load_metrics(path)
    nan = metrics["a"]
    assert isinstance(nan, float)
    assert math.isnan(nan)
    assert metrics["b"] == math.inf


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ('{"a": 1,}\n', "invalid JSON at line 1"),
        ('{"a": 1, "a": 2}\n', "key 'a' appears twice in one object"),
        ("a: 1\na: 2\n", "key 'a' appears twice in one mapping"),
        ("a: [1\n", "invalid YAML"),
    ],
)
def test_sniffed_files_get_the_specific_error(tmp_path: Path, text: str, start: str) -> None:
    path = tmp_path / "metrics.txt"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_metrics(path)
    assert str(info.value).startswith(f"{path}: {start}")
