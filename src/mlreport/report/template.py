"""Report templates: Jinja with Markdown escaping by default, sandboxed for user templates.

Every ``{{ expression }}`` is escaped as Markdown text unless it is already
:class:`~markupsafe.Markup` (what the helpers below and Jinja's ``|safe`` return), so a
template cannot forget to escape data.  The default template and user templates get the
same context: ``report`` (the report.json document) and the helpers in :func:`_helpers`.
The default template is trusted; a user template runs in :mod:`.sandbox`, bounded in what
it can include and spend, and each bound it hits is a one-line TemplateError naming the
template and, where known, the line.
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
    format_interval,
    format_number,
    format_p,
    table,
)

DEFAULT_TEMPLATE = "report.md.j2"
CHANGE_MARKS = {
    "better": "🟢 better",
    "worse": "🔴 worse",
    "same": "⚪ same",
    "changed": "🔵 changed",
    "noise": "≈ within noise",
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
        "with_ci": _with_ci,
        "delta_ci": _delta_ci,
        "mlreport_version": __version__,
    }


def _with_ci(value: Any, low: Any = None, high: Any = None) -> Markup:
    """A value and its interval: ``0.9778 ±0.012``."""
    spread = format_interval(value, low, high)
    shown = finalize(value)
    return Markup(f"{shown} {spread}" if spread else f"{shown}")


def _delta_ci(delta: Any, low: Any = None, high: Any = None) -> Markup:
    """A delta and its interval: ``+0.009 ±0.011``."""
    if delta is None:
        return Markup("")
    spread = format_interval(delta, low, high, signed=True)
    shown = format_delta(delta)
    return Markup(f"{shown} {spread}" if spread else shown)


def _filters() -> dict[str, Any]:
    return {
        "md": escape,
        "html": escape_html,
        "code": code_span,
        "code_cell": lambda v: code_span(v, in_table=True),
        "num": lambda v, precision=4: Markup(format_number(v, precision)),
        "count": lambda v: Markup(f"{int(v):,}"),
        "delta": lambda v, precision=4: Markup(format_delta(v, precision)),
        "p_value": lambda p: Markup(format_p(p)),
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
    """The default template's Environment, or the bounded sandbox for *user_template*."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    options: dict[str, Any] = {
        "autoescape": False,
        "finalize": finalize,
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
        "extensions": ["jinja2.ext.do"],
    }
    if user_template is None:
        env = Environment(loader=FileSystemLoader(str(templates_root())), **options)
        env.globals.update(_helpers())
        env.filters.update(_filters())
        return env
    from mlreport.report.sandbox import BoundedSandbox, ConfinedLoader

    folder = user_template.parent
    allowed = [folder.resolve(), templates_root().resolve()]
    loader = ConfinedLoader([str(folder), str(templates_root())], allowed, user_template.resolve())
    sandbox = BoundedSandbox(loader=loader, **options)
    sandbox.globals.update(_helpers())
    sandbox.filters.update(_filters())
    sandbox.bound_filters()
    return sandbox


class Template:
    """A compiled report template and where it came from (for error messages)."""

    def __init__(self, compiled: Any, where: str) -> None:
        self.compiled = compiled
        self.where = where

    def render(self, document: dict[str, Any]) -> str:
        budget = getattr(self.compiled.environment, "budget", None)
        if budget is None:  # the default template: trusted
            return str(self.compiled.render(report=document))
        from mlreport.report.sandbox import collect

        return str(budget.run(lambda: collect(self.compiled.generate(report=document), budget)))

    def error(self, exc: Exception) -> TemplateError:
        """The one-line error for *exc*, raised while rendering."""
        import jinja2
        from jinja2.exceptions import SecurityError

        where = self.where
        if isinstance(exc, jinja2.TemplateSyntaxError):  # an included template
            return TemplateError(f"{exc.filename or where}: line {exc.lineno}: {exc.message}")
        if hasattr(self.compiled.environment, "budget") and _is_bound(exc):
            return _bound_error(exc, self._at(exc))
        if isinstance(exc, SecurityError):
            return TemplateError(f"{where}: not allowed in a sandboxed template: {exc}")
        if isinstance(exc, jinja2.TemplateNotFound):
            return TemplateError(f"{where}: included template not found: {exc.name}")
        if isinstance(exc, jinja2.UndefinedError):
            return TemplateError(
                f"{where}: {exc.message}", "see the template context in the README"
            )
        # a template can raise anything its expressions raise
        return TemplateError(f"{where}: rendering failed: {type(exc).__name__}: {exc}")

    def _at(self, exc: BaseException) -> str:
        """``FILE: line N`` of the innermost template code in *exc*'s traceback."""
        found = self.where
        tb = exc.__traceback__
        while tb is not None:
            frame_globals = tb.tb_frame.f_globals
            origin = frame_globals.get("__jinja_template__")
            if origin is not None:  # compiled template code
                filename, line = origin.filename, origin.get_corresponding_lineno(tb.tb_lineno)
                found = f"{self._name(filename)}: line {line}"
            elif "__jinja_exception__" in frame_globals:  # a frame Jinja rewrote to the source
                found = f"{self._name(tb.tb_frame.f_code.co_filename)}: line {tb.tb_lineno}"
            tb = tb.tb_next
        return found

    def _name(self, filename: str) -> str:
        return self.where if filename == self.compiled.filename else filename


def _is_bound(exc: BaseException) -> bool:
    from mlreport.report.sandbox import LimitExceeded

    return isinstance(exc, LimitExceeded | MemoryError)


def _bound_error(exc: BaseException, at: str) -> TemplateError:
    if isinstance(exc, MemoryError):
        from mlreport.report.sandbox import MAX_MEMORY

        gigabytes = MAX_MEMORY >> 30
        return TemplateError(
            f"{at}: the template needed more than {gigabytes} GB of memory, the sandbox's limit"
        )
    return TemplateError(f"{at}: {exc}")


def load_template(template: Path | None = None) -> Template:
    """Compile the default template or the user's *template* (sandboxed, bounded)."""
    import jinja2

    if template is not None and not template.is_file():
        raise TemplateError(f"{template}: template not found")
    env = environment(template)
    name = template.name if template is not None else DEFAULT_TEMPLATE
    where = str(template) if template is not None else DEFAULT_TEMPLATE
    try:
        if template is None:
            return Template(env.get_template(name), where)
        return Template(env.budget.run(lambda: env.get_template(name)), where)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or where}: line {exc.lineno}: {exc.message}") from None
    except Exception as exc:
        if template is None or not _is_bound(exc):
            raise
        raise _bound_error(exc, where) from None


def render_markdown(document: dict[str, Any], template: Template | Path | None = None) -> str:
    """Render *document* with a compiled template, or the default / a user template file."""
    if not isinstance(template, Template):
        template = load_template(template)
    try:
        text = template.render(document)
    except Exception as exc:
        raise template.error(exc) from None
    return text.strip() + "\n"
