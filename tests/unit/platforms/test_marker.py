"""The hidden marker, and cutting a body at a section boundary."""

from __future__ import annotations

import pytest

from mlreport.errors import UsageError
from mlreport.platforms.marker import check_id, has_marker, marker, truncate
from tests.helpers import markdown_html


def test_marker_is_invisible_once_rendered() -> None:
    body = f"{marker('nightly')}\n## Report\n"
    assert has_marker(body, "nightly") and not has_marker(body, "default")
    html = markdown_html(body)  # as GitHub shows it: an HTML comment shows nothing
    assert html.strip() == "<h2>Report</h2>"


@pytest.mark.parametrize("bad", ["", "has space", "-x", "a" * 65, "x-->", "ü"])
def test_ids_are_checked(bad: str) -> None:
    with pytest.raises(UsageError):
        check_id(bad)


def sections(count: int, size: int) -> str:
    return "## Title\n\n" + "".join(f"### Part {i}\n\n{'x' * size}\n\n" for i in range(count))


def test_short_bodies_are_untouched() -> None:
    body = sections(3, 10)
    assert truncate(body, 10_000, "NOTICE") == body


def test_cut_at_a_section_boundary_with_the_notice() -> None:
    body = sections(10, 1000)
    cut = truncate(body, 4000, "> NOTICE")
    assert len(cut) <= 4000
    assert cut.endswith("> NOTICE\n")
    kept = cut[: -len("> NOTICE\n")].rstrip()
    assert kept.endswith("x")  # a whole section, then the notice
    assert kept.count("### Part") == kept.count("x" * 1000)


def test_open_fences_and_details_are_closed() -> None:
    body = "## T\n\n<details><summary>log</summary>\n\n```text\n" + "line\n" * 5000
    cut = truncate(body, 3000, "NOTICE")
    assert len(cut) <= 3000
    html = markdown_html(cut)
    assert html.count("<details>") == html.count("</details>") == 1
    assert "NOTICE" in html and "<pre" in html
