"""Retention policies: how much of a project's stream JetStream keeps.

A policy has three limits, all enforced by JetStream on the project's stream (file storage,
"discard old"): events older than `max_age_seconds` are removed, and the oldest events are
removed whenever the stream holds more than `max_events` events or `max_bytes` bytes. Cleanup
is continuous and done by nats-server: age expiry runs on a timer (to the second), count and
size limits apply on the publish that crosses them. A change applies to the stream at once (a
lower limit removes the excess immediately). Removal is only ever from the oldest end, so a
cursor stays valid exactly as long as the event after it is still stored; past that, replay
answers 410 `cursor_expired` with the oldest valid cursor.

Limits are bounded by the plan: `PLAN_BOUNDS` holds the bounds of every plan until the billing
issue gives plans their own (the hook is `bounds_for(plan)`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from tidings_server.broker.base import StreamSpec
from tidings_server.broker.subjects import project_stream, project_wildcard
from tidings_server.events.limits import DUPLICATE_WINDOW_SECONDS
from tidings_server.events.naming import redrive_wildcard
from tidings_server.store.models import RetentionPolicy

__all__ = [
    "DEFAULT_POLICY",
    "PLAN_BOUNDS",
    "Policy",
    "bounds_for",
    "load_policy",
    "max_message_bytes",
    "save_policy",
    "stored_size",
    "stream_spec",
]


@dataclass(frozen=True, slots=True)
class Policy:
    max_age_seconds: int
    max_events: int
    max_bytes: int

    def to_json(self) -> dict[str, int]:
        return {
            "max_age_seconds": self.max_age_seconds,
            "max_events": self.max_events,
            "max_bytes": self.max_bytes,
        }


# Seven days lets a client offline over a weekend catch up; a million events or 64 MiB bounds
# one project's share of a node's disk. JetStream reserves `max_bytes` of every file stream
# against its store limit up front, so the byte default is what decides how many projects a
# node's store admits (store size / 64 MiB); raise it per project, not by default.
DEFAULT_POLICY = Policy(max_age_seconds=7 * 86400, max_events=1_000_000, max_bytes=64 << 20)
# The most any plan may keep, until plans carry their own bounds.
PLAN_BOUNDS = Policy(max_age_seconds=90 * 86400, max_events=100_000_000, max_bytes=100 << 30)


def bounds_for(plan: str) -> Policy:
    """The largest policy `plan` allows (one bound for every plan for now)."""
    return PLAN_BOUNDS


# What JetStream's file store adds to a message's headers and payload when it counts the bytes a
# stream holds: a 22-byte record header and an 8-byte checksum, plus the subject.
RECORD_OVERHEAD_BYTES = 30
# Headroom under `max_bytes` for the record overhead and the longest subject (~300 bytes here).
STORED_OVERHEAD_BYTES = 512
# nats-server's largest configurable payload: a per-stream message limit above it means nothing.
MAX_PAYLOAD_BYTES = 64 << 20


def stored_size(subject: str, headers: int, payload: int) -> int:
    """An upper bound of the bytes a message counts against the stream's `max_bytes`."""
    return RECORD_OVERHEAD_BYTES + len(subject) + headers + payload


def max_message_bytes(policy: Policy) -> int:
    """The stream's `max_msg_size`: a message that could not fit in `max_bytes` is refused by
    JetStream itself (with "discard old" it would be stored and removed at once: acknowledged,
    then lost)."""
    return max(1, min(policy.max_bytes - STORED_OVERHEAD_BYTES, MAX_PAYLOAD_BYTES))


def stream_spec(project_id: uuid.UUID, policy: Policy) -> StreamSpec:
    return StreamSpec(
        name=project_stream(project_id),
        subjects=(project_wildcard(project_id), redrive_wildcard(project_id)),
        max_age_seconds=policy.max_age_seconds,
        max_msgs=policy.max_events,
        max_bytes=policy.max_bytes,
        max_msg_size=max_message_bytes(policy),
        # JetStream requires the window to fit in the age limit.
        duplicate_window_seconds=min(DUPLICATE_WINDOW_SECONDS, float(policy.max_age_seconds)),
    )


async def load_policy(session: AsyncSession, tenant_id: uuid.UUID, project_id: uuid.UUID) -> Policy:
    stmt = sa.select(RetentionPolicy).where(
        RetentionPolicy.tenant_id == tenant_id, RetentionPolicy.project_id == project_id
    )
    row = (await session.execute(stmt)).scalar_one_or_none()
    if row is None:
        return DEFAULT_POLICY
    return Policy(row.max_age_seconds, row.max_events, row.max_bytes)


async def save_policy(
    session: AsyncSession, tenant_id: uuid.UUID, project_id: uuid.UUID, policy: Policy
) -> None:
    values = {"tenant_id": tenant_id, "project_id": project_id, **policy.to_json()}
    stmt = insert(RetentionPolicy).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[RetentionPolicy.project_id],
        set_={**policy.to_json(), "updated_at": sa.func.now()},
        where=RetentionPolicy.tenant_id == tenant_id,
    )
    await session.execute(stmt)
