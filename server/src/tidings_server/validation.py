"""Request and response validation for connexion, fixed where its defaults answer wrongly.

Patterns: the spec's `pattern`s are ECMA-262 regular expressions (JSON Schema, OpenAPI), where
`$` matches only at the end of the input. jsonschema checks them with Python's `re.search`, where
`$` also matches before a final newline, so `orders.created\\n` passed `^…$` and was stored.
Every validator here checks patterns with ECMA semantics (`ecma_regex`), and string formats
(`date-time`, `email`) refuse control characters, which none of them allows.

Bodies: connexion 3.3's JSON body validator lets a body that is not valid UTF-8 (or declares an
unknown charset) escape as a 500, and reports only the first schema violation as prose. This one
answers `invalid_json` (400) for undecodable or unparsable bodies and `validation_failed` (400)
listing every violation with its JSON pointer; a body nested deeper than `MAX_JSON_DEPTH`, or
with an integer past 64 bits (orjson would read it as a float, altered), is `invalid_json`.
A body without a Content-Type is refused
(`unsupported_media_type`, 415): connexion validates it as JSON but hands the handler bytes.
"""

from __future__ import annotations

import functools
import json
import re
import typing as t
import uuid
from collections.abc import Iterator

import orjson
from connexion.json_schema import Draft4RequestValidator, Draft4ResponseValidator
from connexion.lifecycle import ConnexionRequest
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    VALIDATOR_MAP,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    ParameterValidator,
)
from jsonschema import Draft4Validator, FormatChecker, ValidationError
from jsonschema.validators import extend
from starlette.datastructures import QueryParams
from starlette.types import Scope

from tidings_server.errors import InvalidJSON, NotFound, RequestError
from tidings_server.jsonutil import nests_deeper_than

__all__ = [
    "VALIDATORS",
    "EcmaParameterValidator",
    "ecma_regex",
    "has_control_characters",
    "parameter_validator",
    "parse_id",
]

# Violations reported per request: enough to fix a payload, bounded so a huge invalid array
# cannot make a huge error.
MAX_VIOLATIONS = 50
# Nesting of arrays and objects in a body: far past any real payload, well short of where a
# recursive reader (the standard library's, jsonschema's) runs out of stack.
MAX_JSON_DEPTH = 128
_LONG_DIGITS = re.compile(r"[0-9]{19}")
# Unicode category Cc: C0 controls, DEL and C1 controls.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


_NUMBER_LITERALS = {
    "integer": re.compile(r"-?[0-9]{1,19}"),
    "number": re.compile(r"-?[0-9]{1,19}(?:\.[0-9]{1,19})?(?:[eE][-+]?[0-9]{1,3})?"),
}
# An id in a path (spec/schemas/common.yaml `Id`): a UUID in its canonical 8-4-4-4-12 form.
_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def parse_id(text: str) -> uuid.UUID | None:
    """The UUID a path id names, or None when it is not one (the caller answers 404/4404)."""
    return uuid.UUID(text) if _ID.fullmatch(text) else None


@functools.lru_cache(maxsize=512)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """An ECMA-262 `pattern` (no flags) compiled for Python with the same anchoring: each `$`
    outside a character class becomes `\\Z` (end of input only). `^` already means start of
    input in both without the multiline flag."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "$":
            c = r"\Z"
        out.append(c)
        i += 1
    return re.compile("".join(out))


def _ecma_pattern(
    validator: t.Any, pattern: str, instance: t.Any, schema: t.Mapping[str, t.Any]
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _strict_formats(base: FormatChecker) -> FormatChecker:
    """`base`'s formats, each also refusing control characters."""
    checker = FormatChecker(formats=())
    for name, (func, raises) in base.checkers.items():

        def check(instance: object, func: t.Callable[[object], bool] = func) -> bool:
            if isinstance(instance, str) and has_control_characters(instance):
                return False
            return func(instance)

        checker.checks(name, raises)(check)
    return checker


def _with_date(checker: FormatChecker) -> FormatChecker:
    """Draft 4 has no `date` format; OpenAPI 3.0 has (`full-date` of RFC 3339)."""
    if "date" not in checker.checkers:
        func, raises = FormatChecker().checkers["date"]
        checker.checks("date", raises)(func)
    return checker


FORMAT_CHECKER = _strict_formats(_with_date(FormatChecker(formats=Draft4Validator.FORMAT_CHECKER.checkers)))
ParameterSchemaValidator = extend(Draft4Validator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]
RequestSchemaValidator = extend(Draft4RequestValidator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]
ResponseSchemaValidator = extend(Draft4ResponseValidator, {"pattern": _ecma_pattern})  # type: ignore[no-untyped-call]


def parameter_validator(schema: t.Mapping[str, t.Any]) -> t.Any:
    """The validator of one parameter's schema (as connexion checks path, query and headers)."""
    return ParameterSchemaValidator(schema, format_checker=FORMAT_CHECKER)


def _int64(literal: str) -> int:
    value = int(literal)
    if not -(2**63) <= value < 2**64:
        raise InvalidJSON(f"the integer {literal[:24]}... is outside the 64-bit range JSON numbers keep")
    return value


def _declared_media_type(scope: Scope) -> bool:
    """Whether the request names a media type (a Content-Type that is not blank)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bool(value.split(b";", 1)[0].strip())
    return False


def _pointer(error: ValidationError) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)


class EcmaParameterValidator(ParameterValidator):  # type: ignore[misc]  # connexion is untyped
    """connexion's parameter checks with ECMA patterns; a path parameter that breaks its schema
    names no resource: 404 `not_found` (before the query is looked at), on every route."""

    def validate(self, scope: Scope) -> None:
        request = ConnexionRequest(scope, uri_parser=self.uri_parser)
        self._validate_path(request)
        # connexion coerces with int()/float(), which take " 1", "1\n" and "1_000": a number in a
        # query is its plain literal, or refused.
        raw = QueryParams(scope.get("query_string", b""))
        for param in self.parameters.get("query", []):
            literal = _NUMBER_LITERALS.get(param.get("schema", {}).get("type"))
            if literal is None:
                continue
            for value in raw.getlist(param["name"]):
                if not literal.fullmatch(value):
                    raise RequestError(
                        "a query parameter is malformed",
                        code="validation_failed",
                        errors=[{"pointer": f"/{param['name']}", "message": f"{value!r} is not a number"}],
                    )
        self.validate_request(request)

    def _validate_path(self, request: t.Any) -> None:
        for param in self.parameters.get("path", []):
            if self.validate_path_parameter(param, request):
                raise NotFound(f"no such {param['name']}: the path parameter is malformed")

    @staticmethod
    def validate_parameter(
        parameter_type: str, value: t.Any, param: dict[str, t.Any], param_name: str | None = None
    ) -> str | None:
        if value is not None and not (is_nullable(param) and is_null(value)):
            error = next(iter(parameter_validator(param.get("schema", param)).iter_errors(value)), None)
            return None if error is None else str(error.message)
        return t.cast(
            "str | None", ParameterValidator.validate_parameter(parameter_type, value, param, param_name)
        )


class StrictJSONBodyValidator(JSONRequestBodyValidator):  # type: ignore[misc]  # connexion is untyped
    @property
    def _validator(self) -> t.Any:
        return RequestSchemaValidator(self._schema, format_checker=FORMAT_CHECKER)

    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Scope) -> t.Any:
        raw = b"".join([chunk async for chunk in stream])
        if not raw:
            return None
        if not _declared_media_type(scope):
            # connexion would validate the body as JSON, then hand the handler its raw bytes.
            raise RequestError(
                "a request body needs a Content-Type (application/json)", code="unsupported_media_type"
            )
        try:
            text = raw.decode(self._encoding)
        except (UnicodeDecodeError, LookupError):
            raise InvalidJSON(f"the body is not valid {self._encoding} text") from None
        try:
            body = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise InvalidJSON(f"the body is not valid JSON: {exc}") from None
        if nests_deeper_than(body, MAX_JSON_DEPTH):
            raise InvalidJSON(f"the body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels")
        if _LONG_DIGITS.search(text):
            # orjson reads an integer past 64 bits as a float: it would be stored altered.
            json.loads(text, parse_int=_int64)
        return body

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


class EcmaJSONResponseBodyValidator(JSONResponseBodyValidator):  # type: ignore[misc]  # connexion is untyped
    @property
    def validator(self) -> t.Any:
        return ResponseSchemaValidator(self._schema, format_checker=FORMAT_CHECKER)


VALIDATORS: dict[str, t.Any] = {
    "parameter": EcmaParameterValidator,
    "body": VALIDATOR_MAP["body"].__class__({**VALIDATOR_MAP["body"], "*/*json": StrictJSONBodyValidator}),
    "response": VALIDATOR_MAP["response"].__class__(
        {**VALIDATOR_MAP["response"], "*/*json": EcmaJSONResponseBodyValidator}
    ),
}
