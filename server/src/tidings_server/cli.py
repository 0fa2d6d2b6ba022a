"""`tidings-server`: the one command.

tidings-server dev       embedded NATS + PostgreSQL as child processes, migrate, demo tenant, serve
tidings-server serve     production: external TIDINGS_DATABASE_URL / TIDINGS_NATS_URL
tidings-server migrate   apply database migrations and exit
tidings-server doctor    check configuration, PostgreSQL, NATS, limits and clocks; say what to fix
tidings-server config    print the settings table (Markdown)

Exit codes: `tidings_server.startup.EXIT_CODES` (and the README). Start-up failures are one line
on stderr naming the cause and the fix; their tracebacks go to the log at debug level.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import pwd
import secrets
import shlex
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tidings_server import __version__, doctor, serving, startup
from tidings_server.config import ConfigError, Settings, load_settings, settings_table
from tidings_server.embedded import EmbeddedNats, EmbeddedPostgres
from tidings_server.observability.logging import configure_logging
from tidings_server.observability.tracing import TraceContextFilter, configure_tracing, shutdown_tracing
from tidings_server.progress import progress
from tidings_server.store.db import Database
from tidings_server.store.migrate import pending_revisions, upgrade
from tidings_server.store.models import Project, Tenant
from tidings_server.store.seed import (
    DEMO_OWNER,
    DEMO_PROJECT,
    DEMO_TENANT,
    ensure_demo_tenant,
    ensure_operator,
)

__all__ = ["main"]

log = logging.getLogger("tidings")


def _serve(settings: Settings, banner: str, listeners: serving.Listeners) -> None:
    TraceContextFilter.install_on_root()
    # The tracer provider is global and set once per process, so here and not in create_app.
    configure_tracing(
        settings.trace_exporter,
        sample_ratio=settings.trace_sample_ratio,
        otlp_endpoint=settings.trace_otlp_endpoint,
    )
    try:
        serving.run(settings, banner, listeners)
    finally:
        shutdown_tracing()


def _load_or_create_secrets(path: Path) -> dict[str, Any]:
    """The dev stack's secrets, generated on first start (and when a newer version needs more)."""
    data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    # Name → random bytes of entropy (rendered URL-safe).
    wanted = {"api_key_pepper": 48, "token_secret": 48, "postgres_password": 24, "demo_owner_password": 12}
    missing = {name: secrets.token_urlsafe(size) for name, size in wanted.items() if name not in data}
    if missing:
        data.update(missing)
        _write_secrets(path, data)
    return data


def _write_secrets(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(data, out, indent=2)


async def _migrate(url: str) -> None:
    """Apply the pending migrations, showing progress (a bar on a terminal, lines otherwise)."""
    pending = await pending_revisions(url)
    if not pending:
        log.info("database schema is up to date")
        return
    with progress("migrating", len(pending)) as step:
        await upgrade(url, on_step=step)
    log.info("database migrated (%d revisions)", len(pending))


async def _prepare_database(url: str, pepper: bytes, owner_password: str) -> tuple[str | None, uuid.UUID]:
    """Migrate and seed the demo tenant: its new API key (None when it existed) and project id."""
    await _migrate(url)
    db = Database.connect(url, pool_size=1)
    try:
        key = (await ensure_demo_tenant(db, pepper, owner_password)).api_key
        async with db.session() as session:
            project_id = (
                await session.execute(
                    sa.select(Project.id)
                    .join(Tenant, Tenant.id == Project.tenant_id)
                    .where(Tenant.slug == DEMO_TENANT, Project.slug == DEMO_PROJECT)
                )
            ).scalar_one()
        return key, project_id
    finally:
        await db.close()


def dev_banner(
    *,
    urls: dict[str, str],
    data_dir: Path,
    project_id: uuid.UUID,
    api_key: str | None,
    owner_password: str,
) -> str:
    """What `dev` prints when ready: every line after a label can be pasted as it is."""
    url, ws_url = urls["url"], urls["ws_url"]
    lines = [
        "",
        f"  Tidings {__version__} is ready (embedded NATS and PostgreSQL, data in {data_dir})",
        f"  URL:          {url}",
        f"  API docs:     {url}/docs  (OpenAPI: {url}/openapi.json)",
        f"  Demo project: {project_id}",
    ]
    if api_key is None:
        lines.append("  Demo API key: (unknown: delete the data folder to start afresh)")
    else:
        auth = shlex.quote(f"Authorization: Bearer {api_key}")
        project = f"{url}/v1/projects/{project_id}"
        ws = shlex.quote(f"{ws_url}/v1/projects/{project_id}/ws?token={api_key}")
        event = shlex.quote('{"topic":"demo.hello","data":{"hello":"world"}}')
        subscribe = '{"type":"subscribe","topic":"demo.>"}'
        lines += [
            f"  Demo API key: {api_key}",
            f"  Demo login:   {DEMO_OWNER} / {owner_password}  (POST {url}/v1/auth/login)",
            "",
            "  Paste into another terminal:",
            "  # receive events live (Server-Sent Events)",
            f"  curl -sN {shlex.quote(project + '/stream?topic=demo.>')} -H {auth}",
            "  # publish one",
            f"  curl -s -X POST {project}/events -H {auth} -H 'content-type: application/json' -d {event}",
            f"  # a WebSocket session: then type {subscribe}",
            f"  {shlex.quote(sys.executable)} -m websockets {ws}",
        ]
    lines += ["", "  Stop:         Ctrl-C", ""]
    return "\n".join(lines)


def _quiet_logging(args: argparse.Namespace) -> dict[str, object]:
    """With --quiet, only warnings and errors are logged (unless TIDINGS_LOG_LEVEL says otherwise)."""
    if getattr(args, "quiet", False) and "TIDINGS_LOG_LEVEL" not in os.environ:
        return {"log_level": "warning"}
    return {}


def cmd_dev(args: argparse.Namespace) -> None:
    overrides: dict[str, object] = {"log_format": "console"} if "TIDINGS_LOG_FORMAT" not in os.environ else {}
    overrides.update(_quiet_logging(args))
    settings = load_settings(**overrides)
    configure_logging(settings.log_level, settings.log_format)
    data_dir = settings.data_dir.resolve()
    # Every check before anything starts: a failure leaves nothing running.
    startup.check_writable(data_dir)
    lock = startup.DevLock(data_dir)
    lock.acquire()
    try:
        startup.check_binaries()
        pg_user = startup.postgres_user(settings.embedded_pg_user)
        listeners = serving.listen(settings)
        try:
            _run_dev(args, settings, overrides, data_dir, pg_user, listeners)
        finally:
            listeners.close()
    finally:
        lock.release()


def _run_dev(
    args: argparse.Namespace,
    settings: Settings,
    overrides: dict[str, object],
    data_dir: Path,
    pg_user: pwd.struct_passwd | None,
    listeners: serving.Listeners,
) -> None:
    secrets_path = data_dir / "secrets.json"
    dev_secrets = _load_or_create_secrets(secrets_path)
    nats = EmbeddedNats(data_dir / "nats")
    postgres = EmbeddedPostgres(
        data_dir / "postgres" / "data",
        password=dev_secrets["postgres_password"],
        run_as=settings.embedded_pg_user,
    )
    startup.check_postgres_user(postgres.data_dir, pg_user)
    try:
        log.info("starting nats-server and postgres in %s", data_dir)
        nats.start()
        postgres.start()
        settings = load_settings(
            **overrides,
            database_url=postgres.url(),
            nats_url=nats.url,
            api_key_pepper=dev_secrets["api_key_pepper"],
            token_secret=dev_secrets["token_secret"],
        )
        new_key, project_id = asyncio.run(
            _prepare_database(
                postgres.url(), dev_secrets["api_key_pepper"].encode(), dev_secrets["demo_owner_password"]
            )
        )
        if new_key is not None:
            dev_secrets["demo_api_key"] = new_key
            _write_secrets(secrets_path, dev_secrets)
        urls = listeners.urls(settings.host)
        if args.quiet:
            banner = urls["url"]
        else:
            banner = dev_banner(
                urls=urls,
                data_dir=data_dir,
                project_id=project_id,
                api_key=dev_secrets.get("demo_api_key"),
                owner_password=dev_secrets["demo_owner_password"],
            )
        _serve(settings, banner, listeners)
    finally:
        postgres.stop()
        nats.stop()


async def _wait_for_database(settings: Settings) -> str:
    assert settings.database_url is not None
    url = settings.database_url.get_secret_value()
    await startup.wait_until_reachable(
        "PostgreSQL",
        lambda: startup.probe_postgres(url),
        timeout=settings.startup_timeout,
        variable="TIDINGS_DATABASE_URL",
        where=startup.describe_url(url),
    )
    return url


async def _wait_for_services(settings: Settings) -> None:
    """`serve`'s checks: PostgreSQL and NATS answer (waiting with a countdown), schema current."""
    assert settings.nats_url is not None
    url = await _wait_for_database(settings)
    servers = [s.strip() for s in settings.nats_url.split(",") if s.strip()]
    await startup.wait_until_reachable(
        "NATS",
        lambda: startup.probe_nats(servers),
        timeout=settings.startup_timeout,
        variable="TIDINGS_NATS_URL",
        where=", ".join(startup.describe_url(s) for s in servers),
    )
    await startup.check_migrations(url)


def cmd_serve(args: argparse.Namespace) -> None:
    settings = load_settings(**_quiet_logging(args))
    configure_logging(settings.log_level, settings.log_format)
    settings.require("database_url", "nats_url", "api_key_pepper", "token_secret")
    listeners = serving.listen(settings)
    try:
        asyncio.run(_wait_for_services(settings))
        urls = listeners.urls(settings.host)
        banner = (
            urls["url"]
            if args.quiet
            else (
                f"Tidings {__version__} listening on {urls['url']} (WebSocket gateway {urls['ws_url']});"
                f" API docs: {urls['url']}/docs"
            )
        )
        _serve(settings, banner, listeners)
    finally:
        listeners.close()


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    settings.require("database_url")

    async def run() -> None:
        await _migrate(await _wait_for_database(settings))

    asyncio.run(run())


def cmd_operator(args: argparse.Namespace) -> None:
    """Bootstrap a platform operator (cross-tenant support and the kill switch)."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    settings.require("database_url")
    assert settings.database_url is not None
    url = settings.database_url.get_secret_value()
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else secrets.token_urlsafe(18)
    if len(password) < 12:
        raise ConfigError("the operator password needs at least 12 characters")

    async def run() -> bool:
        db = Database.connect(url, pool_size=1)
        try:
            return await ensure_operator(db, args.email, password)
        finally:
            await db.close()

    if asyncio.run(run()):
        shown = "(from stdin)" if args.password_stdin else password
        print(f"operator {args.email} created; password: {shown}")
    else:
        print(f"{args.email} is now a platform operator (password unchanged)")


def cmd_config(args: argparse.Namespace) -> None:
    print(settings_table())


def cmd_doctor(args: argparse.Namespace) -> None:
    raise SystemExit(doctor.main(connections=args.connections, timeout=args.timeout))


def _exit_codes_epilog() -> str:
    return "exit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in startup.EXIT_CODES.items())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="tidings-server",
        description="Tidings realtime event platform server.",
        epilog=_exit_codes_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    dev = commands.add_parser("dev", help="embedded NATS + PostgreSQL, migrate, demo tenant, serve")
    dev.add_argument("--quiet", action="store_true", help="print only the URL once ready")
    dev.set_defaults(func=cmd_dev)
    serve = commands.add_parser("serve", help="serve with external PostgreSQL and NATS")
    serve.add_argument("--quiet", action="store_true", help="print only the URL once ready")
    serve.set_defaults(func=cmd_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    doctor_cmd = commands.add_parser(
        "doctor", help="check configuration, PostgreSQL, NATS, limits and clocks; print what to fix"
    )
    doctor_cmd.add_argument(
        "--connections",
        type=int,
        default=10_000,
        help="realtime connections this machine should hold, for the open-file check (default 10000)",
    )
    doctor_cmd.add_argument(
        "--timeout", type=float, default=5.0, help="seconds to wait for each service (default 5)"
    )
    doctor_cmd.set_defaults(func=cmd_doctor)
    commands.add_parser("config", help="print the settings table").set_defaults(func=cmd_config)
    operator = commands.add_parser(
        "create-operator", help="make a user a platform operator (creates it if needed)"
    )
    operator.add_argument("email")
    operator.add_argument(
        "--password-stdin", action="store_true", help="read the new user's password from stdin"
    )
    operator.set_defaults(func=cmd_operator)
    args = parser.parse_args(argv)
    # Alembic narrates every connection at info level; the progress display says what matters.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        args.func(args)
    except ConfigError as exc:
        print(f"tidings-server: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except startup.StartupError as exc:
        log.debug("start-up failed", exc_info=exc)
        print(f"tidings-server: {exc}", file=sys.stderr)
        raise SystemExit(exc.exit_code) from None
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
