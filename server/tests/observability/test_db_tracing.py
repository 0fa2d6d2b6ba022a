"""Database spans (issue 7.1): a CLIENT span per SQL statement against the real PostgreSQL, child
of the current span, named by statement kind, never carrying the bound values; nothing at all
outside a recording span or without the listeners."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
import sqlalchemy as sa
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import SpanKind, StatusCode, Tracer
from sqlalchemy.exc import DBAPIError

from tidings_server.app import close_services, open_services
from tidings_server.config import Settings
from tidings_server.observability.tracing import instrument_database
from tidings_server.store.db import Database

SECRET = "s3cret-bound-value-" + uuid.uuid4().hex


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer(exporter: InMemorySpanExporter) -> Iterator[Tracer]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider.get_tracer("test")
    provider.shutdown()


@pytest.fixture
async def traced_db(db: Database, tracer: Tracer) -> AsyncIterator[Database]:
    remove = instrument_database(db.engine, tracer=tracer)
    yield db
    remove()


def client_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.kind == SpanKind.CLIENT]


async def test_each_statement_is_a_client_span_of_the_current_trace(
    traced_db: Database, tracer: Tracer, exporter: InMemorySpanExporter
) -> None:
    with tracer.start_as_current_span("request") as parent:
        async with traced_db.session() as session, session.begin():
            await session.execute(sa.text("CREATE TEMP TABLE obs_t (v text)"))
            await session.execute(sa.text("INSERT INTO obs_t VALUES (:v)"), {"v": SECRET})
            assert (await session.execute(sa.text("SELECT v FROM obs_t"))).scalar_one() == SECRET
    spans = client_spans(exporter)
    assert [span.name for span in spans] == ["CREATE", "INSERT", "SELECT"]
    for span in spans:
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id
        assert span.context.trace_id == parent.get_span_context().trace_id
        attributes = dict(span.attributes or {})
        assert attributes["db.system"] == "postgresql"
        assert attributes["db.namespace"] == traced_db.engine.url.database
        assert attributes["db.operation.name"] == span.name
        # The statement, with its placeholder; the bound value never reaches a span.
        assert SECRET not in repr(attributes)
        assert not any(SECRET in str(event.attributes) for event in span.events)
    assert "INSERT INTO obs_t" in str(dict(spans[1].attributes or {})["db.query.text"])


async def test_a_failed_statement_ends_its_span_with_an_error(
    traced_db: Database, tracer: Tracer, exporter: InMemorySpanExporter
) -> None:
    with tracer.start_as_current_span("request"), pytest.raises(DBAPIError):
        async with traced_db.session() as session:
            await session.execute(sa.text("SELECT * FROM no_such_table_here"))
    (span,) = client_spans(exporter)
    assert span.name == "SELECT"
    assert span.status.status_code == StatusCode.ERROR
    assert any(event.name == "exception" for event in span.events)


async def test_no_span_outside_a_recording_span(traced_db: Database, exporter: InMemorySpanExporter) -> None:
    # A background task outside any trace, then a request the sampler left out.
    async with traced_db.session() as session:
        await session.execute(sa.text("SELECT 1"))
    unsampled = TracerProvider(sampler=ALWAYS_OFF).get_tracer("test")
    with unsampled.start_as_current_span("sampled out"):
        async with traced_db.session() as session:
            await session.execute(sa.text("SELECT 1"))
    assert client_spans(exporter) == []


async def test_removed_listeners_record_nothing(
    db: Database, tracer: Tracer, exporter: InMemorySpanExporter
) -> None:
    instrument_database(db.engine, tracer=tracer)()
    with tracer.start_as_current_span("request"):
        async with db.session() as session:
            await session.execute(sa.text("SELECT 1"))
    assert client_spans(exporter) == []


@pytest.mark.parametrize(("exporter", "installed"), [("none", False), ("console", True)])
async def test_the_server_instruments_its_engine_only_when_tracing_is_on(
    settings: Settings, exporter: str, installed: bool
) -> None:
    services = await open_services(settings.model_copy(update={"trace_exporter": exporter}))
    try:
        listeners = list(services.db.engine.sync_engine.dispatch.before_cursor_execute)
        assert bool(listeners) == installed
    finally:
        await close_services(services)
