"""Structured logs: one JSON object per line in production, a readable line in `dev`.

Each record carries the request id of the request being served (a context variable set by the
request middleware). Values that look like credentials are masked before anything is written,
whatever the message: a defence in depth behind "never pass a secret to a logger".

Control characters in a message or a field (a request path, a topic, anything a client sent)
are escaped in both formats (`\n`, `\x1b`, `\x85`), so a client cannot forge a log line or
send escape sequences to an operator's terminal. JSON escapes C0 controls itself; the console
format, DEL and C1 controls are escaped here. A traceback keeps its own line breaks.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

__all__ = ["configure_logging", "escape_controls", "redact", "request_id_var"]

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# API keys (tdg_live_<id>_<secret> keeps its public id), bearer values, JWTs, URL passwords.
_SECRETS = (
    (re.compile(r"\b(tdg_(?:live|test)_[a-z2-7]{12})_[A-Za-z0-9]{32}\b"), r"\1_[REDACTED]"),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[REDACTED]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "[REDACTED-JWT]"),
    (re.compile(r"(?i)\b(\w+://[^:/@\s]+:)[^@\s]+@"), r"\1[REDACTED]@"),
    (re.compile(r"(?i)\b((?:token|access_token|api_key|password|secret)=)[^&\s]+"), r"\1[REDACTED]"),
)

# Attributes every record has; the rest are the `extra=` fields we log. uvicorn adds
# `color_message`, a duplicate of the message with terminal colours.
_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_NOT_JSON_ESCAPED = re.compile("[\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\x{ord(char):02x}"


def escape_controls(text: str) -> str:
    """`text` with every control character (C0, DEL, C1) written as a backslash escape."""
    return _CONTROLS.sub(_escape, text)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS and not k.startswith("_")}


def _json_safe(text: str) -> str:
    # orjson escapes C0 controls; DEL and C1 it writes as they are.
    return _NOT_JSON_ESCAPED.sub(_escape, text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": _json_safe(redact(record.getMessage())),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in _extras(record).items():
            entry[key] = _json_safe(redact(value)) if isinstance(value, str) else value
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(entry, default=str).decode()


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        line = f"{stamp} {record.levelname:<7} {record.name}: {escape_controls(record.getMessage())}"
        extras = _extras(record)
        request_id = request_id_var.get()
        if request_id:
            extras = {"request_id": request_id, **extras}
        if extras:
            line += " " + " ".join(f"{k}={escape_controls(str(v))}" for k, v in extras.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else ConsoleFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Our middleware writes the access log (without query strings, which may hold tokens).
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
