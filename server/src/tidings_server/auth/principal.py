"""Who is calling: the result of authentication, handed to handlers as `token_info["principal"]`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

from tidings_server.auth.grants import Grants

__all__ = ["Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    kind: Literal["api_key", "client_token", "user"]
    subject: str
    """`key:<key id>`, the end-user id of a client token, or the user id."""
    tenant_id: uuid.UUID | None = None
    """Set for API keys and client tokens (the project's tenant); users act across memberships."""
    project_id: uuid.UUID | None = None
    key_id: str | None = None
    user_id: uuid.UUID | None = None
    operator: bool = False
    grants: Grants = field(default_factory=dict)
    rate_limit: tuple[float, int] | None = None
    """(per second, burst) override of an API key."""
    expires_at: int | None = None
    """Unix time at which the credential expires (client tokens; API keys with an expiry)."""
    signing_kid: str | None = None
    """The signing key id a client token was verified with (its revocation ends the token)."""

    @property
    def audit_actor(self) -> tuple[str, str]:
        if self.kind == "user":
            return ("operator" if self.operator else "user", self.subject)
        if self.kind == "api_key":
            return ("api_key", self.key_id or self.subject)
        return ("client_token", self.subject)

    def token_info(self) -> dict[str, object]:
        return {"sub": self.subject, "principal": self}
