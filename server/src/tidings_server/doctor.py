"""`tidings-server doctor`: what is wrong with this installation, and what to do about it.

Reads the same settings as `serve` and checks, in order: the configuration; PostgreSQL (answers,
version, schema revision, enough connections for every worker's pool, clock); NATS (answers,
version, JetStream enabled, cluster size, stream replicas, clock); the open-file limit against
the connections each worker is expected to hold. Each finding is one line, `ok`, `warn` or
`FAIL`, and every warning or failure says what to fix. Exit code 0 unless something failed (9).

Clocks matter because tokens carry `exp`/`iat` checked with a leeway of
`auth.tokens.LEEWAY_SECONDS`: a node whose clock is further off than that refuses valid tokens
or accepts expired ones. Skew is measured against PostgreSQL's `clock_timestamp()` and the time
NATS stamps on its JetStream API answers, corrected by half the round trip.
"""

from __future__ import annotations

import asyncio
import math
import os
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TextIO

import orjson

from tidings_server import __version__, startup
from tidings_server.auth.tokens import LEEWAY_SECONDS
from tidings_server.config import ConfigError, Settings, load_settings

__all__ = ["Finding", "check", "main"]

Status = Literal["ok", "warn", "fail"]

# Oldest PostgreSQL the migrations are tested on (pgserver ships 16; Debian stable 15).
MIN_POSTGRES = 14
# File descriptors a worker holds besides client connections: listening sockets, NATS, logs,
# the metrics folder, Python's own; measured ~40 at idle, doubled.
BASE_FDS_PER_WORKER = 80
# Skew below this is noise (network jitter in the round-trip correction).
SKEW_WARN_SECONDS = 1.0


@dataclass(frozen=True)
class Finding:
    status: Status
    check: str
    detail: str
    fix: str = ""

    def render(self) -> str:
        label = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[self.status]
        line = f"{label}  {self.check:<12} {self.detail}"
        return line + (f"\n      {'':<12} fix: {self.fix}" if self.fix else "")


def _skew(check: str, where: str, skew: float, uncertainty: float) -> Finding:
    shown = f"{skew:+.3f} s (±{uncertainty:.3f} s) against {where}"
    if abs(skew) - uncertainty > LEEWAY_SECONDS:
        return Finding(
            "fail",
            check,
            f"clock off by {shown}: more than the {LEEWAY_SECONDS} s leeway tokens allow",
            "synchronise the clocks (chrony or systemd-timesyncd on every node)",
        )
    if abs(skew) - uncertainty > SKEW_WARN_SECONDS:
        return Finding("warn", check, f"clock off by {shown}", "synchronise the clocks (chrony, timesyncd)")
    return Finding("ok", check, f"clock within {abs(skew) + uncertainty:.3f} s of {where}")


async def _timed(what: Callable[[], Awaitable[Any]]) -> tuple[Any, float, float]:
    t0 = time.time()
    result = await what()
    return result, t0, time.time()


async def _postgres(settings: Settings, timeout: float) -> list[Finding]:
    import asyncpg

    from tidings_server.store.db import async_url

    assert settings.database_url is not None
    url = settings.database_url.get_secret_value()
    where = startup.describe_url(url)
    dsn = async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)
    try:
        conn = await asyncpg.connect(dsn, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - every way of not connecting is a finding, not a crash
        return [
            Finding(
                "fail",
                "postgresql",
                f"cannot connect to {where}: {_reason(exc)}",
                "check TIDINGS_DATABASE_URL and that PostgreSQL is running",
            )
        ]
    findings: list[Finding] = []
    try:
        version_num = int(await conn.fetchval("SHOW server_version_num"))
        version = await conn.fetchval("SHOW server_version")
        if version_num // 10000 < MIN_POSTGRES:
            findings.append(
                Finding(
                    "fail",
                    "postgresql",
                    f"{where} runs PostgreSQL {version}; Tidings needs {MIN_POSTGRES} or newer",
                    "upgrade PostgreSQL",
                )
            )
        else:
            findings.append(Finding("ok", "postgresql", f"PostgreSQL {version} at {where}"))
        max_connections = int(await conn.fetchval("SHOW max_connections"))
        reserved = int(await conn.fetchval("SHOW superuser_reserved_connections"))
        wanted = settings.workers * settings.db_pool_size
        if wanted > max_connections - reserved:
            findings.append(
                Finding(
                    "fail",
                    "postgresql",
                    f"{settings.workers} worker(s) x TIDINGS_DB_POOL_SIZE={settings.db_pool_size} = {wanted}"
                    f" connections from this node, but max_connections={max_connections}"
                    f" ({reserved} reserved)",
                    "lower TIDINGS_DB_POOL_SIZE or TIDINGS_WORKERS, raise max_connections, or put PgBouncer"
                    " in front",
                )
            )
        else:
            findings.append(
                Finding(
                    "ok",
                    "postgresql",
                    f"{wanted} pooled connections from this node of max_connections={max_connections}",
                )
            )
        now, t0, t1 = await _timed(lambda: conn.fetchval("SELECT extract(epoch FROM clock_timestamp())"))
        findings.append(_skew("clock", f"PostgreSQL ({where})", float(now) - (t0 + t1) / 2, (t1 - t0) / 2))
    finally:
        await conn.close()
    try:
        await startup.check_migrations(url)
    except startup.MigrationsPending as exc:
        findings.append(Finding("fail", "schema", exc.cause, exc.fix))
    else:
        findings.append(Finding("ok", "schema", "the database is at this server's schema revision"))
    return findings


async def _nats(settings: Settings, timeout: float) -> list[Finding]:
    assert settings.nats_url is not None
    servers = [s.strip() for s in settings.nats_url.split(",") if s.strip()]
    where = ", ".join(startup.describe_url(s) for s in servers)
    try:
        nc = await startup.connect_nats(servers, timeout)
    except Exception as exc:  # noqa: BLE001 - every way of not connecting is a finding, not a crash
        return [
            Finding(
                "fail",
                "nats",
                f"cannot connect to {where}: {_reason(exc)}",
                "check TIDINGS_NATS_URL and that nats-server is running",
            )
        ]
    findings: list[Finding] = []
    try:
        info: dict[str, Any] = nc._server_info  # nats-py has no public accessor for INFO
        findings.append(Finding("ok", "nats", f"nats-server {info.get('version', '?')} at {where}"))
        if not info.get("jetstream"):
            findings.append(
                Finding(
                    "fail",
                    "jetstream",
                    f"JetStream is not enabled on {info.get('server_name', where)}",
                    "start nats-server with --jetstream (or `jetstream {}` in its configuration)",
                )
            )
            return findings
        peers = info.get("connect_urls") or []
        cluster = info.get("cluster")
        size = max(len(peers), 1)
        if cluster:
            findings.append(Finding("ok", "cluster", f"cluster {cluster}: {size} server(s) advertised"))
        else:
            findings.append(
                Finding("ok", "cluster", "a single nats-server (no cluster): no replication of events")
            )
        reply, t0, t1 = await _timed(lambda: nc.request("$JS.API.STREAM.LIST", b"{}", timeout=timeout))
        body = orjson.loads(reply.data)
        if "error" in body:
            findings.append(
                Finding(
                    "fail",
                    "jetstream",
                    f"JetStream answered with an error: {body['error'].get('description', body['error'])}",
                    "check the account's JetStream limits in the nats-server configuration",
                )
            )
            return findings
        streams = body.get("streams") or []
        findings += _replicas(streams, size)
        stamp = next((s["ts"] for s in streams if s.get("ts")), None)
        if stamp is not None:
            server_time = _parse_time(stamp)
            findings.append(_skew("clock", "NATS", server_time - (t0 + t1) / 2, (t1 - t0) / 2))
    finally:
        await nc.close()
    return findings


def _replicas(streams: list[dict[str, Any]], cluster_size: int) -> list[Finding]:
    if not streams:
        return [Finding("ok", "streams", "no JetStream streams yet (created on first publish)")]
    replicas = sorted({int(s["config"].get("num_replicas", 1)) for s in streams})
    shown = f"{len(streams)} stream(s), replicas {'/'.join(map(str, replicas))}"
    if replicas[-1] > cluster_size:
        return [
            Finding(
                "fail",
                "streams",
                f"{shown}, but only {cluster_size} server(s) in the cluster",
                "add nats-servers to the cluster, or lower the streams' replicas",
            )
        ]
    if cluster_size >= 3 and replicas[0] < 3:
        return [
            Finding(
                "warn",
                "streams",
                f"{shown} on a {cluster_size}-server cluster: a stream with one replica dies with its server",
                "raise the streams' replicas to 3 (`nats stream edit --replicas 3`)",
            )
        ]
    return [Finding("ok", "streams", shown)]


def _parse_time(stamp: str) -> float:
    # Go prints nanoseconds; Python parses at most microseconds.
    head, _, rest = stamp.rstrip("Z").partition(".")
    digits = "".join(ch for ch in rest if ch.isdigit())[:6]
    return datetime.fromisoformat(f"{head}.{digits or '0'}+00:00").timestamp()


def _open_files(settings: Settings, connections: int) -> Finding:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    per_worker = math.ceil(connections / settings.workers)
    need = per_worker + settings.db_pool_size + BASE_FDS_PER_WORKER
    detail = (
        f"open-file limit {soft} (hard {hard}); {connections} connections over {settings.workers}"
        f" worker(s) need about {need} per worker"
    )
    if soft != resource.RLIM_INFINITY and soft < need:
        if hard == resource.RLIM_INFINITY or hard >= need:
            fix = f"raise the soft limit before starting: `ulimit -n {need}` (systemd: LimitNOFILE={need})"
        else:
            fix = (
                f"raise the hard limit to {need} (systemd LimitNOFILE, /etc/security/limits.conf),"
                " or spread the connections over more TIDINGS_WORKERS or nodes"
            )
        return Finding("fail", "open files", detail, fix)
    return Finding("ok", "open files", detail)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno).lower()
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:160]


async def check(settings: Settings, *, connections: int, timeout: float) -> list[Finding]:
    """Every finding about `settings` and the services they point to."""
    findings: list[Finding] = []
    missing = [
        name
        for name in ("database_url", "nats_url", "api_key_pepper", "token_secret")
        if getattr(settings, name) is None
    ]
    if missing:
        findings.append(
            Finding(
                "fail",
                "config",
                "not set: " + ", ".join(f"TIDINGS_{name.upper()}" for name in missing),
                "set them (`tidings-server config` lists every setting; `dev` sets them itself)",
            )
        )
    else:
        findings.append(Finding("ok", "config", "every setting `serve` requires is set and valid"))
    if settings.database_url is not None:
        findings += await _postgres(settings, timeout)
    if settings.nats_url is not None:
        findings += await _nats(settings, timeout)
    findings.append(_open_files(settings, connections))
    return findings


def main(*, connections: int, timeout: float, out: TextIO | None = None) -> int:
    """Print the findings; the exit code (0, or 9 when something failed)."""
    out = out or sys.stdout
    print(f"tidings-server {__version__} doctor", file=out)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(Finding("fail", "config", str(exc), "fix the variables named").render(), file=out)
        return 9
    findings = asyncio.run(check(settings, connections=connections, timeout=timeout))
    for finding in findings:
        print(finding.render(), file=out)
    failed = sum(f.status == "fail" for f in findings)
    warned = sum(f.status == "warn" for f in findings)
    print(f"{failed} problem(s), {warned} warning(s)", file=out)
    return 9 if failed else 0
