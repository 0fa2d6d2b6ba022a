"""`make spec-lint`, Python half: validates spec/openapi.yaml (with the files it $refs) against
the OpenAPI 3.0 schema, checks that connexion can load it, and checks the error registry.
The AsyncAPI document is validated by lint-asyncapi.mjs (the official parser).

Usage: python spec/tools/lint.py [spec folder]   — exits 1 and lists the problems on failure.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

CODE = re.compile(r"^[a-z][a-z0-9_]*$")
FIELDS = {"status", "close_code", "action", "retryable", "title", "description", "frame"}


def lint_yaml(spec: Path) -> list[str]:
    """Every YAML file parses (a referenced file that does not parse is otherwise reported as an
    unresolvable $ref, which hides the real error)."""
    problems = []
    for path in sorted(spec.rglob("*.yaml")):
        if "node_modules" in path.parts:
            continue
        try:
            yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            problems.append(f"{path.relative_to(spec)}: {exc}")
    return problems


def lint_openapi(spec: Path) -> list[str]:
    doc, base_uri = read_from_filename(str(spec / "openapi.yaml"))
    try:
        validate(doc, base_uri=base_uri)
    except Exception as exc:  # noqa: BLE001 - report, whatever the validator raised
        return [f"openapi.yaml: {exc}"]
    problems = []
    if doc.get("openapi") != "3.0.3":
        problems.append("openapi.yaml: must be OpenAPI 3.0.3 (connexion 3 does not load 3.1)")
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            if "default" not in op.get("responses", {}):
                problems.append(f"openapi.yaml: {method.upper()} {path} has no `default` problem response")
    return problems


def lint_errors(spec: Path) -> list[str]:
    raw = yaml.safe_load((spec / "errors.yaml").read_text())
    problems = []
    close_codes: dict[int, str] = {}
    for code, entry in raw.get("codes", {}).items():
        where = f"errors.yaml: {code}"
        if not CODE.match(code):
            problems.append(f"{where}: codes are lower_snake_case")
        unknown = set(entry) - FIELDS
        if unknown:
            problems.append(f"{where}: unknown fields {sorted(unknown)}")
        for field in ("title", "description", "retryable"):
            if field not in entry:
                problems.append(f"{where}: missing `{field}`")
        if "status" not in entry and "close_code" not in entry and not entry.get("frame"):
            problems.append(f"{where}: needs an HTTP `status`, a `close_code`, or `frame: true`")
        if "status" in entry and not 400 <= entry["status"] <= 599:
            problems.append(f"{where}: status must be 4xx or 5xx")
        if "close_code" in entry:
            cc = entry["close_code"]
            if not 4000 <= cc <= 4999:
                problems.append(f"{where}: close codes are 4000-4999")
            if entry.get("action") not in ("reconnect", "terminal"):
                problems.append(f"{where}: a close code needs `action: reconnect|terminal`")
            if cc in close_codes:
                problems.append(f"{where}: close code {cc} already used by {close_codes[cc]}")
            close_codes[cc] = code
    return problems


def main() -> int:
    spec = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[1])
    problems = lint_yaml(spec)
    if not problems:
        problems = lint_openapi(spec) + lint_errors(spec)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{spec / 'openapi.yaml'}: valid OpenAPI 3.0.3; errors.yaml: valid registry")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
