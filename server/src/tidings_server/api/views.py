"""Rows → the JSON shapes of spec/schemas/identity.yaml. One function per schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tidings_server.store.models import (
    ApiKey,
    AuditEntry,
    Invitation,
    Membership,
    Project,
    SigningKey,
    Tenant,
    User,
)
from tidings_server.store.pagination import encode_cursor

__all__ = [
    "api_key",
    "audit_entry",
    "invitation",
    "member",
    "page",
    "project",
    "signing_key",
    "tenant",
    "user",
]


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


def page(items: list[Any], limit: int, render: Any, cursor_of: Any = None) -> dict[str, Any]:
    """A list answer: `items` (at most `limit`) and `next_cursor` when there are more.
    `items` holds up to limit + 1 rows (the extra one only says that more exist)."""
    shown = items[:limit]
    body: dict[str, Any] = {"items": [render(i) for i in shown]}
    if len(items) > limit:
        last = shown[-1]
        body["next_cursor"] = cursor_of(last) if cursor_of else encode_cursor(last.created_at, last.id)
    return body


def tenant(row: Tenant, role: str | None = None) -> dict[str, Any]:
    return _drop_none(
        {
            "id": str(row.id),
            "slug": row.slug,
            "name": row.name,
            "status": row.status,
            "plan": row.plan,
            "created_at": _ts(row.created_at),
            "role": role,
        }
    )


def project(row: Project) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "tenant_id": str(row.tenant_id),
        "slug": row.slug,
        "name": row.name,
        "settings": row.settings,
        "created_at": _ts(row.created_at),
    }


def user(row: User, memberships: list[Membership]) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "email": row.email,
        "name": row.name,
        "operator": row.operator,
        "memberships": [{"tenant_id": str(m.tenant_id), "role": m.role} for m in memberships],
    }


def member(membership: Membership, row: User) -> dict[str, Any]:
    return {
        "user_id": str(row.id),
        "email": row.email,
        "name": row.name,
        "role": membership.role,
        "created_at": _ts(membership.created_at),
    }


def invitation(row: Invitation, token: str | None = None) -> dict[str, Any]:
    return _drop_none(
        {
            "id": str(row.id),
            "tenant_id": str(row.tenant_id),
            "email": row.email,
            "role": row.role,
            "expires_at": _ts(row.expires_at),
            "token": token,
        }
    )


def api_key(row: ApiKey, secret: str | None = None) -> dict[str, Any]:
    return _drop_none(
        {
            "id": str(row.id),
            "key_id": row.key_id,
            "project_id": str(row.project_id),
            "name": row.name,
            "scopes": row.scopes,
            "rate_limit": row.rate_limit,
            "created_at": _ts(row.created_at),
            "last_used_at": _ts(row.last_used_at),
            "expires_at": _ts(row.expires_at),
            "revoked_at": _ts(row.revoked_at),
            "key": secret,
        }
    )


def signing_key(row: SigningKey, secret: str | None = None) -> dict[str, Any]:
    return _drop_none(
        {
            "kid": row.kid,
            "alg": row.alg,
            "public_key": row.public_key,
            "max_capabilities": row.max_capabilities,
            "created_at": _ts(row.created_at),
            "secret": secret,
        }
    )


def audit_entry(row: AuditEntry) -> dict[str, Any]:
    return _drop_none(
        {
            "id": str(row.id),
            "tenant_id": str(row.tenant_id) if row.tenant_id else None,
            "action": row.action,
            "actor": {"type": row.actor_type, "id": row.actor_id},
            "target": {"type": row.target_type, "id": row.target_id} if row.target_type else None,
            "request_id": row.request_id,
            "source_ip": row.source_ip,
            "details": row.details,
            "created_at": _ts(row.created_at),
        }
    )
