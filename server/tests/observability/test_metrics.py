"""The metrics catalog, its exposition, multiprocess merging and the generated docs page."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.parser import text_string_to_metric_families

from tidings_server.observability import metrics
from tidings_server.observability.metrics import (
    CATALOG,
    HTTP_DURATION,
    LATENCY_SLO_SECONDS,
    MetricsConfigError,
    MetricsEndpoint,
    MetricSpec,
    render,
)

ROOT = Path(__file__).resolve().parents[3]


def exposed(body: bytes) -> dict[str, list[dict[str, str]]]:
    """Sample name → label sets of every sample in an exposition."""
    samples: dict[str, list[dict[str, str]]] = {}
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample.labels)
    return samples


def touch(spec: MetricSpec, value: str = "probe") -> None:
    """Move one metric of the catalog the way its instrumented code path will."""
    catalogued = metrics.metric(spec.name)
    child = catalogued.labels(*[value] * len(spec.labels)) if spec.labels else catalogued
    if isinstance(child, Counter):
        child.inc()
    elif isinstance(child, Histogram):
        child.observe(0.01)
    else:
        assert isinstance(child, Gauge)
        child.set(1)


def test_catalog_names_are_unique_prefixed_and_typed() -> None:
    names = [spec.name for spec in CATALOG]
    assert len(names) == len(set(names))
    for spec in CATALOG:
        assert spec.name.startswith("tidings_")
        assert spec.help
        assert spec.name.endswith("_total") == (spec.kind == "counter")
        assert (spec.gauge_mode is not None) == (spec.kind == "gauge")
        assert bool(spec.buckets) == (spec.kind == "histogram")


def test_catalog_covers_what_the_issue_asks_for() -> None:
    names = {spec.name for spec in CATALOG}
    for wanted in (
        "tidings_http_requests_total",
        "tidings_http_request_duration_seconds",
        "tidings_connections",
        "tidings_subscriptions",
        "tidings_fanout_messages_total",
        "tidings_fanout_bytes_total",
        "tidings_send_queue_drops_total",
        "tidings_slow_consumer_disconnects_total",
        "tidings_delivery_latency_seconds",
        "tidings_jetstream_publish_duration_seconds",
        "tidings_jetstream_publish_errors_total",
        "tidings_durable_consumer_pending_messages",
        "tidings_dlq_messages",
        "tidings_usage_events_published_total",
        "tidings_stripe_meter_reports_total",
        "tidings_stripe_webhooks_total",
        "tidings_rate_limit_rejections_total",
    ):
        assert wanted in names


def test_no_raw_identifiers_in_labels() -> None:
    """Only the tenant label may carry an id, and only when configured; no path, no project."""
    for spec in CATALOG:
        assert not {"path", "project", "topic", "key", "user", "connection"} & set(spec.labels), spec.name
        if "tenant" in spec.labels:
            assert spec.kind == "counter", spec.name


def test_the_latency_slo_is_a_bucket_bound() -> None:
    spec = next(s for s in CATALOG if s.name == "tidings_http_request_duration_seconds")
    assert LATENCY_SLO_SECONDS in spec.buckets
    assert HTTP_DURATION._upper_bounds[: len(spec.buckets)] == list(spec.buckets)


@pytest.mark.parametrize("spec", CATALOG, ids=lambda spec: spec.name)
def test_property_27_every_catalog_metric_is_exposed_once_touched(spec: MetricSpec) -> None:
    touch(spec)
    samples = exposed(render()[0])
    for series in spec.series:
        assert series in samples, series
        assert any(set(spec.labels) <= set(labels) for labels in samples[series])


def test_property_27_the_whole_catalog_in_one_scrape() -> None:
    for spec in CATALOG:
        touch(spec, "all")
    samples = exposed(render()[0])
    missing = [series for spec in CATALOG for series in spec.series if series not in samples]
    assert missing == []


def test_label_helpers_bound_their_values() -> None:
    assert metrics.method_label("GET") == "GET"
    assert metrics.method_label("BREW") == "OTHER"
    assert metrics.status_class(204) == "2xx"
    assert metrics.status_class(503) == "5xx"
    assert metrics.status_class(999) == "other"


def test_tenant_label_is_empty_unless_enabled() -> None:
    try:
        metrics.configure_metrics(tenant_labels=False)
        assert metrics.tenant_label("t_123") == ""
        metrics.configure_metrics(tenant_labels=True)
        assert metrics.tenant_label("t_123") == "t_123"
    finally:
        metrics.configure_metrics(tenant_labels=False)


def test_an_empty_tenant_label_is_left_out_of_the_exposition() -> None:
    """The text format writes `tenant=""`, which Prometheus stores as no label at all."""
    metrics.USAGE_API_CALLS.labels(metrics.tenant_label("t_secret")).inc()
    body = render()[0]
    assert b"t_secret" not in body
    assert {"tenant": ""} in exposed(body)["tidings_usage_api_calls_total"]


def test_build_info_names_the_version() -> None:
    from tidings_server import __version__

    metrics.configure_metrics()
    assert {"version": __version__} in exposed(render()[0])["tidings_build_info"]


# ---- the endpoint ---------------------------------------------------------------------------------
async def scrape(endpoint: MetricsEndpoint, method: str = "GET", **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=endpoint)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, "/metrics", headers=headers)


async def test_endpoint_serves_the_text_format() -> None:
    metrics.HTTP_REQUESTS.labels("probe.op", "GET", "200").inc()
    response = await scrape(MetricsEndpoint())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "tidings_http_requests_total" in exposed(response.content)


async def test_endpoint_speaks_openmetrics_when_asked() -> None:
    response = await scrape(MetricsEndpoint(), accept="application/openmetrics-text; version=1.0.0")
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


async def test_endpoint_with_a_token_refuses_other_callers() -> None:
    endpoint = MetricsEndpoint(token="s3cret-scrape-token")
    assert (await scrape(endpoint)).status_code == 401
    assert (await scrape(endpoint, authorization="Bearer wrong")).status_code == 401
    refused = await scrape(endpoint, authorization="Bearer wrong")
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert "tidings_" not in refused.text
    assert (await scrape(endpoint, authorization="Bearer s3cret-scrape-token")).status_code == 200


async def test_endpoint_allows_get_and_head_only() -> None:
    response = await scrape(MetricsEndpoint(), "POST")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    head = await scrape(MetricsEndpoint(), "HEAD")
    assert head.status_code == 200
    assert head.content == b""


# ---- several processes ----------------------------------------------------------------------------
WORKER = textwrap.dedent(
    """
    import sys
    from tidings_server.observability import metrics

    metrics.check_multiprocess()
    metrics.HTTP_REQUESTS.labels("probe.op", "GET", "200").inc(int(sys.argv[1]))
    metrics.CONNECTIONS.labels("websocket", "pro").inc(int(sys.argv[1]))
    metrics.JETSTREAM_UP.set(int(sys.argv[2]))
    if sys.argv[3] == "dead":
        metrics.mark_process_dead()
    """
)


def run_worker(directory: Path, *args: str) -> None:
    env = {**os.environ, metrics.MULTIPROC_ENV: str(directory)}
    subprocess.run([sys.executable, "-c", WORKER, *args], env=env, check=True, timeout=60)


def value(samples: bytes, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(samples.decode()):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    raise AssertionError(f"{name} {labels} not exposed")


@pytest.mark.slow
def test_processes_sharing_a_folder_see_each_others_figures(tmp_path: Path) -> None:
    metrics.reset_multiprocess_dir(tmp_path)
    run_worker(tmp_path, "3", "1", "alive")
    run_worker(tmp_path, "4", "0", "alive")
    body = render(multiproc_dir=tmp_path)[0]
    # Counters add up over processes; live gauges too; the JetStream gauge takes the lowest.
    assert value(body, "tidings_http_requests_total", operation="probe.op") == 7
    assert value(body, "tidings_connections", transport="websocket", tier="pro") == 7
    assert value(body, "tidings_jetstream_up") == 0


@pytest.mark.slow
def test_a_stopped_process_keeps_its_counts_but_not_its_connections(tmp_path: Path) -> None:
    metrics.reset_multiprocess_dir(tmp_path)
    run_worker(tmp_path, "3", "1", "alive")
    run_worker(tmp_path, "4", "1", "dead")
    body = render(multiproc_dir=tmp_path)[0]
    assert value(body, "tidings_http_requests_total", operation="probe.op") == 7
    assert value(body, "tidings_connections", transport="websocket", tier="pro") == 3


def test_reset_empties_the_folder(tmp_path: Path) -> None:
    run_worker(tmp_path, "1", "1", "alive")
    assert list(tmp_path.glob("*.db"))
    metrics.reset_multiprocess_dir(tmp_path)
    assert not list(tmp_path.glob("*.db"))


def test_single_process_mode_needs_no_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    assert metrics.check_multiprocess() is None


def test_a_variable_set_after_import_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # This test process imported prometheus_client without the variable: exactly the mistake.
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(tmp_path))
    with pytest.raises(MetricsConfigError, match="before the process starts"):
        metrics.check_multiprocess()


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path / "absent")}
    script = "from tidings_server.observability import metrics; metrics.check_multiprocess()"
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "is not a folder" in result.stderr


# ---- docs -------------------------------------------------------------------------------------------
def test_docs_metrics_md_is_current() -> None:
    """docs/metrics.md is generated (python -m tidings_server.observability.metrics docs/metrics.md)."""
    assert (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8") == metrics.metrics_page()


def test_the_catalog_table_has_a_row_per_metric() -> None:
    table = metrics.render_catalog()
    for spec in CATALOG:
        assert f"| `{spec.name}` |" in table
