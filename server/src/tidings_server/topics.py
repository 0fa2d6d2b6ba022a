"""Topics and topic patterns (NATS semantics), and what one pattern covers of another.

A topic is 1 to 16 dot-separated tokens of `A-Z a-z 0-9 _ -`, at most 255 characters. A pattern
may also use `*` for exactly one token and, as its last token, `>` for one or more tokens.
Topics are case-sensitive.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_TOKENS",
    "MAX_TOPIC_LENGTH",
    "covers",
    "is_pattern",
    "is_topic",
    "matches",
]

MAX_TOPIC_LENGTH = 255
# Deep hierarchies cost matching time on every delivery; 16 levels is far more than real schemes use.
MAX_TOKENS = 16
# Full-match only: `$` would accept a token ending in a newline.
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def _tokens(text: str) -> list[str] | None:
    if not text or len(text) > MAX_TOPIC_LENGTH:
        return None
    tokens = text.split(".")
    if len(tokens) > MAX_TOKENS:
        return None
    return tokens


def is_topic(text: str) -> bool:
    """A concrete topic: no wildcards."""
    tokens = _tokens(text)
    return tokens is not None and all(_TOKEN.fullmatch(t) for t in tokens)


def is_pattern(text: str) -> bool:
    """A topic or a pattern with `*` tokens and an optional final `>`."""
    tokens = _tokens(text)
    if tokens is None:
        return False
    for i, part in enumerate(tokens):
        if part == ">" and i != len(tokens) - 1:
            return False
        if part not in ("*", ">") and not _TOKEN.fullmatch(part):
            return False
    return True


def matches(pattern: str, topic: str) -> bool:
    """Whether the concrete `topic` is matched by `pattern`."""
    return covers(pattern, topic)


def covers(grant: str, requested: str) -> bool:
    """Whether every topic matched by `requested` is matched by `grant` (both valid patterns).

    `orders.*` covers `orders.created` and `orders.*`, not `orders.>` (which also matches
    `orders.a.b`); `>` covers everything.
    """
    g, r = grant.split("."), requested.split(".")
    for i, gt in enumerate(g):
        if gt == ">":
            return i < len(r)
        if i >= len(r):
            return False
        rt = r[i]
        if rt == ">":
            return False
        if gt != "*" and gt != rt:
            return False
    return len(g) == len(r)
