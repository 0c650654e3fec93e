"""report.md to a standalone report.html that looks like GitHub's rendering.

The Markdown is parsed with cmark-gfm (GitHub's own parser: tables, autolinks,
strikethrough, task lists, and the tag filter that disarms <script> and friends), and styled
with github-markdown-css.  Images stay files next to the page.
"""

from __future__ import annotations

from pathlib import Path

from mlreport import __version__
from mlreport._resources import templates_root
from mlreport.inputs._files import read_text
from mlreport.inputs.report import markdown_file


def markdown_to_html(text: str) -> str:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    return str(cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE))


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
    body = Markup(markdown_to_html(markdown))  # cmark-gfm output: data was escaped upstream
    return page.render(title=title, css=Markup(css), body=body, version=__version__)


def _title(markdown: Path) -> str:
    return f"{markdown.parent.name or 'report'} · mlreport"
