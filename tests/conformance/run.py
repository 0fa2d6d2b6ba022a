"""Run the conformance scenarios for every SDK driver against one live harness.

    uv run --frozen --no-sync python tests/conformance/run.py [SDK ...] [--scenario NAME ...]

Starts the harness (harness.py) in this process, runs each driver of drivers.json in turn (the
faults act on the one server, so never two at once), prints each result, writes them to
results/<sdk>.jsonl, regenerates the table in README.md from every results file, and exits
non-zero if any run failed (or a driver ran nothing).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import harness

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TABLE_START = "<!-- conformance-table:start -->"
TABLE_END = "<!-- conformance-table:end -->"


async def run_driver(
    name: str, command: list[str], info: dict[str, str], only: list[str]
) -> list[dict[str, Any]]:
    env = {**os.environ, "TIDINGS_HARNESS": json.dumps(info)}
    process = await asyncio.create_subprocess_exec(
        *command, str(HERE / "scenarios.json"), *only, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    results: list[dict[str, Any]] = []
    async for raw in process.stdout:
        line = raw.decode().strip()
        if not line.startswith("{"):
            continue
        result = json.loads(line)
        results.append(result)
        mark = "ok  " if result["ok"] else "FAIL"
        detail = f"  {result['detail']}" if result["detail"] else ""
        print(
            f"{mark} {name:8} {result['transport']:10} {result['scenario']} ({result['ms']} ms){detail}",
            flush=True,
        )
    code = await process.wait()
    if code != 0:
        results.append(
            {"sdk": name, "scenario": "(driver)", "transport": "-", "ok": False, "detail": f"exit {code}"}
        )
        print(f"FAIL {name}: the driver exited with {code}", flush=True)
    return results


def table() -> str:
    scenarios = json.loads((HERE / "scenarios.json").read_text(encoding="utf-8"))["scenarios"]
    runs: dict[tuple[str, str, str], bool] = {}
    columns: list[str] = []
    for path in sorted((HERE / "results").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            result = json.loads(line)
            column = f"{result['sdk']} ({result.get('runtime', '?')})"
            if column not in columns:
                columns.append(column)
            runs[(result["scenario"], result["transport"], column)] = bool(result["ok"])
    rows = [
        "| scenario | transport | " + " | ".join(columns) + " |",
        "| --- | --- | " + " | ".join("---" for _ in columns) + " |",
    ]
    for scenario in scenarios:
        for transport in scenario["transports"]:
            cells = []
            for column in columns:
                outcome = runs.get((scenario["name"], transport, column))
                cells.append("not run" if outcome is None else ("pass" if outcome else "**FAIL**"))
            rows.append(f"| {scenario['name']} | {transport} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def write_table() -> None:
    readme = HERE / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    readme.write_text(text[:start] + "\n" + table() + "\n" + text[end:], encoding="utf-8")


async def main(sdks: list[str], only: list[str]) -> int:
    drivers: dict[str, list[str]] = json.loads((HERE / "drivers.json").read_text(encoding="utf-8"))["drivers"]
    chosen = sdks or list(drivers)
    ready: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
    serving = asyncio.create_task(harness.serve(ready, stop_on_stdin=False))
    failed = 0
    try:
        info = await asyncio.wait_for(asyncio.shield(ready), 180)
        for name in chosen:
            results = await run_driver(name, drivers[name], info, only)
            if not only:
                (HERE / "results").mkdir(exist_ok=True)
                lines = "".join(json.dumps(r) + "\n" for r in results if r["scenario"] != "(driver)")
                (HERE / "results" / f"{name}.jsonl").write_text(lines, encoding="utf-8")
            failed += sum(1 for r in results if not r["ok"]) + (0 if results else 1)
    finally:
        harness.request_stop()
        await serving
    if not only:
        write_table()
    total = "all passed" if failed == 0 else f"{failed} failed"
    print(f"conformance: {', '.join(chosen)}: {total}")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("sdks", nargs="*")
    parser.add_argument("--scenario", action="append", default=[])
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.sdks, args.scenario)))
