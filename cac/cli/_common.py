"""Helpers shared by the sub-commands: one-line errors and JSON output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer

from cac.codesets import CodeSetError


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a one-line error to stderr and exit non-zero."""
    typer.echo(f"cac: error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one-line messages instead of tracebacks."""
    try:
        yield
    except CodeSetError as exc:
        fail(str(exc))
    except (OSError, ValueError) as exc:
        fail(str(exc))


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=_default)
    sys.stdout.write("\n")


def _default(obj: Any) -> Any:
    to_dict: Callable[[], Any] | None = getattr(obj, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
