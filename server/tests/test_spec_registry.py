"""The error registry (spec/errors.yaml) and the exceptions that use it."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from tidings_server import errors
from tidings_server.errors import TidingsError, problem_body
from tidings_server.spec import error_registry, spec_dir


def _problem_schema() -> dict[str, object]:
    schema: dict[str, object] = yaml.safe_load((spec_dir() / "schemas" / "problem.yaml").read_text())
    return schema


def _error_classes() -> list[type[TidingsError]]:
    found = [TidingsError]
    stack = [TidingsError]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub.__module__ == errors.__name__:
                found.append(sub)
                stack.append(sub)
    return found


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_exception_code_is_registered(cls: type[TidingsError]) -> None:
    assert cls.code in error_registry()


@pytest.mark.parametrize("code", [c for c, s in error_registry().items() if s.status is not None])
def test_every_rest_code_makes_a_problem_that_matches_the_spec(code: str) -> None:
    body = problem_body(
        code, detail="d", instance="/x", request_id="r1", errors=[{"pointer": "/a", "message": "m"}]
    )
    jsonschema.validate(body, _problem_schema())
    assert body["status"] == error_registry()[code].status
    assert body["type"].endswith("/" + code)


def test_an_unregistered_code_cannot_be_raised() -> None:
    with pytest.raises(ValueError, match=r"not in spec/errors\.yaml"):
        TidingsError(code="made_up")


def test_close_codes_are_unique_and_carry_an_action() -> None:
    seen: set[int] = set()
    for spec in error_registry().values():
        if spec.close_code is not None:
            assert spec.close_code not in seen
            assert spec.action in ("reconnect", "terminal")
            seen.add(spec.close_code)
    assert seen, "the realtime transports need close codes"
