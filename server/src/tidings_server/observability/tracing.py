"""OpenTelemetry tracing: set-up, a server span per request, and W3C trace context carried in NATS
message headers so that one trace runs publisher request → JetStream publish → each gateway's
fan-out.

    configure_tracing(exporter, sample_ratio)   once per process, at start-up
    RequestTracingMiddleware                    SERVER span per HTTP request / WebSocket upgrade,
                                                child of an incoming `traceparent`
    publish_span(subject, headers)              PRODUCER span around one JetStream publish; yields
                                                the headers to send (with `traceparent`), and
                                                records the publish latency and error metrics
    receive_span(name, subject, headers)        CONSUMER span for a received message, child of the
                                                publisher's span (fan-out: one per node and event,
                                                not one per subscriber)
    instrument_database(engine)                 CLIENT span per SQL statement, child of the current
                                                span (installed only when an exporter is set)
    inject_trace_headers / extract_trace_context    the raw W3C carrier helpers
    TraceContextFilter                          puts trace_id / span_id on log records

Exporters are chosen by configuration: `none` (no SDK: spans are not recorded, an incoming
context still passes through), `console` (spans printed, for `dev`), `otlp` (OTLP, HTTP/protobuf
unless OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL says `grpc`; the exporter package is imported only
then). Sampling is parent-based: a sampled incoming `traceparent` is honoured, new traces are
sampled at `sample_ratio`.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from time import perf_counter
from typing import Final, Literal, cast

import nats.errors
import nats.js.errors
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings_server import __version__
from tidings_server.observability.metrics import JETSTREAM_PUBLISH_DURATION, JETSTREAM_PUBLISH_ERRORS
from tidings_server.observability.middleware import operation_of, prepare_scope

__all__ = [
    "RequestTracingMiddleware",
    "TraceContextFilter",
    "TracingConfigError",
    "TracingExporter",
    "configure_tracing",
    "extract_trace_context",
    "get_tracer",
    "inject_trace_headers",
    "instrument_database",
    "publish_span",
    "receive_span",
    "shutdown_tracing",
]

TracingExporter = Literal["none", "console", "otlp"]
INSTRUMENTATION_NAME: Final = "tidings_server"
# The packages behind `otlp`, by protocol: not dependencies of the server, since most installs
# export nothing or use the console.
_OTLP_EXPORTERS = {
    "http/protobuf": (
        "opentelemetry.exporter.otlp.proto.http.trace_exporter",
        "opentelemetry-exporter-otlp-proto-http",
    ),
    "grpc": (
        "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
        "opentelemetry-exporter-otlp-proto-grpc",
    ),
}
# W3C Trace Context whatever OTEL_PROPAGATORS says: the NATS headers are our own wire contract.
_W3C: Final = TraceContextTextMapPropagator()
_TRACE_HEADERS = (b"traceparent", b"tracestate")
_provider: TracerProvider | None = None


class TracingConfigError(Exception):
    """The tracing configuration cannot be applied (unknown exporter, package missing)."""


def _otlp_exporter(endpoint: str | None) -> SpanExporter:
    protocol = os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
    )
    if protocol not in _OTLP_EXPORTERS:
        raise TracingConfigError(f"unsupported OTLP protocol {protocol!r}; use http/protobuf or grpc")
    module_name, package = _OTLP_EXPORTERS[protocol]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise TracingConfigError(
            f"the otlp trace exporter ({protocol}) needs the {package} package, which is not installed;"
            f" install it or choose the console or none exporter"
        ) from exc
    exporter_class = module.OTLPSpanExporter
    return cast(SpanExporter, exporter_class(endpoint=endpoint) if endpoint else exporter_class())


def configure_tracing(
    exporter: TracingExporter = "none",
    *,
    sample_ratio: float = 1.0,
    otlp_endpoint: str | None = None,
    service_name: str = "tidings-server",
    install_global: bool = True,
) -> TracerProvider | None:
    """Set up tracing for this process and return the provider (None for `none`). OTEL_SERVICE_NAME
    and OTEL_RESOURCE_ATTRIBUTES, when set, win over `service_name`."""
    global _provider
    if not 0.0 <= sample_ratio <= 1.0:
        raise TracingConfigError(f"sample ratio {sample_ratio} is not between 0 and 1")
    if exporter == "none":
        return None
    if exporter == "console":
        # dev: see each span when it ends rather than in batches.
        processor: SimpleSpanProcessor | BatchSpanProcessor = SimpleSpanProcessor(ConsoleSpanExporter())
    elif exporter == "otlp":
        processor = BatchSpanProcessor(_otlp_exporter(otlp_endpoint))
    else:
        raise TracingConfigError(f"unknown trace exporter {exporter!r}; use none, console or otlp")
    attributes: dict[str, str] = {"service.version": __version__}
    if "OTEL_SERVICE_NAME" not in os.environ:
        attributes["service.name"] = service_name
    provider = TracerProvider(
        resource=Resource.create(attributes), sampler=ParentBased(TraceIdRatioBased(sample_ratio))
    )
    provider.add_span_processor(processor)
    if install_global:
        trace.set_tracer_provider(provider)
        _provider = provider
    return provider


def shutdown_tracing() -> None:
    """Export what is buffered and stop (the lifespan's shutdown)."""
    global _provider
    if _provider is not None:
        _provider.shutdown()
        _provider = None


def get_tracer() -> Tracer:
    """The tracer of the global provider. Before `configure_tracing` it is a proxy that starts
    recording once a provider is installed, so modules may take it at import."""
    return trace.get_tracer(INSTRUMENTATION_NAME, __version__)


# ---- W3C trace context in NATS headers --------------------------------------------------------
def inject_trace_headers(
    headers: Mapping[str, str] | None = None, context: Context | None = None
) -> dict[str, str]:
    """A copy of `headers` plus `traceparent` (and `tracestate`) of `context` (default: the current
    span). Without a valid span nothing is added."""
    carrier = dict(headers) if headers else {}
    _W3C.inject(carrier, context=context)
    return carrier


def extract_trace_context(headers: Mapping[str, str] | None) -> Context:
    """The remote parent named by a message's `traceparent`, or an empty context."""
    return _W3C.extract(headers or {})


def _publish_error_reason(exc: BaseException) -> str:
    if isinstance(exc, nats.errors.NoRespondersError | nats.js.errors.NoStreamResponseError):
        return "no_responders"
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return "timeout"
    if isinstance(exc, nats.js.errors.APIError):
        return "api_error"
    return "other"


@contextmanager
def publish_span(
    subject: str,
    headers: Mapping[str, str] | None = None,
    *,
    msg_id: str | None = None,
    tracer: Tracer | None = None,
) -> Iterator[tuple[Span, dict[str, str]]]:
    """Wrap exactly one JetStream publish: a PRODUCER span (child of the current span), and the
    headers to publish with, carrying its trace context. Its duration and outcome go to
    `tidings_jetstream_publish_duration_seconds` / `..._errors_total`; an exception is recorded
    on the span and re-raised.

        with publish_span(subject, {"Nats-Msg-Id": key}) as (span, hdrs):
            ack = await js.publish(subject, payload, headers=hdrs)
            span.set_attribute("messaging.nats.stream.sequence", ack.seq)
    """
    attributes: dict[str, str] = {
        "messaging.system": "nats",
        "messaging.operation.type": "send",
        "messaging.destination.name": subject,
    }
    if msg_id is not None:
        attributes["messaging.message.id"] = msg_id
    with (tracer or get_tracer()).start_as_current_span(
        "jetstream publish", kind=SpanKind.PRODUCER, attributes=attributes
    ) as span:
        started = perf_counter()
        try:
            yield span, inject_trace_headers(headers)
        except BaseException as exc:
            if not isinstance(exc, asyncio.CancelledError):
                JETSTREAM_PUBLISH_DURATION.labels("error").observe(perf_counter() - started)
                JETSTREAM_PUBLISH_ERRORS.labels(_publish_error_reason(exc)).inc()
            raise
        JETSTREAM_PUBLISH_DURATION.labels("ok").observe(perf_counter() - started)


@contextmanager
def receive_span(
    name: str,
    subject: str,
    headers: Mapping[str, str] | None,
    *,
    tracer: Tracer | None = None,
    attributes: Mapping[str, str | int] | None = None,
) -> Iterator[Span]:
    """A CONSUMER span for handling one received message (`name`: say `gateway fanout` or
    `durable deliver`), child of the span that published it; current while the block runs."""
    merged: dict[str, str | int] = {
        "messaging.system": "nats",
        "messaging.operation.type": "process",
        "messaging.destination.name": subject,
    }
    if attributes:
        merged.update(attributes)
    with (tracer or get_tracer()).start_as_current_span(
        name, context=extract_trace_context(headers), kind=SpanKind.CONSUMER, attributes=merged
    ) as span:
        yield span


# ---- Database -----------------------------------------------------------------------------------
# Span names are the statement's first keyword, from this closed set (anything else is `SQL`), so a
# trace view groups them and no statement text can leak into a name.
# fmt: off
_SQL_KINDS = frozenset({
    "SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
    "RELEASE", "SET", "SHOW", "CREATE", "ALTER", "DROP", "TRUNCATE", "LOCK", "COPY", "VACUUM", "ANALYZE",
})
# fmt: on
# A statement with a long expanded IN list can run to many KiB; the head says which query it was.
_MAX_QUERY_TEXT = 2048
# Where a statement's span waits between the before and after events: an attribute of SQLAlchemy's
# per-execution context object, which lives exactly as long as the statement.
_SPAN_ATTR = "_tidings_span"


def _sql_kind(statement: str) -> str:
    head = statement.lstrip(" \t\r\n(").split(None, 1)
    kind = head[0].upper() if head else ""
    return kind if kind in _SQL_KINDS else "SQL"


def instrument_database(engine: AsyncEngine | Engine, *, tracer: Tracer | None = None) -> Callable[[], None]:
    """A CLIENT span around every SQL statement `engine` runs, named by its kind (`SELECT`,
    `INSERT`, ...), with `db.system`, `db.namespace`, `db.operation.name` and the statement text
    (SQLAlchemy sends values as bind parameters, which are never recorded). A failed statement's
    span carries the exception and an error status. Returns a function that removes the listeners.

    Spans are started only inside a recording span (a sampled request, publish, ...): a statement
    of a sampled-out request, or of a background task outside any trace, costs one
    `is_recording()` check and starts no root trace of its own. Install only when an exporter is
    configured; without the listeners the engine pays nothing at all."""
    sync_engine = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    url = sync_engine.url
    base: dict[str, str | int] = {"db.system": "postgresql", "db.system.name": "postgresql"}
    if url.database:
        base["db.namespace"] = url.database
    if url.host:
        base["server.address"] = url.host
    if url.port:
        base["server.port"] = url.port
    chosen = tracer or get_tracer()

    def before(
        conn: object, cursor: object, statement: str, parameters: object, context: object, many: bool
    ) -> None:
        if context is None or not trace.get_current_span().is_recording():
            return
        kind = _sql_kind(statement)
        attributes = {**base, "db.operation.name": kind, "db.query.text": statement[:_MAX_QUERY_TEXT]}
        span = chosen.start_span(kind, kind=SpanKind.CLIENT, attributes=attributes)
        setattr(context, _SPAN_ATTR, span)

    def after(
        conn: object, cursor: object, statement: str, parameters: object, context: object, many: bool
    ) -> None:
        span: Span | None = getattr(context, _SPAN_ATTR, None)
        if span is not None:
            setattr(context, _SPAN_ATTR, None)
            span.end()

    def failed(exception_context: ExceptionContext) -> None:
        context = exception_context.execution_context
        span: Span | None = getattr(context, _SPAN_ATTR, None)
        if span is not None:
            setattr(context, _SPAN_ATTR, None)
            error = exception_context.original_exception
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
            span.end()

    listeners: tuple[tuple[str, Callable[..., None]], ...] = (
        ("before_cursor_execute", before),
        ("after_cursor_execute", after),
        ("handle_error", failed),
    )
    for name, listener in listeners:
        event.listen(sync_engine, name, listener)

    def remove() -> None:
        for name, listener in listeners:
            event.remove(sync_engine, name, listener)

    return remove


# ---- REST ---------------------------------------------------------------------------------------
class RequestTracingMiddleware:
    """A SERVER span per HTTP request and WebSocket upgrade, child of the request's `traceparent`.
    Named `METHOD operation` (operationId or route template) once routing has run. Place it outside
    `RequestContextMiddleware`, so the access log line is written inside the span."""

    def __init__(self, app: ASGIApp, tracer: Tracer | None = None) -> None:
        self.app = app
        self.tracer = tracer or get_tracer()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" and scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        prepare_scope(scope)
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers", ())
            if name in _TRACE_HEADERS
        }
        method = scope.get("method", "GET")
        attributes = {"http.request.method": method, "url.path": scope["path"], "url.scheme": scope["scheme"]}
        with self.tracer.start_as_current_span(
            method, context=_W3C.extract(carrier), kind=SpanKind.SERVER, attributes=attributes
        ) as span:

            async def send_recording(message: Message) -> None:
                if message["type"] in ("http.response.start", "websocket.http.response.start"):
                    status = message["status"]
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                elif message["type"] == "websocket.accept":
                    span.set_attribute("http.response.status_code", 101)
                await send(message)

            try:
                await self.app(scope, receive, send_recording)
            finally:
                operation = operation_of(scope)
                span.update_name(f"{method} {operation}")
                span.set_attribute("http.route", operation)
                request_id = scope.get("state", {}).get("request_id")
                if request_id:
                    span.set_attribute("tidings.request_id", request_id)


# ---- Logs -----------------------------------------------------------------------------------------
class TraceContextFilter(logging.Filter):
    """Adds `trace_id` and `span_id` (hex) to each record written inside a recorded span, so log
    lines and traces join. Attach it to the log handlers (`install_on_root()`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            record.span_id = format(context.span_id, "016x")
        return True

    @classmethod
    def install_on_root(cls) -> None:
        """Add the filter to every handler of the root logger (after `configure_logging`)."""
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, cls) for f in handler.filters):
                handler.addFilter(cls())
