"""Keyset cursors for list endpoints: the position after the last item of a page.

A cursor reads `<created_at in µs since the epoch>.<row id>`. Clients treat it as opaque; its
shape is fixed by the `after` parameter's pattern in spec/openapi.yaml, so every cursor that
passes validation decodes. A cursor only moves a read within a query already scoped to the
caller's tenant, so it needs no signature.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

__all__ = ["decode_cursor", "encode_cursor"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    micros = (created_at - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{row_id}"


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    micros, row_id = cursor.split(".", 1)
    return _EPOCH + timedelta(microseconds=int(micros)), uuid.UUID(row_id)
