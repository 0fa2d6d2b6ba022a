"""Role-based access control: the one permission matrix, and the checks every admin operation
makes through it.

A user's role is read from the database on every request (never from the token), so a role
change or a removal takes effect on the user's very next request, on every node. Platform
operators hold every permission in every tenant.

The matrix is rendered into docs/rbac.md by `make docs` (a test keeps them equal).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["MATRIX", "Permission", "assignable_roles", "can", "render_matrix"]

ROLES = ("owner", "admin", "developer", "billing", "viewer")


class Permission(StrEnum):
    TENANT_READ = "tenant:read"
    TENANT_UPDATE = "tenant:update"
    MEMBERS_READ = "members:read"
    MEMBERS_MANAGE = "members:manage"
    PROJECTS_READ = "projects:read"
    PROJECTS_WRITE = "projects:write"
    KEYS_READ = "keys:read"
    KEYS_WRITE = "keys:write"
    TOKENS_MANAGE = "tokens:manage"
    AUDIT_READ = "audit:read"
    USAGE_READ = "usage:read"
    BILLING_MANAGE = "billing:manage"


_ALL = frozenset(ROLES)
_BUILDERS = frozenset({"owner", "admin", "developer"})

MATRIX: dict[Permission, frozenset[str]] = {
    Permission.TENANT_READ: _ALL,
    Permission.TENANT_UPDATE: frozenset({"owner", "admin"}),
    Permission.MEMBERS_READ: _ALL,
    Permission.MEMBERS_MANAGE: frozenset({"owner", "admin"}),
    Permission.PROJECTS_READ: _ALL,
    Permission.PROJECTS_WRITE: _BUILDERS,
    Permission.KEYS_READ: _BUILDERS,
    Permission.KEYS_WRITE: _BUILDERS,
    Permission.TOKENS_MANAGE: _BUILDERS,
    Permission.AUDIT_READ: frozenset({"owner", "admin"}),
    Permission.USAGE_READ: _ALL,
    Permission.BILLING_MANAGE: frozenset({"owner", "billing"}),
}


def can(role: str | None, permission: Permission, *, operator: bool = False) -> bool:
    return operator or (role is not None and role in MATRIX[permission])


def assignable_roles(actor_role: str | None, *, operator: bool = False) -> frozenset[str]:
    """Roles an actor may grant or take away: only owners (and operators) touch `owner`."""
    if operator or actor_role == "owner":
        return _ALL
    if actor_role == "admin":
        return _ALL - {"owner"}
    return frozenset()


def render_matrix() -> str:
    """The matrix as a Markdown table."""
    header = "| Permission | " + " | ".join(ROLES) + " |"
    rows = [header, "| --- |" + " :---: |" * len(ROLES)]
    for permission, roles in MATRIX.items():
        rows.append(f"| `{permission}` | " + " | ".join("✓" if r in roles else "" for r in ROLES) + " |")
    return "\n".join(rows)
