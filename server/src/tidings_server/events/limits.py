"""Limits of the event pipeline. Each is a named constant with the reason for its number;
those an operator may need to change become settings (see the module docstrings that use them).
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_EVENT_BYTES",
    "DUPLICATE_WINDOW_SECONDS",
    "MAX_BATCH_EVENTS",
    "MAX_DATA_DEPTH",
    "MAX_PAGE",
    "MAX_SCHEMA_BYTES",
]

# Largest `data` of one event, serialized as compact JSON (setting `TIDINGS_MAX_EVENT_BYTES`).
# 64 KiB: realtime messages are notifications, not files; it keeps one slow subscriber's queue
# of a few hundred events within a few MiB.
DEFAULT_EVENT_BYTES = 64 * 1024
# Events in one batch publish. 100 amortizes the request overhead (a batch publishes ~10x the
# events/s of single calls) while a whole batch still fits the 1 MiB body limit at ~10 KiB each.
MAX_BATCH_EVENTS = 100
# Nesting depth of `data`. JSON this deep is a mistake or an attack on recursive code
# (validators, SDK decoders); 32 levels is far past any real payload.
MAX_DATA_DEPTH = 32
# How long an `Idempotency-Key` (or event id) is remembered: JetStream's duplicate window.
# Two minutes covers client retries with backoff; longer windows cost server memory per message.
DUPLICATE_WINDOW_SECONDS = 120.0
# Events per replay page.
MAX_PAGE = 1000
# A topic schema's size as JSON: schemas are compiled and cached per project on every node.
MAX_SCHEMA_BYTES = 64 * 1024
