"""Acknowledged (durable) subscriptions: a named JetStream durable consumer per subscription.

Guarantees (REST pull here; the WebSocket gateway uses the same `pull` and `ack`):
- At least once: an event pulled and not acknowledged within `ack_wait_seconds` is delivered
  again (to the next pull), in stream order relative to other redeliveries.
- After `max_deliveries` deliveries without an ack, JetStream gives up on the event and emits a
  MAX_DELIVERIES advisory; the dead-letter router (tidings_server.events.deadletters) moves it
  to the project's dead-letter stream with the reason and delivery count.
- A new subscription receives events published after its creation; it keeps its position
  across restarts of the server and of NATS.
- An ack token names one delivery; it is signed, so it acknowledges only a delivery of this
  project's subscription it was issued for. Acking twice is harmless.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import nats.errors
import sqlalchemy as sa
from nats.js.errors import NotFoundError
from sqlalchemy.ext.asyncio import AsyncSession

from tidings_server.broker.base import DurableSpec
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.broker.subjects import event_subject, project_stream
from tidings_server.errors import DependencyUnavailable, RequestError
from tidings_server.events.envelope import Event
from tidings_server.events.history import EventHistory
from tidings_server.events.naming import consumer_name, redrive_subject
from tidings_server.events.streams import ProjectStreams
from tidings_server.observability.metrics import DURABLE_REDELIVERIES
from tidings_server.store.models import DurableSubscription

__all__ = ["DurableSubscriptions", "Pulled"]

_TOKEN_PREFIX = "a1_"  # noqa: S105 - a format prefix, not a secret
_TAG_BYTES = 12


@dataclass(frozen=True, slots=True)
class Pulled:
    event: Event
    ack_token: str
    deliveries: int


class DurableSubscriptions:
    def __init__(
        self, broker: JetStreamBroker, streams: ProjectStreams, history: EventHistory, secret: bytes
    ) -> None:
        self._broker = broker
        self._streams = streams
        self._history = history
        self._key = hmac.new(secret, b"tidings ack token v1", hashlib.sha256).digest()

    # --- tokens --------------------------------------------------------------------------

    def _tag(self, project_id: uuid.UUID, reply: bytes) -> bytes:
        return hmac.new(self._key, project_id.bytes + reply, hashlib.sha256).digest()[:_TAG_BYTES]

    def _token(self, project_id: uuid.UUID, reply: str) -> str:
        raw = reply.encode()
        return (
            _TOKEN_PREFIX + base64.urlsafe_b64encode(raw + self._tag(project_id, raw)).rstrip(b"=").decode()
        )

    def _reply(self, project_id: uuid.UUID, subscription: str, token: str, pointer: str) -> str:
        bad = RequestError(
            "not an ack token of this subscription",
            code="invalid_ack_token",
            errors=[{"pointer": pointer, "message": "invalid ack token"}],
        )
        if not token.startswith(_TOKEN_PREFIX):
            raise bad
        body = token[len(_TOKEN_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError):
            raise bad from None
        reply, tag = raw[:-_TAG_BYTES], raw[-_TAG_BYTES:]
        if len(raw) <= _TAG_BYTES or not hmac.compare_digest(tag, self._tag(project_id, reply)):
            raise bad
        tokens = reply.decode().split(".")
        # $JS.ACK.<stream>.<consumer>.… (v1) or $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.… (v2)
        stream, consumer = (tokens[2], tokens[3]) if len(tokens) == 9 else (tokens[4], tokens[5])
        if stream != project_stream(project_id) or consumer != consumer_name(subscription):
            raise bad
        return reply.decode()

    # --- subscriptions (inside the caller's transaction) -------------------------------------

    def _spec(self, row: DurableSubscription) -> DurableSpec:
        return DurableSpec(
            name=consumer_name(row.name),
            filter_subjects=(
                event_subject(row.project_id, row.topic),
                redrive_subject(row.project_id, row.name),
            ),
            ack_wait_seconds=row.ack_wait_seconds,
            max_deliveries=row.max_deliveries,
            description=f"tidings durable subscription {row.name!r} on {row.topic!r}",
        )

    async def create(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        project_id: uuid.UUID,
        *,
        name: str,
        topic: str,
        ack_wait_seconds: int,
        max_deliveries: int,
    ) -> DurableSubscription:
        if await self.get(session, tenant_id, project_id, name) is not None:
            raise RequestError(f"a subscription named {name!r} exists", code="conflict")
        row = DurableSubscription(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            project_id=project_id,
            name=name,
            topic=topic,
            ack_wait_seconds=ack_wait_seconds,
            max_deliveries=max_deliveries,
        )
        session.add(row)
        await session.flush()
        await session.refresh(row)
        await self._ensure(row)
        return row

    async def _ensure(self, row: DurableSubscription) -> None:
        if not self._broker.is_connected:
            raise DependencyUnavailable("JetStream")
        await self._streams.epoch(row.project_id)
        await self._broker.ensure_durable(project_stream(row.project_id), self._spec(row))

    @staticmethod
    async def get(
        session: AsyncSession, tenant_id: uuid.UUID, project_id: uuid.UUID, name: str
    ) -> DurableSubscription | None:
        stmt = sa.select(DurableSubscription).where(
            DurableSubscription.tenant_id == tenant_id,
            DurableSubscription.project_id == project_id,
            DurableSubscription.name == name,
        )
        return (await session.execute(stmt)).scalar_one_or_none()

    @staticmethod
    async def list_page(
        session: AsyncSession, tenant_id: uuid.UUID, project_id: uuid.UUID, *, after: str | None, limit: int
    ) -> list[DurableSubscription]:
        stmt = sa.select(DurableSubscription).where(
            DurableSubscription.tenant_id == tenant_id, DurableSubscription.project_id == project_id
        )
        if after:
            stmt = stmt.where(DurableSubscription.name > after)
        return list((await session.scalars(stmt.order_by(DurableSubscription.name).limit(limit + 1))).all())

    async def delete(self, session: AsyncSession, row: DurableSubscription) -> None:
        await session.delete(row)
        await session.flush()
        await self._broker.delete_durable(project_stream(row.project_id), consumer_name(row.name))

    # --- consuming -----------------------------------------------------------------------

    async def pull(self, row: DurableSubscription, *, batch: int, wait: float) -> list[Pulled]:
        if not self._broker.is_connected:
            raise DependencyUnavailable("JetStream")
        stream, consumer = project_stream(row.project_id), consumer_name(row.name)
        try:
            epoch = await self._streams.epoch(row.project_id)
            try:
                deliveries = await self._broker.pull(stream, consumer, batch=batch, wait=wait)
            except NotFoundError:
                # The consumer is gone (NATS lost its state): recreate it from PostgreSQL.
                await self._ensure(row)
                deliveries = await self._broker.pull(stream, consumer, batch=batch, wait=wait)
        except (nats.errors.Error, TimeoutError, ConnectionError) as exc:
            raise DependencyUnavailable("JetStream") from exc
        # Counted here, where REST pulls and the WebSocket gateway's durable path both pass.
        redelivered = sum(1 for d in deliveries if d.deliveries > 1)
        if redelivered:
            DURABLE_REDELIVERIES.inc(redelivered)
        return [
            Pulled(
                self._history.event(row.project_id, epoch, d.message),
                self._token(row.project_id, d.reply),
                d.deliveries,
            )
            for d in deliveries
        ]

    async def ack(self, row: DurableSubscription, tokens: Sequence[str], *, action: str = "ack") -> None:
        replies = [self._reply(row.project_id, row.name, t, f"/ack_tokens/{i}") for i, t in enumerate(tokens)]
        if not self._broker.is_connected:
            raise DependencyUnavailable("JetStream")
        try:
            for reply in replies:
                await self._broker.ack(reply, kind=action)
        except (nats.errors.Error, TimeoutError, ConnectionError) as exc:
            raise DependencyUnavailable("JetStream") from exc
