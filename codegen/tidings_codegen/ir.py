"""The language-neutral model of an API that the templates render.

The loader turns spec/openapi.yaml, the message payloads of spec/asyncapi.yaml and
spec/errors.yaml into these frozen dataclasses; each language adapter only reads them. Nothing in
here knows about YAML, `$ref` or a target language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "AliasModel",
    "Api",
    "EnumModel",
    "ErrorCode",
    "Field",
    "Model",
    "ObjectModel",
    "Operation",
    "Pagination",
    "Param",
    "SecurityScheme",
    "TypeRef",
    "UnionModel",
]

Kind = Literal["string", "integer", "number", "boolean", "any", "ref", "array", "map", "literal"]


@dataclass(frozen=True)
class TypeRef:
    """A type expression: a primitive, a named model, a container, or a single constant."""

    kind: Kind
    name: str | None = None  # the model name, for `ref`
    item: TypeRef | None = None  # element type of `array`, value type of `map`
    format: str | None = None  # `date-time`, `int32`, ... (kept for adapters that care)
    value: str | int | None = None  # the constant, for `literal`
    nullable: bool = False  # JSON `null` is a valid value (distinct from "may be absent")

    def with_nullable(self, nullable: bool) -> TypeRef:
        return TypeRef(self.kind, self.name, self.item, self.format, self.value, nullable)


@dataclass(frozen=True)
class Field:
    name: str  # the JSON property name, as on the wire
    type: TypeRef
    required: bool  # must be present; independent of `type.nullable`
    description: str | None = None


@dataclass(frozen=True)
class ObjectModel:
    name: str
    fields: tuple[Field, ...]
    description: str | None = None
    # Schema of the values of properties not listed in `fields` (additionalProperties), if typed.
    extra: TypeRef | None = None


@dataclass(frozen=True)
class EnumModel:
    name: str
    values: tuple[str | int, ...]
    description: str | None = None


@dataclass(frozen=True)
class UnionModel:
    name: str
    variants: tuple[str, ...]  # model names
    description: str | None = None
    discriminator: str | None = None  # the tag property, when the union has one
    # tag value -> variant model name, in spec order; every variant appears exactly once.
    mapping: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AliasModel:
    """A named schema that is not an object, enum or union: `Id = string`, `Patterns = [...]`."""

    name: str
    target: TypeRef
    description: str | None = None


Model = ObjectModel | EnumModel | UnionModel | AliasModel


@dataclass(frozen=True)
class Param:
    name: str  # the wire name
    location: Literal["path", "query", "header"]
    type: TypeRef
    required: bool
    description: str | None = None


@dataclass(frozen=True)
class Pagination:
    """A cursor-paginated list: pass `next_cursor` of a page back as `cursor_param`.

    The list ends at a page without `next_cursor`; when the page also has the boolean
    `has_more_field`, it ends as well at a page where that is false (such a page always carries a
    cursor, the position to resume from later).
    """

    cursor_param: str
    items_field: str
    next_cursor_field: str
    item: TypeRef
    has_more_field: str | None = None


@dataclass(frozen=True)
class Operation:
    name: str  # snake_case, unique
    method: str  # upper case
    path: str  # template with `{param}` placeholders
    params: tuple[Param, ...]
    body: TypeRef | None
    body_required: bool
    response: TypeRef | None  # None: no body on success (204)
    # Security alternatives (any one suffices); empty when the operation is anonymous.
    security: tuple[str, ...]
    summary: str | None = None
    description: str | None = None
    tag: str | None = None
    deprecated: bool = False
    pagination: Pagination | None = None

    @property
    def path_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def other_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location != "path")


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    type: str  # http | apiKey
    scheme: str | None = None  # bearer | basic, for http
    location: str | None = None  # header | query, for apiKey
    param_name: str | None = None  # header or query parameter name, for apiKey
    description: str | None = None


@dataclass(frozen=True)
class ErrorCode:
    code: str
    title: str
    retryable: bool
    status: int | None = None
    close_code: int | None = None
    action: str | None = None  # reconnect | terminal
    description: str | None = None
    frame: bool = False  # answered with a realtime error frame; the connection stays open


@dataclass(frozen=True)
class Api:
    title: str
    version: str
    sources: tuple[str, ...]  # spec files, relative to the repository root, for the header
    models: tuple[Model, ...]  # sorted by name
    operations: tuple[Operation, ...]  # in spec order
    security_schemes: tuple[SecurityScheme, ...]
    errors: tuple[ErrorCode, ...]
    # Names of the realtime message payload models (from AsyncAPI), and the frame unions.
    messages: tuple[str, ...] = field(default=())
