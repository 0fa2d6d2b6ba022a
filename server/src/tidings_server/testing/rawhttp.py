"""Raw HTTP for tests: the bytes exactly as written (no client library to fix them up), to
send what real clients never would (empty or absent headers, oversized heads, control bytes)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson

__all__ = ["RawResponse", "raw_request"]


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


async def raw_request(port: int, request: bytes, *, timeout: float = 30.0) -> RawResponse | None:
    """Send `request` as is to 127.0.0.1:`port`; the response, or None when the server closed
    the connection without one. The request should say `Connection: close`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        try:
            writer.write(request)
            await writer.drain()
        except ConnectionError:
            pass  # the server may answer and close before it read everything we sent
        try:
            data = await asyncio.wait_for(reader.read(-1), timeout)
        except ConnectionError:
            data = b""
    finally:
        writer.close()
    if not data:
        return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return RawResponse(int(lines[0].split()[1]), headers, body)
