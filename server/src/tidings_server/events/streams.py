"""One JetStream stream per project, created on first use from the project's retention policy.

The stream's epoch (its creation time) is cached per project on each node: it goes into every
cursor this node issues. The cache is dropped on NATS reconnection and whenever a publish finds
the stream gone, so a recreated stream gets its new epoch.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from nats.js.errors import ServerError

from tidings_server.broker.base import StreamState
from tidings_server.broker.jetstream import JetStreamBroker
from tidings_server.broker.subjects import project_stream
from tidings_server.errors import RequestError
from tidings_server.events.retention import Policy, stream_spec

# JetStream's error code for "insufficient storage resources available".
JS_INSUFFICIENT_RESOURCES = 10047

__all__ = ["ProjectStreams"]

PolicyLoader = Callable[[uuid.UUID], Awaitable[Policy]]


class ProjectStreams:
    def __init__(self, broker: JetStreamBroker, load_policy: PolicyLoader) -> None:
        self._broker = broker
        self._load_policy = load_policy
        # project id → epoch of its stream, as last seen by this node.
        self._epochs: dict[uuid.UUID, int] = {}
        # project id → (max_msgs, max_bytes) of its stream, as last seen by this node.
        self._limits: dict[uuid.UUID, tuple[int, int]] = {}

    async def epoch(self, project_id: uuid.UUID) -> int:
        """The epoch of the project's stream, creating the stream if it does not exist."""
        cached = self._epochs.get(project_id)
        if cached is not None:
            return cached
        return (await self.state(project_id)).epoch

    async def state(self, project_id: uuid.UUID) -> StreamState:
        """The stream's current state (one JetStream round trip), creating it if needed."""
        name = project_stream(project_id)
        state = await self._broker.stream_state(name)
        if state is None:
            await self._broker.ensure_stream(stream_spec(project_id, await self._load_policy(project_id)))
            state = await self._broker.stream_state(name)
            assert state is not None, "the stream was just created"
        self._epochs[project_id] = state.epoch
        self._limits[project_id] = (state.max_msgs, state.max_bytes)
        return state

    async def limits(self, project_id: uuid.UUID) -> tuple[int, int]:
        """(max_msgs, max_bytes) of the project's stream (-1: none), as last seen by this node
        (refreshed by `state`, `apply`, and after a reconnection)."""
        cached = self._limits.get(project_id)
        if cached is not None:
            return cached
        state = await self.state(project_id)
        return state.max_msgs, state.max_bytes

    async def apply(self, project_id: uuid.UUID, policy: Policy) -> StreamState:
        """Create the stream or update its limits to `policy` (excess is removed at once)."""
        try:
            await self._broker.ensure_stream(stream_spec(project_id, policy))
        except ServerError as exc:
            # JetStream reserves `max_bytes` up front; a cluster without that much room refuses.
            if exc.err_code == JS_INSUFFICIENT_RESOURCES:
                raise RequestError(
                    f"the cluster cannot reserve {policy.max_bytes} bytes for this stream; lower max_bytes",
                    code="insufficient_storage",
                ) from None
            raise
        return await self.state(project_id)

    def forget(self, project_id: uuid.UUID) -> None:
        self._epochs.pop(project_id, None)
        self._limits.pop(project_id, None)

    async def forget_all(self) -> None:
        self._epochs.clear()
        self._limits.clear()
