"""Every parameter of every operation (spec/openapi.yaml), with control characters and, for
path ids, malformed values: 404 `not_found` for a path, 400 for a query or a header."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx

from tidings_server.testing.attack import (
    CONTROL_INFIXES,
    CONTROL_SUFFIXES,
    MALFORMED_IDS,
    NUMERIC_EXTREMES,
    Operation,
    Target,
    assert_problem,
    path_for,
    valid_value,
)
from tidings_server.testing.rawhttp import raw_request
from tidings_server.validation import parameter_validator


def _mutations(base: str, *, suffixes: tuple[str, ...], infixes: tuple[str, ...]) -> list[str]:
    middle = len(base) // 2
    return [base + s for s in suffixes] + [base[:middle] + c + base[middle:] for c in infixes]


async def _call(
    http: httpx.AsyncClient,
    target: Target,
    op: Operation,
    *,
    path: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"json": {}} if op.body_schema is not None else {}
    return await http.request(
        op.method.upper(),
        path_for(op, {**real_ids(target, op), **(path or {})}),
        params=query,
        headers=target.credential(op),
        **body,
    )


def real_ids(target: Target, op: Operation) -> dict[str, str]:
    return {p["name"]: v for p in op.parameters if p["in"] == "path" and (v := target.real(p["name"]))}


async def test_string_parameter_with_control_characters(
    string_parameter: tuple[Operation, dict[str, Any]], target: Target, http: httpx.AsyncClient
) -> None:
    op, param = string_parameter
    schema = param.get("schema", {})
    base = target.real(param["name"]) or valid_value(schema)
    checked = "pattern" in schema or "format" in schema
    values = _mutations(base, suffixes=CONTROL_SUFFIXES, infixes=CONTROL_INFIXES)
    if param["in"] == "path":
        calls = [_call(http, target, op, path={param["name"]: quote(v, safe="")}) for v in values]
        for response in await asyncio.gather(*calls):
            assert_problem(response, 404, "not_found")
    elif param["in"] == "query":
        calls = [_call(http, target, op, query={param["name"]: v}) for v in values]
        for response in await asyncio.gather(*calls):
            assert_problem(response, 400, "validation_failed" if checked else None)
    else:
        # A header value cannot hold CR or LF (they end it) and loses surrounding blanks: the
        # controls go inside, as raw bytes. The HTTP parser refuses some (`bad_request`), the
        # parameter's schema the rest.
        for value in _mutations(base, suffixes=(), infixes=("\x00", "\x1b", "\x7f", "\x85", "\t")):
            await _raw_header_case(target, op, param["name"], value, checked)


async def _raw_header_case(target: Target, op: Operation, name: str, value: str, checked: bool) -> None:
    path = path_for(op, real_ids(target, op))
    body = b"{}" if op.body_schema is not None else b""
    credential = "".join(f"{k}: {v}\r\n" for k, v in target.credential(op).items())
    request = (
        f"{op.method.upper()} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{credential}"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n".encode()
        + name.encode()
        + b": "
        + value.encode()
        + b"\r\n\r\n"
        + body
    )
    response = await raw_request(target.server.port, request)
    assert response is not None
    assert response.status == 400 if checked else 400 <= response.status < 500, response.body
    assert response.headers["content-type"] == "application/problem+json", response.body
    problem = response.json()
    assert isinstance(problem, dict)
    assert problem["code"] in ({"bad_request", "validation_failed"} if checked else problem["code"]), problem


async def test_malformed_path_id(
    path_parameter: tuple[Operation, dict[str, Any]], target: Target, http: httpx.AsyncClient
) -> None:
    op, param = path_parameter
    validator = parameter_validator(param.get("schema", {}))
    # A value the schema allows (a long digit string is a well-formed dead-letter id) is not one.
    malformed = [v for v in MALFORMED_IDS if not validator.is_valid(v)]
    for response in await asyncio.gather(
        *[_call(http, target, op, path={param["name"]: v}) for v in malformed]
    ):
        assert_problem(response, 404, "not_found")


async def test_integer_query_parameter_at_the_extremes(
    integer_parameter: tuple[Operation, dict[str, Any]], target: Target, http: httpx.AsyncClient
) -> None:
    op, param = integer_parameter
    values = [*NUMERIC_EXTREMES, "1e3", "0x10", "", " 1", "1\n", "NaN", "Infinity"]
    for response in await asyncio.gather(
        *[_call(http, target, op, query={param["name"]: str(v)}) for v in values]
    ):
        assert_problem(response, 400, "validation_failed")
