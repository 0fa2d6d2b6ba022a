"""Server-Sent Events parsing, sans I/O: bytes in, messages out (the WHATWG event-stream rules).

Feed it the response body in chunks of any size; it returns each complete message once its
blank line arrives. Comments (`: ...`, the server's heartbeats) come out as `Comment` so the
caller can count them as signs of life.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Comment", "SSEMessage", "SSEParser"]


@dataclass(frozen=True, slots=True)
class SSEMessage:
    event: str
    data: str
    id: str | None
    """The last event id seen on the stream (for a Tidings event, its cursor)."""
    retry_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    text: str


class SSEParser:
    def __init__(self) -> None:
        self._buffer = b""
        self._event = ""
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None
        # A stream may start with a byte order mark, which is not part of the first field name.
        self._first = True

    @property
    def last_event_id(self) -> str | None:
        """The stream's last event id so far, also from an `id:` that came without data."""
        return self._id

    def feed(self, chunk: bytes) -> list[SSEMessage | Comment]:
        self._buffer += chunk
        out: list[SSEMessage | Comment] = []
        while True:
            line, ending = self._next_line()
            if ending is None:
                return out
            item = self._line(line)
            if item is not None:
                out.append(item)

    def _next_line(self) -> tuple[str, str | None]:
        # Lines end with CRLF, LF or CR; a CR at the very end may be the first half of a CRLF.
        lf, cr = self._buffer.find(b"\n"), self._buffer.find(b"\r")
        if cr != -1 and (lf == -1 or cr < lf):
            if cr + 1 == len(self._buffer):
                return "", None
            end, skip = cr, 2 if self._buffer[cr + 1 : cr + 2] == b"\n" else 1
        elif lf != -1:
            end, skip = lf, 1
        else:
            return "", None
        raw, self._buffer = self._buffer[:end], self._buffer[end + skip :]
        text = raw.decode("utf-8", "replace")
        if self._first:
            text = text.removeprefix("\ufeff")
            self._first = False
        return text, "\n"

    def _line(self, line: str) -> SSEMessage | Comment | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return Comment(line[1:].removeprefix(" "))
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> SSEMessage | None:
        event, data, retry = self._event, self._data, self._retry
        self._event, self._data, self._retry = "", [], None
        # The last event id persists across messages (it is what a reconnection resumes from).
        if not data:
            return None
        return SSEMessage(event or "message", "\n".join(data), self._id, retry)
