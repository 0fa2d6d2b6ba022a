"""Progress of long CLI work: a live bar on a terminal (`rich`), plain periodic lines otherwise.

CI logs and `| tee` get a line per step (at most one per `PLAIN_INTERVAL_SECONDS` when the steps
are many and fast, and always the last), which stays readable after the fact; a terminal gets a
bar that redraws in place.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["PLAIN_INTERVAL_SECONDS", "Step", "progress"]

# Often enough to show life in a CI log, rarely enough not to flood it.
PLAIN_INTERVAL_SECONDS = 2.0


class Step(Protocol):
    def __call__(self, label: str) -> None:
        """One unit of work done; `label` says which."""


@contextmanager
def progress(what: str, total: int, *, out: TextIO | None = None) -> Iterator[Step]:
    """Report `total` steps of `what` (`migrating`): call the yielded function after each."""
    out = out or sys.stderr
    if out.isatty():
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[label]}"),
            TimeElapsedColumn(),
            console=Console(file=out),
            transient=False,
        ) as bar:
            task = bar.add_task(what, total=total, label="")

            def advance(label: str) -> None:
                bar.update(task, advance=1, label=label)

            yield advance
        return

    done = 0
    last = 0.0

    def line(label: str) -> None:
        nonlocal done, last
        done += 1
        now = time.monotonic()
        if done == total or now - last >= PLAIN_INTERVAL_SECONDS or total <= 20:
            last = now
            out.write(f"{what}: {done}/{total} {label}\n")
            out.flush()

    yield line
