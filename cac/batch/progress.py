"""Progress reporting for a batch: a rich bar on stderr (notes/s, ETA), or nothing."""

from __future__ import annotations

import sys
from typing import Any, Protocol


class Reporter(Protocol):
    def start(self, total: int | None) -> None: ...
    def advance(self, n: int = 1) -> None: ...
    def stop(self) -> None: ...


class Silent:
    """No progress output (the API default, ``--quiet``, or stderr not a terminal)."""

    def start(self, total: int | None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def stop(self) -> None:
        pass


class RichBar:
    """A rich progress bar on stderr: done/total, notes per second, elapsed and time remaining."""

    def __init__(self, description: str = "coding") -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]} notes/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=False,
        )
        self._description = description
        self._task: Any = None

    def start(self, total: int | None) -> None:
        self._progress.start()
        self._task = self._progress.add_task(self._description, total=total, rate="-")

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._task, n)
        speed = self._progress.tasks[0].speed
        self._progress.update(self._task, rate=f"{speed:.1f}" if speed else "-")

    def stop(self) -> None:
        self._progress.stop()


def reporter(quiet: bool) -> Reporter:
    """The rich bar when stderr is a terminal and not ``quiet``; otherwise silence."""
    return Silent() if quiet or not sys.stderr.isatty() else RichBar()
