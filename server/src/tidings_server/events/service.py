"""The event pipeline's services, created once per process (`Services.events`)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass

from tidings_server.broker.control import ControlBus
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.events.cursor import CursorCodec
from tidings_server.events.deadletters import DeadLetterRouter, DeadLetters
from tidings_server.events.durable import DurableSubscriptions
from tidings_server.events.history import EventHistory
from tidings_server.events.limits import DEFAULT_EVENT_BYTES
from tidings_server.events.publish import Publisher
from tidings_server.events.retention import Policy, load_policy
from tidings_server.events.schemas import SCHEMAS_COMMAND, SchemaRegistry
from tidings_server.events.streams import ProjectStreams
from tidings_server.store.db import Database
from tidings_server.store.models import Project

__all__ = ["EventServices"]


@dataclass(slots=True)
class EventServices:
    streams: ProjectStreams
    schemas: SchemaRegistry
    publisher: Publisher
    history: EventHistory
    durable: DurableSubscriptions
    dead_letters: DeadLetters
    router: DeadLetterRouter
    control: ControlBus

    @classmethod
    async def start(
        cls,
        db: Database,
        broker: JetStreamBroker,
        control: ControlBus,
        secret: bytes,
        *,
        max_event_bytes: int = DEFAULT_EVENT_BYTES,
    ) -> EventServices:
        """`secret` is the server's token secret (the same on every node): cursors and ack
        tokens are signed under keys derived from it."""

        async def policy_of(project_id: uuid.UUID) -> Policy:
            async with db.session() as session:
                project = await session.get(Project, project_id)
                if project is None:
                    raise LookupError(f"no project {project_id}")
                return await load_policy(session, project.tenant_id, project_id)

        key = hmac.new(secret, b"tidings events", hashlib.sha256).digest()
        codec = CursorCodec(key)
        streams = ProjectStreams(broker, policy_of)
        schemas = SchemaRegistry(db)
        history = EventHistory(broker, streams, codec)
        services = cls(
            streams=streams,
            schemas=schemas,
            publisher=Publisher(broker, streams, schemas, codec, max_event_bytes=max_event_bytes),
            history=history,
            durable=DurableSubscriptions(broker, streams, history, key),
            dead_letters=DeadLetters(broker, history),
            router=DeadLetterRouter(broker),
            control=control,
        )
        await schemas.attach(control)
        broker.on_reconnect(streams.forget_all)
        broker.on_reconnect(schemas.forget_all)
        await services.router.start()
        return services

    async def schemas_changed(self, project_id: uuid.UUID) -> None:
        """Tell every node (this one included) to reload the project's schemas."""
        await self.control.publish(SCHEMAS_COMMAND, {"project_id": str(project_id)})

    async def stop(self) -> None:
        await self.router.stop()
