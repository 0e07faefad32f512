"""``cac batch``: code many notes at once, resumably, with worker processes or Spark."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from cac.cli._common import fail, one_line_errors


def batch(
    source: Path = typer.Argument(
        ..., help="JSONL/NDJSON (annotation format or FHIR DocumentReference), CSV, or a folder of .txt files."
    ),
    output: Path = typer.Argument(..., help="OUTPUT.jsonl (one suggest result per document) or OUTPUT.parquet."),
    setting: str = typer.Option("outpatient", "--setting", help="Setting for documents that carry none."),
    note_type: str | None = typer.Option(None, "--note-type", help="Note type for documents that carry none."),
    workers: int = typer.Option(1, "--workers", "-w", help="Worker processes (each loads the engine once)."),
    engine: str = typer.Option("local", "--engine", help="local (worker processes) or spark."),
    spark_master: str | None = typer.Option(
        None, "--spark-master", help="Spark master for --engine spark (default: local[WORKERS])."
    ),
    text_column: str | None = typer.Option(None, "--text-column", help="CSV column (or JSONL key) holding the text."),
    id_column: str | None = typer.Option(None, "--id-column", help="CSV column (or JSONL key) holding the id."),
    limit: int | None = typer.Option(None, "--limit", help="Read only the first N input records."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
) -> None:
    """Code many notes; re-running skips ids already in OUTPUT; failures go to OUTPUT.errors.jsonl."""
    from cac.batch import BatchOptions, run_batch
    from cac.batch.progress import reporter

    options = BatchOptions(
        setting=setting,
        note_type=note_type,
        workers=workers,
        engine=engine,
        text_column=text_column,
        id_column=id_column,
        limit=limit,
        spark_master=spark_master,
    )
    with one_line_errors():
        try:
            summary = run_batch(source, output, options, progress=reporter(quiet))
        except (ImportError, RuntimeError) as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail(f"interrupted; finished documents are in {output}: run the same command again to resume", 130)
    if as_json:
        typer.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        typer.echo(
            f"{summary.coded} coded, {summary.skipped} already done, {summary.failed} failed "
            f"in {summary.seconds:.1f}s ({summary.notes_per_second:.1f} notes/s) -> {summary.output}",
            err=True,
        )
        if summary.failed:
            typer.echo(f"failures: {summary.errors}", err=True)
    if summary.failed:
        raise typer.Exit(1)


def main() -> None:
    """``python -m cac.cli.batch``: the same command on its own."""
    typer.run(batch)


if __name__ == "__main__":
    main()
