"""Close and error codes of the realtime transports, from the one registry (spec/errors.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

from tidings_server.spec import error_registry

__all__ = ["Close", "close_for"]


@dataclass(frozen=True, slots=True)
class Close:
    """What a server-side close sends: the WebSocket close code and the error frame before it."""

    code: str
    close_code: int
    reconnect: bool


def close_for(code: str) -> Close:
    """The close of a registry code that can end a connection (KeyError/ValueError otherwise)."""
    spec = error_registry()[code]
    if spec.close_code is None:
        raise ValueError(f"{code!r} does not close connections")
    return Close(code, spec.close_code, spec.action == "reconnect")
