"""The process's long-lived resources, created by the application's lifespan and reached by
handlers through the request (`services_of(request)`), never through globals."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection

from tidings_server.auth.secretbox import SecretBox
from tidings_server.auth.tokens import TokenIssuer
from tidings_server.billing import BillingService
from tidings_server.broker.control import ControlBus
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.broker.subjects import project_stream
from tidings_server.config import Settings
from tidings_server.events.service import EventServices
from tidings_server.identity.keys import ApiKeyAuthenticator
from tidings_server.identity.origins import ProjectOrigins
from tidings_server.identity.sessions import SessionService
from tidings_server.identity.signing import ClientTokenVerifier
from tidings_server.identity.suspension import Suspensions
from tidings_server.observability.broker_metrics import BrokerMetrics
from tidings_server.observability.tracing import instrument_database
from tidings_server.ratelimit.shared import SharedRateLimiter
from tidings_server.store.db import Database

__all__ = ["Services", "services_of"]


@dataclass(slots=True)
class Services:
    settings: Settings
    db: Database
    broker: JetStreamBroker
    control: ControlBus
    issuer: TokenIssuer
    api_keys: ApiKeyAuthenticator
    client_tokens: ClientTokenVerifier
    sessions: SessionService
    box: SecretBox
    limiter: SharedRateLimiter
    events: EventServices
    suspensions: Suspensions
    origins: ProjectOrigins
    broker_metrics: BrokerMetrics
    billing: BillingService

    @property
    def pepper(self) -> bytes:
        pepper = self.settings.api_key_pepper
        assert pepper is not None, "Settings.require() guarantees the pepper"
        return pepper.get_secret_value().encode()

    @classmethod
    async def start(cls, settings: Settings, db: Database, broker: JetStreamBroker) -> Services:
        """Wire the services and their control-bus subscriptions."""
        if settings.cache_ttl_seconds is not None:
            _override_cache_ttls(settings.cache_ttl_seconds)
        assert settings.api_key_pepper is not None
        assert settings.token_secret is not None
        pepper = settings.api_key_pepper.get_secret_value().encode()
        issuer = TokenIssuer(settings.token_secret.get_secret_value().encode())
        box = SecretBox(pepper, b"signing-keys")
        control = ControlBus(broker.nc)
        suspensions = Suspensions(db)
        limiter = SharedRateLimiter(broker.nc)
        services = cls(
            settings=settings,
            db=db,
            broker=broker,
            control=control,
            issuer=issuer,
            api_keys=ApiKeyAuthenticator(
                db, pepper, cache_ttl=settings.credential_cache_ttl, stale_ttl=settings.credential_stale_ttl
            ),
            client_tokens=ClientTokenVerifier(
                db,
                issuer,
                box,
                cache_ttl=settings.credential_cache_ttl,
                stale_ttl=settings.credential_stale_ttl,
            ),
            sessions=SessionService(settings, issuer),
            box=box,
            limiter=limiter,
            events=await EventServices.start(
                db,
                broker,
                control,
                settings.token_secret.get_secret_value().encode(),
                max_event_bytes=settings.max_event_bytes,
            ),
            suspensions=suspensions,
            origins=ProjectOrigins(db),
            broker_metrics=BrokerMetrics(broker, db, settings.broker_metrics_interval),
            billing=BillingService(settings, db, control, suspensions, limiter),
        )
        if settings.trace_exporter != "none":
            # Only then: with tracing off the engine must not pay for a listener per statement.
            instrument_database(db.engine)
        await services.api_keys.attach(control)
        await services.client_tokens.attach(control)
        await services.suspensions.attach(control)
        await services.origins.attach(control)
        broker.on_reconnect(services.suspensions.forget_all)
        broker.on_reconnect(services.api_keys.forget_all)
        broker.on_reconnect(services.client_tokens.forget_all)
        broker.on_reconnect(services.origins.forget_all)
        services.broker_metrics.start()
        await services.billing.start()
        broker.on_reconnect(services.billing.plans.forget_all)
        # Every publish stored counts, whatever path it came by.
        services.events.publisher.on_published(services.billing.record_published)

        async def retained(project_id: uuid.UUID) -> int | None:
            state = await broker.stream_state(project_stream(project_id))
            return state.bytes if state is not None else None

        services.billing.sweeper.storage = (retained, services.billing.meter.observe_max)
        return services

    async def stop(self) -> None:
        await self.broker_metrics.stop()
        await self.billing.stop()
        await self.events.stop()
        await self.limiter.close()
        await self.api_keys.close()
        await self.control.close()


def _override_cache_ttls(seconds: float) -> None:
    """`Settings.cache_ttl_seconds`: one TTL for the suspension, plan and schema caches (each
    module reads its constant at lookup time; one setting per process, so the module constant is
    the place). Credentials have their own settings (`credential_cache_ttl`)."""
    from tidings_server.billing import plans
    from tidings_server.events import schemas
    from tidings_server.identity import suspension

    suspension.CACHE_TTL_SECONDS = seconds
    plans.CACHE_TTL_SECONDS = seconds
    schemas.CACHE_SECONDS = seconds


def services_of(conn: HTTPConnection | Any) -> Services:
    """The services of the application serving `conn` (a Starlette or connexion request)."""
    services: Services = conn.scope["state"]["services"]
    return services
