"""The process's long-lived resources, created by the application's lifespan and reached by
handlers through the request (`services_of(request)`), never through globals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection

from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.config import Settings
from tidings_server.store.db import Database

__all__ = ["Services", "services_of"]


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    broker: JetStreamBroker

    @property
    def pepper(self) -> bytes:
        pepper = self.settings.api_key_pepper
        assert pepper is not None, "Settings.require() guarantees the pepper"
        return pepper.get_secret_value().encode()


def services_of(conn: HTTPConnection | Any) -> Services:
    """The services of the application serving `conn` (a Starlette or connexion request)."""
    services: Services = conn.scope["state"]["services"]
    return services
