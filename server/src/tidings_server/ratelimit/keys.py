"""Limiter keys (`tenant:<id>`, `key:<key id>`) and their NATS KV key names.

A limiter key is any string; the two scopes the platform uses are built here so that every caller
spells them the same way. NATS KV keys allow only `[-/_=.a-zA-Z0-9]` with no empty `.` token, so
`kv_key` maps `:`-separated scopes to `.`-separated tokens and encodes any token that is not
plain (`[-_a-zA-Z0-9]+`) as `=` + unpadded base64url. Plain tokens never start with `=`, so the
mapping is injective: two limiter keys never share a KV key.
"""

from __future__ import annotations

import base64
import re

__all__ = ["api_key_scope", "kv_key", "tenant_scope"]

_PLAIN = re.compile(r"[-_a-zA-Z0-9]+")


def tenant_scope(tenant_id: object) -> str:
    """The limiter key of a tenant (all its projects and keys together)."""
    return f"tenant:{tenant_id}"


def api_key_scope(key_id: str) -> str:
    """The limiter key of one API key, by its public key id."""
    return f"key:{key_id}"


def kv_key(key: str) -> str:
    """The NATS KV key name holding `key`'s state; valid for any input string."""
    tokens = []
    for token in key.split(":"):
        if _PLAIN.fullmatch(token):
            tokens.append(token)
        else:
            tokens.append("=" + base64.urlsafe_b64encode(token.encode()).decode().rstrip("="))
    return ".".join(tokens)
