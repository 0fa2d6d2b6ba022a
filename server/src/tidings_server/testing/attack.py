"""Hostile input derived from the contract, for the attack suites (tests/attack/).

`OPERATIONS` is every operation of spec/openapi.yaml with its parameters and JSON body schema
(every `$ref` resolved), so a suite attacks what the spec declares, not a hand-kept list;
`valid_value` is the simplest value a parameter's schema allows (the base a case mutates).
`LogCapture` collects what the server logs while a case runs (the live server runs in a thread
of the test process); `assert_problem` checks a refusal's shape.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from hypothesis import Phase, find, settings
from hypothesis import strategies as st

from tidings_server.spec import error_registry, spec_dir
from tidings_server.testing.live import LiveServer

__all__ = [
    "CONTROL_INFIXES",
    "CONTROL_SUFFIXES",
    "INTEGER_QUERY_PARAMETERS",
    "MALFORMED_IDS",
    "NUMERIC_BODY_FIELDS",
    "NUMERIC_EXTREMES",
    "OPERATIONS",
    "PATH_PARAMETERS",
    "STRING_PARAMETERS",
    "LogCapture",
    "Operation",
    "Spec",
    "Target",
    "assert_problem",
    "body_with",
    "numeric_fields",
    "path_for",
    "valid_value",
]

METHODS = ("get", "post", "put", "patch", "delete")

# Strings a client can put in a value, each a control character where it does harm: a final
# newline (Python's `$`), CR LF (header and log splitting), NUL (C strings, PostgreSQL text),
# ESC (terminal escapes), DEL, and a C1 control (NEL).
CONTROL_SUFFIXES = ("\n", "\r\n", "\x1b[31m", "\x7f", "\x85")
CONTROL_INFIXES = ("\x00", "\t", "\n")

# Path ids of the wrong shape: the dashes of a UUID only, zeros, a letter out of hex, empty-ish,
# far too long, non-ASCII, SQL, a percent-encoded NUL.
MALFORMED_IDS = (
    "-" * 36,
    "0" * 36,
    "00000000-0000-0000-0000-00000000000g",
    "x",
    "a" * 1000,
    "%C3%A9t%C3%A9",
    "1%20OR%201%3D1",
    "%00",
    "9" * 19,
)

# Numbers at and past every bound JSON carries: past 64 bits, float extremes, a fraction for an
# integer, negative zero, and the 64-bit edges.
NUMERIC_EXTREMES: tuple[Any, ...] = (10**30, -(10**30), 2**63, 2**64, -(2**63) - 1, 1e308, -1e308, 1.5, -0.0)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    security: tuple[str, ...]
    body_schema: dict[str, Any] | None

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.path}"


class Spec:
    """spec/openapi.yaml with its `$ref`s (to components and to the schema files) resolved."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[Path, Any] = {}
        self.doc = self._load(root / "openapi.yaml")

    def _load(self, path: Path) -> Any:
        if path not in self._files:
            self._files[path] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return self._files[path]

    def resolve(self, node: Any, base: Path, depth: int = 0) -> Any:
        """`node` with every `$ref` replaced by what it names (recursion cut at a depth)."""
        if depth > 12:
            return {}
        if isinstance(node, list):
            return [self.resolve(n, base, depth) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            file, _, pointer = node["$ref"].partition("#")
            target_file = (base.parent / file).resolve() if file else base
            target = self._load(target_file)
            for part in pointer.strip("/").split("/"):
                if part:
                    target = target[part]
            return self.resolve(target, target_file, depth + 1)
        return {k: self.resolve(v, base, depth + 1) for k, v in node.items()}

    def operations(self) -> list[Operation]:
        base = self.root / "openapi.yaml"
        found = []
        for path, item in self.doc["paths"].items():
            shared = item.get("parameters", [])
            for method in METHODS:
                if method not in item:
                    continue
                op = item[method]
                params = tuple(self.resolve(p, base) for p in [*shared, *op.get("parameters", [])])
                security = op.get("security", self.doc.get("security", []))
                body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
                found.append(
                    Operation(
                        method,
                        path,
                        params,
                        tuple(name for requirement in security for name in requirement),
                        None if body is None else self.resolve(body, base),
                    )
                )
        return found


SPEC = Spec(spec_dir())
OPERATIONS = SPEC.operations()


def valid_value(schema: dict[str, Any]) -> str:
    """The simplest value the schema allows (Hypothesis' minimal example of its pattern)."""
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("type") == "integer":
        return str(schema.get("minimum", 1))
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-01-01"
    if fmt == "date-time":
        return "2026-01-01T00:00:00Z"
    pattern = schema.get("pattern")
    return _minimal(pattern) if pattern else "a"


@functools.cache
def _minimal(pattern: str) -> str:
    # The first example found, without shrinking (which costs seconds a pattern on a busy box).
    value: str = find(
        st.from_regex(pattern, fullmatch=True),
        lambda s: "\n" not in s,
        settings=settings(phases=[Phase.generate], derandomize=True, database=None),
    )
    return value


def path_for(op: Operation, values: dict[str, str]) -> str:
    """`op`'s path with each parameter from `values` (as given: already URL-encoded), else the
    simplest valid value of its schema."""
    path = op.path
    for p in op.parameters:
        if p["in"] == "path":
            value = values.get(p["name"]) or valid_value(p.get("schema", {}))
            path = path.replace("{" + p["name"] + "}", value)
    return path


def numeric_fields(schema: dict[str, Any], pointer: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON pointer, schema) of every integer or number property of an object schema."""
    for name, sub in (schema.get("properties") or {}).items():
        where = f"{pointer}/{name}"
        kind = sub.get("type")
        if kind in ("integer", "number"):
            yield where, sub
        elif kind == "object" or "properties" in sub:
            yield from numeric_fields(sub, where)


def body_with(pointer: str, value: Any) -> dict[str, Any]:
    body: dict[str, Any] = {}
    node = body
    parts = pointer.strip("/").split("/")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return body


def _params(kind: str) -> list[tuple[Operation, dict[str, Any]]]:
    return [
        (op, p)
        for op in OPERATIONS
        for p in op.parameters
        if p["in"] == kind and p.get("schema", {}).get("type", "string") == "string"
    ]


STRING_PARAMETERS = _params("path") + _params("query") + _params("header")
PATH_PARAMETERS = _params("path")
INTEGER_QUERY_PARAMETERS = [
    (op, p)
    for op in OPERATIONS
    for p in op.parameters
    if p["in"] == "query" and p.get("schema", {}).get("type") == "integer"
]
NUMERIC_BODY_FIELDS = [
    (op, pointer, schema)
    for op in OPERATIONS
    if op.body_schema is not None
    for pointer, schema in numeric_fields(op.body_schema)
]


@dataclass(frozen=True)
class Target:
    server: LiveServer
    tenant: str
    project: str
    user_id: str
    key: str
    key_id: str
    user_token: str

    def credential(self, op: Operation) -> dict[str, str]:
        if not op.security:
            return {}
        token = self.user_token if "UserToken" in op.security else self.key
        return {"authorization": f"Bearer {token}"}

    def real(self, name: str) -> str | None:
        return {
            "tenant": self.tenant,
            "project": self.project,
            "user_id": self.user_id,
            "key_id": self.key_id,
        }.get(name)


class LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def tracebacks(self) -> list[str]:
        return [
            f"{r.name}: {r.getMessage()}"
            for r in self.records
            if r.exc_info is not None or r.levelno >= logging.ERROR
        ]


CODES = frozenset(error_registry())


def assert_problem(response: httpx.Response, status: int | tuple[int, ...], code: str | None = None) -> None:
    """A problem+json answer with `status` and a registered code (`code` when given)."""
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (
        response.request.method,
        str(response.request.url),
        response.text,
    )
    assert response.headers["content-type"].split(";")[0] == "application/problem+json", response.text
    body = response.json()
    assert body["code"] in CODES, body
    if code is not None:
        assert body["code"] == code, body
    assert body["status"] == response.status_code, body
