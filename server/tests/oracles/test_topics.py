"""Topic validity, matching and `covers`, checked against oracles that share no code with
`tidings_server.topics`: hand-written vectors (spec/vectors/topics.json, read by the SDKs too), a
character-level validity model, a recursive token matcher, and a brute-force definition of
`covers` (every topic of a finite universe the request matches, the grant matches too).

A mutant of `topics.py` that changes what any credential may reach fails here (see `make
mutation`); property 16 is the last test of the file.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from oracles.model import (
    ALPHABET,
    PATTERNS,
    UNIVERSE,
    VECTORS,
    model_covers,
    model_is_pattern,
    model_is_topic,
    model_match,
)

from tidings_server import topics


# ---- the hand-written vectors -----------------------------------------------------------------------
@pytest.mark.parametrize("text", VECTORS["topics"]["valid"])
def test_vector_topics_are_valid(text: str) -> None:
    assert topics.is_topic(text)
    assert topics.is_pattern(text)  # every topic is also a pattern that matches only itself


@pytest.mark.parametrize("text", VECTORS["topics"]["invalid"])
def test_vector_non_topics_are_refused(text: str) -> None:
    assert not topics.is_topic(text)


@pytest.mark.parametrize("text", VECTORS["patterns"]["valid"])
def test_vector_patterns_are_valid(text: str) -> None:
    assert topics.is_pattern(text)


@pytest.mark.parametrize("text", VECTORS["patterns"]["invalid"])
def test_vector_non_patterns_are_refused(text: str) -> None:
    assert not topics.is_pattern(text)


@pytest.mark.parametrize("case", VECTORS["matches"], ids=lambda c: f"{c['pattern']}~{c['topic']}")
def test_vector_matches(case: dict[str, object]) -> None:
    assert topics.matches(str(case["pattern"]), str(case["topic"])) is case["expected"]


@pytest.mark.parametrize("case", VECTORS["covers"], ids=lambda c: f"{c['grant']}>={c['requested']}")
def test_vector_covers(case: dict[str, object]) -> None:
    assert topics.covers(str(case["grant"]), str(case["requested"])) is case["expected"]


def test_the_model_agrees_with_the_vectors() -> None:
    """The oracle itself is checked against the hand-written expectations."""
    assert all(model_is_topic(t) for t in VECTORS["topics"]["valid"])
    assert not any(model_is_topic(t) for t in VECTORS["topics"]["invalid"])
    assert all(model_is_pattern(t) for t in VECTORS["patterns"]["valid"])
    assert not any(model_is_pattern(t) for t in VECTORS["patterns"]["invalid"])
    for case in VECTORS["matches"]:
        got = model_match(tuple(case["pattern"].split(".")), tuple(case["topic"].split(".")))
        assert got is case["expected"], case
    for case in VECTORS["covers"]:
        tokens = set(case["grant"].split(".")) | set(case["requested"].split("."))
        if tokens <= {*ALPHABET, "*", ">"}:
            assert model_covers(case["grant"], case["requested"]) is case["expected"], case


# ---- exhaustive and generated comparisons with the model --------------------------------------------
def test_covers_equals_the_brute_force_definition_for_every_small_pattern_pair() -> None:
    wrong = [
        (g, r)
        for g, r in itertools.product(PATTERNS, repeat=2)
        if topics.covers(g, r) is not model_covers(g, r)
    ]
    assert wrong == []


def test_matches_equals_the_model_over_the_universe() -> None:
    wrong = [
        (p, ".".join(t))
        for p in PATTERNS
        for t in UNIVERSE
        if topics.matches(p, ".".join(t)) is not model_match(tuple(p.split(".")), t)
    ]
    assert wrong == []


TEXT = st.text(alphabet=st.sampled_from([*"aZ09_-.*> \n\t\x00é"]), max_size=40)


@given(TEXT)
@example("a." * 15 + "a")  # exactly 16 tokens
@example("a." * 16 + "a")  # 17
@example("x" * 255)
@example("x" * 256)
@example("a.b.>")
@example("a.>.b")
def test_validity_equals_the_model(text: str) -> None:
    assert topics.is_topic(text) is model_is_topic(text)
    assert topics.is_pattern(text) is model_is_pattern(text)


def test_length_and_depth_limits_are_exactly_at_the_documented_bounds() -> None:
    assert (topics.MAX_TOPIC_LENGTH, topics.MAX_TOKENS) == (255, 16)
    sixteen = ".".join(["t"] * 16)
    assert topics.is_topic(sixteen)
    assert not topics.is_topic(sixteen + ".t")
    assert topics.is_pattern(".".join(["t"] * 15 + [">"]))
    assert not topics.is_pattern(".".join(["t"] * 16 + [">"]))
    assert topics.is_topic("y" * 255)
    assert not topics.is_topic("y" * 256)
    assert topics.is_pattern("y" * 253 + ".>")
    assert not topics.is_pattern("y" * 254 + ".>")


SMALL_PATTERN = st.sampled_from(PATTERNS)
SMALL_TOPIC = st.sampled_from(UNIVERSE).map(".".join)


@given(grant=SMALL_PATTERN, requested=SMALL_PATTERN, topic=SMALL_TOPIC)
@example(grant="a", requested="a.b", topic="a.b")
@example(grant="a.>", requested="a", topic="a")
def test_property_16_covers_is_sound(grant: str, requested: str, topic: str) -> None:
    """If a grant covers a request, every topic the request matches is granted — by the model's
    matcher, not by `topics.matches` (which is built on `covers`)."""
    t = tuple(topic.split("."))
    if topics.covers(grant, requested) and model_match(tuple(requested.split(".")), t):
        assert model_match(tuple(grant.split(".")), t)
