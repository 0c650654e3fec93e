"""``mlreport schema infer``: a starting data schema, to commit and edit."""

from __future__ import annotations

from pathlib import Path

import click

from mlreport.errors import EXIT_OK


@click.group()
def schema() -> None:
    """Data schemas: what `--schema` checks the data against."""


@schema.command()
@click.argument("data", metavar="FILE|REF:FILE")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schema here (default: print it).",
)
def infer(data: str, output: Path | None) -> int:
    """Infer a schema from the data FILE: each column's type, whether it has missing
    values, its range or categories, as commented YAML to commit and edit."""
    from mlreport.data.infer import infer as infer_schema
    from mlreport.data.load import load_frame
    from mlreport.files import write_atomic

    frame = load_frame(data, "FILE")
    text = infer_schema(frame)
    if output is None:
        click.echo(text, nl=False)
    else:
        from mlreport.console import one_line

        write_atomic(output, text, "-o")
        columns = len(frame.columns)
        click.echo(f"Wrote {one_line(str(output))} ({columns} columns): edit it, and commit it")
    return EXIT_OK
