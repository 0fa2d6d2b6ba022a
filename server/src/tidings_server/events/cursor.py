"""Event cursors: an opaque, tamper-evident position in one project's stream.

A cursor names the position just after one event: `GET …/events?after=<cursor>` returns the
events published after it. It is `c1_` + base64url of

    project id (16 bytes) ‖ stream epoch (8, µs) ‖ sequence (8) ‖ HMAC-SHA256 tag (12)

The tag (under a key derived from the server's token secret, shared by every node) makes a
cursor impossible to forge or alter: a cursor that decodes is one this platform issued. The
project id lets a cursor of another project be refused as such; the epoch changes whenever the
project's stream is created again, so a cursor can never silently point into another
incarnation of the stream. Sequence 0 is the position before the first event.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import uuid
from dataclasses import dataclass

from tidings_server.events.errors import InvalidCursor

__all__ = ["CURSOR_PATTERN", "Cursor", "CursorCodec"]

_PREFIX = "c1_"
_BODY = struct.Struct(">16sQQ")
# 96 bits: forging needs ~2^96 tries against the live server; the cursor stays short.
_TAG_BYTES = 12
_LENGTH = len(_PREFIX) + len(base64.urlsafe_b64encode(b"\0" * (_BODY.size + _TAG_BYTES)).rstrip(b"="))
CURSOR_PATTERN = rf"^c1_[A-Za-z0-9_-]{{{_LENGTH - len(_PREFIX)}}}$"


@dataclass(frozen=True, slots=True, order=True)
class Cursor:
    project_id: uuid.UUID
    epoch: int
    seq: int


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"tidings event cursor v1", hashlib.sha256).digest()

    def _tag(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_TAG_BYTES]

    def encode(self, cursor: Cursor) -> str:
        # An empty, new stream reports first_seq 0: its "position before the oldest" is 0 too.
        body = _BODY.pack(cursor.project_id.bytes, cursor.epoch, max(0, cursor.seq))
        raw = base64.urlsafe_b64encode(body + self._tag(body)).rstrip(b"=").decode()
        return _PREFIX + raw

    def decode(self, text: str) -> Cursor:
        """The cursor, or InvalidCursor when `text` is not one this platform issued."""
        if len(text) != _LENGTH or not text.startswith(_PREFIX):
            raise InvalidCursor("not a cursor: pass back a `cursor` exactly as the API returned it")
        encoded = text[len(_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursor("not a cursor: it does not decode") from None
        body, tag = raw[: _BODY.size], raw[_BODY.size :]
        if len(raw) != _BODY.size + _TAG_BYTES or not hmac.compare_digest(tag, self._tag(body)):
            raise InvalidCursor("not a cursor: it was altered or was not issued by this platform")
        project, epoch, seq = _BODY.unpack(body)
        return Cursor(uuid.UUID(bytes=project), epoch, seq)
