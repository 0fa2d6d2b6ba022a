"""JSON encoding with orjson's speed and the full JSON number range.

orjson refuses to encode integers outside 64 bits. Request bodies never carry one (the request
validator refuses them), but PostgreSQL's jsonb hands numbers back in full (a schema's
`-2.2e175` returns as a 176-digit integer), so answers fall back to the standard library for
the rare document that holds one; every other document takes the fast path.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["dumps", "nests_deeper_than"]


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON."""
    try:
        return orjson.dumps(obj)
    except TypeError as exc:
        if "64-bit" not in str(exc):
            raise
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects in `value` nest deeper than `limit` levels (the outermost
    container is level 1). Iterative, so no depth of input can exhaust the stack; stops at the
    first container past the limit."""
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            if level > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return False
