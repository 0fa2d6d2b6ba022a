"""Topic schemas cannot stall the process (issue 20): linear-time patterns, constructs the engine
cannot run refused at registration, a validation budget per event, and the limits of what a
tenant's schema makes the server do (subschemas, `enum`, nesting, `$ref` chains, topics)."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings_server.events.limits import DEFAULT_EVENT_BYTES, MAX_DATA_DEPTH
from tidings_server.events.schemacost import (
    MAX_ENUM_VALUES,
    MAX_SUBSCHEMAS,
    MAX_VALIDATION_WORK,
    STRING_UNIT,
    SchemaCost,
    TooExpensive,
    event_work,
)
from tidings_server.events.schemas import (
    MAX_SCHEMA_TOPICS,
    compile_schema,
    compile_stored,
    unsupported_construct,
)
from tidings_server.jsonutil import dumps
from tidings_server.testing.live import LiveServer
from tidings_server.testing.waiting import eventually

from .conftest import Project, Projects

# Patterns that Python's backtracking `re` takes exponential time on (with a final mismatch).
NESTED_QUANTIFIERS = [r"^(a+)+$", r"^(a|a)+$", r"^(a|aa)+$", r"^(a*)*$", r"^(\w+\s?)*$", r"^((a+)+)+b$"]
# The issue's payload, long enough that `re` would take far longer than any test deadline.
HOSTILE = "a" * 40 + "!"


def _register(p: Project, topic: str, schema: Any, **extra: Any) -> httpx.Response:
    return p.call("POST", "/schemas", json={"topic": topic, "schema": schema, **extra})


def _codes(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json().get("code", "")


# --- constructs the linear-time engine cannot run -------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "construct"),
    [
        (r"^(a)\1$", "backreference `\\1`"),
        (r"(?<y>\d+)-\k<y>", "named backreference"),
        (r"^(?=.*\d)\w+$", "lookahead `(?=`"),
        (r"^(?!admin)\w+$", "negative lookahead `(?!`"),
        (r"(?<=\$)\d+", "lookbehind `(?<=`"),
        (r"(?<!-)\d+", "negative lookbehind `(?<!`"),
    ],
)
def test_constructs_the_engine_cannot_run_are_named(pattern: str, construct: str) -> None:
    found = unsupported_construct(pattern)
    assert found is not None
    assert construct in found


@pytest.mark.parametrize("pattern", [r"\\1", r"[(?=]x", r"[\]1(?!]", r"(?<name>a)b", r"(?:ab)+", r"\d{1,3}"])
def test_lookalikes_of_those_constructs_are_accepted(pattern: str) -> None:
    assert unsupported_construct(pattern) is None
    compile_schema({"pattern": pattern})


def test_registration_refuses_backreferences_and_lookaround_naming_the_construct(projects: Projects) -> None:
    p = projects.new()
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "pattern": r"^(\w)\1$"}},
        "patternProperties": {r"^(?!x)": {"type": "integer"}},
    }
    response = _register(p, "unsupported.x", schema)
    assert _codes(response) == (422, "schema_unsupported"), response.text
    errors = {e["pointer"]: e["message"] for e in response.json()["errors"]}
    assert "backreference `\\1`" in errors["/schema/properties/a/pattern"]
    assert "negative lookahead" in errors["/schema/patternProperties/^(?!x)"]
    assert p.call("GET", "/schemas", params={"topic": "unsupported.x"}).json()["items"] == []
    # Data that looks like a pattern is data.
    data_only = {"const": {"pattern": "(?=x)"}, "examples": [{"pattern": r"\1"}]}
    assert _register(p, "unsupported.z", data_only).status_code == 201
    dynamic = _register(p, "unsupported.y", {"$defs": {"a": {"$dynamicAnchor": "n"}}, "$dynamicRef": "#n"})
    assert _codes(dynamic) == (422, "schema_unsupported"), dynamic.text


def test_a_stored_schema_the_linear_engine_cannot_run_refuses_events_instead_of_failing() -> None:
    """Schemas registered before these rules (a lookahead passed Python's `re`) are not run on a
    backtracking engine: they compile to a refusal, not an exception on every publish."""
    compiled = compile_stored({"properties": {"s": {"pattern": "^(?=a)a+$"}}})
    assert compiled.validator is None
    assert compiled.unsupported
    assert compiled.cost.worst > MAX_VALIDATION_WORK
    over = compile_stored(_doubling_chain(30))
    assert over.validator is not None
    assert over.cost.worst > MAX_VALIDATION_WORK


def test_patterns_the_linear_engine_runs_are_accepted(projects: Projects) -> None:
    """RE2 syntax ECMA-262 shares (classes, Unicode properties, counted repetition, named groups)."""
    p = projects.new()
    schema = {"properties": {"s": {"type": "string", "pattern": r"^(?<w>\p{L}+)-[0-9]{2,4}$"}}}
    assert _register(p, "linear.x", schema).status_code == 201
    assert p.publish("linear.x", {"s": "été-2026"}).status_code == 201
    assert _codes(p.publish("linear.x", {"s": "été-2026\n"})) == (422, "schema_violation")


# --- linear time under hostile input, with the process answering meanwhile --------------------


def _publish_in_thread(
    server: LiveServer, p: Project, topic: str, data: Any
) -> tuple[threading.Thread, list[int]]:
    answered: list[int] = []

    def publish() -> None:
        with httpx.Client(base_url=server.url, timeout=600) as http:
            response = http.post(
                f"/v1/projects/{p.id}/events", json={"topic": topic, "data": data}, headers=p.headers
            )
            answered.append(response.status_code)

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    return thread, answered


def _assert_answered_while_publishing(server: LiveServer, p: Project, topic: str, data: Any) -> list[int]:
    thread, answered = _publish_in_thread(server, p, topic, data)
    with httpx.Client(base_url=server.url, timeout=2) as http:
        eventually(lambda: http.get("/healthz").status_code, 200, message="/healthz during a hostile publish")
    eventually(lambda: not thread.is_alive(), message="the hostile publish is answered")
    return answered


@pytest.mark.parametrize("where", ["pattern", "patternProperties"])
def test_the_issues_redos_payload_is_answered_and_does_not_stall_the_process(
    projects: Projects, server: LiveServer, where: str
) -> None:
    p = projects.new()
    if where == "pattern":
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {"s": {"type": "string", "pattern": "^(a+)+$"}},
        }
        data: Any = {"s": HOSTILE}
    else:
        schema = {"type": "object", "patternProperties": {"^(a+)+$": {"type": "string"}}}
        data = {HOSTILE: "x", "a" * 40: 1}  # the second key matches, and its value is not a string
    assert _register(p, "redos.x", schema).status_code == 201
    answered = _assert_answered_while_publishing(server, p, "redos.x", data)
    assert answered == [422]


def test_a_64_kib_hostile_string_is_validated(projects: Projects, server: LiveServer) -> None:
    p = projects.new()
    schema = {"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a+)+$"}}}
    assert _register(p, "redos.big", schema).status_code == 201
    data = {"s": "a" * (DEFAULT_EVENT_BYTES - 20) + "!"}
    assert _assert_answered_while_publishing(server, p, "redos.big", data) == [422]
    assert p.publish("redos.big", {"s": "a" * (DEFAULT_EVENT_BYTES - 20)}).status_code == 201


LIVE = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@LIVE
@given(
    pattern=st.sampled_from(NESTED_QUANTIFIERS),
    length=st.integers(30, DEFAULT_EVENT_BYTES - 64),
    tail=st.sampled_from(["!", "\n", " !", "é"]),
)
def test_property_nested_quantifiers_never_stall_a_live_server(
    projects: Projects, server: LiveServer, pattern: str, length: int, tail: str
) -> None:
    """Any nested-quantifier pattern with an adversarial string up to the maximum event size:
    the publish is answered (201 or 422) and a concurrent /healthz is answered meanwhile."""
    p = projects.new()
    schema = {"type": "object", "properties": {"s": {"type": "string", "pattern": pattern}}}
    assert _register(p, "redos.prop", schema).status_code == 201
    answered = _assert_answered_while_publishing(server, p, "redos.prop", {"s": "a" * length + tail})
    assert len(answered) == 1
    assert answered[0] in (201, 422)


# --- the validation budget ---------------------------------------------------------------------


def _doubling_chain(levels: int) -> dict[str, Any]:
    """`allOf` of two references to a subschema that does the same: 2^levels applications."""
    defs: dict[str, Any] = {
        f"a{i}": {"allOf": [{"$ref": f"#/$defs/a{i + 1}"}, {"$ref": f"#/$defs/a{i + 1}"}]}
        for i in range(levels)
    }
    defs[f"a{levels}"] = {"type": "integer"}
    return {"$defs": defs, "$ref": "#/$defs/a0"}


def test_a_ref_chain_that_fans_out_is_refused_at_registration(projects: Projects) -> None:
    p = projects.new()
    response = _register(p, "cost.chain", _doubling_chain(30))
    assert _codes(response) == (422, "schema_too_expensive"), response.text
    assert "depth 0" in response.json()["errors"][0]["message"]


def test_a_ref_cycle_that_never_descends_is_refused(projects: Projects) -> None:
    p = projects.new()
    schema = {
        "$defs": {"a": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/b"}]}, "b": {"$ref": "#/$defs/a"}}
    }
    response = _register(p, "cost.cycle", {**schema, "$ref": "#/$defs/a"})
    assert _codes(response) == (422, "schema_too_expensive"), response.text
    assert "cycle" in response.json()["errors"][0]["message"]


def test_recursion_that_multiplies_with_depth_is_refused(projects: Projects) -> None:
    p = projects.new()
    branch = {"properties": {"a": {"$ref": "#/$defs/n"}}}
    response = _register(p, "cost.rec", {"$defs": {"n": {"anyOf": [branch, branch]}}, "$ref": "#/$defs/n"})
    assert _codes(response) == (422, "schema_too_expensive"), response.text


def test_recursive_schemas_that_stay_linear_are_accepted(projects: Projects) -> None:
    p = projects.new()
    node = {
        "type": "object",
        "properties": {
            "v": {"type": "integer"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
        },
    }
    union = {
        "anyOf": [
            {"properties": {"and": {"items": {"$ref": "#/$defs/expr"}}}},
            {"properties": {"or": {"items": {"$ref": "#/$defs/expr"}}}},
        ]
    }
    assert _register(p, "rec.tree", {"$defs": {"node": node}, "$ref": "#/$defs/node"}).status_code == 201
    assert _register(p, "rec.expr", {"$defs": {"expr": union}, "$ref": "#/$defs/expr"}).status_code == 201
    tree: dict[str, Any] = {"v": 0}
    for i in range(1, 14):
        tree = {"v": i, "children": [tree]}
    assert p.publish("rec.tree", tree).status_code == 201


def test_an_event_over_the_budget_is_refused_before_validation(projects: Projects) -> None:
    """A schema each value of which costs ~2^9 applications is fine for small events; an array
    of 20,000 values against it is over the budget: 422 `schema_too_expensive`, nothing stored."""
    p = projects.new()
    heavy = _doubling_chain(9)
    schema = {"$defs": heavy["$defs"], "type": "array", "items": {"$ref": "#/$defs/a0"}}
    assert _register(p, "cost.event", schema).status_code == 201
    assert p.publish("cost.event", list(range(10))).status_code == 201
    response = p.publish("cost.event", [0] * 20_000)
    assert _codes(response) == (422, "schema_too_expensive"), response.text
    assert response.json()["errors"][0]["pointer"] == "/data"
    assert len(p.replay_all(topic="cost.event")) == 1


def test_limits_on_enum_subschemas_and_nesting_are_refused_with_a_pointer(projects: Projects) -> None:
    p = projects.new()
    big_enum = _register(p, "lim.enum", {"properties": {"e": {"enum": list(range(MAX_ENUM_VALUES + 1))}}})
    assert _codes(big_enum) == (422, "schema_too_expensive"), big_enum.text
    assert big_enum.json()["errors"][0]["pointer"] == "/schema/properties/e/enum"
    many = {"properties": {f"p{i}": {"type": "integer"} for i in range(MAX_SUBSCHEMAS)}}
    assert _codes(_register(p, "lim.many", many)) == (422, "schema_too_expensive")
    deep: dict[str, Any] = {"type": "integer"}
    for _ in range(40):  # 80 levels: over the schema limit (64), under the request limit (128)
        deep = {"properties": {"x": deep}}
    assert _codes(_register(p, "lim.deep", deep)) == (422, "schema_too_expensive")
    long_pattern = _register(p, "lim.pattern", {"pattern": "a" * 1001})
    assert _codes(long_pattern) == (422, "schema_too_expensive"), long_pattern.text
    huge_program = _register(p, "lim.program", {"pattern": r"(\p{L}|\p{N}|\p{P}){1,100}z"})
    assert _codes(huge_program) == (400, "validation_failed"), huge_program.text


def test_topics_with_a_schema_per_project_are_bounded(projects: Projects) -> None:
    p = projects.new()
    for i in range(MAX_SCHEMA_TOPICS):
        assert _register(p, f"many.t{i}", {"type": "object"}).status_code == 201
    over = _register(p, "many.over", {"type": "object"})
    assert _codes(over) == (422, "schema_limit_reached"), over.text
    # A new version of a topic that has one is not a new topic.
    assert _register(p, "many.t0", {}).status_code == 201
    first = p.call("GET", "/schemas", params={"topic": "many.t1"}).json()["items"][0]
    assert p.call("POST", f"/schemas/{first['id']}/deprecate").status_code == 200
    assert _register(p, "many.over", {"type": "object"}).status_code == 201


def test_topic_patterns_are_bounded_and_matched_token_by_token(projects: Projects) -> None:
    """Topic matching uses no regex: a pattern is at most 16 tokens and 255 characters, matched
    token by token (linear); a longer one is refused."""
    p = projects.new()
    assert _register(p, ".".join(["*"] * 16), {}).status_code == 201
    assert _codes(_register(p, ".".join(["*"] * 17), {})) == (400, "validation_failed")
    assert p.publish(".".join(["a"] * 16), 1).status_code == 201


def test_event_depth_is_bounded_before_any_schema_runs(projects: Projects) -> None:
    p = projects.new()
    assert (
        _register(
            p, "depth.x", {"$defs": {"n": {"items": {"$ref": "#/$defs/n"}}}, "$ref": "#/$defs/n"}
        ).status_code
        == 201
    )
    deep: Any = 1
    for _ in range(MAX_DATA_DEPTH + 1):
        deep = [deep]
    assert _codes(p.publish("depth.x", deep)) == (400, "validation_failed")


# --- property: the bound is an upper bound of the work actually done --------------------------

DEFS = ["d0", "d1", "d2"]


def _schemas(depth: int) -> st.SearchStrategy[Any]:
    leaf = st.sampled_from(
        [
            True,
            {"type": "integer"},
            {"type": "string", "pattern": NESTED_QUANTIFIERS[0]},
            {"type": "string", "pattern": r"^(a|aa)+$", "maxLength": 100},
            {"enum": list(range(40))},
        ]
    ) | st.builds(lambda d: {"$ref": f"#/$defs/{d}"}, st.sampled_from(DEFS))
    if depth == 0:
        return leaf
    sub = _schemas(depth - 1)
    names = st.sampled_from(["a", "b", "aa"])
    return leaf | st.one_of(
        st.builds(
            lambda k, xs: {k: xs},
            st.sampled_from(["allOf", "anyOf", "oneOf"]),
            st.lists(sub, min_size=1, max_size=3),
        ),
        st.builds(lambda x: {"not": x}, sub),
        st.builds(lambda i, t, e: {"if": i, "then": t, "else": e}, sub, sub, sub),
        st.builds(lambda props: {"properties": props}, st.dictionaries(names, sub, max_size=3)),
        st.builds(lambda x: {"patternProperties": {"^a": x}}, sub),
        st.builds(lambda x: {"additionalProperties": x}, sub),
        st.builds(lambda x: {"propertyNames": x}, sub),
        st.builds(lambda x: {"items": x}, sub),
        st.builds(lambda xs, x: {"prefixItems": xs, "items": x}, st.lists(sub, min_size=1, max_size=2), sub),
        st.builds(lambda x: {"contains": x}, sub),
    )


schema_documents = st.builds(
    lambda root, defs: {
        **(root if isinstance(root, dict) else {"allOf": [root]}),
        "$defs": dict(zip(DEFS, defs, strict=True)),
    },
    _schemas(3),
    st.lists(_schemas(2), min_size=3, max_size=3),
)
adversarial = st.builds(
    lambda n, tail: "a" * n + tail, st.integers(0, 3000), st.sampled_from(["", "!", "\n"])
)
instances = st.recursive(
    st.integers(0, 9) | adversarial,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "b", "aa", "c"]), children, max_size=4)
    ),
    max_leaves=16,
)


def _count(schema: Any, value: Any, root: dict[str, Any], depth: int = 0) -> int:
    """The work a validator that evaluates every applicator (no short-circuit) does, in the
    units of `schemacost`: each application of a subschema weighs its keywords times the value."""
    if depth > 200:
        raise AssertionError("runaway recursion")
    weight = 1
    if isinstance(value, str):
        weight += len(value) // STRING_UNIT
    elif isinstance(value, dict):
        weight += sum(1 + len(k) // STRING_UNIT for k in value)
    if not isinstance(schema, dict):
        return weight
    enum = schema.get("enum")
    own = 1 + len(schema) + (len(enum) // 4 if isinstance(enum, list) else 0)
    work = own * weight
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            work += _count(sub, value, root, depth + 1)
    for key in ("not", "if", "then", "else"):
        if key in schema:
            work += _count(schema[key], value, root, depth + 1)
    if "$ref" in schema:
        work += _count(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], value, root, depth + 1)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, child in value.items():
            matched = key in properties
            if matched:
                work += _count(properties[key], child, root, depth + 1)
            for pattern, sub in schema.get("patternProperties", {}).items():
                if key.startswith(pattern.lstrip("^")):
                    matched = True
                    work += _count(sub, child, root, depth + 1)
            if not matched and "additionalProperties" in schema:
                work += _count(schema["additionalProperties"], child, root, depth + 1)
            if "propertyNames" in schema:
                work += _count(schema["propertyNames"], key, root, depth + 1)
    if isinstance(value, list):
        prefix = schema.get("prefixItems", [])
        for i, child in enumerate(value):
            if i < len(prefix):
                work += _count(prefix[i], child, root, depth + 1)
            elif "items" in schema:
                work += _count(schema["items"], child, root, depth + 1)
            if "contains" in schema:
                work += _count(schema["contains"], child, root, depth + 1)
    return work


@settings(max_examples=300, deadline=None)
@given(schema=schema_documents, value=instances)
def test_property_validation_work_stays_within_the_budget(schema: dict[str, Any], value: Any) -> None:
    """For generated schemas (nested applicators, `$ref`s between definitions, recursion,
    nested-quantifier patterns) and adversarial strings: either registration refuses the schema,
    or publish refuses the event, or the work counted is within the bound and the budget; and
    the validator itself finishes."""
    validator = compile_schema(schema)
    try:
        cost = SchemaCost.of(schema)
    except TooExpensive:
        return  # refused at registration
    bound = event_work(value, [cost])
    # The publisher skips the walk when this product is within the budget.
    assert bound <= cost.worst * len(dumps(value))
    if bound > MAX_VALIDATION_WORK:
        return  # refused at publish
    assert _count(schema, value, schema) <= bound <= MAX_VALIDATION_WORK
    validator.is_valid(value)


@settings(max_examples=25, deadline=None)
@given(
    pattern=st.sampled_from(NESTED_QUANTIFIERS),
    length=st.integers(0, DEFAULT_EVENT_BYTES),
    tail=st.sampled_from(["", "!", "\n", "é"]),
)
def test_property_nested_quantifiers_are_within_the_budget_up_to_the_event_size(
    pattern: str, length: int, tail: str
) -> None:
    schema = {"type": "object", "properties": {"s": {"type": "string", "pattern": pattern}}}
    value = {"s": "a" * length + tail}
    cost = SchemaCost.of(schema)
    assert event_work(value, [cost]) <= MAX_VALIDATION_WORK
    compile_schema(schema).is_valid(value)
