"""Realtime delivery: WebSocket, with Server-Sent Events as the fallback, one iterator API.

`Client.realtime(project)` opens a `Realtime` connection; `await rt.subscribe(pattern)` returns
a `Subscription`, an async iterator of `Item`s (`EventFrame | Reset`, narrowed by `item["type"]`).
Reconnection, resumption from cursors, de-duplication, heartbeats and token refresh are the
connection's business (see `tidings.realtime.connection`); `protocol` is the sans-I/O core and
`sse` the event-stream parser, both usable on their own.
"""

from tidings.generated.models import EventFrame, Reset

from .connection import Realtime, Subscription, Transport
from .protocol import Item

__all__ = ["EventFrame", "Item", "Realtime", "Reset", "Subscription", "Transport"]
