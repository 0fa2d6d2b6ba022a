"""NATS subject and stream names. Every name is scoped by project id, and the control bus has
its own prefix, so a subscription for one project can never match another's events.

    tidings.ev.<project id hex>.<topic>    a project's events (stored in its stream)
    tidings.ctl.<command>                  cross-node control commands
"""

from __future__ import annotations

import uuid

__all__ = ["CONTROL_PREFIX", "event_subject", "project_stream", "project_wildcard"]

EVENT_PREFIX = "tidings.ev"
CONTROL_PREFIX = "tidings.ctl"


def project_stream(project_id: uuid.UUID) -> str:
    return f"EV_{project_id.hex}"


def project_wildcard(project_id: uuid.UUID) -> str:
    return f"{EVENT_PREFIX}.{project_id.hex}.>"


def event_subject(project_id: uuid.UUID, topic: str) -> str:
    """`topic` must already be validated (dot-separated tokens, no wildcards)."""
    return f"{EVENT_PREFIX}.{project_id.hex}.{topic}"
