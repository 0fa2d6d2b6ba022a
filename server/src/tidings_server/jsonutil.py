"""JSON encoding with orjson's speed and the full JSON number range.

orjson refuses to encode integers outside 64 bits. Request bodies never produce one (orjson
parses them as floats), but PostgreSQL's jsonb hands numbers back in full (a schema's
`-2.2e175` returns as a 176-digit integer), so answers fall back to the standard library for
the rare document that holds one; every other document takes the fast path.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["dumps"]


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON."""
    try:
        return orjson.dumps(obj)
    except TypeError as exc:
        if "64-bit" not in str(exc):
            raise
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
