"""Every `pattern` of the contract refuses a trailing newline and embedded control characters,
as the server checks it (ECMA-262 semantics, tidings_server.validation), found by walking the
documents rather than listed by hand, so a pattern added later is covered too."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings_server.spec import spec_dir
from tidings_server.validation import ecma_regex, parameter_validator

# Unicode category Cc: C0 controls, DEL, C1 controls.
CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]]


def _patterns(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        pattern = node.get("pattern")
        if isinstance(pattern, str) and node.get("type", "string") == "string":
            yield where, pattern
        for key, value in node.items():
            yield from _patterns(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _patterns(value, f"{where}/{i}")


def spec_patterns() -> list[tuple[str, str]]:
    root = spec_dir()
    documents = [root / "openapi.yaml", root / "asyncapi.yaml", *sorted((root / "schemas").glob("*.yaml"))]
    found: dict[str, str] = {}
    for document in documents:
        for where, pattern in _patterns(yaml.safe_load(document.read_text()), document.name):
            found.setdefault(pattern, where)
    return sorted((where, pattern) for pattern, where in found.items())


PATTERNS = spec_patterns()


def test_the_walk_finds_the_patterns() -> None:
    # Topic, id, slug, cursor, email, ... patterns live in openapi.yaml and the schema files.
    assert len(PATTERNS) >= 20
    assert any(
        Path(where.split("/")[0]).name == "asyncapi.yaml" or "realtime" in where for where, _ in PATTERNS
    )


def test_python_re_alone_would_accept_a_trailing_newline() -> None:
    """Why the validators translate: `$` in Python matches before a final newline."""
    topic = next(p for _, p in PATTERNS if p.startswith("^(?:[A-Za-z0-9_-]+\\.)"))
    assert re.search(topic, "orders.created\n")
    assert not ecma_regex(topic).search("orders.created\n")


@pytest.mark.parametrize(("where", "pattern"), PATTERNS, ids=[w for w, _ in PATTERNS])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_pattern_refuses_control_characters(where: str, pattern: str, data: st.DataObject) -> None:
    validator = parameter_validator({"type": "string", "pattern": pattern})
    # Hypothesis cannot generate through a lookahead: generate without it, keep what it allows.
    generator = re.sub(r"\(\?=[^)]*\)", "", pattern)
    valid = data.draw(st.from_regex(generator, fullmatch=True).filter(validator.is_valid), label="valid")
    assert not validator.is_valid(valid + "\n"), f"{where}: {valid!r} + newline accepted"
    assert not validator.is_valid(valid + "\r\n"), f"{where}: {valid!r} + CRLF accepted"
    control = data.draw(st.sampled_from(CONTROLS), label="control")
    at = data.draw(st.integers(0, len(valid)), label="at")
    embedded = valid[:at] + control + valid[at:]
    assert not validator.is_valid(embedded), f"{where}: {embedded!r} accepted"
