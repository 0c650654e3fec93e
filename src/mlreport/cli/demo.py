"""``mlreport demo``."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mlreport.cli._output import print_outcome
from mlreport.errors import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from mlreport.charts.pool import ChartPool


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("mlreport-demo"),
    show_default=True,
    help="Directory to write to.",
)
def demo(output: Path) -> int:
    """Train a small classifier on scikit-learn's digits and report on it.

    Writes the training outputs to OUTPUT/data (metrics, predictions with probabilities and
    an 'ink' slice, per-epoch history), compares them with a bundled baseline, evaluates
    gates, and writes OUTPUT/report.md, its charts, report.json and report.html. No network
    and no token needed.
    """
    from mlreport.charts.pool import chart_pool

    with chart_pool() as pool:  # forked before NumPy and scikit-learn load
        return _demo(output, pool)


def _demo(output: Path, pool: ChartPool | None) -> int:
    from mlreport.cli.options import build_inputs
    from mlreport.config import OutputOptions
    from mlreport.demo import GATES, train_demo
    from mlreport.evaluation import evaluate
    from mlreport.report.html import write_preview
    from mlreport.report.write import write_report

    files = train_demo(output / "data")
    click.echo(
        f"Trained an MLP on scikit-learn's digits ({files.n_train:,} train / {files.n_test:,} "
        f"test images) in {files.seconds:.1f} s"
    )
    options = {
        "metrics": (files.metrics,),
        "predictions": files.predictions,
        "history": (files.history,),
        "baseline": str(files.baseline),
        "baseline_predictions": files.baseline_predictions,
        "gates": GATES,
        "slice_by": ("ink",),
    }
    evaluation = evaluate(build_inputs(options))
    report = write_report(evaluation, OutputOptions(output, title="mlreport demo"), pool=pool)
    page = write_preview(report.markdown)
    click.echo(
        f"Wrote {report.markdown} ({len(report.images)} charts), {report.json.name} and {page.name}"
    )
    print_outcome(evaluation, report.summary, status=report.status)
    gates = "".join(f" \\\n    --gate {shlex.quote(g)}" for g in GATES)
    click.echo(
        "\nThe same by hand:\n"
        f"  mlreport render --metrics {files.metrics} \\\n"
        f"    --predictions {files.predictions} --slice-by ink \\\n"
        f"    --history {files.history} \\\n"
        f"    --baseline {files.baseline} \\\n"
        f"    --baseline-predictions {files.baseline_predictions}{gates} \\\n"
        f"    -o {output}\n"
        f"Open {page} in a browser to see the report as GitHub shows it."
    )
    return EXIT_OK if evaluation.passed else EXIT_FAILED
