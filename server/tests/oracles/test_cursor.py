"""Cursors against their documented layout, rebuilt here from the module's documentation:
`c1_` + base64url(project id 16 B ‖ epoch 8 B ‖ sequence 8 B ‖ HMAC-SHA256 tag 12 B), unpadded,
the tag keyed by HMAC-SHA256(secret, "tidings event cursor v1"). Order is (project, epoch, seq).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
import uuid

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tidings_server.events.cursor import CURSOR_PATTERN, Cursor, CursorCodec
from tidings_server.events.errors import InvalidCursor

SECRET = b"s" * 32
U64 = st.integers(min_value=0, max_value=2**64 - 1)
CURSOR = st.builds(Cursor, st.uuids(), U64, U64)


def documented(secret: bytes, project: uuid.UUID, epoch: int, seq: int) -> str:
    key = hmac.new(secret, b"tidings event cursor v1", hashlib.sha256).digest()
    body = project.bytes + epoch.to_bytes(8, "big") + seq.to_bytes(8, "big")
    tag = hmac.new(key, body, hashlib.sha256).digest()[:12]
    return "c1_" + base64.urlsafe_b64encode(body + tag).decode().rstrip("=")


@given(CURSOR)
@example(Cursor(uuid.UUID(int=0), 0, 0))
@example(Cursor(uuid.UUID(int=2**128 - 1), 2**64 - 1, 2**64 - 1))
def test_encoding_is_the_documented_layout_and_decodes_back(cursor: Cursor) -> None:
    codec = CursorCodec(SECRET)
    text = codec.encode(cursor)
    assert text == documented(SECRET, cursor.project_id, cursor.epoch, cursor.seq)
    assert len(text) == 3 + 59  # 44 bytes -> 59 base64url characters, unpadded
    assert codec.decode(text) == cursor


def test_a_negative_sequence_is_the_position_before_the_first_event() -> None:
    codec = CursorCodec(SECRET)
    project = uuid.uuid4()
    assert codec.encode(Cursor(project, 7, -1)) == documented(SECRET, project, 7, 0)


@given(CURSOR, st.data())
def test_every_single_character_change_is_refused(cursor: Cursor, data: st.DataObject) -> None:
    codec = CursorCodec(SECRET)
    text = codec.encode(cursor)
    i = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.\n"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != text[i]]))
    altered = text[:i] + replacement + text[i + 1 :]
    # The last character carries 2 padding bits base64 ignores: changing only those is the same
    # cursor. Every other change must be refused.
    try:
        decoded = codec.decode(altered)
    except InvalidCursor:
        return
    assert decoded == cursor
    assert i == len(text) - 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "c1_",
        "c2_" + "A" * 59,
        "C1_" + "A" * 59,
        "c1_" + "A" * 58,
        "c1_" + "A" * 60,
        "c1_" + "A" * 59,  # decodes, but the tag is wrong
        "c1_" + "!" * 59,
        "c1_" + "A" * 58 + "\n",
        "\n" + "c1_" + "A" * 58,
    ],
)
def test_malformed_cursors_are_refused(text: str) -> None:
    with pytest.raises(InvalidCursor):
        CursorCodec(SECRET).decode(text)


@pytest.mark.parametrize("text", ["c1_", "c1_" + "A" * 58, "c1_" + "A" * 60, "x" * 62])
def test_a_cursor_of_the_wrong_length_is_refused_as_not_a_cursor(text: str) -> None:
    with pytest.raises(InvalidCursor, match="pass back a `cursor` exactly as the API returned it"):
        CursorCodec(SECRET).decode(text)


def test_a_cursor_of_another_deployment_is_refused() -> None:
    issued = CursorCodec(b"other secret").encode(Cursor(uuid.uuid4(), 1, 5))
    with pytest.raises(InvalidCursor):
        CursorCodec(SECRET).decode(issued)


def test_the_pattern_names_exactly_the_encoded_shape() -> None:
    text = CursorCodec(SECRET).encode(Cursor(uuid.uuid4(), 1, 2))
    assert re.fullmatch(CURSOR_PATTERN.removeprefix("^").removesuffix("$"), text)
    assert CURSOR_PATTERN == "^c1_[A-Za-z0-9_-]{59}$"


def test_cursors_are_immutable_hashable_values() -> None:
    cursor = Cursor(uuid.uuid4(), 1, 2)
    assert {cursor: 1}[Cursor(cursor.project_id, 1, 2)] == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        cursor.seq = 3  # type: ignore[misc]
    assert not hasattr(cursor, "__dict__")  # slots: one cursor per delivered event, kept small


@given(CURSOR, CURSOR)
def test_cursors_order_by_project_then_epoch_then_sequence(a: Cursor, b: Cursor) -> None:
    key = lambda c: (c.project_id.bytes, c.epoch, c.seq)  # noqa: E731
    assert (a < b) is (key(a) < key(b))
    assert (a == b) is (key(a) == key(b))
