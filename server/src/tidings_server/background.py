"""One background task of a long-lived service: started once, cancelled and awaited on stop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["BackgroundTask"]


class BackgroundTask:
    def __init__(self, name: str) -> None:
        self.name = name
        self._task: asyncio.Task[Any] | None = None

    def start(self, run: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        """Run `run()` as the task, unless it already runs."""
        if self._task is None:
            self._task = asyncio.create_task(run(), name=self.name)

    async def stop(self) -> None:
        """Cancel the task and wait for it to end (its other errors end with it)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
