"""Reference models of the rules the security- and delivery-critical cores implement, written
from the documentation (spec/asyncapi.yaml, the modules' docstrings), sharing no code with
`tidings_server`. Tests compare the implementation with these; `make mutation` checks that the
comparison catches wrong code.
"""

from __future__ import annotations

import itertools
import json
from functools import cache
from pathlib import Path

VECTORS = json.loads((Path(__file__).parents[3] / "spec" / "vectors" / "topics.json").read_text())

TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def model_tokens(text: str) -> list[str] | None:
    """Split by hand, character by character; None when the text cannot be a topic or pattern."""
    if len(text) == 0 or len(text) >= 256:
        return None
    tokens, current = [], ""
    for ch in text:
        if ch == ".":
            tokens.append(current)
            current = ""
        else:
            current += ch
    tokens.append(current)
    return tokens if 1 <= len(tokens) <= 16 else None


def model_is_topic(text: str) -> bool:
    tokens = model_tokens(text)
    return tokens is not None and all(t != "" and set(t) <= TOKEN_CHARS for t in tokens)


def model_is_pattern(text: str) -> bool:
    tokens = model_tokens(text)
    if tokens is None:
        return False
    *body, last = tokens
    return all(t == "*" or (t != "" and set(t) <= TOKEN_CHARS) for t in body) and (
        last in ("*", ">") or (last != "" and set(last) <= TOKEN_CHARS)
    )


def model_match(pattern: tuple[str, ...], topic: tuple[str, ...]) -> bool:
    """NATS matching, recursively: `*` eats one token, a final `>` eats one or more."""
    if not pattern:
        return not topic
    head, rest = pattern[0], pattern[1:]
    if head == ">":
        return len(topic) >= 1
    if not topic:
        return False
    return (head == "*" or head == topic[0]) and model_match(rest, topic[1:])


# A finite universe that decides `covers` for patterns over ALPHABET up to 3 tokens: topics one
# token deeper than any pattern, over the pattern alphabet plus a token no pattern names.
ALPHABET = ("a", "b")
UNIVERSE = [tuple(t) for depth in range(1, 5) for t in itertools.product((*ALPHABET, "z"), repeat=depth)]
PATTERNS = sorted(
    {".".join(p) for n in (1, 2, 3) for p in itertools.product((*ALPHABET, "*"), repeat=n)}
    | {".".join((*p, ">")) for n in (0, 1, 2) for p in itertools.product((*ALPHABET, "*"), repeat=n)}
)


@cache
def matched(pattern: str) -> frozenset[tuple[str, ...]]:
    return frozenset(t for t in UNIVERSE if model_match(tuple(pattern.split(".")), t))


def model_covers(grant: str, requested: str) -> bool:
    return matched(requested) <= matched(grant)
