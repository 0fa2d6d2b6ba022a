# Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
# Change the spec (or codegen/templates/python) and run `make codegen`.
"""Models of Petstore fixture 1.2.3: request and response bodies, realtime frames.

Objects are TypedDicts: a value is the plain JSON object, so unknown fields the server adds later
pass through untouched. `NotRequired[X]` means the key may be absent; `X | None` means it may be
null; a field can be both.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

__all__ = [
    "JsonValue",
    "Cat",
    "Census",
    "ClientFrame",
    "Color",
    "Cursor",
    "Dog",
    "Event",
    "Hello",
    "Id",
    "Name",
    "PageCursor",
    "Pet",
    "PetBase",
    "PetPage",
    "PetUpdate",
    "Problem",
    "Score",
    "ScoreVariant1",
    "ScoreVariant2",
    "ServerFrame",
    "Size",
    "Subscribe",
    "Tag",
    "Unused",
    "Violation",
    "Visit",
    "VisitPage",
]

JsonValue: TypeAlias = "dict[str, JsonValue] | list[JsonValue] | str | int | float | bool | None"


class Cat(TypedDict):
    id: int
    name: str
    # Required but may be null.
    nickname: str | None
    # Optional and nullable (a ref via allOf).
    owner_id: NotRequired[Id | None]
    tags: NotRequired[list[Tag]]
    labels: NotRequired[dict[str, str]]
    scores: NotRequired[dict[str, Score]]
    # Free-form.
    metadata: NotRequired[dict[str, JsonValue]]
    color: NotRequired[Color]
    size: NotRequired[Size]
    kind: Literal["cat"]
    indoor: bool


class Census(TypedDict):
    total: int


# Tagged by `type`: subscribe -> Subscribe.
ClientFrame: TypeAlias = "Subscribe"


# Coat colour.
Color: TypeAlias = Literal["black", "white", "ginger", "tabby-grey"]


Cursor: TypeAlias = "str"


Dog = TypedDict(
    "Dog",
    {
        "id": "int",
        "name": "str",
        "nickname": "str | None",
        "owner_id": "NotRequired[Id | None]",
        "tags": "NotRequired[list[Tag]]",
        "labels": "NotRequired[dict[str, str]]",
        "scores": "NotRequired[dict[str, Score]]",
        "metadata": "NotRequired[dict[str, JsonValue]]",
        "color": "NotRequired[Color]",
        "size": "NotRequired[Size]",
        "kind": "Literal[\"dog\"]",
        "good_boy": "NotRequired[bool]",
        "class": "NotRequired[str]",
        "x-breed": "NotRequired[str]",
    },
)


class Event(TypedDict):
    type: Literal["event"]
    topic: str
    cursor: NotRequired[Cursor]
    data: JsonValue


class Hello(TypedDict):
    type: Literal["hello"]
    session: str


Id: TypeAlias = "str"


# A display name.
Name: TypeAlias = "str"


# Opaque; pass it back as `after`.
PageCursor: TypeAlias = "str"


# Tagged by `kind`: cat -> Cat, dog -> Dog.
Pet: TypeAlias = "Cat | Dog"


class PetBase(TypedDict):
    id: int
    name: str
    # Required but may be null.
    nickname: str | None
    # Optional and nullable (a ref via allOf).
    owner_id: NotRequired[Id | None]
    tags: NotRequired[list[Tag]]
    labels: NotRequired[dict[str, str]]
    scores: NotRequired[dict[str, Score]]
    # Free-form.
    metadata: NotRequired[dict[str, JsonValue]]
    color: NotRequired[Color]
    size: NotRequired[Size]


class PetPage(TypedDict):
    items: list[Pet]
    # Null on the last page.
    next_cursor: PageCursor | None


class PetUpdate(TypedDict):
    name: NotRequired[str]
    nickname: NotRequired[str | None]
    owner_id: NotRequired[Id | None]


class Problem(TypedDict):
    type: str
    title: str
    status: int
    code: str
    detail: NotRequired[str]
    request_id: NotRequired[str]
    errors: NotRequired[list[Violation]]


Score: TypeAlias = "ScoreVariant1 | ScoreVariant2"


class ScoreVariant1(TypedDict):
    points: int


class ScoreVariant2(TypedDict):
    grade: str


# Tagged by `type`: hello -> Hello, event -> Event.
ServerFrame: TypeAlias = "Hello | Event"


Size: TypeAlias = Literal[1, 2, 3]


class Subscribe(TypedDict):
    type: Literal["subscribe"]
    pattern: str
    cursor: NotRequired[Cursor]


class Tag(TypedDict):
    name: Name
    weight: NotRequired[float]


class Unused(TypedDict):
    """Declared but never sent; included through `schemas` in the config."""
    note: NotRequired[str]


class Violation(TypedDict):
    pointer: NotRequired[str]
    message: str


class Visit(TypedDict):
    at: str
    note: NotRequired[str]


class VisitPage(TypedDict):
    items: list[Visit]
    next_cursor: PageCursor
    # Whether more visits follow `next_cursor` now.
    has_more: bool
