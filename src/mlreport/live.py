"""``mlreport run --live INTERVAL``: the sticky comment follows a long training run.

While the command runs, at most once per *interval* (the first a few seconds in), the comment
becomes a "running" report: elapsed time, the training-history chart so far, the last output
lines. Each update is one comment edit, made on a thread of its own so the command's output
never waits for the network; an update still in flight when the next is due is not doubled
(that one is skipped). A chart that has not changed is linked where it was hosted, not
uploaded again. A platform that is down costs a warning, once, never the run. When the
command ends, :meth:`LiveReport.close` waits for the update in flight, so that the final
report -- published as usual -- edits the same comment rather than racing it.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import click

from mlreport.console import one_line
from mlreport.errors import MlreportError
from mlreport.platforms.context import PublishOptions

FIRST = 5.0  # seconds before the first update: a quick command never posts one
SHOWN_LINES = 20
CLOSE_WAIT = 60.0  # seconds close() waits for an update in flight


class LiveReport:
    def __init__(
        self,
        interval: float,
        directory: Path,
        options: PublishOptions,
        environ: Mapping[str, str],
        command: Sequence[str],
        history: Sequence[Path] = (),
    ) -> None:
        self.interval = interval
        self.directory = directory
        self.options = replace(options, check=False, mode="update")
        self.environ = environ
        self.command = list(command)
        self.history = list(history)
        self.updates = 0
        self._due = time.monotonic() + min(FIRST, interval)
        self._busy = threading.Lock()
        self._thread: threading.Thread | None = None
        self._warned = False
        self._closed = False
        self._hosted: dict[str, str] = {}  # chart sha256 -> where it was hosted

    def tick(self, elapsed: float, tail: Sequence[str]) -> None:
        """Called often by the command's runner: start an update when one is due."""
        now = time.monotonic()
        if self._closed or now < self._due:
            return
        if not self._busy.acquire(blocking=False):
            return  # the last update is still going: skip this one
        self._due = now + self.interval
        lines = list(tail)[-SHOWN_LINES:]
        self._thread = threading.Thread(target=self._update, args=(elapsed, lines), daemon=True)
        self._thread.start()

    def close(self) -> None:
        """No more updates; wait (bounded) for the one in flight, then remove the live
        folder (a temporary one: the report's own folder holds only the final report)."""
        self._closed = True
        if self._thread is not None:
            self._thread.join(CLOSE_WAIT)
        if self._thread is None or not self._thread.is_alive():
            shutil.rmtree(self.directory, ignore_errors=True)

    def _update(self, elapsed: float, lines: list[str]) -> None:
        from mlreport.publish import post_only

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            chart = self._chart()
            markdown = running_markdown(elapsed, self.interval, self.command, lines, chart)
            (self.directory / "report.md").write_text(markdown, encoding="utf-8")
            _, urls = post_only(self.directory, self.options, self.environ)
            if chart is not None and urls and chart[1] in urls:
                self._hosted[chart[0]] = urls[chart[1]]
            self.updates += 1
        except MlreportError as exc:
            if not self._warned:
                self._warned = True
                click.echo(f"mlreport: warning: live update failed ({one_line(str(exc))}); "
                           "the run goes on, and the final report is published as usual",
                           err=True)  # fmt: skip
        except Exception as exc:
            if not self._warned:
                self._warned = True
                click.echo(
                    f"mlreport: warning: live update failed ({type(exc).__name__})", err=True
                )
        finally:
            self._busy.release()

    def _chart(self) -> tuple[str, str] | None:
        """(sha256, link) of the history chart so far: a hosted URL when it has not changed
        since the last update, else the PNG drawn into the live folder; None without one."""
        if not self.history or not all(p.exists() for p in self.history):
            return None
        from mlreport.charts.history import draw_history
        from mlreport.inputs.history import load_histories

        try:
            history = load_histories(self.history)  # a line being written: next time
        except MlreportError:
            return None
        if not history.series:
            return None
        image = draw_history(history, self.directory)
        if image.sha256 in self._hosted:
            return image.sha256, self._hosted[image.sha256]
        return image.sha256, image.path


def running_markdown(
    elapsed: float,
    interval: float,
    command: Sequence[str],
    lines: Sequence[str],
    chart: tuple[str, str] | None,
) -> str:
    """The body of a live update (every value from the run escaped)."""
    from mlreport.redact import current
    from mlreport.report.markdown import code_block, code_span

    shown = " ".join(current().argv(list(command)))
    parts = [
        "## ⏳ ML report — training in progress",
        "",
        f"**Running for {duration(elapsed)}** · updated every {duration(interval)} · "
        f"the final report replaces this one when the command ends.",
        "",
        f"Command: {code_span(shown)}",
        "",
    ]
    if chart is not None:
        parts += ["![Training history so far](" + chart[1] + ")", ""]
    if lines:
        parts += [
            f"<details open><summary>Last {len(lines)} lines of output</summary>",
            "",
            str(code_block([current().text(line) for line in lines])),
            "",
            "</details>",
            "",
        ]
    return "\n".join(parts)


def duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
