"""`cac codes` sub-commands."""

import typer

app = typer.Typer(help="codes", no_args_is_help=True)
