"""What the commands print: a status line and the failures, for people and CI logs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from mlreport.evaluation import Evaluation
    from mlreport.gates import GateResult


def gate_line(g: GateResult) -> str:
    from mlreport.gates import SYMBOLS
    from mlreport.report.markdown import format_number

    if g.status == "skipped":
        return f"skipped {g.expression}: {g.reason}"
    detail = f"{g.metric} = {format_number(g.actual)}, expected {SYMBOLS[g.op]} " + format_number(
        g.expected
    )
    return f"{g.status:7} {g.expression}  ({detail})"


def print_outcome(evaluation: Evaluation, summary: str, *, verbose: bool = False) -> None:
    """One status line, then every failure (and with *verbose*, every gate and check)."""
    mark = "FAIL" if evaluation.failures else "PASS"
    click.echo(f"{mark}: {summary}")
    for g in evaluation.gates:
        if verbose or g.status == "fail":
            click.echo(f"  gate  {gate_line(g)}")
    for c in evaluation.checks:
        if verbose or not c.passed:
            click.echo(f"  check {'pass   ' if c.passed else 'fail   '}{c.name}: {c.detail}")
    for e in evaluation.errors:
        click.echo(f"  error {e}")
    for note in evaluation.notes:
        click.echo(f"  note  {note}", err=True)
