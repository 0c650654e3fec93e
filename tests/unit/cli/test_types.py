"""The click parameter types: durations (read and written back), word lists, line lists."""

from __future__ import annotations

import click
import pytest

from mlreport.cli.types import Duration, Lines, Words


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("6h", 21600), ("1h30m", 5400), ("20", 1200), ("0.5h", 1800)],
)
def test_durations(text: str, seconds: float) -> None:
    assert Duration().convert(text, None, None) == seconds


@pytest.mark.parametrize("text", ["soon", "15 minutes", "1d", "h", "15m3"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(click.BadParameter, match="duration like"):
        Duration().convert(text, None, None)


@pytest.mark.parametrize("seconds", [90.0, 900.0, 1200.0, 5400.0, 21600.0, 0.5])
def test_a_duration_written_back_reads_as_itself(seconds: float) -> None:
    assert Duration().convert(Duration.text(seconds), None, None) == seconds


def test_durations_are_written_in_their_largest_whole_unit() -> None:
    assert [Duration.text(s) for s in (21600, 900, 5400, 90)] == ["6h", "15m", "90m", "90s"]


def test_words_split_on_commas_and_spaces_and_keep_a_variable_whole() -> None:
    assert Words.split(("g4dn.xlarge, g5.xlarge", "p3.2xlarge")) == (
        "g4dn.xlarge",
        "g5.xlarge",
        "p3.2xlarge",
    )
    assert Words().split_envvar_value("a, b c") == ["a, b c"]


def test_lines_take_one_value_per_non_blank_line() -> None:
    assert Lines().split_envvar_value("accuracy >= 0.9\n\n  f1 >= baseline  \n") == [
        "accuracy >= 0.9",
        "f1 >= baseline",
    ]
