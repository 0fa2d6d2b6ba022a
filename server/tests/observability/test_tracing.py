"""Tracing: exporter selection, a SERVER span per request honouring `traceparent`, W3C context
in NATS headers, and (property 26) one trace from a REST request through a real JetStream publish
to the receiving gateway."""

from __future__ import annotations

import importlib
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import nats
import nats.errors
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, StatusCode, Tracer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from tidings_server.embedded import EmbeddedNats
from tidings_server.observability.logging import JsonFormatter
from tidings_server.observability.metrics import REGISTRY
from tidings_server.observability.tracing import (
    RequestTracingMiddleware,
    TraceContextFilter,
    TracingConfigError,
    configure_tracing,
    extract_trace_context,
    inject_trace_headers,
    publish_span,
    receive_span,
)

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer(exporter: InMemorySpanExporter) -> Iterator[Tracer]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider.get_tracer("test")
    provider.shutdown()


def hexid(value: int, width: int = 32) -> str:
    return format(value, f"0{width}x")


def only(spans: tuple[ReadableSpan, ...], kind: SpanKind) -> ReadableSpan:
    matching = [span for span in spans if span.kind == kind]
    assert len(matching) == 1, matching
    return matching[0]


# ---- configuration -----------------------------------------------------------------------------
def test_none_installs_nothing() -> None:
    assert configure_tracing("none", install_global=False) is None


def test_console_gives_a_sampling_provider() -> None:
    provider = configure_tracing("console", sample_ratio=0.25, install_global=False)
    assert provider is not None
    assert isinstance(provider.sampler, ParentBased)
    # opentelemetry-sdk leaves get_description unannotated.
    assert "0.25" in provider.sampler.get_description()  # type: ignore[no-untyped-call]
    assert provider.resource.attributes["service.name"] == "tidings-server"
    provider.shutdown()


def test_otlp_without_its_package_says_which_to_install() -> None:
    try:
        importlib.import_module("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    except ImportError:
        pass
    else:
        pytest.skip("the OTLP exporter is installed here")
    with pytest.raises(TracingConfigError, match="opentelemetry-exporter-otlp-proto-http"):
        configure_tracing("otlp", install_global=False)


def test_an_unknown_otlp_protocol_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon")
    with pytest.raises(TracingConfigError, match="carrier-pigeon"):
        configure_tracing("otlp", install_global=False)


@pytest.mark.parametrize("ratio", [-0.1, 1.5])
def test_a_ratio_outside_0_1_is_refused(ratio: float) -> None:
    with pytest.raises(TracingConfigError):
        configure_tracing("console", sample_ratio=ratio, install_global=False)


def test_an_unknown_exporter_is_refused() -> None:
    with pytest.raises(TracingConfigError, match="jaeger"):
        configure_tracing("jaeger", install_global=False)  # type: ignore[arg-type]


def test_ratio_zero_samples_no_new_trace_but_honours_a_sampled_parent(exporter: InMemorySpanExporter) -> None:
    provider = TracerProvider(sampler=ParentBased(TraceIdRatioBased(0.0)))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("root"):
        pass
    with tracer.start_as_current_span("child", context=extract_trace_context({"traceparent": TRACEPARENT})):
        pass
    assert [span.name for span in exporter.get_finished_spans()] == ["child"]


# ---- REST -----------------------------------------------------------------------------------------
@pytest.fixture
async def client(stack: ASGIApp, tracer: Tracer) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=RequestTracingMiddleware(stack, tracer))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_a_request_gets_a_server_span_named_by_operation(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    response = await client.post("/echo", json={"name": "a", "count": 1})
    span = only(exporter.get_finished_spans(), SpanKind.SERVER)
    assert span.name == "POST support.echo_api.echo"
    assert span.attributes is not None
    assert span.attributes["http.route"] == "support.echo_api.echo"
    assert span.attributes["http.response.status_code"] == 200
    assert span.attributes["tidings.request_id"] == response.headers["x-request-id"]
    assert span.parent is None


async def test_an_incoming_traceparent_is_the_parent(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await client.get("/plain/x", headers={"traceparent": TRACEPARENT})
    span = only(exporter.get_finished_spans(), SpanKind.SERVER)
    assert span.name == "GET /plain/{name}"
    assert hexid(span.context.trace_id) == TRACE_ID
    assert span.parent is not None
    assert hexid(span.parent.span_id, 16) == PARENT_ID
    assert span.parent.is_remote


async def test_a_malformed_traceparent_starts_a_new_trace(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await client.get("/plain/x", headers={"traceparent": "00-zz-yy-01"})
    span = only(exporter.get_finished_spans(), SpanKind.SERVER)
    assert span.parent is None
    assert span.context.is_valid


async def test_a_server_error_marks_the_span(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    assert (await client.get("/boom")).status_code == 500
    span = only(exporter.get_finished_spans(), SpanKind.SERVER)
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 500


async def test_the_query_string_is_not_recorded(
    client: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await client.get("/plain/x?token=abcdef123")
    span = only(exporter.get_finished_spans(), SpanKind.SERVER)
    assert "abcdef123" not in json.dumps(dict(span.attributes or {}))


# ---- NATS headers -----------------------------------------------------------------------------------
def test_inject_then_extract_gives_back_the_span(tracer: Tracer) -> None:
    with tracer.start_as_current_span("publisher") as span:
        headers = inject_trace_headers({"Nats-Msg-Id": "k1"})
    assert headers["Nats-Msg-Id"] == "k1"
    remote = trace.get_current_span(extract_trace_context(headers)).get_span_context()
    assert remote.trace_id == span.get_span_context().trace_id
    assert remote.span_id == span.get_span_context().span_id


def test_inject_leaves_the_callers_headers_alone(tracer: Tracer) -> None:
    original = {"Nats-Msg-Id": "k1"}
    with tracer.start_as_current_span("publisher"):
        inject_trace_headers(original)
    assert original == {"Nats-Msg-Id": "k1"}


def test_without_a_span_nothing_is_injected() -> None:
    assert inject_trace_headers() == {}
    assert not trace.get_current_span(extract_trace_context(None)).get_span_context().is_valid


def test_a_failed_publish_is_recorded_on_span_and_metrics(
    tracer: Tracer, exporter: InMemorySpanExporter
) -> None:
    def errors() -> float:
        return (
            REGISTRY.get_sample_value("tidings_jetstream_publish_errors_total", {"reason": "timeout"}) or 0.0
        )

    before = errors()
    with pytest.raises(nats.errors.TimeoutError), publish_span("s.x", tracer=tracer):
        raise nats.errors.TimeoutError
    assert errors() == before + 1
    span = only(exporter.get_finished_spans(), SpanKind.PRODUCER)
    assert span.status.status_code == StatusCode.ERROR


def test_log_records_carry_the_trace_id(tracer: Tracer) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(TraceContextFilter())
    logger = logging.getLogger("test.tracing")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with tracer.start_as_current_span("work") as span:
            logger.warning("inside")
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["trace_id"] == hexid(span.get_span_context().trace_id)
    assert inside["span_id"] == hexid(span.get_span_context().span_id, 16)
    assert "trace_id" not in outside


# ---- property 26: one trace from the publisher's request to the gateway ---------------------------
async def test_property_26_publish_and_delivery_spans_share_one_trace(
    nats_server: EmbeddedNats, tracer: Tracer, exporter: InMemorySpanExporter
) -> None:
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    stream = f"OBS_{uuid.uuid4().hex[:8]}"
    subject = f"obs.{stream}.events"
    await js.add_stream(name=stream, subjects=[subject])
    subscription = await js.subscribe(subject, ordered_consumer=True)

    async def publish(request: Request) -> Response:
        # What the ingest path does: one publish, trace context in the message headers.
        with publish_span(subject, {"Nats-Msg-Id": "evt-1"}, msg_id="evt-1", tracer=tracer) as (
            span,
            headers,
        ):
            ack = await js.publish(subject, await request.body(), headers=headers)
            span.set_attribute("messaging.nats.stream.sequence", ack.seq)
        return JSONResponse({"seq": ack.seq})

    app = RequestTracingMiddleware(Starlette(routes=[Route("/publish", publish, methods=["POST"])]), tracer)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            response = await http.post(
                "/publish", content=b'{"hello":1}', headers={"traceparent": TRACEPARENT}
            )
        assert response.status_code == 200
        # What a gateway does with the message the NATS subscription hands it.
        message = await subscription.next_msg(timeout=10)
        assert message.data == b'{"hello":1}'
        with receive_span("gateway fanout", message.subject, message.headers, tracer=tracer):
            pass
    finally:
        await subscription.unsubscribe()
        await js.delete_stream(stream)
        await nc.close()

    spans = exporter.get_finished_spans()
    server = only(spans, SpanKind.SERVER)
    producer = only(spans, SpanKind.PRODUCER)
    consumer = only(spans, SpanKind.CONSUMER)
    assert {hexid(span.context.trace_id) for span in (server, producer, consumer)} == {TRACE_ID}
    assert producer.parent is not None
    assert producer.parent.span_id == server.context.span_id
    assert consumer.parent is not None
    assert consumer.parent.span_id == producer.context.span_id
    assert consumer.parent.is_remote
    assert producer.attributes is not None
    assert producer.attributes["messaging.nats.stream.sequence"] == response.json()["seq"]
    assert message.headers is not None
    assert message.headers["Nats-Msg-Id"] == "evt-1"
