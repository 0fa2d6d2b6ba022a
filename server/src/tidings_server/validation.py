"""Request body validation for connexion, fixed where its default answers wrongly.

connexion 3.3's JSON body validator lets a body that is not valid UTF-8 (or declares an unknown
charset) escape as a 500, and reports only the first schema violation as prose. This one
answers `invalid_json` (400) for undecodable or unparsable bodies and `validation_failed` (400)
listing every violation with its JSON pointer.
"""

from __future__ import annotations

import typing as t

import orjson
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator
from jsonschema import ValidationError
from starlette.types import Scope

from tidings_server.errors import InvalidJSON, RequestError

__all__ = ["VALIDATORS"]

# Violations reported per request: enough to fix a payload, bounded so a huge invalid array
# cannot make a huge error.
MAX_VIOLATIONS = 50


def _pointer(error: ValidationError) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)


class StrictJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]  # connexion is untyped
    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Scope) -> t.Any:
        raw = b"".join([chunk async for chunk in stream])
        if not raw:
            return None
        try:
            text = raw.decode(self._encoding)
        except (UnicodeDecodeError, LookupError):
            raise InvalidJSON(f"the body is not valid {self._encoding} text") from None
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise InvalidJSON(f"the body is not valid JSON: {exc}") from None

    def _validate(self, body: t.Any) -> dict[str, t.Any] | None:
        if not self._nullable and body is None:
            raise RequestError("a JSON request body is required", code="validation_failed")
        violations = [
            {"pointer": _pointer(error), "message": error.message}
            for _, error in zip(range(MAX_VIOLATIONS), self._validator.iter_errors(body), strict=False)
        ]
        if violations:
            raise RequestError(
                "the body does not match the schema", code="validation_failed", errors=violations
            )
        return None


VALIDATORS: dict[str, t.Any] = {
    "body": VALIDATOR_MAP["body"].__class__({**VALIDATOR_MAP["body"], "*/*json": StrictJSONBodyValidator}),
}
