"""Secrets never reach the logs, whatever a message contains."""

from __future__ import annotations

import io
import json
import logging

import pytest

from tidings_server.auth import apikeys
from tidings_server.observability.logging import ConsoleFormatter, JsonFormatter, redact, request_id_var

KEY = apikeys.generate(b"p" * 32).key
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"using key {KEY}", KEY.rsplit("_", 1)[1]),
        ("Authorization: Bearer abc.def-ghi", "abc.def-ghi"),
        (f"token {JWT} expired", JWT),
        ("postgresql://tidings:s3cr3t@127.0.0.1:5432/db", "s3cr3t"),
        ("GET /v1/stream?topic=a&token=abcdef123", "abcdef123"),
    ],
)
def test_redact_removes_the_secret(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_the_public_key_id_is_kept() -> None:
    parsed = apikeys.parse(KEY)
    assert parsed is not None
    assert parsed.key_id in redact(KEY)


@pytest.mark.parametrize("formatter", [JsonFormatter(), ConsoleFormatter()])
def test_formatters_redact_messages_extras_and_tracebacks(formatter: logging.Formatter) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    token = request_id_var.set("req-1")
    try:
        logger.warning("key %s", KEY, extra={"header": f"Bearer {KEY}"})
        try:
            raise ValueError(f"bad {KEY}")
        except ValueError:
            logger.exception("failed")
    finally:
        request_id_var.reset(token)
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert KEY not in output
    assert KEY.rsplit("_", 1)[1] not in output
    assert "req-1" in output


def test_json_lines_are_json_with_request_id() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    token = request_id_var.set("r-9")
    try:
        entry = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert entry["msg"] == "hello world"
    assert entry["request_id"] == "r-9"
    assert entry["level"] == "info"


FORGED = "GET /v1/x 200\n12:00:00 INFO    tidings.access: GET /admin 200\x1b[2J\x00\x7f\x85\u2028"


@pytest.mark.parametrize("formatter", [JsonFormatter(), ConsoleFormatter()])
def test_formatters_escape_control_characters(formatter: logging.Formatter) -> None:
    record = logging.LogRecord("tidings.access", logging.INFO, "", 0, "%s", (FORGED,), None)
    record.path = FORGED
    output = formatter.format(record)
    assert "\n" not in output
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in output), repr(output)
    if isinstance(formatter, JsonFormatter):
        assert json.loads(output)["msg"] == FORGED.replace("\x7f", "\\x7f").replace("\x85", "\\x85")
    else:
        assert "\\n12:00:00" in output
        assert "\\x1b[2J\\x00\\x7f\\x85" in output
