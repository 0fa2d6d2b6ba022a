"""Grants (`allows`, `normalize`, `uncovered`) against a model built on the brute-force `covers`
of oracles.model: what a credential may do is decided by enumeration, not by the code under test.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from oracles.model import PATTERNS, model_covers

from tidings_server.auth import grants

TOPIC_SCOPES = ("publish", "subscribe", "history")
# "ad" and "adminx" sort next to "admin": only the exact name is the admin scope.
SCOPE = st.sampled_from([*TOPIC_SCOPES, "admin", "ad", "adminx"])
PATTERN = st.sampled_from(PATTERNS)
GRANTS = st.dictionaries(SCOPE, st.lists(PATTERN, max_size=4), max_size=4)


def model_allows(held: dict[str, list[str]], scope: str, pattern: str) -> bool:
    if scope not in held:
        return False
    return scope == "admin" or any(model_covers(g, pattern) for g in held[scope])


def model_uncovered(child: dict[str, list[str]], parent: dict[str, list[str]]) -> list[str]:
    missing: list[str] = []
    for scope, patterns in child.items():
        if scope not in parent:
            missing.append(scope)
        elif scope != "admin":
            missing += [f"{scope}:{p}" for p in patterns if not model_allows(parent, scope, p)]
    return missing


def test_the_scopes_are_the_documented_ones() -> None:
    assert grants.SCOPES == ("publish", "subscribe", "history", "admin")
    assert grants.CLIENT_SCOPES == TOPIC_SCOPES


@given(GRANTS, SCOPE, PATTERN)
@example({"publish": ["a"]}, "publish", "a.b")
@example({"publish": ["a.>"]}, "publish", "a")
@example({"publish": ["a.>"]}, "subscribe", "a.b")
@example({"admin": []}, "admin", "a")
@example({}, "admin", "a")
@example({"publish": []}, "publish", "a")
@example({"ad": ["a"]}, "ad", "b")  # a scope name that sorts before "admin" is not admin
def test_allows_equals_the_model(held: dict[str, list[str]], scope: str, pattern: str) -> None:
    assert grants.allows(held, scope, pattern) is model_allows(held, scope, pattern)


@given(GRANTS)
@example({"publish": ["a.*", "a.b", "a.b", ">"]})
@example({"subscribe": ["a.>", "a.*.>", "b"], "history": []})
def test_normalize_keeps_exactly_what_is_allowed_and_nothing_redundant(held: dict[str, list[str]]) -> None:
    normalized = grants.normalize(held)
    assert list(normalized) == [s for s in grants.SCOPES if s in held]  # documented scope order
    for scope, patterns in normalized.items():
        assert patterns == sorted(set(patterns))
        assert set(patterns) <= set(held[scope])
        for p in patterns:  # nothing covered by another kept pattern
            assert not any(o != p and model_covers(o, p) for o in patterns), (scope, p)
        for requested in PATTERNS:  # the same topics, exactly
            assert model_allows(normalized, scope, requested) is model_allows(held, scope, requested)


@given(GRANTS, GRANTS)
@example({"publish": ["a.b"]}, {"publish": ["a"]})
@example({"publish": ["a"]}, {"publish": ["a.>"]})
@example({"admin": ["a"]}, {"admin": []})
@example({"admin": []}, {})
@example({"history": [">"]}, {"history": ["*.>"]})
@example({"ad": ["b"]}, {"ad": ["a"]})
def test_uncovered_equals_the_model(child: dict[str, list[str]], parent: dict[str, list[str]]) -> None:
    assert grants.uncovered(child, parent) == model_uncovered(child, parent)
