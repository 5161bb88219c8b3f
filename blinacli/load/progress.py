"""A progress bar for long loads: on stderr, only at a terminal, only after a second.

Most loads finish in well under a second and show nothing. A load of thousands of
files shows a transient Rich bar on stderr once it has run for :data:`AFTER` seconds,
so stdout stays clean for pipes. Nothing is shown when stderr is not a terminal or
when ``CI`` is set (CI logs are not terminals that redraw).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

AFTER = 1.0
"""Seconds a load runs before the bar appears."""


class LoadProgress:
    """Told (done, total) by the loader; starts a bar when the load turns out slow."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if done >= total or time.monotonic() - self.started < AFTER:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(
                TextColumn("reading evidence"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task("read", total=total)
            self.bar.start()
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def wanted() -> bool:
    """A bar may be shown: stderr is a terminal and this is not a CI job."""
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() in ("", "0", "false")


@contextmanager
def load_progress() -> Iterator[LoadProgress | None]:
    """A progress callback for a load, or None where no bar may be shown."""
    if not wanted():
        yield None
        return
    progress = LoadProgress()
    try:
        yield progress
    finally:
        progress.close()
