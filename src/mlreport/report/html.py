"""report.md to a standalone report.html that looks like GitHub's rendering.

The Markdown is parsed with cmark-gfm (GitHub's own parser: tables, autolinks,
strikethrough, task lists, and the tag filter that disarms <script> and friends), keeping
raw HTML as GitHub does, then sanitized as GitHub does: nh3 (the Rust ammonia sanitizer)
with GitHub's allowlist of elements, attributes and URL schemes, so the page never shows
what GitHub would strip (event handlers, ``style``, ``javascript:`` and ``data:`` links,
``<iframe>``, ``<form>``…).  It is styled with github-markdown-css.  Images stay files
next to the page.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from mlreport import __version__
from mlreport._resources import templates_root
from mlreport.inputs._files import read_text
from mlreport.inputs.report import markdown_file

if TYPE_CHECKING:
    import nh3

# GitHub's allowlist: ALLOWLIST of html-pipeline's SanitizationFilter, the filter that
# github/markup's README names for what GitHub keeps of rendered markup ("HTML
# sanitization", github/markup 8ddb670) — here as of gjtorikian/html-pipeline v2.14.3
# (84c75b3d), lib/html/pipeline/sanitization_filter.rb: ELEMENTS, ATTRIBUTES, the URL
# schemes and remove_contents below are its lists.  Besides them, an <input> is kept as
# GitHub's task lists show it, a disabled checkbox (cmark-gfm's tasklist extension writes
# it; GitHub's task-list filter adds it after sanitizing), and nothing else of it.
ELEMENTS = frozenset(
    """
    h1 h2 h3 h4 h5 h6 h7 h8 br b i strong em a pre code img tt
    div ins del sup sub p ol ul table thead tbody tfoot blockquote
    dl dt dd kbd q samp var hr ruby rt rp li tr td th s strike summary
    details caption figure figcaption
    abbr bdo cite dfn mark small span time wbr
    """.split()
) | {"input"}
ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "img": frozenset({"src", "longdesc"}),
    "div": frozenset({"itemscope", "itemtype"}),
    "blockquote": frozenset({"cite"}),
    "del": frozenset({"cite"}),
    "ins": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "input": frozenset({"checked"}),
    "*": frozenset(
        """
        abbr accept accept-charset accesskey action align alt
        aria-describedby aria-hidden aria-label aria-labelledby
        axis border cellpadding cellspacing char charoff charset checked
        clear cols colspan color compact coords datetime dir
        disabled enctype for frame headers height hreflang
        hspace ismap label lang maxlength media method
        multiple name nohref noshade nowrap open progress prompt readonly rel rev
        role rows rowspan rules scope selected shape size span
        start summary tabindex target title type usemap valign value
        vspace width itemprop
        """.split()
    ),
}
# <a href>: ANCHOR_SCHEMES (and relative URLs); the other URL attributes (<img src>,
# longdesc, cite): http, https and relative only.
ANCHOR_SCHEMES = frozenset(
    {"http", "https", "mailto", "xmpp", "github-windows", "github-mac", "irc", "ircs"}
)
MEDIA_SCHEMES = frozenset({"http", "https"})
# Removed with their content, not just unwrapped (html-pipeline: script; ammonia adds style).
CLEAN_CONTENT = frozenset({"script", "style"})


def markdown_to_html(text: str) -> str:
    """*text* as GitHub shows it: cmark-gfm, raw HTML kept, then sanitized."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    rendered = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    return sanitize(str(rendered))


def sanitize(html: str) -> str:
    """*html* less everything GitHub's allowlist strips."""
    return _cleaner().clean(html)


@cache
def _cleaner() -> nh3.Cleaner:
    import nh3

    return nh3.Cleaner(
        tags=ELEMENTS,
        clean_content_tags=CLEAN_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_narrow,
        url_schemes=ANCHOR_SCHEMES,
        link_rel=None,  # GitHub keeps <a rel> as written (it is in its allowlist)
        strip_comments=True,
        set_tag_attribute_values={"input": {"type": "checkbox", "disabled": ""}},
    )


def _narrow(element: str, attribute: str, value: str) -> str | None:
    """Narrow the URL attributes other than <a href> to http, https and relative URLs
    (ammonia has already removed any scheme outside ANCHOR_SCHEMES), and an <input> to a
    task list's checkbox."""
    if element == "input" and attribute not in ("type", "checked", "disabled"):
        return None
    if attribute in ("src", "longdesc", "cite"):
        try:
            scheme = urlsplit(value.strip()).scheme.lower()
        except ValueError:
            return None
        if scheme and scheme not in MEDIA_SCHEMES:
            return None
    return value


def write_preview(source: Path, output: Path | None = None) -> Path:
    """Render *source* (report.md, or a directory holding one) to HTML; return the path."""
    markdown = markdown_file(source)
    target = output or markdown.with_suffix(".html")
    page = render_page(read_text(markdown, "report"), title=_title(markdown))
    target.write_text(page, encoding="utf-8")
    return target


def render_page(markdown: str, title: str) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup

    root = templates_root()
    css = (root / "preview" / "github-markdown.css").read_text(encoding="utf-8")
    env = Environment(
        loader=FileSystemLoader(str(root)), autoescape=True, undefined=StrictUndefined
    )
    page = env.get_template("preview/page.html.j2")
    body = Markup(markdown_to_html(markdown))  # sanitized with GitHub's allowlist
    return page.render(title=title, css=Markup(css), body=body, version=__version__)


def _title(markdown: Path) -> str:
    return f"{markdown.parent.name or 'report'} · mlreport"
