"""`cac codesets` sub-commands."""

import typer

app = typer.Typer(help="codesets", no_args_is_help=True)
