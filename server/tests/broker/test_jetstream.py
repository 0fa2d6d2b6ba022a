"""The JetStream broker's written guarantees, against a real nats-server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from tidings_server.broker import JetStreamBroker, StreamSpec
from tidings_server.broker.subjects import event_subject, project_stream, project_wildcard
from tidings_server.embedded import EmbeddedNats


@pytest.fixture
async def broker(nats_server: EmbeddedNats) -> AsyncIterator[JetStreamBroker]:
    b = await JetStreamBroker.connect([nats_server.url])
    yield b
    await b.close()


@pytest.fixture
async def project(broker: JetStreamBroker) -> uuid.UUID:
    project_id = uuid.uuid4()
    await broker.ensure_stream(
        StreamSpec(name=project_stream(project_id), subjects=(project_wildcard(project_id),))
    )
    return project_id


async def test_publish_returns_increasing_sequences(broker: JetStreamBroker, project: uuid.UUID) -> None:
    acks = [await broker.publish(event_subject(project, "orders.created"), b"{}") for _ in range(5)]
    assert [a.seq for a in acks] == [1, 2, 3, 4, 5]
    assert not any(a.duplicate for a in acks)


async def test_same_message_id_is_stored_once(broker: JetStreamBroker, project: uuid.UUID) -> None:
    first = await broker.publish(event_subject(project, "t"), b"1", msg_id="m-1")
    again = await broker.publish(event_subject(project, "t"), b"1", msg_id="m-1")
    other = await broker.publish(event_subject(project, "t"), b"2", msg_id="m-2")
    assert again.duplicate
    assert again.seq == first.seq
    assert other.seq == first.seq + 1


async def test_ensure_stream_is_idempotent_and_updates_limits(
    broker: JetStreamBroker, project: uuid.UUID
) -> None:
    spec = StreamSpec(name=project_stream(project), subjects=(project_wildcard(project),), max_msgs=3)
    await broker.ensure_stream(spec)
    await broker.ensure_stream(spec)
    for i in range(5):
        await broker.publish(event_subject(project, "t"), str(i).encode())
    info = await broker.nc.jetstream().stream_info(project_stream(project))
    assert info.state.messages == 3


async def test_projects_do_not_share_subjects(broker: JetStreamBroker) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    for p in (a, b):
        await broker.ensure_stream(StreamSpec(name=project_stream(p), subjects=(project_wildcard(p),)))
    await broker.publish(event_subject(a, "x"), b"a")
    js = broker.nc.jetstream()
    assert (await js.stream_info(project_stream(a))).state.messages == 1
    assert (await js.stream_info(project_stream(b))).state.messages == 0


async def test_ping_measures_a_round_trip(broker: JetStreamBroker) -> None:
    assert await broker.ping(2.0) >= 0
