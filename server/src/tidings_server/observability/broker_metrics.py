"""Gauges that describe the broker rather than this process: sampled by a background task.

    tidings_jetstream_up                            this process's NATS connection up and JetStream
                                                    answering (a ping with a timeout)
    tidings_durable_consumer_pending_messages       undelivered + unacked events over every durable
    tidings_durable_consumer_max_pending_messages   subscription, and the largest single backlog
    tidings_dlq_messages                            events held in every project's dead-letter stream

One sample costs a JetStream ping; a stream list filtered by the server to dead-letter streams (one
request per JETSTREAM_LIST_PAGE of them); one PostgreSQL query for the projects that have durable
subscriptions (the `durable_subscriptions` table is their source of truth, and its unique index on
(project_id, name) answers it); and one consumer list request per such project. Nothing scales with
the projects that have no durable subscription, so a sample stays small when most projects only
publish.

Why a periodic task and not a collector evaluated on scrape: the figures need NATS requests, which
belong on the event loop, while a scrape renders in a worker thread and, in multiprocess mode, reads
only the shared files. Each process samples on its own; the broker-wide gauges are `livemostrecent`,
so a scrape shows the latest sample of any running process. With W processes per box and B boxes the
broker answers W x B samples per interval, which is why the interval is a setting
(`TIDINGS_BROKER_METRICS_INTERVAL`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Final

import nats.errors
import sqlalchemy as sa
from nats.js.errors import NotFoundError
from sqlalchemy.exc import SQLAlchemyError

from tidings_server.background import BackgroundTask
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.broker.subjects import project_stream
from tidings_server.events.naming import subscription_of_consumer
from tidings_server.observability.metrics import (
    DLQ_MESSAGES,
    DURABLE_MAX_PENDING,
    DURABLE_PENDING,
    JETSTREAM_UP,
)
from tidings_server.store.db import Database
from tidings_server.store.models import DurableSubscription

__all__ = ["BrokerMetrics", "BrokerSample"]

log = logging.getLogger(__name__)

# What every dead-letter stream stores (events/naming.py: tidings.dlq.<project>.<subscription>).
_DLQ_SUBJECTS: Final = "tidings.dlq.>"
# JetStream answering slower than this is as good as down for publishers (their own timeout is 5 s,
# but a ping that slow already means requests are queueing).
PING_TIMEOUT_SECONDS: Final = 2.0


@dataclass(frozen=True, slots=True)
class BrokerSample:
    """The figures of one sample (what the gauges were set to); None: not sampled this time."""

    jetstream_up: bool
    pending: int | None = None
    max_pending: int | None = None
    dlq_messages: int | None = None


class BrokerMetrics:
    """Samples the broker every `interval` seconds from `start()` until `stop()`."""

    def __init__(self, broker: JetStreamBroker, db: Database, interval: float) -> None:
        self._broker = broker
        self._db = db
        self._interval = interval
        self._task = BackgroundTask("tidings-broker-metrics")

    async def sample(self) -> BrokerSample:
        """Take one sample and set the gauges. While JetStream does not answer, only
        `tidings_jetstream_up` changes (to 0): the backlog gauges keep their last known values
        rather than drop to a 0 that would read as "all caught up"."""
        try:
            if not self._broker.is_connected:
                raise ConnectionError("not connected to NATS")
            await self._broker.ping(PING_TIMEOUT_SECONDS)
        except (nats.errors.Error, TimeoutError, ConnectionError) as exc:
            log.debug("jetstream ping failed: %r", exc)
            JETSTREAM_UP.set(0)
            return BrokerSample(jetstream_up=False)
        JETSTREAM_UP.set(1)
        try:
            pending, max_pending, dlq = await self._backlogs()
        except (nats.errors.Error, TimeoutError, ConnectionError, SQLAlchemyError, OSError) as exc:
            log.warning("broker backlog sample failed: %r", exc)
            return BrokerSample(jetstream_up=True)
        DURABLE_PENDING.set(pending)
        DURABLE_MAX_PENDING.set(max_pending)
        DLQ_MESSAGES.set(dlq)
        return BrokerSample(True, pending, max_pending, dlq)

    async def _backlogs(self) -> tuple[int, int, int]:
        dlq = sum(stream.messages for stream in await self._broker.stream_summaries(_DLQ_SUBJECTS))
        async with self._db.session() as session:
            projects = (await session.scalars(sa.select(DurableSubscription.project_id).distinct())).all()
        pending = max_pending = 0
        for project_id in projects:
            try:
                consumers = await self._broker.consumer_backlogs(project_stream(project_id))
            except NotFoundError:
                continue  # no stream yet (nothing published), or the project is being deleted
            for consumer in consumers:
                if subscription_of_consumer(consumer.name) is None:
                    continue  # a replay's short-lived consumer
                backlog = consumer.pending + consumer.ack_pending
                pending += backlog
                max_pending = max(max_pending, backlog)
        return pending, max_pending, dlq

    async def _run(self) -> None:
        while True:
            try:
                await self.sample()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("broker metrics sample failed")
            await asyncio.sleep(self._interval)

    def start(self) -> None:
        self._task.start(self._run)

    async def stop(self) -> None:
        await self._task.stop()
