"""Dead letters: events a durable subscription gave up on, kept per project for inspection,
redrive and purge.

Routing (`DeadLetterRouter`, one background task per node): JetStream publishes a
MAX_DELIVERIES advisory (`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>`)
when a delivery exhausts its consumer's max deliveries. Advisories are core NATS messages (at
most once), so they are captured in a work-queue stream (`TIDINGS_ADVISORIES`) and routed by a
shared durable consumer: an advisory emitted while no node runs is routed when one starts, and
each is routed by one node. Routing copies the event into `DLQ_<project>` on
`tidings.dlq.<project>.<subscription>` with the reason and delivery count, de-duplicated by
(subscription, stream sequence), then acknowledges the advisory: at least once in, exactly
once stored.

Redrive publishes a dead letter on the subscription's redrive subject (the project's stream,
read only by that subscription's consumer) and removes it from the dead-letter stream.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import nats.errors
import orjson

from tidings_server.background import BackgroundTask
from tidings_server.broker.base import DurableSpec, OutgoingMessage, StoredMessage, StreamSpec
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.errors import DependencyUnavailable, NotFound
from tidings_server.events.envelope import H_PUBLISHED_AT, H_SEQ, H_TOPIC, Event, topic_of
from tidings_server.events.history import EventHistory
from tidings_server.events.naming import (
    dlq_stream,
    dlq_subject,
    dlq_wildcard,
    redrive_subject,
    subscription_of_consumer,
)
from tidings_server.observability.metrics import DLQ_ROUTED

__all__ = ["DeadLetter", "DeadLetterRouter", "DeadLetters"]

log = logging.getLogger(__name__)

ADVISORY_STREAM = "TIDINGS_ADVISORIES"
ADVISORY_SUBJECT = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>"
ROUTER_CONSUMER = "dlq-router"
H_SUBSCRIPTION = "Tidings-Subscription"
H_REASON = "Tidings-Reason"
H_DELIVERIES = "Tidings-Deliveries"
H_DEAD_AT = "Tidings-Dead-At"
H_EPOCH = "Tidings-Epoch"
# A week of unrouted advisories survives a full outage of every node.
ADVISORY_MAX_AGE_SECONDS = 7 * 86400
# Dead letters are kept 30 days or 100,000 per project: long enough to notice and redrive,
# bounded so a subscriber that never acks cannot fill the disk.
DLQ_MAX_AGE_SECONDS = 30 * 86400
DLQ_MAX_EVENTS = 100_000
ROUTER_BATCH = 64
ROUTER_WAIT_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    subscription: str
    reason: str
    deliveries: int
    dead_at: str
    event: Event

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "subscription": self.subscription,
            "reason": self.reason,
            "deliveries": self.deliveries,
            "dead_at": self.dead_at,
            "event": self.event.to_json(),
        }


def dlq_spec(project_id: uuid.UUID) -> StreamSpec:
    return StreamSpec(
        name=dlq_stream(project_id),
        subjects=(dlq_wildcard(project_id),),
        max_age_seconds=DLQ_MAX_AGE_SECONDS,
        max_msgs=DLQ_MAX_EVENTS,
    )


class DeadLetterRouter:
    def __init__(self, broker: JetStreamBroker) -> None:
        self._broker = broker
        self._task = BackgroundTask("tidings-dlq-router")

    async def start(self) -> None:
        await self._broker.ensure_stream(
            StreamSpec(
                name=ADVISORY_STREAM,
                subjects=(ADVISORY_SUBJECT,),
                max_age_seconds=ADVISORY_MAX_AGE_SECONDS,
                work_queue=True,
            )
        )
        await self._broker.ensure_durable(
            ADVISORY_STREAM,
            DurableSpec(
                name=ROUTER_CONSUMER,
                filter_subjects=(ADVISORY_SUBJECT,),
                ack_wait_seconds=30,
                max_deliveries=-1,
                deliver_all=True,
            ),
        )
        self._task.start(self._run)

    async def stop(self) -> None:
        await self._task.stop()

    async def _run(self) -> None:
        while True:
            try:
                if not self._broker.is_connected:
                    await asyncio.sleep(ROUTER_WAIT_SECONDS)
                    continue
                deliveries = await self._broker.pull(
                    ADVISORY_STREAM, ROUTER_CONSUMER, batch=ROUTER_BATCH, wait=ROUTER_WAIT_SECONDS
                )
                for delivery in deliveries:
                    await self.route(delivery.message)
                    await self._broker.ack(delivery.reply)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dead-letter routing failed; retrying")
                await asyncio.sleep(ROUTER_WAIT_SECONDS)

    async def route(self, advisory: StoredMessage) -> None:
        body = orjson.loads(advisory.data)
        stream, consumer, seq = (
            body.get("stream", ""),
            body.get("consumer", ""),
            int(body.get("stream_seq", 0)),
        )
        subscription = subscription_of_consumer(consumer)
        if not stream.startswith("EV_") or subscription is None:
            return  # not a Tidings subscription
        project_id = uuid.UUID(hex=stream[3:])
        original = await self._broker.get_message(stream, seq)
        state = await self._broker.stream_state(stream)
        headers = dict(original.headers) if original else {}
        headers.pop("Nats-Msg-Id", None)
        reason = "max_deliveries" if original else "max_deliveries; the event expired before it was routed"
        headers.update(
            {
                H_SUBSCRIPTION: subscription,
                H_REASON: reason,
                H_DELIVERIES: str(body.get("deliveries", 0)),
                H_DEAD_AT: str(body.get("timestamp", "")),
                H_SEQ: headers.get(H_SEQ, str(seq)),
                H_EPOCH: str(state.epoch if state else 0),
            }
        )
        if original is not None:
            headers[H_TOPIC] = topic_of(original)
        await self._broker.ensure_stream(dlq_spec(project_id))
        (ack,) = await self._broker.publish_batch(
            [
                OutgoingMessage(
                    dlq_subject(project_id, subscription),
                    original.data if original else b"null",
                    msg_id=f"{consumer}:{headers[H_EPOCH]}:{seq}",
                    headers=headers,
                )
            ]
        )
        if not ack.duplicate:
            # An advisory routed twice (its ack was lost) is stored, and counted, once.
            DLQ_ROUTED.inc()


class DeadLetters:
    def __init__(self, broker: JetStreamBroker, history: EventHistory) -> None:
        self._broker = broker
        self._history = history

    def _letter(self, project_id: uuid.UUID, message: StoredMessage) -> DeadLetter:
        epoch = int(message.headers.get(H_EPOCH) or 0)
        event = self._history.event(project_id, epoch, message)
        return DeadLetter(
            id=message.seq,
            subscription=message.headers.get(H_SUBSCRIPTION, ""),
            reason=message.headers.get(H_REASON, "max_deliveries"),
            deliveries=int(message.headers.get(H_DELIVERIES) or 0),
            dead_at=message.headers.get(H_DEAD_AT) or message.headers.get(H_PUBLISHED_AT, ""),
            event=event,
        )

    async def _guard(self) -> None:
        if not self._broker.is_connected:
            raise DependencyUnavailable("JetStream")

    async def list_page(
        self, project_id: uuid.UUID, *, subscription: str | None, after: int, limit: int
    ) -> tuple[list[DeadLetter], bool]:
        await self._guard()
        stream = dlq_stream(project_id)
        if await self._broker.stream_state(stream) is None:
            return [], False
        subject = dlq_subject(project_id, subscription) if subscription else dlq_wildcard(project_id)
        page = await self._broker.read(stream, subjects=[subject], start_seq=after + 1, limit=limit)
        return [self._letter(project_id, m) for m in page.messages], page.more

    async def get(self, project_id: uuid.UUID, letter_id: int) -> DeadLetter:
        await self._guard()
        try:
            message = await self._broker.get_message(dlq_stream(project_id), letter_id)
        except nats.errors.Error:
            message = None
        if message is None:
            raise NotFound("no such dead letter")
        return self._letter(project_id, message)

    async def redrive(self, project_id: uuid.UUID, letter_id: int) -> DeadLetter:
        """Deliver the event again to its subscription (only), then drop the dead letter."""
        letter = await self.get(project_id, letter_id)
        message = await self._broker.get_message(dlq_stream(project_id), letter_id)
        assert message is not None
        headers = {k: v for k, v in message.headers.items() if k.startswith("Tidings-") and k != H_EPOCH}
        headers[H_TOPIC] = letter.event.topic
        await self._broker.publish_batch(
            [
                OutgoingMessage(
                    redrive_subject(project_id, letter.subscription),
                    message.data,
                    msg_id=f"redrive:{letter_id}:{message.headers.get(H_EPOCH, '')}",
                    headers=headers,
                )
            ]
        )
        await self._broker.delete_message(dlq_stream(project_id), letter_id)
        return letter

    async def purge(self, project_id: uuid.UUID, *, subscription: str | None) -> int:
        await self._guard()
        stream = dlq_stream(project_id)
        if await self._broker.stream_state(stream) is None:
            return 0
        return await self._broker.purge(
            stream, subject=dlq_subject(project_id, subscription) if subscription else None
        )
