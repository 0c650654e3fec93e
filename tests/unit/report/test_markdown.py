"""Escaping is checked by rendering with cmark-gfm, GitHub's own Markdown parser."""

from __future__ import annotations

import re

import pytest

from mlreport.report.markdown import (
    code_block,
    code_span,
    escape,
    format_delta,
    format_number,
    table,
)
from tests.helpers import markdown_html

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "a|b",
    "`code` and ``more``",
    "line one\nline two\r\nthree",
    "**bold** _it_ ~~strike~~",
    "[link](https://evil.example) ![img](x.png)",
    "$x^2$ and $$y$$",
    "# heading",
    "- item",
    "1. numbered",
    "&amp; &lt;b&gt;",
    "\\ back\\slash",
    "<!-- comment -->",
    "tab\tand\x00nul\x1b[31mred",
]


def text_of(html: str) -> str:
    """The visible text of cmark-gfm's HTML output (tags dropped, entities decoded)."""
    import html as htmllib

    return htmllib.unescape(re.sub(r"<[^>]+>", "", html)).strip()


@pytest.mark.parametrize("value", HOSTILE)
def test_escaped_text_renders_literally(value: str) -> None:
    html = markdown_html(f"Value: {escape(value)}\n")
    assert html.count("<") == html.count("</p>") * 2  # only the paragraph tags
    expected = " ".join(value.replace("\x00", "\ufffd").split())
    expected = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", expected)
    assert text_of(html) == f"Value: {expected}"


@pytest.mark.parametrize("value", HOSTILE)
def test_escaped_cells_keep_the_table_shape(value: str) -> None:
    markdown = table(["name", "code", "n"], [[value, code_span(value, in_table=True), 1]] * 2)
    html = markdown_html(markdown)
    assert html.count("<tr>") == 3
    assert html.count("<td>") + html.count("<td align") == 6
    assert "<img" not in html and "<script" not in html and "<a " not in html


@pytest.mark.parametrize("value", HOSTILE)
def test_code_span_shows_value_verbatim(value: str) -> None:
    html = markdown_html(f"x {code_span(value)} y\n")
    code = re.search(r"<code>(.*)</code>", html, re.S)
    assert code is not None
    import html as htmllib

    shown = htmllib.unescape(code.group(1))
    expected = " ".join(value.replace("\x00", "\ufffd").split())
    expected = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", expected)
    assert shown.strip() == expected.strip()


def test_code_block_cannot_be_closed_by_its_content() -> None:
    lines = ["before", "```", "</details>", "<script>x</script>", "````", "after"]
    html = markdown_html(f"<details><summary>log</summary>\n\n{code_block(lines)}\n\n</details>\n")
    assert html.count("<pre") == 1
    assert "&lt;/details&gt;" in html and "&lt;script&gt;" in html
    assert html.strip().endswith("</details>")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.912345, "0.9123"),
        (12.3456, "12.35"),
        (1234.567, "1,235"),
        (0.0012345, "0.001234"),
        (1e-7, "1e-07"),
        (10000, "10,000"),
        (3, "3"),
        (2.0, "2"),
        (0.5, "0.5"),
        (0.0, "0"),
        (-0.05, "-0.05"),
        (float("nan"), "NaN"),
        (float("inf"), "∞"),
        (None, "—"),
        (True, "true"),
        ("text", "text"),
    ],
)
def test_format_number(value: object, text: str) -> None:
    assert format_number(value) == text


def test_format_delta_signs() -> None:
    assert format_delta(0.01) == "+0.01"
    assert format_delta(-0.01) == "-0.01"
    assert format_delta(0.0) == "0"
    assert format_delta(None) == ""


def test_table_alignment_row() -> None:
    markdown = table(["a", "b", "c"], [["x", 1, 2]], "lrc")
    assert markdown.splitlines()[1].replace(" ", "").startswith("|:-")
    assert re.search(r"\|\s*-+:\s*\|\s*:-+:\s*\|$", markdown.splitlines()[1])
