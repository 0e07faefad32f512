"""The ``cac`` command. Sub-commands live in one module each; no coding logic here."""

from __future__ import annotations

import typer

from cac import __version__
from cac.cli import batch, bench, cdi, codes, codesets, evaluate, serve, suggest, users

app = typer.Typer(
    name="cac",
    help="Computer-aided coding: clinical notes to ICD-10-CM, ICD-10-PCS, CPT and HCPCS suggestions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(codes.app, name="codes")
app.add_typer(codesets.app, name="codesets")
app.add_typer(bench.app, name="bench")
app.add_typer(evaluate.app, name="evaluate")
app.command("suggest")(suggest.suggest)
app.command("batch")(batch.batch)
app.command("cdi")(cdi.cdi)
app.command("edits")(cdi.edits)
app.add_typer(cdi.ncci_app, name="ncci")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cac {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Computer-aided coding engine."""


def main() -> None:
    app()
