"""NATS names of the event pipeline beyond `tidings_server.broker.subjects` (same scoping
rule: every name carries the project id).

    tidings.rd.<project>.<subscription>    an event redriven to one durable subscription
                                           (stored in the project's stream; no live fan-out
                                           and no replay reads it)
    DLQ_<project>                          the project's dead-letter stream
    tidings.dlq.<project>.<subscription>   dead letters of one subscription
    d_<subscription>                       the durable consumer of a subscription
"""

from __future__ import annotations

import uuid

__all__ = [
    "consumer_name",
    "dlq_stream",
    "dlq_subject",
    "dlq_wildcard",
    "redrive_subject",
    "redrive_wildcard",
    "subscription_of_consumer",
]

_CONSUMER_PREFIX = "d_"


def redrive_wildcard(project_id: uuid.UUID) -> str:
    return f"tidings.rd.{project_id.hex}.>"


def redrive_subject(project_id: uuid.UUID, subscription: str) -> str:
    return f"tidings.rd.{project_id.hex}.{subscription}"


def dlq_stream(project_id: uuid.UUID) -> str:
    return f"DLQ_{project_id.hex}"


def dlq_wildcard(project_id: uuid.UUID) -> str:
    return f"tidings.dlq.{project_id.hex}.>"


def dlq_subject(project_id: uuid.UUID, subscription: str) -> str:
    return f"tidings.dlq.{project_id.hex}.{subscription}"


def consumer_name(subscription: str) -> str:
    return _CONSUMER_PREFIX + subscription


def subscription_of_consumer(consumer: str) -> str | None:
    return consumer[len(_CONSUMER_PREFIX) :] if consumer.startswith(_CONSUMER_PREFIX) else None
