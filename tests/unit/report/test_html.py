"""The preview's sanitizer: GitHub's allowlist, element by element."""

from __future__ import annotations

import pytest

from mlreport.report.html import ELEMENTS, markdown_to_html, sanitize

VOID = {"br", "hr", "img", "wbr", "input"}
TABLE = {"table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption"}


@pytest.mark.parametrize("element", sorted(ELEMENTS - VOID - TABLE))
def test_every_allowed_element_is_kept(element: str) -> None:
    html = f'<ul><li><{element} title="t">text</{element}></li></ul>'
    assert f'<{element} title="t">text</{element}>' in sanitize(html)


def test_tables_are_kept() -> None:
    html = (
        '<table border="1"><caption>c</caption><thead><tr><th align="left" scope="col">h</th>'
        '</tr></thead><tbody><tr><td colspan="2">d</td></tr></tbody><tfoot><tr><td>f</td></tr>'
        "</tfoot></table>"
    )
    assert sanitize(html) == html


def test_void_elements_are_kept() -> None:
    html = '<p>a<br>b<wbr>c</p><hr><img src="a.png" alt="a" width="10" height="20">'
    assert sanitize(html) == html


@pytest.mark.parametrize(
    "element", ["section", "nav", "u", "font", "center", "marquee", "dialog", "label", "select"]
)
def test_other_elements_are_unwrapped_keeping_their_text(element: str) -> None:
    assert sanitize(f"<div><{element}>text</{element}></div>") == "<div>text</div>"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<a href="irc://irc.example/x">a</a>', '<a href="irc://irc.example/x">a</a>'),
        ('<a href="ftp://example.com/">a</a>', "<a>a</a>"),
        ('<img src="https://example.com/a.png">', '<img src="https://example.com/a.png">'),
        ('<img src="irc://irc.example/a.png">', "<img>"),
        ('<q cite="mailto:a@example.com">q</q>', "<q>q</q>"),
        (
            '<blockquote cite="notes.md">b</blockquote>',
            '<blockquote cite="notes.md">b</blockquote>',
        ),
        (
            '<input type="text" value="v" name="n" checked>',
            '<input type="checkbox" checked="" disabled="">',
        ),
    ],
)
def test_url_schemes_and_inputs(html: str, expected: str) -> None:
    assert sanitize(html) == expected


def test_markdown_is_rendered_before_it_is_sanitized() -> None:
    assert markdown_to_html("*a* <b onclick=x>b</b>") == "<p><em>a</em> <b>b</b></p>\n"
