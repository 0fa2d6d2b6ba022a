"""Cost of validating one event against a topic schema: the previous validator (`jsonschema`,
pure Python, backtracking `re`) and the current one (`jsonschema-rs` with linear-time patterns,
plus the budget check of `events.schemacost`), on a ~1 KiB object against a 20-property schema;
then the worst shapes the budget lets through, to relate its units to time.

    uv run --frozen --no-sync python loadtests/publish/bench_validation.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from bench_publish import one_kib_event, twenty_property_schema  # the benchmark's own event and schema
from jsonschema import Draft202012Validator

from tidings_server.events.limits import DEFAULT_EVENT_BYTES
from tidings_server.events.schemacost import MAX_VALIDATION_WORK, SchemaCost, event_work
from tidings_server.events.schemas import compile_schema
from tidings_server.jsonutil import dumps


def timed(label: str, call: Callable[[], object], n: int) -> float:
    for _ in range(min(n, 200)):
        call()
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(n):
            call()
        samples.append((time.perf_counter() - started) / n * 1e6)
    median = statistics.median(samples)
    print(f"| {label} | {n:,} | {median:,.1f} |")
    return median


def main() -> None:
    schema, data = twenty_property_schema(), one_kib_event(12345)
    size = len(dumps(data))
    old = Draft202012Validator(schema)
    new = compile_schema(schema)
    cost = SchemaCost.of(schema)
    assert old.is_valid(data)
    assert new.is_valid(data)
    print(f"event: {size} bytes of JSON, 20 properties; schema: 20 properties (6 patterns)\n")
    print("| what | calls | µs per call (median of 5) |")
    print("|---|---:|---:|")
    timed("`jsonschema` 4.26 `iter_errors` (before)", lambda: list(old.iter_errors(data)), 2_000)
    rs = timed("`jsonschema-rs` 0.60 `iter_errors` (after)", lambda: list(new.iter_errors(data)), 20_000)
    timed(
        "budget check (fast path: bound x size)",
        lambda: cost.worst * 2 * (size + 1) <= MAX_VALIDATION_WORK,
        200_000,
    )
    timed("budget check (walk of the event, `event_work`)", lambda: event_work(data, [cost]), 20_000)
    schema_stats = (
        f"bound {event_work(data, [cost])} units; {rs / max(event_work(data, [cost]), 1) * 1000:.1f} ns/unit"
    )
    print(f"\n1 KiB event: {schema_stats}\n")

    print("Worst shapes under the budget (work units as counted, time of `jsonschema-rs` `is_valid`):\n")
    print("| shape | units | ms | ns/unit |")
    print("|---|---:|---:|---:|")
    shapes: list[tuple[str, dict[str, Any], Any]] = []
    chain: dict[str, Any] = {
        f"a{i}": {"allOf": [{"$ref": f"#/$defs/a{i + 1}"}, {"$ref": f"#/$defs/a{i + 1}"}]} for i in range(7)
    }
    chain["a7"] = {"type": "integer", "minimum": 0}
    fan = {"$defs": chain, "type": "array", "items": {"$ref": "#/$defs/a0"}}
    shapes.append(("array of ints, items = `allOf` fan-out 2^7", fan, [1] * 300))
    shapes.append(
        ("array of 30,000 ints, `items: {type: integer}`", {"items": {"type": "integer"}}, [1] * 30_000)
    )
    redos = {"properties": {"s": {"type": "string", "pattern": "^(a+)+$"}}}
    shapes.append(("64 KiB string, `^(a+)+$`", redos, {"s": "a" * (DEFAULT_EVENT_BYTES - 16) + "!"}))
    many = {
        "allOf": [{"properties": {"s": {"pattern": p}}} for p in ("^(a|aa)+$", "(x+x+)+y", "^(\\w+\\s?)*$")]
        * 2
    }
    shapes.append(("12 KiB string, 6 nested-quantifier patterns", many, {"s": "a" * 12_000 + "!"}))
    for label, shape_schema, value in shapes:
        shape_cost = SchemaCost.of(shape_schema)
        units = event_work(value, [shape_cost])
        validator = compile_schema(shape_schema)
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            validator.is_valid(value)
            runs.append(time.perf_counter() - started)
        ms = statistics.median(runs) * 1000
        within = "" if units <= MAX_VALIDATION_WORK else " (over: refused)"
        print(f"| {label}{within} | {units:,} | {ms:.2f} | {ms * 1e6 / units:.1f} |")


if __name__ == "__main__":
    main()
