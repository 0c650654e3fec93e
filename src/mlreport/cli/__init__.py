"""The ``mlreport`` command line: parse, call the library, map errors to exit codes.

One module per command group; the commands are registered by name in :data:`_COMMANDS`.
:func:`handle` is the one place where an exception becomes an exit code (the codes
themselves are defined, and documented, in :mod:`mlreport.errors`).
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
from collections.abc import Callable, Sequence

import click

from mlreport import __version__
from mlreport.errors import (
    EXIT_CODES_HELP,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    MlreportError,
    Reported,
)

_COMMANDS = {
    "render": ("mlreport.cli.render", "render"),
    "run": ("mlreport.cli.render", "run"),
    "diff": ("mlreport.cli.compare", "diff"),
    "check": ("mlreport.cli.compare", "check"),
    "demo": ("mlreport.cli.demo", "demo"),
    "preview": ("mlreport.cli.preview", "preview"),
    "publish": ("mlreport.cli.publish", "publish"),
    "runner": ("mlreport.cli.runner", "runner"),
    "schema": ("mlreport.cli.schema", "schema"),
    "pr": ("mlreport.cli.pr", "pr"),
}


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=f"Docs and examples: see README.md. {EXIT_CODES_HELP}",
)
@click.version_option(__version__, "-V", "--version", prog_name="mlreport")
@click.option("--debug", is_flag=True, envvar="MLREPORT_DEBUG", help="Show tracebacks.")
def cli(debug: bool) -> None:
    """Metrics, gates and visual reports for machine-learning pull requests."""


def _register() -> None:
    import importlib

    for name, (module, attribute) in _COMMANDS.items():
        cli.add_command(getattr(importlib.import_module(module), attribute), name)


_register()


def _debug(argv: Sequence[str]) -> bool:
    """``mlreport --debug COMMAND …`` (the flag belongs to the group) or MLREPORT_DEBUG=1."""
    flag = os.environ.get("MLREPORT_DEBUG", "").lower() in ("1", "true", "yes")
    options = list(itertools.takewhile(lambda arg: arg.startswith("-"), argv))
    return flag or "--debug" in options


def _traceback() -> None:
    import traceback

    traceback.print_exc()


def error(message: str) -> None:
    """The one error line (redacted and defused by the console guard, like all output)."""
    from mlreport.console import one_line

    click.echo(f"mlreport: error: {one_line(message)}", err=True)


def handle(work: Callable[[], int | None], args: Sequence[str]) -> int:
    """Run *work* (a command given *args*) and return its exit code: the one mapping from
    what went wrong to the code mlreport exits with. Everything it prints, and everything
    the report carries, is kept free of this invocation's secrets (:mod:`mlreport.redact`)."""
    from mlreport import console, redact

    debug = _debug(args)
    # Per invocation, so that one --debug run leaves nothing behind in this process.
    logging.getLogger("mlreport").setLevel(logging.DEBUG if debug else logging.WARNING)
    redactor = redact.Redactor(redact.secrets_of(os.environ, args))
    broken_pipe = False
    with redact.activate(redactor), console.guarded():
        try:
            return _outcome(work, debug)
        except BrokenPipeError:
            broken_pipe = True
    if broken_pipe:
        sys.stderr.close()  # e.g. `mlreport diff | head`: stop quietly
    return EXIT_OK


def _outcome(work: Callable[[], int | None], debug: bool) -> int:
    try:
        result = work()
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "mlreport"
        message = exc.format_message()
        if "'--debug'" in message and where != "mlreport":
            error(f"--debug goes before the command: mlreport --debug {where.split()[-1]} …")
        else:
            error(f"{message.rstrip('.')} (see '{where} --help')")
        return EXIT_USAGE
    except click.ClickException as exc:
        error(exc.format_message())
        return EXIT_USAGE
    except click.Abort:
        error("aborted")
        return EXIT_INTERRUPTED
    except Reported as exc:  # already in the report and the outcome lines
        return exc.exit_code
    except MlreportError as exc:
        if debug:
            _traceback()
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise
    except Exception as exc:  # a bug: one line, the traceback with --debug
        if debug:
            _traceback()
        error(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug and report it)")
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    return handle(lambda: cli.main(args=args, prog_name="mlreport", standalone_mode=False), args)
