"""What the commands print: a status line and the failures, for people and CI logs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from mlreport.console import one_line

if TYPE_CHECKING:
    from mlreport.evaluation import Evaluation
    from mlreport.gates import GateResult


def gate_line(g: GateResult) -> str:
    from mlreport.gates import SYMBOLS, percent
    from mlreport.report.markdown import format_number

    if g.status == "skipped":
        return f"skipped {g.expression}: {g.reason}"
    value = f"{g.metric} = {format_number(g.actual)}"
    if g.confidence is not None and g.bound is not None:
        side = "lower" if g.op in (">=", ">") else "upper"
        value = f"{value}, its {side} {percent(g.confidence)} bound {format_number(g.bound)}"
    detail = f"{value}, expected {SYMBOLS[g.op]} {format_number(g.expected)}"
    return f"{g.status:7} {g.expression}  ({detail})"


def print_outcome(
    evaluation: Evaluation, summary: str, *, status: str | None = None, verbose: bool = False
) -> None:
    """One status line (*status*: the report's, which counts a failed ``run`` command too),
    then every failure (and with *verbose*, every gate and check). Every value is kept on
    its line: data cannot start a line of its own (see :mod:`mlreport.console`)."""
    failed = status == "fail" if status is not None else bool(evaluation.failures)
    click.echo(f"{'FAIL' if failed else 'PASS'}: {one_line(summary)}")
    for g in evaluation.gates:
        if verbose or g.status == "fail":
            click.echo(f"  gate  {one_line(gate_line(g))}")
    for c in evaluation.all_checks:
        if verbose or not c.passed:
            mark = "pass   " if c.passed else "fail   "
            click.echo(f"  check {mark}{one_line(c.name)}: {one_line(c.detail)}")
    for e in evaluation.errors:
        click.echo(f"  error {one_line(e)}")
    _annotate_skipped(evaluation)
    for note in evaluation.notes:
        click.echo(f"  note  {one_line(note)}", err=True)


def _annotate_skipped(evaluation: Evaluation) -> None:
    """In GitHub Actions, a warning annotation for each gate that was not evaluated."""
    import os

    from mlreport.platforms import workflow

    if not workflow.in_actions(os.environ):
        return
    for g in evaluation.gates:
        if g.status == "skipped":
            workflow.warning(f"gate '{g.expression}' skipped: {g.reason}", "mlreport: gate skipped")
