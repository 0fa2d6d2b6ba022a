"""Gauges that describe the broker rather than this process: sampled by a background task.

    tidings_jetstream_up                            this process's NATS connection up and JetStream
                                                    answering (a ping with a timeout)
    tidings_durable_consumer_pending_messages       undelivered + unacked events over every durable
    tidings_durable_consumer_max_pending_messages   subscription, and the largest single backlog
    tidings_dlq_messages                            events held in every project's dead-letter stream

One sample is one stream list request per JETSTREAM_LIST_PAGE streams, plus one consumer list
request per event stream that has consumers (only durable subscriptions keep consumers; a replay's
short-lived one is skipped by name). PostgreSQL is not touched.

Why a periodic task and not a collector evaluated on scrape: the figures need NATS requests, which
belong on the event loop, while a scrape renders in a worker thread and, in multiprocess mode, reads
only the shared files. Each process samples on its own; the broker-wide gauges are `livemostrecent`,
so a scrape shows the latest sample of any running process. With W processes per box and B boxes the
broker answers W x B samples per interval, which is why the interval is a setting
(`TIDINGS_BROKER_METRICS_INTERVAL`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Final

import nats.errors
from nats.js.errors import NotFoundError

from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.events.naming import subscription_of_consumer
from tidings_server.observability.metrics import (
    DLQ_MESSAGES,
    DURABLE_MAX_PENDING,
    DURABLE_PENDING,
    JETSTREAM_UP,
)

__all__ = ["BrokerMetrics", "BrokerSample"]

log = logging.getLogger(__name__)

# Stream name prefixes of the event pipeline (broker/subjects.py, events/naming.py).
_EVENT_STREAM_PREFIX: Final = "EV_"
_DLQ_STREAM_PREFIX: Final = "DLQ_"
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

    def __init__(self, broker: JetStreamBroker, interval: float) -> None:
        self._broker = broker
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

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
        except (nats.errors.Error, TimeoutError, ConnectionError) as exc:
            log.warning("broker backlog sample failed: %r", exc)
            return BrokerSample(jetstream_up=True)
        DURABLE_PENDING.set(pending)
        DURABLE_MAX_PENDING.set(max_pending)
        DLQ_MESSAGES.set(dlq)
        return BrokerSample(True, pending, max_pending, dlq)

    async def _backlogs(self) -> tuple[int, int, int]:
        pending = max_pending = dlq = 0
        for stream in await self._broker.stream_summaries():
            if stream.name.startswith(_DLQ_STREAM_PREFIX):
                dlq += stream.messages
            elif stream.name.startswith(_EVENT_STREAM_PREFIX) and stream.consumers:
                try:
                    consumers = await self._broker.consumer_backlogs(stream.name)
                except NotFoundError:
                    continue  # the project was deleted since the stream list
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
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="tidings-broker-metrics")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
