"""``cac codesets``: list installed releases, import release files."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from cac.cli._common import fail, one_line_errors, print_json
from cac.codesets import IMPORT_KINDS, import_codeset, open_store

app = typer.Typer(help="Manage the installed code sets.", no_args_is_help=True)


@app.command("list")
def list_releases(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Installed systems, releases, counts, and which release is active."""
    with one_line_errors():
        store = open_store()
        releases = store.releases()
    if as_json:
        print_json([r.to_dict() for r in releases])
        return
    table = Table("system", "release", "active", "codes / terms", "billable / with code", "source")
    for r in releases:
        table.add_row(
            r.system,
            r.release,
            "yes" if r.active else "",
            f"{r.code_count:,}",
            f"{r.billable_count:,}",
            r.source,
        )
    Console().print(table)


@app.command("import")
def import_files(
    kind: str = typer.Argument(..., help=f"One of: {', '.join(IMPORT_KINDS)}."),
    path: Path = typer.Argument(..., help="A release file, or a folder holding the release's files."),
    release: str | None = typer.Option(None, "--release", help="Release name (default: from the file name)."),
    encoding: str = typer.Option("utf-8", "--encoding", help="Text encoding of the files."),
) -> None:
    """Import a release and make it active. Atomic: a failed import leaves the store as it was."""
    if kind not in IMPORT_KINDS:
        fail(f"unknown import kind {kind!r}; expected one of: {', '.join(IMPORT_KINDS)}")
    with one_line_errors():
        store = open_store()
        info = import_codeset(store, kind, path, release=release, encoding=encoding)
    typer.echo(
        f"imported {info.system} {info.release}: {info.code_count:,} entries "
        f"({info.billable_count:,} billable / with code) from {info.source}"
    )


@app.command()
def rebuild() -> None:
    """Rebuild the built-in releases from the installed packages (imports are kept only if re-run)."""
    from cac import config
    from cac.codesets.builtin import build

    with one_line_errors():
        build(config.codeset_store_path())
    typer.echo(f"rebuilt {config.codeset_store_path()}")
