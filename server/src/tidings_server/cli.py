"""`tidings-server`: the one command.

tidings-server dev       embedded NATS + PostgreSQL as child processes, migrate, demo tenant, serve
tidings-server serve     production: external TIDINGS_DATABASE_URL / TIDINGS_NATS_URL
tidings-server migrate   apply database migrations and exit
tidings-server config    print the settings table (Markdown)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tidings_server import __version__, serving
from tidings_server.config import ConfigError, Settings, load_settings, settings_table
from tidings_server.embedded import EmbeddedNats, EmbeddedPostgres
from tidings_server.observability.logging import configure_logging
from tidings_server.observability.tracing import TraceContextFilter, configure_tracing, shutdown_tracing
from tidings_server.store.db import Database
from tidings_server.store.migrate import upgrade
from tidings_server.store.seed import DEMO_OWNER, ensure_demo_tenant, ensure_operator

__all__ = ["main"]

log = logging.getLogger("tidings")


def _serve(settings: Settings, banner: str) -> None:
    TraceContextFilter.install_on_root()
    # The tracer provider is global and set once per process, so here and not in create_app.
    configure_tracing(
        settings.trace_exporter,
        sample_ratio=settings.trace_sample_ratio,
        otlp_endpoint=settings.trace_otlp_endpoint,
    )
    try:
        serving.run(settings, banner)
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


async def _prepare_database(url: str, pepper: bytes, owner_password: str) -> str | None:
    await upgrade(url)
    db = Database.connect(url, pool_size=1)
    try:
        return (await ensure_demo_tenant(db, pepper, owner_password)).api_key
    finally:
        await db.close()


def cmd_dev(args: argparse.Namespace) -> None:
    overrides: dict[str, object] = {"log_format": "console"} if "TIDINGS_LOG_FORMAT" not in os.environ else {}
    settings = load_settings(**overrides)
    configure_logging(settings.log_level, settings.log_format)
    data_dir = settings.data_dir.resolve()
    secrets_path = data_dir / "secrets.json"
    dev_secrets = _load_or_create_secrets(secrets_path)

    nats = EmbeddedNats(data_dir / "nats")
    postgres = EmbeddedPostgres(
        data_dir / "postgres" / "data",
        password=dev_secrets["postgres_password"],
        run_as=settings.embedded_pg_user,
    )
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
        new_key = asyncio.run(
            _prepare_database(
                postgres.url(), dev_secrets["api_key_pepper"].encode(), dev_secrets["demo_owner_password"]
            )
        )
        if new_key is not None:
            dev_secrets["demo_api_key"] = new_key
            _write_secrets(secrets_path, dev_secrets)
        demo_key = dev_secrets.get("demo_api_key", "(unknown: delete the data folder to start afresh)")
        banner = (
            "\n"
            f"  Tidings {__version__} is ready (embedded NATS and PostgreSQL, data in {data_dir})\n"
            "  URL:          {url}\n"
            "  WebSocket:    {ws_url}/v1/projects/<project>/ws\n"
            "  API docs:     {url}/docs\n"
            f"  Demo API key: {demo_key}\n"
            f"  Demo login:   {DEMO_OWNER} / {dev_secrets['demo_owner_password']}  (POST /v1/auth/login)\n"
            '  Try:          curl -H "Authorization: Bearer $KEY" {url}/v1/whoami\n'
            "  Stop:         Ctrl-C\n"
        )
        _serve(settings, banner)
    finally:
        postgres.stop()
        nats.stop()


def cmd_serve(args: argparse.Namespace) -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    settings.require("database_url", "nats_url", "api_key_pepper", "token_secret")
    _serve(settings, "Tidings " + __version__ + " listening on {url} (WebSocket gateway {ws_url})")


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    settings.require("database_url")
    assert settings.database_url is not None
    asyncio.run(upgrade(settings.database_url.get_secret_value()))
    log.info("database migrated")


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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="tidings-server", description="Tidings realtime event platform server."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dev", help="embedded NATS + PostgreSQL, migrate, demo tenant, serve").set_defaults(
        func=cmd_dev
    )
    commands.add_parser("serve", help="serve with external PostgreSQL and NATS").set_defaults(func=cmd_serve)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
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
    try:
        args.func(args)
    except ConfigError as exc:
        print(f"tidings-server: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
