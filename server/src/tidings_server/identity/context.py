"""The caller of one request, as the identity services need it (actor for the audit log)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection

from tidings_server.auth.principal import Principal

__all__ = ["Caller", "caller_of"]


@dataclass(frozen=True, slots=True)
class Caller:
    principal: Principal | None
    request_id: str | None
    source_ip: str | None

    @property
    def actor(self) -> tuple[str, str]:
        return self.principal.audit_actor if self.principal else ("system", "anonymous")

    def audit_fields(self) -> dict[str, Any]:
        return {"actor": self.actor, "request_id": self.request_id, "source_ip": self.source_ip}


def caller_of(conn: HTTPConnection | Any, token_info: dict[str, Any] | None = None) -> Caller:
    principal = token_info.get("principal") if token_info else None
    client = conn.scope.get("client")
    return Caller(
        principal=principal,
        request_id=conn.scope.get("state", {}).get("request_id"),
        source_ip=client[0] if client else None,
    )
