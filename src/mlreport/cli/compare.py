"""``mlreport diff`` (metrics against a baseline) and ``mlreport check`` (gates only)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click

from mlreport.cli._output import print_outcome
from mlreport.cli.options import (
    baseline_options,
    build_inputs,
    data_options,
    gate_options,
    metrics_options,
    option,
    prediction_options,
)
from mlreport.cli.publish import build_lookup_options, lookup_options
from mlreport.errors import EXIT_FAILED, EXIT_OK, UsageError

CHANGE_WORDS = {
    "better": "better",
    "worse": "worse",
    "same": "same",
    "changed": "changed",
    "noise": "within noise",
    None: "",
}


@click.command()
@metrics_options
@prediction_options
@baseline_options
@lookup_options
@click.option("--md", "fmt", flag_value="md", help="Print a Markdown table.")
@click.option("--json", "fmt", flag_value="json", help="Print JSON.")
@option(
    "--precision",
    env="PRECISION",
    type=click.IntRange(1, 17),
    default=4,
    show_default=True,
    help="Significant digits shown.",
)
def diff(fmt: str | None, precision: int, **kwargs: Any) -> int:
    """Show metrics next to the baseline's (default baseline: HEAD), with deltas: ± the
    confidence intervals, and whether each change is beyond noise."""
    from mlreport.evaluation import evaluate
    from mlreport.report.document import clean
    from mlreport.report.markdown import format_delta, format_interval, one_line, table

    if not kwargs.get("baseline_predictions"):  # the baseline model's predictions suffice
        kwargs["baseline"] = kwargs.get("baseline") or "HEAD"
    inputs = build_inputs(kwargs)
    if not (inputs.metrics or inputs.predictions):
        raise UsageError("nothing to compare", "pass --metrics (or --predictions)")
    for note in inputs.notes:  # where the inputs came from (dvc.yaml)
        click.echo(f"mlreport: note: {one_line(note)}", err=True)
    rows = evaluate(inputs, lookup=build_lookup_options(kwargs)).metrics
    if fmt == "json":
        click.echo(json.dumps(clean([asdict(r) for r in rows]), indent=2, ensure_ascii=False))
        return EXIT_OK
    cells = [
        [
            one_line(r.name),
            _value(r.value, precision),
            format_interval(r.value, r.ci_low, r.ci_high),
            _value(r.baseline, precision),
            format_delta(r.delta, precision),
            format_interval(r.delta, r.delta_low, r.delta_high, signed=True),
            CHANGE_WORDS[r.change],
        ]
        for r in rows
    ]
    headers = ["Metric", "Value", "±", "Baseline", "Change", "±", ""]
    if fmt == "md":
        click.echo(table(headers, cells, "lrlrrll"))
    else:
        from tabulate import tabulate

        click.echo(
            tabulate(
                cells,
                headers=headers,
                tablefmt="simple",
                disable_numparse=True,
                colalign=("left", "right", "left", "right", "right", "left", "left"),
            )
        )
    return EXIT_OK


def _value(value: object, precision: int) -> str:
    from mlreport.report.markdown import format_number, one_line

    if value is None:
        return "—"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value, precision)
    return one_line(str(value))


@click.command()
@metrics_options
@prediction_options
@baseline_options
@gate_options
@data_options
@lookup_options
@click.option("--json", "as_json", is_flag=True, help="Print gates and checks as JSON.")
def check(as_json: bool, **kwargs: Any) -> int:
    """Evaluate gates (and, with --predictions, sanity checks; with --data, data checks)
    without writing a report.

    Exits 1 when a gate or check fails.
    """
    from mlreport.evaluation import evaluate
    from mlreport.report.document import clean, summary

    inputs = build_inputs(kwargs)
    if not (inputs.gates or inputs.gates_files or inputs.predictions or inputs.data.wanted):
        raise UsageError("nothing to check", "pass --gate, --gates, --predictions or --data")
    evaluation = evaluate(inputs, lookup=build_lookup_options(kwargs))
    if as_json:
        document = {
            "status": "pass" if evaluation.passed else "fail",
            "summary": summary(evaluation, None),
            "gates": [{**asdict(g), "passed": g.passed} for g in evaluation.gates],
            "checks": [asdict(c) for c in evaluation.all_checks],
        }
        click.echo(json.dumps(clean(document), indent=2, ensure_ascii=False))
    else:
        print_outcome(evaluation, summary(evaluation, None), verbose=True)
    return EXIT_OK if evaluation.passed else EXIT_FAILED
