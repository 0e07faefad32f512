"""`cac bench` sub-commands."""

import typer

app = typer.Typer(help="bench", no_args_is_help=True)
