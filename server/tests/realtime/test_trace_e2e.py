"""Property 26 end to end: a REST publish and its delivery by the gateway to a WebSocket
subscriber are spans of one trace (server → producer → consumer), through a real NATS hop."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.testing import plugin
from tidings_server.testing.realtime import Project

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)  # once per process; nothing else in the suite sets it
    assert trace.get_tracer_provider() is provider
    return exporter


@pytest.fixture(scope="module")
def settings(database_url: str, nats_server: EmbeddedNats, exporter: InMemorySpanExporter) -> Settings:
    base: Settings = plugin.settings.__wrapped__(database_url, nats_server)  # type: ignore[attr-defined]
    return base.model_copy(update={"trace_exporter": "console"})


async def test_property_26_the_publishers_request_and_the_gateways_fanout_are_one_trace(
    project: Project, connect: Any, exporter: InMemorySpanExporter
) -> None:
    client = await connect(project.ws_url, project.key)
    await client.subscribe("traced.>")
    exporter.clear()
    response = await project.http.post(
        f"/v1/projects/{project.id}/events",
        json={"topic": "traced.x", "data": 1},
        headers={**project.headers, "traceparent": TRACEPARENT},
    )
    assert response.status_code == 201, response.text
    (event,) = await client.events(1)
    assert event["headers"]["traceparent"].split("-")[1] == TRACE_ID
    spans = exporter.get_finished_spans()
    by_kind = {
        kind: [s for s in spans if s.kind is kind]
        for kind in (SpanKind.SERVER, SpanKind.PRODUCER, SpanKind.CONSUMER)
    }
    server = next(s for s in by_kind[SpanKind.SERVER] if s.context.trace_id == int(TRACE_ID, 16))
    (producer,) = [s for s in by_kind[SpanKind.PRODUCER] if s.context.trace_id == int(TRACE_ID, 16)]
    (consumer,) = [s for s in by_kind[SpanKind.CONSUMER] if s.context.trace_id == int(TRACE_ID, 16)]
    assert producer.parent is not None
    assert producer.parent.span_id == server.context.span_id
    assert consumer.parent is not None
    assert consumer.parent.span_id == producer.context.span_id
    assert consumer.name == "gateway fanout"
