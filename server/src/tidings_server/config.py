"""The one settings object. Every key is read from the environment with the `TIDINGS_` prefix
(`port` ← `TIDINGS_PORT`), has a documented default, and is validated at start-up: a bad or
missing value stops the process with a message naming the variable.

`tidings-server config` prints the table of keys that the README carries.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tidings_server.identity.origins import validate_rules

__all__ = ["ConfigError", "Settings", "console_origin_rules", "load_settings", "settings_table"]

ENV_PREFIX = "TIDINGS_"


class ConfigError(Exception):
    """The configuration is invalid; the message names each variable and what is wrong."""


class Settings(BaseSettings):
    """Server settings; field descriptions are the documentation (see `settings_table`)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="Address the HTTP and WebSocket servers bind to.")
    port: int = Field(
        8080,
        ge=0,
        le=65535,
        description="Port of the HTTP server: REST API and SSE streams (0: any free port).",
    )
    gateway_port: int = Field(
        8081,
        ge=0,
        le=65535,
        description=(
            "Port of the WebSocket gateway (the `websockets` server, beside the HTTP server in each process;"
            " 0: any free port). Route `/v1/projects/*/ws` here from your ingress."
        ),
    )
    workers: int = Field(
        1,
        ge=1,
        le=256,
        description=(
            "Server processes sharing both ports (SO_REUSEPORT). One process holds at most its open-file"
            " limit of connections; publishes reach subscribers on every process through NATS."
        ),
    )
    database_url: SecretStr | None = Field(
        None,
        description=(
            "PostgreSQL URL (`postgresql://user:pass@host:5432/db`). Required by `serve` and `migrate`; "
            "`dev` starts its own."
        ),
    )
    nats_url: str | None = Field(
        None,
        description=(
            "NATS server URL(s), comma-separated (`nats://host:4222`). Required by `serve`; `dev` starts "
            "its own."
        ),
    )
    api_key_pepper: SecretStr | None = Field(
        None,
        description=(
            "Server-side secret (at least 32 characters) under which API keys are HMAC-digested. Required "
            "by `serve`; `dev` generates one in its data folder. Changing it invalidates every API key."
        ),
    )
    token_secret: SecretStr | None = Field(
        None,
        description=(
            "Secret (at least 32 characters) that signs user access tokens and the client tokens the server "
            "mints. Required by `serve`; `dev` generates one. Every node of a cluster needs the same value."
        ),
    )
    access_token_ttl: int = Field(
        900, ge=60, le=86400, description="Seconds a user's access token is valid (refresh tokens renew it)."
    )
    refresh_token_ttl: int = Field(
        30 * 86400, ge=3600, description="Seconds a session (refresh token) lasts without being used."
    )
    credential_cache_ttl: float = Field(
        30.0,
        gt=0,
        le=3600,
        description=(
            "Seconds a node reuses an API key's or signing key's row before reading it again (revocations"
            " reach every node at once over NATS; this bounds a node that missed one)."
        ),
    )
    credential_stale_ttl: float = Field(
        300.0,
        ge=0,
        le=86400,
        description=(
            "While PostgreSQL is unreachable: seconds past `credential_cache_ttl` a node keeps accepting the"
            " API keys and signing keys it has read (0: none); unknown credentials then get 503"
            " `dependency_unavailable` with `Retry-After`, never 401."
        ),
    )
    trusted_proxies: str = Field(
        "",
        description=(
            "Comma-separated addresses or CIDR blocks of the reverse proxies whose `X-Forwarded-For` is"
            " believed (the login throttle and the audit log use the client address it names); empty:"
            " none, the peer address is the client's."
        ),
    )
    allow_signup: bool = Field(
        True, description="Whether anyone may sign up (`POST /v1/auth/signup`); invitations work either way."
    )
    max_event_bytes: int = Field(
        65536,
        ge=1024,
        description="Largest event `data` (compact JSON) in bytes; larger gets 413 `event_too_large`.",
    )
    key_rate: float = Field(
        100.0,
        gt=0,
        le=1_000_000,
        description="Requests per second one API key may make (plans and keys override).",
    )
    key_burst: int = Field(
        200, ge=1, description="Requests an API key may make at once before `key_rate` applies."
    )
    tenant_rate: float = Field(
        1000.0,
        gt=0,
        le=1_000_000,
        description="Requests per second all API keys of one tenant may make together.",
    )
    tenant_burst: int = Field(
        2000, ge=1, description="Requests a tenant may make at once before `tenant_rate` applies."
    )
    metrics_token: SecretStr | None = Field(
        None,
        description=(
            "Bearer token a scraper must send to read `/metrics`; unset: `/metrics` is open (keep it off "
            "the public load balancer). Several processes per machine: set PROMETHEUS_MULTIPROC_DIR "
            "(docs/metrics.md)."
        ),
    )
    metrics_tenant_labels: bool = Field(
        False,
        description="Label usage and limit metrics with tenant ids (a series per tenant: few tenants only).",
    )
    trace_exporter: Literal["none", "console", "otlp"] = Field(
        "none",
        description=(
            "Where spans go: `none` (tracing off), `console` (stdout), `otlp` (OTLP/HTTP, gRPC with "
            "OTEL_EXPORTER_OTLP_PROTOCOL=grpc; install the `otlp` extra). OTEL_* variables apply."
        ),
    )
    trace_sample_ratio: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="Share of new traces recorded; a sampled incoming `traceparent` is followed.",
    )
    trace_otlp_endpoint: str | None = Field(
        None,
        description=(
            "OTLP traces URL (`http://collector:4318/v1/traces`); unset: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT."
        ),
    )
    broker_metrics_interval: float = Field(
        15.0,
        ge=0.1,
        le=3600,
        description=(
            "Seconds between samples of the broker gauges (JetStream up, durable subscription backlog,"
            " dead-letter depth); each process samples: a few JetStream requests, one more per project"
            " with durable subscriptions, one PostgreSQL query."
        ),
    )
    data_dir: Path = Field(
        Path(".tidings"),
        description=(
            "Folder where `dev` keeps the embedded PostgreSQL and NATS data, and its generated secrets."
        ),
    )
    max_body_bytes: int = Field(
        1_048_576,
        ge=1024,
        description="Largest request body accepted, in bytes; larger bodies get 413 `payload_too_large`.",
    )
    startup_timeout: float = Field(
        30.0,
        ge=0,
        le=3600,
        description=(
            "Seconds `serve` (and `migrate`) wait at start for PostgreSQL and NATS to answer, with a"
            " countdown, before giving up with exit code 7."
        ),
    )
    db_pool_size: int = Field(10, ge=1, le=1000, description="PostgreSQL connections kept per process.")
    readiness_timeout: float = Field(
        2.0, gt=0, le=60, description="Seconds `/readyz` waits for each dependency before calling it down."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Lowest level logged."
    )
    log_format: Literal["json", "console"] = Field(
        "json",
        description="`json` (one object per line, for production) or `console` (for people; `dev` uses it).",
    )
    ws_compression: bool = Field(
        False,
        description="Offer permessage-deflate on WebSocket connections (~35 KiB more memory per connection).",
    )
    heartbeat_seconds: float = Field(
        20.0,
        gt=0,
        le=300,
        description=(
            "The gateway sends a frame at least this often (a WebSocket ping, an SSE comment); a WebSocket"
            " peer that does not answer a ping within this time is closed as dead."
        ),
    )
    handshake_timeout: float = Field(
        10.0, gt=0, le=120, description="Seconds a client has to finish the WebSocket opening handshake."
    )
    idle_timeout: float = Field(
        300.0,
        gt=0,
        description="Seconds a connection may hold no subscription before it is closed (`idle_timeout`).",
    )
    max_frame_bytes: int = Field(
        16_384,
        ge=256,
        le=1_048_576,
        description="Largest client WebSocket frame accepted (`frame_too_large`).",
    )
    max_subscriptions: int = Field(
        100, ge=1, le=10_000, description="Subscriptions one realtime connection may hold."
    )
    max_connections_per_tenant: int = Field(
        10_000,
        ge=1,
        description=(
            "Concurrent realtime connections (WebSocket and SSE) one tenant may hold across the cluster;"
            " plans may set less."
        ),
    )
    max_sse_per_tenant: int = Field(
        1_000, ge=1, description="Concurrent SSE streams one tenant may hold across the cluster."
    )
    send_queue_bytes: int = Field(
        1_048_576,
        ge=16_384,
        description=(
            "Bytes queued for one connection (unsent frames) before it is closed as a slow consumer"
            " (`slow_consumer`; it resumes from its cursor)."
        ),
    )
    cache_ttl_seconds: float | None = Field(
        None,
        gt=0,
        le=3600,
        description=(
            "Overrides how long each process caches suspensions, plans and schemas (their own"
            " defaults, 30-60 s, when unset; credentials: `credential_cache_ttl`). Changes are announced"
            " on NATS; the TTL only bounds a missed announcement. Tests set it low to outlast every"
            " cache quickly."
        ),
    )
    write_timeout: float = Field(
        5.0,
        gt=0,
        le=120,
        description=(
            "Seconds one write to an SSE stream may wait for the client to take bytes; past it the"
            " socket is cut as a slow consumer and its memory freed (WebSocket: the close timeout)."
        ),
    )
    batch_max_events: int = Field(
        100, ge=1, le=10_000, description="Most events packed into one `events` frame (or one SSE write)."
    )
    batch_max_bytes: int = Field(
        262_144,
        ge=1024,
        description="Most bytes of events packed into one `events` frame (or one SSE write).",
    )
    drain_seconds: float = Field(
        10.0,
        ge=0,
        le=300,
        description=(
            "On shutdown: seconds to let send queues flush after connections are told `going_away` and"
            " before they are cut."
        ),
    )
    sse_retry_ms: int = Field(
        2000, ge=0, description="The `retry:` reconnection delay SSE clients are given, in milliseconds."
    )
    connection_count_interval: float = Field(
        1.0,
        gt=0,
        le=60,
        description=(
            "Seconds between the gateway processes' exchanges of connection counts (cluster-wide limits"
            " can overshoot by what all processes accept within one interval)."
        ),
    )
    trial_days: int = Field(
        14, ge=0, le=365, description="Days a new tenant's free trial lasts (on the `trial` plan's limits)."
    )
    payment_grace_days: int = Field(
        3,
        ge=0,
        le=60,
        description="Days a tenant stays served after a failed payment (`past_due`) before it is suspended.",
    )
    usage_flush_interval: float = Field(
        5.0,
        gt=0,
        le=300,
        description=(
            "Seconds between flushes of in-process usage counts to the PostgreSQL ledger; a crash loses at "
            "most this much usage."
        ),
    )
    stripe_api_key: SecretStr | None = Field(
        None,
        description="Stripe secret key (`sk_...`); unset: billing runs without Stripe (no reports or links).",
    )
    stripe_webhook_secret: SecretStr | None = Field(
        None,
        description=(
            "Signing secret(s) of the Stripe webhook endpoint (`whsec_...`), comma-separated while rotating; "
            "unset: webhooks are refused."
        ),
    )
    stripe_api_base: str | None = Field(
        None, description="Base URL of the Stripe API (tests point it at stripe-mock); unset: Stripe's own."
    )
    stripe_meter_prefix: str = Field(
        "tidings_",
        description=(
            "Prefix of the Stripe Billing Meter event names; a metric is reported as `<prefix><metric>` "
            "(`tidings_events_published`)."
        ),
    )
    billing_report_interval: float = Field(
        60.0, gt=0, le=86400, description="Seconds between usage reports to Stripe (worker role)."
    )
    billing_sweep_interval: float = Field(
        60.0,
        gt=0,
        le=86400,
        description="Seconds between checks for ended trials and expired payment grace (worker role).",
    )
    console_origins: str | None = Field(
        None,
        description=(
            "Browser origins allowed to call the admin (control-plane) API cross-origin, comma-separated"
            " (`https://admin.example.com`, `https://*.example.com`). Unset: same-origin only (the console"
            " is served with the API). Projects' data-plane origins are their `allowed_origins` setting."
        ),
    )
    embedded_pg_user: str = Field(
        "nobody",
        description=(
            "When `dev` runs as root: the system user that runs the embedded PostgreSQL (PostgreSQL refuses"
            " to run as root)."
        ),
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                try:
                    ipaddress.ip_network(part.strip(), strict=False)
                except ValueError:
                    raise ValueError(f"{part.strip()!r} is not an address or CIDR block") from None
        return value

    def proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """`trusted_proxies` parsed."""
        return [
            ipaddress.ip_network(part.strip(), strict=False)
            for part in self.trusted_proxies.split(",")
            if part.strip()
        ]

    @field_validator("api_key_pepper", "token_secret")
    @classmethod
    def _secret_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters")
        return value

    @field_validator("console_origins")
    @classmethod
    def _origin_rules(cls, value: str | None) -> str | None:
        errors = validate_rules(console_origin_rules(value))
        if errors:
            raise ValueError(errors[0]["message"])
        return value

    def require(self, *names: str) -> None:
        """Fail with a clear message when any of `names` is unset."""
        missing = [ENV_PREFIX + n.upper() for n in names if getattr(self, n) is None]
        if missing:
            raise ConfigError("missing required setting(s): " + ", ".join(missing))


def console_origin_rules(value: str | None) -> list[str]:
    """The rules of `TIDINGS_CONSOLE_ORIGINS` (comma-separated)."""
    return [rule.strip() for rule in (value or "").split(",") if rule.strip()]


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment (overrides win), or raise `ConfigError`."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ENV_PREFIX + ".".join(str(p) for p in err["loc"]).upper()
            problems.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None


def settings_table() -> str:
    """The Markdown table of every setting, its default and meaning (kept in the README)."""
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "—" if default is None else f"`{default}`"
        rows.append(f"| `{ENV_PREFIX}{name.upper()}` | {shown} | {field.description} |")
    return "\n".join(rows)
