"""Grants: scope → topic patterns, for API keys and client tokens.

`{"publish": ["orders.>"], "subscribe": [">"]}` lets a credential publish under `orders.` and
subscribe to everything. A scope that is absent is not granted. `admin` (API keys only) manages
the key's own project; its patterns are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tidings_server import topics

__all__ = ["SCOPES", "Grants", "allows", "normalize", "uncovered"]

SCOPES = ("publish", "subscribe", "history", "admin")
CLIENT_SCOPES = ("publish", "subscribe", "history")

Grants = Mapping[str, Sequence[str]]


def normalize(grants: Grants) -> dict[str, list[str]]:
    """Sorted, de-duplicated, patterns covered by another pattern of the same scope removed."""
    result: dict[str, list[str]] = {}
    for scope in SCOPES:
        if scope not in grants:
            continue
        patterns = sorted(set(grants[scope]))
        kept = [p for p in patterns if not any(o != p and topics.covers(o, p) for o in patterns)]
        result[scope] = kept
    return result


def allows(grants: Grants, scope: str, pattern: str) -> bool:
    """Whether `grants` allow `scope` on every topic `pattern` matches."""
    if scope not in grants:
        return False
    if scope == "admin":
        return True
    return any(topics.covers(granted, pattern) for granted in grants[scope])


def uncovered(child: Grants, parent: Grants) -> list[str]:
    """What `child` asks for beyond `parent`, as `scope:pattern` strings (empty: a subset)."""
    missing = []
    for scope, patterns in child.items():
        if scope not in parent:
            missing.append(f"{scope}")
            continue
        if scope == "admin":
            continue
        missing += [f"{scope}:{p}" for p in patterns if not allows(parent, scope, p)]
    return missing
