"""What validating one event against a topic schema may cost, bounded before it runs.

A tenant's schema and a tenant's event together decide how much work the validator does, on
the process's event loop, for every tenant on that process. Regular expressions run on a
linear-time engine (`jsonschema-rs` with Rust's `regex` crate, see `events.schemas`), so what
remains is how many times subschemas are applied: `$ref` chains that fan out (`allOf` of two
references to a subschema that does the same, 2^n applications to one value), recursion that
multiplies with the depth of the event, large `enum`s.

The bound is computed once per schema, statically (`SchemaCost.of`), as an upper bound `m[d]`
on the work of validating one JSON value found at depth `d` of the event (d = 0..MAX_DATA_DEPTH):

- a subschema applied to a value costs `1 + its keyword count + len(enum) / 4` units, plus what
  its in-place applicators (`allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`,
  `dependentSchemas`, `$ref`) cost on the same value;
- `propertyNames` counts as in place (it runs over the keys, which the object's weight counts);
- on a child value, the subschemas that reach it through `properties`, `patternProperties`,
  `additionalProperties`, `unevaluatedProperties`, `prefixItems`, `items`,
  `contains`, `unevaluatedItems`; per child slot (a property name, any other property, an
  index), summed over every subschema applied to the parent, so a union whose branches recurse
  through different properties is not counted as if they all recursed through the same one.

An event's work is then `sum over its values v of m[depth(v)] x weight(v)`, the weight being 1
plus a quarter of the length of a string (or of an object's keys), for the patterns that may run
over it. A unit measured 0.6-8 ns of `jsonschema-rs` on the development machine (the bound is
conservative; loadtests/RESULTS.md, `loadtests/publish/bench_validation.py`), so the budget of
one event, `MAX_VALIDATION_WORK` across every schema that applies, is a few milliseconds.

Refused at registration (`schema_too_expensive`): a schema over the budget for a single value at
some depth, a `$ref` cycle that does not descend into the value (it would never end), more than
`MAX_SUBSCHEMAS` subschemas, an `enum` over `MAX_ENUM_VALUES`, a schema nested deeper than
`MAX_SCHEMA_DEPTH`. Refused at publish (`schema_too_expensive`): an event whose work is over the
budget (it is a property of the event and the schema, so the event can be made smaller).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from tidings_server.events.limits import MAX_DATA_DEPTH
from tidings_server.jsonutil import nests_deeper_than

__all__ = [
    "MAX_ENUM_VALUES",
    "MAX_SCHEMA_DEPTH",
    "MAX_SUBSCHEMAS",
    "MAX_VALIDATION_WORK",
    "SchemaCost",
    "TooExpensive",
    "check_depth",
    "event_work",
]

# Work units one event may cost in schema validation (measured at most ~8 ns each: ~4 ms).
# A 1 KiB event against a 20-property schema is ~1,100; 30,000 integers against `items` 60,000.
MAX_VALIDATION_WORK = 500_000
# Subschemas in one schema (a 20-property event schema has ~40; generated ones a few hundred).
MAX_SUBSCHEMAS = 2048
# Values of one `enum` (checked by comparing with each).
MAX_ENUM_VALUES = 1024
# Nesting of the schema document itself (the compiler and this analysis recurse over it).
MAX_SCHEMA_DEPTH = 64
# A string weighs 1 + len // STRING_UNIT (patterns run over it).
STRING_UNIT = 4

_IN_PLACE_LISTS = ("allOf", "anyOf", "oneOf")
_IN_PLACE_ONE = ("not", "if", "then", "else")
# Children of an object value applied to every property (whatever its name).
_EVERY_PROPERTY = ("unevaluatedProperties",)
_EVERY_ITEM = ("contains", "unevaluatedItems")
_OTHER = "\x00other"  # the slot of a property that `properties` does not name
_REST = -1  # the slot of an index past `prefixItems`

Slot = str | int


class TooExpensive(Exception):
    """The schema (or the event against it) is over a bound; `pointer` is within the schema."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


@dataclass(slots=True)
class _Node:
    pointer: str
    schema: Any
    in_place: list[str] = field(default_factory=list)  # pointers of subschemas on the same value
    # child slot → pointers of subschemas applied to that child (object property or array index)
    named: dict[str, list[str]] = field(default_factory=dict)
    other_property: list[str] = field(default_factory=list)
    every_property: list[str] = field(default_factory=list)
    indexed: dict[int, list[str]] = field(default_factory=dict)
    rest_items: list[str] = field(default_factory=list)
    every_item: list[str] = field(default_factory=list)
    weight: int = 1


def check_depth(document: Any) -> None:
    """`TooExpensive` when the JSON document nests deeper than `MAX_SCHEMA_DEPTH`."""
    if nests_deeper_than(document, MAX_SCHEMA_DEPTH):
        raise TooExpensive(f"the schema is nested deeper than {MAX_SCHEMA_DEPTH} levels")


def _subschemas(schema: Any, pointer: str, depth: int) -> Iterator[tuple[str, Any]]:
    """Every subschema position (pointer, schema), the root included."""
    if depth > MAX_SCHEMA_DEPTH:
        raise TooExpensive(f"the schema is nested deeper than {MAX_SCHEMA_DEPTH} levels", pointer)
    yield pointer, schema
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        here = f"{pointer}/{_escape(key)}"
        if key in (*_IN_PLACE_LISTS, "prefixItems") and isinstance(value, list):
            for i, sub in enumerate(value):
                yield from _subschemas(sub, f"{here}/{i}", depth + 1)
        elif key in ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions") and (
            isinstance(value, dict)
        ):
            for name, sub in value.items():
                yield from _subschemas(sub, f"{here}/{_escape(name)}", depth + 1)
        elif key in (
            *_IN_PLACE_ONE,
            *_EVERY_PROPERTY,
            *_EVERY_ITEM,
            "additionalProperties",
            "propertyNames",
            "items",
        ):
            yield from _subschemas(value, here, depth + 1)


def _anchors(positions: Mapping[str, Any]) -> dict[str, str]:
    return {
        f"#{node['$anchor']}": pointer
        for pointer, node in positions.items()
        if isinstance(node, dict) and isinstance(node.get("$anchor"), str)
    }


def _resolve(ref: str, positions: Mapping[str, Any], anchors: Mapping[str, str], where: str) -> str:
    if ref in anchors:
        return anchors[ref]
    if ref == "#" or ref.startswith("#/"):
        target = (
            "".join("/" + _escape(_unescape(unquote(t))) for t in ref[2:].split("/")) if ref != "#" else ""
        )
        if target in positions:
            return target
    # The compiler resolved it (it compiled), so it points into a part of the document that is
    # not a subschema position we walk (e.g. under an unknown keyword): refuse rather than guess.
    raise TooExpensive(f"`$ref` {ref[:100]!r} must point at a subschema (`$defs`, `properties`, …)", where)


def _graph(schema: Any) -> dict[str, _Node]:
    positions = dict(_subschemas(schema, "", 0))
    if len(positions) > MAX_SUBSCHEMAS:
        raise TooExpensive(f"the schema has {len(positions)} subschemas; the limit is {MAX_SUBSCHEMAS}")
    anchors = _anchors(positions)
    nodes: dict[str, _Node] = {}
    for pointer, sub in positions.items():
        node = nodes[pointer] = _Node(pointer, sub)
        if not isinstance(sub, dict):
            continue
        enum = sub.get("enum")
        if isinstance(enum, list) and len(enum) > MAX_ENUM_VALUES:
            raise TooExpensive(
                f"`enum` has {len(enum)} values; the limit is {MAX_ENUM_VALUES}", pointer + "/enum"
            )
        node.weight = 1 + len(sub) + (len(enum) // 4 if isinstance(enum, list) else 0)
        for key in _IN_PLACE_LISTS:
            if isinstance(sub.get(key), list):
                node.in_place += [f"{pointer}/{key}/{i}" for i in range(len(sub[key]))]
        for key in _IN_PLACE_ONE:
            if key in sub:
                node.in_place.append(f"{pointer}/{key}")
        if isinstance(sub.get("dependentSchemas"), dict):
            node.in_place += [f"{pointer}/dependentSchemas/{_escape(n)}" for n in sub["dependentSchemas"]]
        if isinstance(sub.get("$ref"), str):
            node.in_place.append(_resolve(sub["$ref"], positions, anchors, pointer + "/$ref"))
        if isinstance(sub.get("properties"), dict):
            node.named = {n: [f"{pointer}/properties/{_escape(n)}"] for n in sub["properties"]}
        patterns = sub.get("patternProperties")
        if isinstance(patterns, dict):
            # Any property may match every pattern.
            node.every_property += [f"{pointer}/patternProperties/{_escape(n)}" for n in patterns]
        if "additionalProperties" in sub:
            node.other_property.append(f"{pointer}/additionalProperties")
        node.every_property += [f"{pointer}/{k}" for k in _EVERY_PROPERTY if k in sub]
        if "propertyNames" in sub:
            # Applied to each key, whose length the object's weight counts: as if in place.
            node.in_place.append(f"{pointer}/propertyNames")
        if isinstance(sub.get("prefixItems"), list):
            node.indexed = {i: [f"{pointer}/prefixItems/{i}"] for i in range(len(sub["prefixItems"]))}
        if "items" in sub:
            node.rest_items.append(f"{pointer}/items")
        node.every_item += [f"{pointer}/{k}" for k in _EVERY_ITEM if k in sub]
        if "unevaluatedProperties" in sub or "unevaluatedItems" in sub:
            # Deciding what was evaluated walks the in-place applicators again.
            node.weight *= 2
    return nodes


def _in_place_order(nodes: Mapping[str, _Node]) -> list[_Node]:
    """Nodes with each one after everything it applies in place; a cycle is refused."""
    order: list[_Node] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    for start in nodes:
        if start in state:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(nodes[start].in_place))]
        state[start] = 1
        while stack:
            pointer, pending = stack[-1]
            nxt = next(pending, None)
            if nxt is None:
                stack.pop()
                state[pointer] = 2
                order.append(nodes[pointer])
            elif state.get(nxt) == 1:
                raise TooExpensive(
                    "a `$ref` cycle that does not descend into the value (it would never end)",
                    nxt or "/",
                )
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(nodes[nxt].in_place)))
    return order


def _cap(value: int) -> int:
    # Saturate: past the budget only "over" matters, and the numbers stay small.
    return min(value, MAX_VALIDATION_WORK + 1)


@dataclass(frozen=True, slots=True)
class SchemaCost:
    """`per_value[d]`: upper bound on the work of validating one value at depth d (saturated
    just over `MAX_VALIDATION_WORK`)."""

    per_value: tuple[int, ...]
    worst: int  # max(per_value)

    @classmethod
    def over_budget(cls) -> SchemaCost:
        """The cost of a schema that refuses every event (stored before a limit it is over)."""
        return cls((MAX_VALIDATION_WORK + 1,) * (MAX_DATA_DEPTH + 1), MAX_VALIDATION_WORK + 1)

    @classmethod
    def of(cls, schema: Any) -> SchemaCost:
        """The bound for `schema` (a compiled, valid draft 2020-12 schema); `TooExpensive` when
        it is over a bound for any event."""
        nodes = _graph(schema)
        order = _in_place_order(nodes)
        # m[p]: bound for a value at the current depth; c: per child slot at the next depth.
        m: dict[str, int] = {}
        for node in order:
            m[node.pointer] = _cap(node.weight + sum(m[p] for p in node.in_place))
        per_value = [m[""]]
        for depth in range(1, MAX_DATA_DEPTH + 1):
            below = m
            slots: dict[str, dict[Slot, int]] = {}
            for node in order:
                sources = [_child_slots(node, below)]
                sources += [slots[p] for p in node.in_place]
                keys = {slot for source in sources for slot in source}
                slots[node.pointer] = {slot: _cap(sum(_at(s, slot) for s in sources)) for slot in keys}
            m = {p: max(s.values(), default=0) for p, s in slots.items()}
            per_value.append(m[""])
            if not any(m.values()):
                # Nothing reaches deeper values: every deeper bound is 0 (a schema without recursion).
                per_value += [0] * (MAX_DATA_DEPTH - depth)
                break
        result = cls(tuple(per_value), max(per_value))
        for depth, work in enumerate(result.per_value):
            if work > MAX_VALIDATION_WORK:
                raise TooExpensive(
                    f"validating one value at depth {depth} of an event would cost over "
                    f"{MAX_VALIDATION_WORK} units (subschemas applied through `$ref`, "
                    "`allOf`/`anyOf`/`oneOf` and recursion multiply)"
                )
        return result


def _at(slots: Mapping[Slot, int], slot: Slot) -> int:
    """The work on `slot`; a slot a source does not name gets its "any other" value."""
    if slot in slots:
        return slots[slot]
    return slots.get(_OTHER if isinstance(slot, str) else _REST, 0)


def _child_slots(node: _Node, below: Mapping[str, int]) -> dict[Slot, int]:
    """Work on each child slot of a value `node` is applied to, from its own child keywords."""
    every = sum(below[p] for p in node.every_property)
    slots: dict[Slot, int] = {}
    if node.named or node.other_property or every:
        for name, subs in node.named.items():
            slots[name] = every + sum(below[p] for p in subs)
        slots[_OTHER] = every + sum(below[p] for p in node.other_property)
    items = sum(below[p] for p in node.every_item)
    if node.indexed or node.rest_items or items:
        for index, subs in node.indexed.items():
            slots[index] = items + sum(below[p] for p in subs)
        slots[_REST] = items + sum(below[p] for p in node.rest_items)
    return slots


def event_work(data: Any, costs: list[SchemaCost]) -> int:
    """The bound on validating `data` against schemas of these costs (data at most
    MAX_DATA_DEPTH deep, checked before). At most `sum(worst) x len(compact JSON of data)`: a
    value weighs no more than the bytes of JSON it takes of its own."""
    per_value = [sum(c.per_value[d] for c in costs) for d in range(MAX_DATA_DEPTH + 1)]
    # Values deeper than this cost nothing: no subschema reaches them.
    last = max((d for d, work in enumerate(per_value) if work), default=-1)
    work = 0
    stack: list[tuple[Any, int]] = [(data, 0)] if last >= 0 else []
    while stack:
        value, depth = stack.pop()
        weight = 1
        if isinstance(value, str):
            weight += len(value) // STRING_UNIT
        elif isinstance(value, dict):
            weight += sum(1 + len(k) // STRING_UNIT for k in value)
            if depth < last:
                stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list) and depth < last:
            stack.extend((child, depth + 1) for child in value)
        work += per_value[depth] * weight
    return work
