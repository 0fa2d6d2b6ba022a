"""When a realtime connection's credential expires, and when to replace it.

The SDK never verifies a token (the server does); it only reads the `exp` claim of a JWT to
know when to ask the token provider for a fresh one. An API key, or a token whose expiry cannot
be read, is never refreshed proactively: the server's `token_expired` close then makes the
connection reconnect with whatever the provider gives next.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime

__all__ = ["jwt_expiry", "parse_timestamp", "refresh_delay"]


def jwt_expiry(token: str) -> float | None:
    """The `exp` claim (Unix seconds) of a JWT, unverified; None if `token` is not a JWT with one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


def parse_timestamp(text: str) -> float | None:
    """An RFC 3339 timestamp (`authed.expires_at`) as Unix seconds; None if unreadable."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def refresh_delay(expires_at: float, now: float, before: float) -> float:
    """Seconds from `now` until the credential expiring at `expires_at` should be replaced.

    `before` seconds ahead of expiry, but never more than half the remaining lifetime ahead: a
    token that lives 30 s refreshed "60 s early" would be replaced in a loop.
    """
    remaining = expires_at - now
    return max(0.0, remaining - min(before, remaining / 2))
