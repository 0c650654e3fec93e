"""Inputs built to break mlreport, as a hostile or careless user would give them: each one is
a one-line error with exit 2 (3 for the CI platform's files), never an internal error (70),
and nothing is left half-written; resource bombs are refused within a bound."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.conftest import CLI, Result
from tests.helpers import write_csv, write_json, write_text

BIG = "9" * 5000  # past Python's 4,300-digit limit on int conversion
DEEP = 100_000


def one_error(result: Result) -> str:
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("mlreport: error: "), result.output
    assert "internal error" not in lines[0], result.output
    return lines[0]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("m.json", f'{{"acc": {BIG}}}'),
        ("m.yaml", f"acc: {BIG}\n"),
        ("m.json", '{"a":' * DEEP + "1" + "}" * DEEP),
        ("m.yaml", "a: " + "[" * DEEP + "]" * DEEP + "\n"),
        ("m.yaml", "a: &a [*a]\n"),  # an alias that contains itself
    ],
    ids=["json-long-int", "yaml-long-int", "json-deep", "yaml-deep", "yaml-recursive"],
)
def test_metrics_files_that_break_parsers(workdir: Path, cli: CLI, name: str, text: str) -> None:
    write_text(workdir / name, text)
    result = cli("check", "-m", name, "-g", "acc >= 0.5")
    assert result.code == 2
    assert one_error(result).startswith(f"mlreport: error: {name}: ")


def test_a_long_integer_in_a_metrics_csv_is_text(workdir: Path, cli: CLI) -> None:
    write_text(workdir / "m.csv", f"acc,{BIG}\n")
    result = cli("check", "-m", "m.csv", "-g", "acc >= 0.5")
    assert result.code == 2
    assert "metric 'acc' is not a number" in one_error(result)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("p.json", "[" * DEEP + "]" * DEEP),
        ("p.json", f'{{"y_true": [{BIG}], "y_pred": [1]}}'),
        ("p.jsonl", f'{{"y_true": 1, "y_pred": {BIG}}}\n'),
        ("p.jsonl", '{"y_true": ' + "[" * DEEP + "]" * DEEP + ', "y_pred": 1}\n'),
    ],
    ids=["json-deep", "json-long-int", "jsonl-long-int", "jsonl-deep"],
)
def test_prediction_files_that_break_parsers(workdir: Path, cli: CLI, name: str, text: str) -> None:
    write_text(workdir / name, text)
    result = cli("render", "-p", name)
    assert result.code == 2
    assert one_error(result).startswith(f"mlreport: error: {name}: ")


def test_a_gates_file_nested_too_deeply(workdir: Path, cli: CLI) -> None:
    write_json(workdir / "m.json", {"acc": 0.9})
    write_text(workdir / "g.yaml", "gates: " + "[" * DEEP + "]" * DEEP + "\n")
    result = cli("check", "-m", "m.json", "--gates", "g.yaml")
    assert result.code == 2
    assert "g.yaml: nested too deeply" in one_error(result)


def test_a_gate_with_a_number_too_large(workdir: Path, cli: CLI) -> None:
    write_json(workdir / "m.json", {"acc": 0.9})
    result = cli("check", "-m", "m.json", "-g", f"acc >= {BIG}")
    assert result.code == 2
    assert "is too large a number" in one_error(result)


def test_an_event_payload_nested_too_deeply_is_no_payload(
    workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_text(workdir / "event.json", '{"a":' * DEEP + "1" + "}" * DEEP)
    (workdir / "report").mkdir()
    write_text(workdir / "report" / "report.md", "## ✅ ok\n")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(workdir / "event.json"))
    monkeypatch.setenv("GITHUB_SHA", "a" * 40)
    result = cli(
        "publish", "report", "--platform", "github", "--repo", "o/r", "--dry-run", "--token", "x"
    )
    assert result.code == 0, result.output
    assert "no pull request found: commenting on commit" in result.out


@pytest.mark.parametrize(
    "target",
    ["/proc/1/no-such-dir/out", "/dev/null/out"],
    ids=["cannot-create", "not-a-directory"],
)
def test_an_output_directory_that_cannot_be_written(workdir: Path, cli: CLI, target: str) -> None:
    write_json(workdir / "m.json", {"acc": 0.9})
    result = cli("render", "-m", "m.json", "-o", target)
    assert result.code == 2
    assert one_error(result).startswith(f"mlreport: error: -o {target}: ")


def test_a_report_file_that_cannot_be_written_leaves_no_temporary_file(
    workdir: Path, cli: CLI
) -> None:
    write_json(workdir / "m.json", {"acc": 0.9})
    (workdir / "out").mkdir()
    (workdir / "out" / "report.json").mkdir()  # in the way of the file
    result = cli("render", "-m", "m.json", "-o", "out")
    assert result.code == 2
    assert "out/report.json: cannot write it" in one_error(result)
    assert sorted(p.name for p in (workdir / "out").iterdir()) == ["report.json"]


def test_file_names_that_are_not_utf8(workdir: Path, cli: CLI) -> None:
    name = os.fsdecode(b"m\xff\xfe.json")
    (workdir / name).write_text('{"acc": 0.9}', encoding="utf-8")
    result = cli("render", "-m", name, "-o", os.fsdecode(b"out\xff"))
    assert result.code == 0, result.output
    out = workdir / os.fsdecode(b"out\xff")
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert document["inputs"]["metrics"] == ["m\ufffd\ufffd.json"]
    assert "m\ufffd\ufffd.json" in (out / "report.md").read_text(encoding="utf-8")
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("writes", "error"),
    [
        ({"report.md": b"\xff\xfe not utf-8"}, "report.md: not valid UTF-8"),
        ({"report.md": b"## ok\n", "report.json": b"[1, 2]"}, "is not an mlreport report.json"),
        (
            {"report.md": b"## ok\n", "report.json": b'{"gates": "x", "status": 1}'},
            "report.json: is not an mlreport report.json (status, gates of the wrong type)",
        ),
        ({"report.md": b"## ok\n", "report.json": b"{"}, "report.json: invalid JSON"),
    ],
    ids=["md-not-utf8", "json-a-list", "json-wrong-types", "json-invalid"],
)
def test_publish_of_a_broken_report(
    workdir: Path, cli: CLI, writes: dict[str, bytes], error: str
) -> None:
    (workdir / "report").mkdir()
    for name, data in writes.items():
        (workdir / "report" / name).write_bytes(data)
    result = cli("publish", "report", "--platform", "local")
    assert result.code == 2
    assert error in one_error(result)


NOT_NUMBERS = ["nan", "inf", "-inf", "NaN"]


@pytest.mark.parametrize(
    ("command", "value"),
    [
        *[(["publish", "report", "--platform", "local", "--timeout"], v) for v in NOT_NUMBERS],
        (["publish", "report", "--platform", "local", "--timeout"], "1e300"),
        (["publish", "report", "--platform", "local", "--timeout"], "0"),
        *[(["runner", "list", "--region", "us-east-1", "--api-timeout"], v) for v in NOT_NUMBERS],
        *[(["render", "-m", "m.json", "--category-tolerance"], v) for v in NOT_NUMBERS],
        *[(["render", "-m", "m.json", "--fold-mad"], v) for v in [*NOT_NUMBERS, "0"]],
        *[(["runner", "launch", "--max-lifetime"], v) for v in ["9999999999h", "nanh"]],
    ],
)
def test_numbers_that_are_not_usable(
    workdir: Path, cli: CLI, command: list[str], value: str
) -> None:
    result = cli(*command, value)
    assert result.code == 2
    assert f"Invalid value for '{command[-1]}'" in one_error(result)


@pytest.mark.parametrize(
    "url", ["ftp://ghe.example.com/api/v3", "notaurl", "https://", "http://a b"]
)
@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_api_urls_that_are_not_http(workdir: Path, cli: CLI, url: str, platform: str) -> None:
    (workdir / "report").mkdir()
    write_text(workdir / "report" / "report.md", "## ok\n")
    result = cli(
        "publish", "report", "--platform", platform, "--repo", "o/r", "--pr", "1",
        "--token", "tok123456", "--api-url", url,
    )  # fmt: skip
    assert result.code == 2
    assert "is not an http(s) URL" in one_error(result)


def test_openmetrics_to_a_path_that_cannot_be_written(workdir: Path, cli: CLI) -> None:
    write_json(workdir / "m.json", {"acc": 0.9})
    result = cli("render", "-m", "m.json", "--openmetrics", "/proc/1/x/om.txt")
    assert result.code == 2
    assert one_error(result).startswith("mlreport: error: --openmetrics /proc/1/x: ")
    assert (workdir / "report" / "report.md").is_file()  # the report came first


@pytest.mark.parametrize("broken", ["GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"])
def test_actions_files_that_cannot_be_written(
    workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    """After the report is published: a warning annotation, and exit 3 (a platform file)."""
    (workdir / "report").mkdir()
    write_text(workdir / "report" / "report.md", "## ok\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(workdir / "summary.md"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(workdir / "output.txt"))
    (workdir / "dir").mkdir()
    monkeypatch.setenv(broken, str(workdir / "dir"))  # a directory: cannot be appended to
    result = cli("publish", "report", "--platform", "local")
    assert result.code == 3
    assert f"to {broken} (" in one_error(result)
    assert "::warning title=mlreport::cannot write" in result.out
    assert (workdir / "report" / "published" / "comment-1.md").is_file()


def test_extreme_values_cost_a_chart_not_the_report(workdir: Path, cli: CLI) -> None:
    rows = [[i * 0.5, 1e308 if i == 3 else -1e308 if i == 4 else i * 0.5 + 0.1] for i in range(50)]
    write_csv(workdir / "p.csv", ["y_true", "y_pred"], rows)
    write_csv(
        workdir / "h.csv", ["epoch", "loss"], [[i, 1e308 if i == 3 else 0.5] for i in range(9)]
    )
    result = cli("render", "-p", "p.csv", "--history", "h.csv", "-o", "out")
    assert result.code == 0, result.output
    assert result.err == ""  # no warning from NumPy or matplotlib
    notes = json.loads((workdir / "out" / "report.json").read_text())["notes"]
    assert any(
        n.startswith("predicted vs actual chart left out: it could not be drawn") for n in notes
    )
    markdown = (workdir / "out" / "report.md").read_text()
    assert "chart left out" in markdown and "### Metrics" in markdown


# -- resource bombs -----------------------------------------------------------------------

LAUGHS = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" + "".join(
    f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join([f'*{chr(96 + i)}'] * 9)}]\n" for i in range(1, 10)
)  # 10 levels of 9 aliases: 9^10 values once expanded, in a few hundred bytes


@pytest.mark.parametrize("option", ["-m", "--gates"])
def test_billion_laughs_is_refused_at_once(workdir: Path, cli: CLI, option: str) -> None:
    write_text(workdir / "bomb.yaml", LAUGHS)
    write_json(workdir / "m.json", {"acc": 0.9})
    started = time.monotonic()
    args = ["-m", "bomb.yaml"] if option == "-m" else ["-m", "m.json", "--gates", "bomb.yaml"]
    result = cli("check", *args, "-g", "acc >= 0.5")
    assert time.monotonic() - started < 5
    assert result.code == 2
    assert "expands to more than 200,000 values through its aliases" in one_error(result)


def test_a_line_without_an_end_is_refused(workdir: Path, cli: CLI) -> None:
    with (workdir / "p.csv").open("wb") as handle:
        handle.write(b"y_true,y_pred\n")
        for _ in range(20):
            handle.write(b"1" * (1 << 20))  # 20 MB, no newline
    result = cli("render", "-p", "p.csv")
    assert result.code == 2
    assert "p.csv: line 2 is longer than 16 MB" in one_error(result)


def test_a_text_input_larger_than_its_limit(workdir: Path, cli: CLI) -> None:
    with (workdir / "m.json").open("wb") as handle:
        handle.write(b'{"a": "' + b"x" * (65 << 20) + b'"}')
    result = cli("check", "-m", "m.json", "-g", "a >= 1")
    assert result.code == 2
    assert "m.json: metrics file is larger than 64 MB" in one_error(result)


# -- messages that said the wrong thing -----------------------------------------------------


def test_yaml_keys_true_and_1_are_two_metrics(workdir: Path, cli: CLI) -> None:
    write_text(workdir / "m.yaml", "1: 0.5\ntrue: 0.7\n")
    result = cli("check", "-m", "m.yaml", "-g", "true >= 0.6", "-g", "1 >= 0.4")
    assert result.code == 0, result.output


def test_many_text_labels_are_classes_not_a_regression(workdir: Path, cli: CLI) -> None:
    labels = [f"item-{i}" for i in range(12_000)]
    write_csv(workdir / "p.csv", ["y_true", "y_pred"], [[x, x] for x in labels])
    result = cli("render", "-p", "p.csv")
    assert result.code == 2
    line = one_error(result)
    assert "12,000 distinct labels is more than 10,000 classes" in line
    assert "--task" not in line


def test_a_pipe_as_a_table_says_so(workdir: Path, cli: CLI) -> None:
    os.mkfifo(workdir / "p.csv")
    result = cli("render", "-p", "p.csv")
    assert result.code == 2
    assert "p.csv: is a pipe or device, not a file" in one_error(result)


def test_a_pipe_as_a_metrics_file_is_read(workdir: Path, cli: CLI) -> None:
    import threading

    fifo = workdir / "m.json"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text('{"acc": 0.9}'))
    writer.start()
    result = cli("check", "-m", "m.json", "-g", "acc >= 0.5")
    writer.join(timeout=10)
    assert result.code == 0, result.output


def test_pr_and_issue_together_are_refused(workdir: Path, cli: CLI) -> None:
    result = cli("publish", "report", "--platform", "local", "--pr", "1", "--issue", "2")
    assert result.code == 2
    assert "--pr and --issue name two places to publish" in one_error(result)


def test_runner_list_reads_aws_region(
    workdir: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS_REGION (what the AWS CLI and configure-aws-credentials set) is a region."""
    for name in ("AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: no AWS
    result = cli("runner", "list", "--repo", "o/r")
    assert "no AWS region" not in result.output
    assert result.code == 3
    assert "eu-west-3" in one_error(result) or "cannot reach AWS" in one_error(result)


def test_dry_run_lists_and_links_the_same_images(workdir: Path, cli: CLI) -> None:
    write_csv(workdir / "h.csv", ["epoch", "loss"], [[1, 0.5], [2, 0.4]])
    assert cli("render", "--history", "h.csv").code == 0
    result = cli("publish", "report", "--platform", "local", "--dry-run")
    assert result.code == 0
    assert "would upload image history.png" in result.out
    assert "![Training history](history.png)" in result.out
    assert "not published here" not in result.out
    without = cli("publish", "report", "--platform", "local", "--dry-run", "--no-images")
    assert "would upload" not in without.out and "not published here" in without.out
