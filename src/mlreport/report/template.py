"""Report templates: Jinja with Markdown escaping by default, sandboxed for user templates.

Every ``{{ expression }}`` is escaped as Markdown text unless it is already
:class:`~markupsafe.Markup` (what the helpers below and Jinja's ``|safe`` return), so a
template cannot forget to escape data.  The default template and user templates get the
same context: ``report`` (the report.json document) and the helpers in :func:`_helpers`.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from mlreport import __version__
from mlreport._resources import templates_root
from mlreport.errors import TemplateError
from mlreport.gates import SYMBOLS
from mlreport.report.markdown import (
    code_block,
    code_span,
    escape,
    escape_html,
    format_delta,
    format_number,
    table,
)

DEFAULT_TEMPLATE = "report.md.j2"
CHANGE_MARKS = {
    "better": "🟢 better",
    "worse": "🔴 worse",
    "same": "⚪ same",
    "changed": "🔵 changed",
}
STATUS_MARKS = {"pass": "✅", "fail": "❌", "skipped": "⏭️", True: "✅", False: "❌", None: "⏭️"}


def finalize(value: Any) -> Any:
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Markup(format_number(value))
    return escape(value)


def _image(image: Any) -> Markup:
    if not image:
        return Markup("")
    alt = escape(image["title"])
    return Markup(f"![{alt}]({quote(str(image['path']))})")


def _helpers() -> dict[str, Any]:
    return {
        "table": table,
        "image": _image,
        "code_block": code_block,
        "mark": lambda status: Markup(STATUS_MARKS.get(status, "")),
        "change_mark": lambda change: Markup(CHANGE_MARKS.get(change, "")),
        "op_symbol": lambda op: Markup(escape(SYMBOLS.get(op, op))),
        "shell_join": lambda argv: shlex.join(argv),
        "pick": lambda mapping, keys: [mapping.get(k) for k in keys],
        "mlreport_version": __version__,
    }


def _filters() -> dict[str, Any]:
    return {
        "md": escape,
        "html": escape_html,
        "code": code_span,
        "code_cell": lambda v: code_span(v, in_table=True),
        "num": lambda v, precision=4: Markup(format_number(v, precision)),
        "delta": lambda v, precision=4: Markup(format_delta(v, precision)),
        "duration": lambda s: Markup(_duration(s)),
    }


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def environment(user_template: Path | None = None) -> Any:
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    loaders = [FileSystemLoader(str(templates_root()))]
    cls: type[Environment] = Environment
    if user_template is not None:
        loaders.insert(0, FileSystemLoader(str(user_template.parent)))
        cls = SandboxedEnvironment
    env = cls(
        loader=ChoiceLoader(loaders),
        autoescape=False,
        finalize=finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    env.globals.update(_helpers())
    env.filters.update(_filters())
    return env


class Template:
    """A compiled report template and where it came from (for error messages)."""

    def __init__(self, compiled: Any, where: str) -> None:
        self.compiled = compiled
        self.where = where


def load_template(template: Path | None = None) -> Template:
    """Compile the default template or the user's *template* (sandboxed)."""
    import jinja2

    if template is not None and not template.is_file():
        raise TemplateError(f"{template}: template not found")
    env = environment(template)
    name = template.name if template is not None else DEFAULT_TEMPLATE
    where = str(template) if template is not None else DEFAULT_TEMPLATE
    try:
        return Template(env.get_template(name), where)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or where}: line {exc.lineno}: {exc.message}") from None


def render_markdown(document: dict[str, Any], template: Template | Path | None = None) -> str:
    """Render *document* with a compiled template, or the default / a user template file."""
    import jinja2
    from jinja2.exceptions import SecurityError

    if not isinstance(template, Template):
        template = load_template(template)
    where = template.where
    try:
        text = template.compiled.render(report=document)
    except jinja2.TemplateSyntaxError as exc:  # an included template
        raise TemplateError(f"{exc.filename or where}: line {exc.lineno}: {exc.message}") from None
    except SecurityError as exc:
        raise TemplateError(f"{where}: not allowed in a sandboxed template: {exc}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"{where}: included template not found: {exc.name}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            f"{where}: {exc.message}", "see the template context in the README"
        ) from None
    except Exception as exc:  # a template can raise anything its expressions raise
        raise TemplateError(f"{where}: rendering failed: {type(exc).__name__}: {exc}") from None
    return str(text).strip() + "\n"
