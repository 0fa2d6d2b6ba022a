"""The topic schema registry: per project, JSON Schemas (draft 2020-12) for topics or topic
patterns, with versions.

Which schemas apply: for each registered topic pattern that matches the event's topic, the
newest version that is not deprecated. An event must satisfy every schema that applies (a
schema for `orders.>` and one for `orders.created` both check `orders.created`). Deprecating a
version makes the previous version apply again; deprecating all of them stops validation.

Compatibility rule (`compatibility: backward`, the default): every event valid under the
current version must stay valid under the new one. The check is structural and conservative,
applied recursively through `properties` and `items`:
- `type` may only widen (the new types include the old ones);
- `required` may not gain names;
- a property may not be removed when the new schema sets `additionalProperties: false`, and
  `additionalProperties` may not become false when it was not;
- an `enum` may only grow; `const` may not change;
- numeric and length bounds (`minimum`, `maximum`, `minLength`, `maxLength`, `minItems`,
  `maxItems`, exclusive forms) may only loosen; a `pattern` or `format` may not be added or
  changed.
Other keywords are not compared. `compatibility: none` registers any valid schema.

Schemas are compiled once per node and cached per project; a change is announced on the
control bus (`events.schemas`) so every node reloads within a second, and the cache expires
after `CACHE_SECONDS` as a backstop.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy.ext.asyncio import AsyncSession

from tidings_server import topics
from tidings_server.broker.control import ControlBus
from tidings_server.errors import RequestError, Violation
from tidings_server.events.errors import SchemaIncompatible
from tidings_server.events.limits import MAX_SCHEMA_BYTES
from tidings_server.jsonutil import dumps
from tidings_server.store.db import Database
from tidings_server.store.models import TopicSchema

__all__ = ["SCHEMAS_COMMAND", "SchemaRegistry", "check_schema", "incompatibilities"]

SCHEMAS_COMMAND = "events.schemas"
# Backstop for a missed control-bus message (the bus is at most once).
CACHE_SECONDS = 60.0
# Violations reported per event: enough to fix it, bounded for huge invalid payloads.
MAX_VIOLATIONS = 20


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _walk_refs(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}/{_escape(key)}"
            if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                yield here, value
            else:
                yield from _walk_refs(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_refs(value, f"{path}/{i}")


def check_schema(schema: Any, pointer: str = "/schema") -> None:
    """A valid draft 2020-12 schema, small enough, with only local references (a schema never
    makes the server fetch anything)."""
    if not isinstance(schema, dict):
        raise RequestError(
            "a schema is a JSON object",
            code="validation_failed",
            errors=[{"pointer": pointer, "message": "not an object"}],
        )
    if len(dumps(schema)) > MAX_SCHEMA_BYTES:
        raise RequestError(
            f"the schema is over {MAX_SCHEMA_BYTES} bytes",
            code="validation_failed",
            errors=[{"pointer": pointer, "message": "too large"}],
        )
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = pointer + "".join("/" + _escape(p) for p in exc.absolute_path)
        raise RequestError(
            "not a valid JSON Schema (draft 2020-12)",
            code="validation_failed",
            errors=[{"pointer": where, "message": exc.message}],
        ) from None
    remote = [
        {"pointer": pointer + p, "message": "only local references (`#…`) are allowed"}
        for p, ref in _walk_refs(schema)
        if not ref.startswith("#")
    ]
    if remote:
        raise RequestError("the schema references other documents", code="validation_failed", errors=remote)
    # Compiling also checks that local references resolve and patterns compile.
    try:
        Draft202012Validator(schema).is_valid(None)
    except Exception as exc:  # noqa: BLE001 - any failure here is the schema's fault
        raise RequestError(
            "the schema cannot be used",
            code="validation_failed",
            errors=[{"pointer": pointer, "message": str(exc)[:300]}],
        ) from None


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    value = schema.get("type")
    if value is None:
        return None
    types = {value} if isinstance(value, str) else set(value)
    if "number" in types:
        types.add("integer")
    return types


_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


def _compare(old: Any, new: Any, path: str) -> Iterator[Violation]:
    if not isinstance(old, dict) or not isinstance(new, dict):
        if old != new and new is not True:
            yield {"pointer": path, "message": "a boolean schema changed"}
        return
    old_types, new_types = _types(old), _types(new)
    if new_types is not None and (old_types is None or not old_types <= new_types):
        yield {
            "pointer": path + "/type",
            "message": f"type narrowed from {old.get('type')} to {new.get('type')}",
        }
    added = set(new.get("required", [])) - set(old.get("required", []))
    if added:
        yield {"pointer": path + "/required", "message": f"newly required: {', '.join(sorted(added))}"}
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    closed = new.get("additionalProperties") is False
    if closed and old.get("additionalProperties") is not False:
        yield {
            "pointer": path + "/additionalProperties",
            "message": "additional properties are no longer allowed",
        }
    for name, sub in old_props.items():
        if name in new_props:
            yield from _compare(sub, new_props[name], f"{path}/properties/{_escape(name)}")
        elif closed:
            yield {"pointer": f"{path}/properties/{_escape(name)}", "message": "property removed"}
    if "items" in old and "items" in new:
        yield from _compare(old["items"], new["items"], path + "/items")
    elif "items" in new and "items" not in old:
        yield {"pointer": path + "/items", "message": "items constrained"}
    if "enum" in new and ("enum" not in old or not all(v in new["enum"] for v in old["enum"])):
        yield {"pointer": path + "/enum", "message": "enum values removed"}
    if "const" in new and old.get("const", object()) != new["const"]:
        yield {"pointer": path + "/const", "message": "const changed"}
    for key in _LOWER:
        if key in new and (key not in old or new[key] > old[key]):
            yield {"pointer": f"{path}/{key}", "message": f"{key} tightened"}
    for key in _UPPER:
        if key in new and (key not in old or new[key] < old[key]):
            yield {"pointer": f"{path}/{key}", "message": f"{key} tightened"}
    for key in ("pattern", "format"):
        if key in new and old.get(key) != new[key]:
            yield {"pointer": f"{path}/{key}", "message": f"{key} added or changed"}


def incompatibilities(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Violation]:
    """Why `new` is not backward compatible with `old` (empty: compatible)."""
    return list(_compare(old, new, "/schema"))


def _pointer(parts: Iterable[object]) -> str:
    return "".join("/" + _escape(p) for p in parts)


@dataclass(frozen=True, slots=True)
class _Applied:
    topic: str
    version: int
    validator: Draft202012Validator


class SchemaRegistry:
    def __init__(self, db: Database) -> None:
        self._db = db
        # project id → (loaded at, schemas that apply); compiled validators by schema row id.
        self._projects: dict[uuid.UUID, tuple[float, list[_Applied]]] = {}
        self._compiled: dict[uuid.UUID, Draft202012Validator] = {}

    async def attach(self, control: ControlBus) -> None:
        async def changed(payload: dict[str, Any]) -> None:
            self._projects.pop(uuid.UUID(payload["project_id"]), None)

        await control.subscribe(SCHEMAS_COMMAND, changed)

    async def forget_all(self) -> None:
        self._projects.clear()

    async def _applied(self, tenant_id: uuid.UUID, project_id: uuid.UUID) -> list[_Applied]:
        cached = self._projects.get(project_id)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        stmt = (
            sa.select(TopicSchema)
            .where(
                TopicSchema.tenant_id == tenant_id,
                TopicSchema.project_id == project_id,
                TopicSchema.deprecated_at.is_(None),
            )
            .order_by(TopicSchema.topic, TopicSchema.version.desc())
        )
        async with self._db.session() as session:
            rows = list((await session.scalars(stmt)).all())
        applied = []
        seen: set[str] = set()
        for row in rows:
            if row.topic in seen:
                continue  # an older version of a topic already applied
            seen.add(row.topic)
            validator = self._compiled.get(row.id)
            if validator is None:
                validator = self._compiled[row.id] = Draft202012Validator(row.schema)
            applied.append(_Applied(row.topic, row.version, validator))
        self._projects[project_id] = (time.monotonic(), applied)
        return applied

    async def violations(
        self, tenant_id: uuid.UUID, project_id: uuid.UUID, topic: str, data: Any, pointer: str
    ) -> list[Violation]:
        """What is wrong with `data` on `topic` (empty: valid or no schema applies)."""
        found: list[Violation] = []
        for applied in await self._applied(tenant_id, project_id):
            if not topics.matches(applied.topic, topic):
                continue
            for error in applied.validator.iter_errors(data):
                found.append(
                    {
                        "pointer": pointer + _pointer(error.absolute_path),
                        "message": f"{error.message[:300]} (schema for {applied.topic!r} v{applied.version})",
                    }
                )
                if len(found) >= MAX_VIOLATIONS:
                    return found
        return found

    # --- registry operations (inside the caller's transaction) ------------------------------

    @staticmethod
    async def register(
        session: AsyncSession,
        tenant_id: uuid.UUID,
        project_id: uuid.UUID,
        *,
        topic: str,
        schema: dict[str, Any],
        description: str | None,
        compatibility: str,
    ) -> TopicSchema:
        check_schema(schema)
        # Serialize registrations of one topic: versions are dense and the check sees the latest.
        await session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"{project_id}:{topic}")))
        )
        stmt = (
            sa.select(TopicSchema)
            .where(
                TopicSchema.tenant_id == tenant_id,
                TopicSchema.project_id == project_id,
                TopicSchema.topic == topic,
            )
            .order_by(TopicSchema.version.desc())
        )
        versions = list((await session.scalars(stmt)).all())
        current = next((v for v in versions if v.deprecated_at is None), None)
        if current is not None and compatibility == "backward":
            problems = incompatibilities(current.schema, schema)
            if problems:
                raise SchemaIncompatible(problems)
        row = TopicSchema(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            project_id=project_id,
            topic=topic,
            version=(versions[0].version + 1) if versions else 1,
            schema=schema,
            description=description,
        )
        session.add(row)
        await session.flush()
        await session.refresh(row)
        return row

    @staticmethod
    async def list_versions(
        session: AsyncSession,
        tenant_id: uuid.UUID,
        project_id: uuid.UUID,
        *,
        topic: str | None,
        after: tuple[str, int] | None,
        limit: int,
    ) -> list[TopicSchema]:
        stmt = sa.select(TopicSchema).where(
            TopicSchema.tenant_id == tenant_id, TopicSchema.project_id == project_id
        )
        if topic is not None:
            stmt = stmt.where(TopicSchema.topic == topic)
        if after is not None:
            stmt = stmt.where(
                sa.tuple_(TopicSchema.topic, TopicSchema.version)
                > sa.tuple_(sa.literal(after[0]), sa.literal(after[1]))
            )
        stmt = stmt.order_by(TopicSchema.topic, TopicSchema.version).limit(limit + 1)
        return list((await session.scalars(stmt)).all())

    @staticmethod
    async def get(
        session: AsyncSession, tenant_id: uuid.UUID, project_id: uuid.UUID, schema_id: uuid.UUID
    ) -> TopicSchema | None:
        stmt = sa.select(TopicSchema).where(
            TopicSchema.tenant_id == tenant_id,
            TopicSchema.project_id == project_id,
            TopicSchema.id == schema_id,
        )
        return (await session.execute(stmt)).scalar_one_or_none()

    @staticmethod
    async def deprecate(session: AsyncSession, row: TopicSchema) -> TopicSchema:
        if row.deprecated_at is None:
            row.deprecated_at = (await session.execute(sa.select(sa.func.now()))).scalar_one()
            await session.flush()
        return row
