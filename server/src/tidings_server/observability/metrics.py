"""Prometheus metrics: the catalog (the contract dashboards and alert rules are written against),
the label helpers that keep cardinality bounded, and the `/metrics` exposition.

Every metric is declared once below with its name, type, labels and meaning; `CATALOG` lists them
and docs/metrics.md is rendered from it. A metric is declared here before the code that moves it
exists, so dashboards, alerts (infra/prometheus) and that code meet on one name.

Several processes, one box
--------------------------
Production runs several server processes per machine (uvicorn workers, or SO_REUSEPORT gateway
processes), and a scrape of `/metrics` lands on any one of them. With a per-process registry that
scrape would show one process's figures and hide the others', so Tidings uses prometheus-client's
multiprocess mode: when `PROMETHEUS_MULTIPROC_DIR` names a folder, every process writes its values
to memory-mapped files there, and any process's `/metrics` merges all of them (counters and
histograms summed; each gauge combined as its `multiprocess_mode` says). A per-process registry
with one scrape target per process would also work, but it needs a port per process and service
discovery that knows about workers; a shared folder needs neither.

prometheus-client chooses between the two modes when it is first imported, so the variable must be
in the process's environment before it starts (`check_multiprocess` at start-up catches a process
that got it too late). The folder is shared by the processes of one box and emptied before the
first of them starts (`reset_multiprocess_dir`), never while any runs; a process that exits calls
`mark_process_dead` so the live gauges (connections, subscriptions) drop its share. Without the
variable (tests, `dev`, one process) the metrics live in this process's registry.

Cardinality
-----------
Label values come from closed sets: the OpenAPI operationId or a route template (never a raw path),
a known HTTP method or `OTHER`, a status code, a transport, a plan tier, an outcome. Tenant ids
appear only in the `tenant` label of the usage and limit counters, and only when
`configure_metrics(tenant_labels=True)`; otherwise that label is empty, which Prometheus drops.
"""

from __future__ import annotations

import hmac
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import anyio.to_thread
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    multiprocess,
    values,
)
from prometheus_client.exposition import choose_encoder
from starlette.types import Receive, Scope, Send

from tidings_server import __version__

__all__ = [
    "CATALOG",
    "LATENCY_SLO_SECONDS",
    "MULTIPROC_ENV",
    "MetricSpec",
    "MetricsConfigError",
    "MetricsEndpoint",
    "check_multiprocess",
    "configure_metrics",
    "mark_process_dead",
    "method_label",
    "metric",
    "metrics_page",
    "render",
    "render_catalog",
    "reset_multiprocess_dir",
    "status_class",
    "tenant_label",
]

MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"

Kind = Literal["counter", "gauge", "histogram"]
# How one gauge's values from several processes combine (prometheus-client's names). `live*`
# modes forget a process once it is marked dead, for figures that belong to a running process.
GaugeMode = Literal["livesum", "livemin", "livemax", "livemostrecent", "max", "mostrecent"]


class MetricsConfigError(Exception):
    """The metrics set-up cannot give correct figures (say, multiprocess mode half enabled)."""


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """One catalog entry. `name` is the series name as PromQL uses it (counters end in `_total`)."""

    name: str
    kind: Kind
    labels: tuple[str, ...]
    help: str
    buckets: tuple[float, ...] = ()
    gauge_mode: GaugeMode | None = None

    @property
    def series(self) -> tuple[str, ...]:
        """The sample names this metric exposes (what alert rules and dashboards may query)."""
        if self.kind == "histogram":
            return (f"{self.name}_bucket", f"{self.name}_count", f"{self.name}_sum")
        return (self.name,)


_SPECS: dict[str, MetricSpec] = {}
_METRICS: dict[str, Counter | Gauge | Histogram] = {}
REGISTRY: Final = CollectorRegistry(auto_describe=True)


def _require_multiproc_dir() -> None:
    """Creating the first metric below opens its file in the shared folder: say what is wrong
    instead of prometheus-client's FileNotFoundError."""
    value = os.environ.get(MULTIPROC_ENV)
    if value and not Path(value).is_dir():
        raise MetricsConfigError(f"{MULTIPROC_ENV}={value} is not a folder")


def _declare(spec: MetricSpec) -> MetricSpec:
    if spec.name in _SPECS:
        raise ValueError(f"metric {spec.name} declared twice")
    if not spec.name.startswith("tidings_"):
        raise ValueError(f"metric {spec.name} lacks the tidings_ prefix")
    _SPECS[spec.name] = spec
    return spec


def _counter(name: str, labels: tuple[str, ...], help: str) -> Counter:
    if not name.endswith("_total"):
        raise ValueError(f"counter {name} must end in _total")
    _declare(MetricSpec(name, "counter", labels, help))
    metric = _METRICS[name] = Counter(name, help, labels, registry=REGISTRY)
    return metric


def _gauge(name: str, labels: tuple[str, ...], help: str, mode: GaugeMode) -> Gauge:
    _declare(MetricSpec(name, "gauge", labels, help, gauge_mode=mode))
    metric = _METRICS[name] = Gauge(name, help, labels, registry=REGISTRY, multiprocess_mode=mode)
    return metric


def _histogram(name: str, labels: tuple[str, ...], help: str, buckets: tuple[float, ...]) -> Histogram:
    _declare(MetricSpec(name, "histogram", labels, help, buckets=buckets))
    metric = _METRICS[name] = Histogram(name, help, labels, registry=REGISTRY, buckets=buckets)
    return metric


# The latency objective the SLO-burn alerts measure: requests answered within this many seconds
# count as good. It must be a bucket bound of HTTP_DURATION (a test checks it).
LATENCY_SLO_SECONDS: Final = 0.25
# REST answers: cached reads take a few ms, a publish waits for the JetStream ack (~1-5 ms local,
# more across an R3 cluster); the upper buckets catch dependency trouble.
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, LATENCY_SLO_SECONDS, 0.5, 1.0, 2.5, 5.0, 10.0)
# Publish → socket write: sub-ms on one box, tens of ms across nodes; seconds means trouble.
_DELIVERY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# A JetStream publish ack: ~0.3 ms to a local file stream, a few ms to an R3 cluster.
_JETSTREAM_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)

_require_multiproc_dir()

# ---- REST (observability/middleware.py) -------------------------------------------------------
HTTP_REQUESTS: Final = _counter(
    "tidings_http_requests_total",
    ("operation", "method", "status"),
    "HTTP requests answered, by operation (OpenAPI operationId, or route template), method and status"
    " code. WebSocket upgrades count with status 101.",
)
HTTP_DURATION: Final = _histogram(
    "tidings_http_request_duration_seconds",
    ("operation", "method", "status_class"),
    "Time from receiving a request to the end of its response (to the upgrade for WebSockets), by"
    " operation, method and status class (2xx, 4xx, ...).",
    _HTTP_BUCKETS,
)

# ---- Realtime gateway -------------------------------------------------------------------------
CONNECTIONS: Final = _gauge(
    "tidings_connections",
    ("transport", "tier"),
    "Open realtime connections, by transport (websocket, sse) and the tenant's plan tier.",
    "livesum",
)
CONNECTIONS_OPENED: Final = _counter(
    "tidings_connections_opened_total", ("transport",), "Realtime connections accepted, by transport."
)
CONNECTIONS_CLOSED: Final = _counter(
    "tidings_connections_closed_total",
    ("transport", "reason"),
    "Realtime connections closed, by transport and reason (a close-code name from the registry).",
)
SUBSCRIPTIONS: Final = _gauge(
    "tidings_subscriptions",
    ("transport",),
    "Active topic subscriptions of connected clients, by transport.",
    "livesum",
)
NODE_PROJECT_SUBSCRIPTIONS: Final = _gauge(
    "tidings_node_project_subscriptions",
    (),
    "NATS subscriptions held by gateway nodes: one per project with local subscribers, never one per client.",
    "livesum",
)
FANOUT_MESSAGES: Final = _counter(
    "tidings_fanout_messages_total",
    ("transport",),
    "Frames queued to subscribers by the fan-out (an `events` frame packing several events counts once).",
)
FANOUT_BYTES: Final = _counter(
    "tidings_fanout_bytes_total",
    ("transport",),
    "Bytes of the frames counted by tidings_fanout_messages_total.",
)
QUEUE_DROPS: Final = _counter(
    "tidings_send_queue_drops_total",
    ("transport",),
    "Frames not queued because a connection's bounded send queue was full.",
)
SLOW_CONSUMER_DISCONNECTS: Final = _counter(
    "tidings_slow_consumer_disconnects_total",
    ("transport",),
    "Connections closed with the slow-consumer code because their send queue overflowed.",
)
DELIVERY_LATENCY: Final = _histogram(
    "tidings_delivery_latency_seconds",
    ("transport",),
    "Time from the JetStream ack of a publish to the event's frame being written to a subscriber.",
    _DELIVERY_BUCKETS,
)

# ---- JetStream --------------------------------------------------------------------------------
JETSTREAM_PUBLISH_DURATION: Final = _histogram(
    "tidings_jetstream_publish_duration_seconds",
    ("outcome",),
    "Time from sending a publish to JetStream to its ack (outcome ok) or failure (outcome error).",
    _JETSTREAM_BUCKETS,
)
JETSTREAM_PUBLISH_ERRORS: Final = _counter(
    "tidings_jetstream_publish_errors_total",
    ("reason",),
    "JetStream publishes that failed, by reason (timeout, no_responders, api_error, other).",
)
JETSTREAM_UP: Final = _gauge(
    "tidings_jetstream_up",
    (),
    "1 while the node's NATS connection is up and JetStream answers, else 0 (lowest over processes).",
    "livemin",
)
DURABLE_PENDING: Final = _gauge(
    "tidings_durable_consumer_pending_messages",
    (),
    "Events not yet delivered or not yet acked, summed over all durable subscriptions (last sample).",
    "livemostrecent",
)
DURABLE_MAX_PENDING: Final = _gauge(
    "tidings_durable_consumer_max_pending_messages",
    (),
    "The largest backlog of any one durable subscription (last sample).",
    "livemostrecent",
)
DURABLE_REDELIVERIES: Final = _counter(
    "tidings_durable_redeliveries_total", (), "Events redelivered to durable subscribers after no ack."
)
DLQ_MESSAGES: Final = _gauge(
    "tidings_dlq_messages",
    (),
    "Events held in dead-letter streams, over all projects (last sample).",
    "livemostrecent",
)
DLQ_ROUTED: Final = _counter(
    "tidings_dlq_routed_total", (), "Events moved to a dead-letter stream after their last delivery attempt."
)

# ---- Usage metering ---------------------------------------------------------------------------
USAGE_EVENTS_PUBLISHED: Final = _counter(
    "tidings_usage_events_published_total", ("tenant",), "Metered events published (billing unit)."
)
USAGE_MESSAGES_DELIVERED: Final = _counter(
    "tidings_usage_messages_delivered_total",
    ("tenant",),
    "Metered messages delivered: one per event per subscriber (billing unit).",
)
USAGE_CONNECTION_SECONDS: Final = _counter(
    "tidings_usage_connection_seconds_total",
    ("tenant",),
    "Metered connection time in seconds (billed in connection-minutes).",
)
USAGE_API_CALLS: Final = _counter(
    "tidings_usage_api_calls_total", ("tenant",), "Metered REST API calls (billing unit)."
)
USAGE_LEDGER_FLUSHES: Final = _counter(
    "tidings_usage_ledger_flushes_total",
    ("outcome",),
    "Flushes of in-process usage counts to the PostgreSQL ledger, by outcome (ok, error).",
)

# ---- Billing ----------------------------------------------------------------------------------
STRIPE_METER_REPORTS: Final = _counter(
    "tidings_stripe_meter_reports_total",
    ("outcome",),
    "Usage reports sent to Stripe Billing Meters, by outcome (ok, error).",
)
STRIPE_LAST_SUCCESS: Final = _gauge(
    "tidings_stripe_last_report_success_timestamp_seconds",
    (),
    "Unix time of the last usage report Stripe accepted (0: none since the box started).",
    "max",
)
STRIPE_WEBHOOKS: Final = _counter(
    "tidings_stripe_webhooks_total",
    ("outcome",),
    "Stripe webhook deliveries, by outcome (processed, duplicate, ignored, stale, invalid_signature, error).",
)

# ---- Limits -----------------------------------------------------------------------------------
RATE_LIMIT_REJECTIONS: Final = _counter(
    "tidings_rate_limit_rejections_total",
    ("scope", "tenant"),
    "Requests refused with 429 by a rate limit, by scope (key: the API key's limit, tenant: all keys of"
    " the tenant, login: login throttling per email or address).",
)
PLAN_LIMIT_REJECTIONS: Final = _counter(
    "tidings_plan_limit_rejections_total",
    ("limit", "tenant"),
    "Operations refused because a plan limit was reached, by limit (events, connections, ...).",
)
TENANTS_NEAR_LIMIT: Final = _gauge(
    "tidings_tenants_near_limit",
    ("limit",),
    "Tenants using at least 80% of a plan limit in the current period, by limit (last sample).",
    "livemostrecent",
)

# ---- Process ----------------------------------------------------------------------------------
BUILD_INFO: Final = _gauge(
    "tidings_build_info", ("version",), "Always 1; the version label says which release runs.", "max"
)

CATALOG: Final[tuple[MetricSpec, ...]] = tuple(_SPECS.values())

# Single-process mode only: the process's own CPU, memory, file descriptors and GC figures. In
# multiprocess mode prometheus-client cannot merge these, so the folder's view leaves them out.
for _collector in (ProcessCollector, PlatformCollector, GCCollector):
    _collector(registry=REGISTRY)


def metric(name: str) -> Counter | Gauge | Histogram:
    """The metric object of a catalog name (for generic code: tests, admin tools)."""
    return _METRICS[name]


# ---- Label helpers ----------------------------------------------------------------------------
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_STATUS_CLASSES = {code: f"{code // 100}xx" for code in range(100, 600)}
_settings = {"tenant_labels": False}


def method_label(method: str) -> str:
    """The method, or `OTHER`: a client may send any token as a method."""
    return method if method in _METHODS else "OTHER"


def status_class(status: int) -> str:
    return _STATUS_CLASSES.get(status, "other")


def tenant_label(tenant_id: object) -> str:
    """The `tenant` label value: the id when tenant labels are on, else empty (label dropped)."""
    return str(tenant_id) if _settings["tenant_labels"] else ""


def configure_metrics(*, tenant_labels: bool = False) -> None:
    """Apply settings (call once at start-up) and publish `tidings_build_info`."""
    _settings["tenant_labels"] = tenant_labels
    BUILD_INFO.labels(__version__).set(1)


# ---- Multiple processes -----------------------------------------------------------------------
def _multiproc_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def check_multiprocess() -> Path | None:
    """The shared metrics folder in use, or None in single-process mode. Raises when the variable is
    set but prometheus-client was imported before it (each process would hide the others) or the
    folder is missing."""
    directory = _multiproc_dir()
    if directory is None:
        return None
    if not getattr(values.ValueClass, "_multiprocess", False):
        raise MetricsConfigError(
            f"{MULTIPROC_ENV} was set after prometheus_client was imported; set it in the environment"
            " before the process starts"
        )
    if not directory.is_dir():
        raise MetricsConfigError(f"{MULTIPROC_ENV}={directory} is not a folder")
    return directory


def reset_multiprocess_dir(directory: Path) -> None:
    """Empty the shared folder. Only before the first process of the box starts: files of a
    previous run would otherwise add old counts to the new ones."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        path.unlink()


def mark_process_dead(pid: int | None = None) -> None:
    """Drop this (or `pid`'s) share of the live gauges; call when a server process stops. Counters
    and histograms keep its counts, so totals never go backwards when one worker restarts."""
    directory = _multiproc_dir()
    if directory is not None:
        # prometheus-client's multiprocess module has no annotations.
        multiprocess.mark_process_dead(os.getpid() if pid is None else pid, str(directory))  # type: ignore[no-untyped-call]


# ---- Exposition -------------------------------------------------------------------------------
def render(accept: str = "", *, multiproc_dir: Path | None = None) -> tuple[bytes, str]:
    """The exposition (body, content type) for a scrape: OpenMetrics when `accept` asks for it,
    else the Prometheus text format. Merges every process's files in multiprocess mode."""
    directory = multiproc_dir or _multiproc_dir()
    if directory is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type


class MetricsEndpoint:
    """`GET /metrics` as a pure ASGI app: `Route("/metrics", MetricsEndpoint(token=...))`.

    With a token, a scrape must send `Authorization: Bearer <token>`: the path is served on the
    public port, and the figures (operation mix, tenant ids when enabled) are not for everyone.
    """

    def __init__(self, token: str | None = None) -> None:
        self._expected = f"Bearer {token}".encode() if token else None

    def _authorized(self, headers: Iterable[tuple[bytes, bytes]]) -> bool:
        if self._expected is None:
            return True
        for name, value in headers:
            if name == b"authorization":
                return hmac.compare_digest(value, self._expected)
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise RuntimeError("MetricsEndpoint serves HTTP only")
        headers = scope.get("headers", ())
        if scope["method"] not in ("GET", "HEAD"):
            await _answer(send, 405, b"method not allowed\n", [(b"allow", b"GET, HEAD")])
            return
        if not self._authorized(headers):
            await _answer(send, 401, b"unauthorized\n", [(b"www-authenticate", b'Bearer realm="metrics"')])
            return
        accept = next((v.decode("latin-1") for k, v in headers if k == b"accept"), "")
        # Merging the multiprocess files reads one file per process and metric type: file I/O that
        # must not stall the event loop serving realtime connections.
        body, content_type = await anyio.to_thread.run_sync(render, accept)
        await _answer(
            send, 200, b"" if scope["method"] == "HEAD" else body, [(b"content-type", content_type.encode())]
        )


async def _answer(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# ---- Documentation ----------------------------------------------------------------------------
def render_catalog() -> str:
    """The Markdown table of every metric (kept in docs/metrics.md)."""
    rows = ["| Metric | Type | Labels | Meaning |", "| --- | --- | --- | --- |"]
    for spec in CATALOG:
        labels = ", ".join(f"`{label}`" for label in spec.labels) or "—"
        kind = spec.kind if spec.gauge_mode is None else f"gauge ({spec.gauge_mode})"
        meaning = spec.help.replace("|", "\\|")
        rows.append(f"| `{spec.name}` | {kind} | {labels} | {meaning} |")
    return "\n".join(rows)


_PAGE_INTRO = """\
# Metrics

Generated from `tidings_server/observability/metrics.py` by `make docs`; do not edit.

## Where

`GET /metrics` on the server's port, in the Prometheus text format (OpenMetrics when the scraper
asks for it). When `TIDINGS_METRICS_TOKEN` is set the scrape must send
`Authorization: Bearer <token>`; otherwise keep the path off the public load balancer. Any process
answers for the whole box (see below), so one scrape target per machine is enough.

## Several processes per machine

Set `PROMETHEUS_MULTIPROC_DIR` to a folder shared by every server process of the machine (an
`emptyDir` in Kubernetes, a `tmpfs` folder elsewhere) in their environment **before they start**,
and empty it before the first one starts, never while any runs. Each process writes its figures to
memory-mapped files there and `/metrics` merges them: counters and histograms are summed over the
processes, gauges are combined as the table says (`livesum`: summed over running processes;
`livemin`/`livemostrecent`: the lowest or the latest value among running processes; `max`: the
highest ever written since the folder was emptied). A server refuses to start when the variable
was set too late to take effect. Without the variable each process reports only itself, which is
right for one process (`dev`, tests) and wrong for several. The per-process CPU/memory/GC figures
are only exposed in single-process mode.

## Broker gauges

`tidings_jetstream_up`, `tidings_durable_consumer_*` and `tidings_dlq_messages` describe NATS, not
the process: each process samples them every `TIDINGS_BROKER_METRICS_INTERVAL` seconds (15 by
default) with a JetStream ping, a list of the dead-letter streams, one PostgreSQL query for the
projects with durable subscriptions and one consumer list request per such project. The backlog
of a durable subscription counts events not yet delivered plus events delivered and not yet
acknowledged. While JetStream does not answer,
`tidings_jetstream_up` drops to 0 and the backlog gauges keep their last sampled values.

## Labels

- `operation`: the OpenAPI operationId, or the route template for routes outside the spec, or
  `unmatched` (404s of unknown paths); never the raw path.
- `method`: a standard HTTP method, or `OTHER`. `status`: the status code; `status_class`: `2xx` ...
- `transport`: `websocket` or `sse`. `tier`: the tenant's plan.
- `tenant`: empty (dropped by Prometheus) unless `TIDINGS_METRICS_TENANT_LABELS=true`, which adds
  one series per tenant to the usage and limit counters: enable it only with few tenants.

## Catalog

"""


def metrics_page() -> str:
    return f"{_PAGE_INTRO}{render_catalog()}\n"


if __name__ == "__main__":  # pragma: no cover - `python -m tidings_server.observability.metrics PATH`
    Path(sys.argv[1]).write_text(metrics_page(), encoding="utf-8")
