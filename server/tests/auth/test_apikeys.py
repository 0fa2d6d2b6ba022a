from __future__ import annotations

import secrets

from hypothesis import given
from hypothesis import strategies as st

from tidings_server.auth import apikeys

PEPPER = secrets.token_bytes(32)


def test_generated_keys_parse_back_and_verify() -> None:
    key = apikeys.generate(PEPPER, "test")
    parsed = apikeys.parse(key.key)
    assert parsed is not None
    assert parsed.environment == "test"
    assert parsed.key_id == key.key_id
    assert apikeys.verify(PEPPER, key.key, key.digest)


def test_the_digest_depends_on_the_pepper() -> None:
    key = apikeys.generate(PEPPER)
    assert not apikeys.verify(secrets.token_bytes(32), key.key, key.digest)


def test_keys_are_unique() -> None:
    keys = {apikeys.generate(PEPPER).key for _ in range(1000)}
    assert len(keys) == 1000


@given(st.text(max_size=80))
def test_arbitrary_text_never_parses_as_a_key_unless_well_formed(text: str) -> None:
    parsed = apikeys.parse(text)
    if parsed is not None:
        assert text.startswith(("tdg_live_", "tdg_test_"))
        assert len(text) == len("tdg_live_") + 12 + 1 + 32


@given(st.integers(min_value=0, max_value=55), st.characters(codec="ascii"))
def test_any_single_character_change_fails_verification(position: int, char: str) -> None:
    key = apikeys.generate(PEPPER)
    position %= len(key.key)
    changed = key.key[:position] + char + key.key[position + 1 :]
    if changed != key.key:
        assert not apikeys.verify(PEPPER, changed, key.digest)
