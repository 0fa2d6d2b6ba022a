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

What a schema may contain, so that no schema and event can hold a process (issue 20):
- Validation runs on `jsonschema-rs` with Rust's `regex` crate for `pattern` and
  `patternProperties`: matching is linear in the length of the string (no backtracking), and a
  compiled pattern is at most `REGEX_SIZE_LIMIT` bytes. ECMA-262 constructs that need
  backtracking are refused at registration with 422 `schema_unsupported` naming the construct:
  backreferences (`\\1`, `\\k<name>`) and lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`). So are
  `$dynamicRef` and `$id` below the root (references must resolve within this document, for the
  cost analysis). A pattern is at most `MAX_PATTERN_LENGTH` characters.
- A validation budget (`events.schemacost`): each schema's work per value is bounded statically
  at registration (refused with 422 `schema_too_expensive` when one value alone would be over
  the budget, for `$ref` cycles, and past the subschema, `enum` and nesting limits); each event's
  work against every schema that applies is bounded before validation runs, and an event over
  the budget is refused with 422 `schema_too_expensive` (nothing is validated or stored).
- A project has at most `MAX_SCHEMA_TOPICS` topics (or patterns) with an active schema, so the
  schemas matched against one event are bounded too (422 `schema_limit_reached`).

Schemas are compiled once per node and cached per project; a change is announced on the
control bus (`events.schemas`) so every node reloads within a second, and the cache expires
after `CACHE_SECONDS` as a backstop.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from tidings_server import topics
from tidings_server.broker.control import ControlBus
from tidings_server.errors import RequestError, Violation
from tidings_server.events.errors import (
    SchemaIncompatible,
    SchemaLimitReached,
    SchemaTooExpensive,
    SchemaUnsupported,
)
from tidings_server.events.limits import MAX_SCHEMA_BYTES
from tidings_server.events.schemacost import (
    MAX_VALIDATION_WORK,
    SchemaCost,
    TooExpensive,
    check_depth,
    event_work,
)
from tidings_server.jsonutil import dumps
from tidings_server.store.db import Database
from tidings_server.store.models import TopicSchema

__all__ = [
    "MAX_PATTERN_LENGTH",
    "MAX_SCHEMA_TOPICS",
    "SCHEMAS_COMMAND",
    "SchemaRegistry",
    "check_schema",
    "compile_schema",
    "compile_stored",
    "incompatibilities",
    "unsupported_construct",
]

SCHEMAS_COMMAND = "events.schemas"
# Backstop for a missed control-bus message (the bus is at most once).
CACHE_SECONDS = 60.0
# Violations reported per event: enough to fix it, bounded for huge invalid payloads.
MAX_VIOLATIONS = 20
# Characters of one `pattern` or `patternProperties` key: real patterns are a few dozen; the
# engine's time per character of input grows with the compiled size.
MAX_PATTERN_LENGTH = 1000
# Compiled size of one pattern (the `regex` crate's program and lazy-DFA cache limits): a
# counted repetition like `(\p{L}|\p{N}){1,100}` compiles to megabytes and runs at ~0.3 µs
# per character; under this limit the worst measured is ~20 ns per character.
REGEX_SIZE_LIMIT = 1 << 20
# Topics (or patterns) with an active schema in one project: every publish matches its topic
# against each of them.
MAX_SCHEMA_TOPICS = 100
_REGEX = jsonschema_rs.RegexOptions(size_limit=REGEX_SIZE_LIMIT, dfa_size_limit=REGEX_SIZE_LIMIT)


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


# Keywords whose values are JSON data, not schemas.
_DATA_KEYWORDS = ("enum", "const", "default", "examples")
_LOOKAROUND = {"?=": "lookahead `(?=`", "?!": "negative lookahead `(?!`"}
_LOOKBEHIND = {"?<=": "lookbehind `(?<=`", "?<!": "negative lookbehind `(?<!`"}


def unsupported_construct(pattern: str) -> str | None:
    """The first ECMA-262 construct in `pattern` that a linear-time engine cannot run
    (backreferences, lookaround), or None."""
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            following = pattern[i + 1 : i + 2]
            if following in "123456789" and following:
                return f"backreference `\\{following}`"
            if following == "k" and pattern[i + 2 : i + 3] == "<":
                return "named backreference `\\k<…>`"
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            if pattern[i + 1 : i + 3] in _LOOKAROUND:
                return _LOOKAROUND[pattern[i + 1 : i + 3]]
            if pattern[i + 1 : i + 4] in _LOOKBEHIND:
                return _LOOKBEHIND[pattern[i + 1 : i + 4]]
        i += 1
    return None


def _patterns(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(pointer, pattern) of every `pattern` and `patternProperties` key in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}/{_escape(key)}"
            if key == "pattern" and isinstance(value, str):
                yield here, value
            if key == "patternProperties" and isinstance(value, dict):
                yield from ((f"{here}/{_escape(k)}", k) for k in value)
            if key not in _DATA_KEYWORDS:
                yield from _patterns(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _patterns(value, f"{path}/{i}")


def _unsupported(schema: dict[str, Any]) -> list[Violation]:
    found: list[Violation] = []
    for where, pattern in _patterns(schema):
        construct = unsupported_construct(pattern)
        if construct is not None:
            found.append(
                {
                    "pointer": where,
                    "message": f"{construct} is not supported (patterns run on a linear-time engine)",
                }
            )
    for where, _ in _walk_keys(schema, "$dynamicRef"):
        found.append({"pointer": where, "message": "`$dynamicRef` is not supported"})
    for where, _ in _walk_keys(schema, "$id"):
        if where != "/$id":
            found.append({"pointer": where, "message": "`$id` is allowed only at the root"})
    return found


def _walk_keys(node: Any, name: str, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}/{_escape(key)}"
            if key == name:
                yield here, value
            if key not in _DATA_KEYWORDS:
                yield from _walk_keys(value, name, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_keys(value, name, f"{path}/{i}")


def compile_schema(schema: dict[str, Any]) -> jsonschema_rs.Validator:
    """The validator that checks events: linear-time patterns, formats as annotations only."""
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=False, pattern_options=_REGEX)


def check_schema(schema: Any, pointer: str = "/schema") -> SchemaCost:
    """A valid draft 2020-12 schema, small enough, with only local references (a schema never
    makes the server fetch anything), that the linear-time engine can run within the budget;
    returns its cost bound."""
    if not isinstance(schema, dict):
        raise RequestError(
            "a schema is a JSON object",
            code="validation_failed",
            errors=[{"pointer": pointer, "message": "not an object"}],
        )
    try:
        # Before anything recurses over the document.
        check_depth(schema)
    except TooExpensive as exc:
        raise SchemaTooExpensive(
            exc.message, [{"pointer": pointer + exc.pointer, "message": exc.message}]
        ) from None
    if len(dumps(schema)) > MAX_SCHEMA_BYTES:
        raise RequestError(
            f"the schema is over {MAX_SCHEMA_BYTES} bytes",
            code="validation_failed",
            errors=[{"pointer": pointer, "message": "too large"}],
        )
    remote = [
        {"pointer": pointer + p, "message": "only local references (`#…`) are allowed"}
        for p, ref in _walk_refs(schema)
        if not ref.startswith("#")
    ]
    if remote:
        raise RequestError("the schema references other documents", code="validation_failed", errors=remote)
    unsupported = [{**v, "pointer": pointer + v["pointer"]} for v in _unsupported(schema)]
    if unsupported:
        raise SchemaUnsupported(unsupported)
    long = [
        {"pointer": pointer + where, "message": f"over {MAX_PATTERN_LENGTH} characters"}
        for where, pattern in _patterns(schema)
        if len(pattern) > MAX_PATTERN_LENGTH
    ]
    if long:
        raise SchemaTooExpensive(f"a pattern is over {MAX_PATTERN_LENGTH} characters", long)
    # Compiling checks the schema against the draft 2020-12 meta-schema, that local references
    # resolve and that every pattern compiles (within the size limit) on the linear engine.
    try:
        compile_schema(schema)
    except jsonschema_rs.ValidationError as exc:
        where = pointer + _pointer(exc.instance_path)
        message = exc.message
        if "regex" in message:
            message += f" (or it compiles to over {REGEX_SIZE_LIMIT} bytes on the linear-time engine)"
        raise RequestError(
            "not a valid JSON Schema (draft 2020-12)",
            code="validation_failed",
            errors=[{"pointer": where, "message": message[:300]}],
        ) from None
    except Exception as exc:  # noqa: BLE001 - any failure here is the schema's fault
        raise RequestError(
            "the schema cannot be used",
            code="validation_failed",
            errors=[{"pointer": pointer, "message": str(exc)[:300]}],
        ) from None
    try:
        return SchemaCost.of(schema)
    except TooExpensive as exc:
        raise SchemaTooExpensive(
            exc.message, [{"pointer": pointer + exc.pointer, "message": exc.message}]
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
class _Compiled:
    validator: jsonschema_rs.Validator | None
    cost: SchemaCost
    # Why a stored schema cannot run now (registered before a rule it breaks), else None.
    unsupported: str | None = None


@dataclass(frozen=True, slots=True)
class _Applied:
    topic: str
    version: int
    compiled: _Compiled


def compile_stored(schema: dict[str, Any]) -> _Compiled:
    """A stored schema passed `check_schema`, maybe under looser rules than today's: one the
    linear engine cannot run refuses every event (`schema_unsupported`), one over today's limits
    refuses every event as over the budget, until a new version is registered."""
    try:
        validator = compile_schema(schema)
    except Exception as exc:  # noqa: BLE001 - any failure here is the stored schema's
        return _Compiled(None, SchemaCost.over_budget(), str(exc).splitlines()[0][:300])
    try:
        cost = SchemaCost.of(schema)
    except TooExpensive:
        cost = SchemaCost.over_budget()
    return _Compiled(validator, cost)


class SchemaRegistry:
    def __init__(self, db: Database) -> None:
        self._db = db
        # project id → (loaded at, schemas that apply); compiled validators by schema row id.
        self._projects: dict[uuid.UUID, tuple[float, list[_Applied]]] = {}
        self._compiled: dict[uuid.UUID, _Compiled] = {}

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
            compiled = self._compiled.get(row.id)
            if compiled is None:
                # The cost analysis is Python (up to ~100 ms for the largest schema): in a thread,
                # so the event loop keeps its turns.
                compiled = self._compiled[row.id] = await asyncio.to_thread(compile_stored, row.schema)
            applied.append(_Applied(row.topic, row.version, compiled))
        self._projects[project_id] = (time.monotonic(), applied)
        return applied

    async def violations(
        self,
        tenant_id: uuid.UUID,
        project_id: uuid.UUID,
        topic: str,
        data: Any,
        pointer: str,
        *,
        size: int,
    ) -> list[Violation]:
        """What is wrong with `data` on `topic` (empty: valid or no schema applies); `size` is
        its length as compact JSON. `SchemaTooExpensive` when validating it against every schema
        that applies would be over the budget (nothing is validated then)."""
        matching = [a for a in await self._applied(tenant_id, project_id) if topics.matches(a.topic, topic)]
        if not matching:
            return []
        broken = [a for a in matching if a.compiled.unsupported is not None]
        if broken:
            raise SchemaUnsupported(
                [
                    {
                        "pointer": pointer,
                        "message": f"the schema for {a.topic!r} v{a.version} cannot run on the linear-time "
                        f"engine ({a.compiled.unsupported}); register a new version",
                    }
                    for a in broken
                ]
            )
        costs = [a.compiled.cost for a in matching]
        # No value weighs more than the bytes of JSON it takes of its own, so size bounds the
        # event's total weight: the walk is needed only past that.
        if sum(c.worst for c in costs) * size > MAX_VALIDATION_WORK:
            work = event_work(data, costs)
            if work > MAX_VALIDATION_WORK:
                raise SchemaTooExpensive(
                    "validating `data` against the schemas for its topic would be over the budget",
                    [
                        {
                            "pointer": pointer,
                            "message": f"{work} units of work; the limit is {MAX_VALIDATION_WORK} "
                            f"(schemas for {', '.join(repr(a.topic) for a in matching)})",
                        }
                    ],
                )
        found: list[Violation] = []
        for applied in matching:
            assert applied.compiled.validator is not None  # refused above otherwise
            for error in applied.compiled.validator.iter_errors(data):
                found.append(
                    {
                        "pointer": pointer + _pointer(error.instance_path),
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
        if not topics.is_pattern(topic):
            # The spec's pattern checks the characters; the token count is checked here.
            raise RequestError(
                "invalid topic pattern",
                code="validation_failed",
                errors=[
                    {
                        "pointer": "/topic",
                        "message": (
                            f"at most {topics.MAX_TOKENS} tokens and {topics.MAX_TOPIC_LENGTH} characters"
                        ),
                    }
                ],
            )
        check_schema(schema)
        # Serialize registrations in one project: versions are dense, the compatibility check
        # sees the latest and the count of topics with a schema is exact.
        await session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"{project_id}:schemas")))
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
        if current is None:
            active = sa.select(sa.func.count(sa.distinct(TopicSchema.topic))).where(
                TopicSchema.tenant_id == tenant_id,
                TopicSchema.project_id == project_id,
                TopicSchema.deprecated_at.is_(None),
            )
            if (await session.execute(active)).scalar_one() >= MAX_SCHEMA_TOPICS:
                raise SchemaLimitReached(
                    f"the project already has schemas for {MAX_SCHEMA_TOPICS} topics; deprecate one first",
                    errors=[
                        {"pointer": "/topic", "message": f"over {MAX_SCHEMA_TOPICS} topics with a schema"}
                    ],
                )
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
