# Generated from fixture/openapi.yaml, fixture/asyncapi.yaml, fixture/errors.yaml by codegen — do not edit.
# Change the spec (or codegen/templates/python) and run `make codegen`.
"""One method per REST operation of Petstore fixture 1.2.3.

`Operations` only shapes requests; a subclass (the hand-written `tidings.Client`) sends them by
implementing `_send`: auth, retries, idempotency keys and error mapping live there.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypedDict, cast
from urllib.parse import quote

from . import models

__all__ = ["SECURITY_SCHEMES", "ApiRequest", "Operations", "RequestOptions", "SecurityScheme"]


@dataclass(frozen=True)
class SecurityScheme:
    name: str
    type: Literal["http", "apiKey"]
    scheme: str | None = None  # bearer or basic, for http
    location: str | None = None  # header or query, for apiKey
    param_name: str | None = None  # the header or query parameter, for apiKey


SECURITY_SCHEMES: Mapping[str, SecurityScheme] = {
    "ApiKeyHeader": SecurityScheme(
        "ApiKeyHeader", "apiKey", None, "header", "X-API-Key"
    ),
    "ApiKeyQuery": SecurityScheme(
        "ApiKeyQuery", "apiKey", None, "query", "api_key"
    ),
    "BearerAuth": SecurityScheme(
        "BearerAuth", "http", "bearer", None, None
    ),
}


class RequestOptions(TypedDict, total=False):
    """Per-call overrides of the client's settings."""

    timeout: float  # seconds for the whole call, retries included
    max_retries: int
    idempotency_key: str  # default: one generated per call, reused on each of its retries
    headers: Mapping[str, str]


@dataclass(frozen=True)
class ApiRequest:
    """One logical call: what `_send` needs to perform it (and retry it)."""

    method: str
    path: str  # already percent-encoded
    operation: str
    # Schemes any one of which the operation accepts; empty: send no credential.
    security: tuple[str, ...] = ()
    # None values are left out; lists repeat the parameter.
    query: Mapping[str, object] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: object = None
    has_body: bool = False


def _quote(value: object) -> str:
    return quote(str(value), safe="")


class Operations(abc.ABC):
    """The REST operations; subclasses provide `_send`."""

    @abc.abstractmethod
    async def _send(self, request: ApiRequest, options: RequestOptions | None) -> object:
        """Perform `request` and return the decoded JSON body (None when there is none)."""

    async def list_pets(
        self,
        *,
        after: models.PageCursor | None = None,
        limit: int | None = None,
        tag: list[str] | None = None,
        color: models.Color | None = None,
        from_: str | None = None,
        x_trace_id: str | None = None,
        options: RequestOptions | None = None,
    ) -> models.PetPage:
        """List pets, newest first"""
        result = await self._send(
            ApiRequest(
                "GET",
                "/pets",
                "list_pets",
                security=("BearerAuth",),
                query={ "after": after, "limit": limit, "tag": tag, "color": color, "from": from_ },
                headers={k: str(v) for k, v in (("X-Trace-Id", x_trace_id),) if v is not None},
            ),
            options,
        )
        return cast("models.PetPage", result)

    async def iter_pets(
        self,
        *,
        after: models.PageCursor | None = None,
        limit: int | None = None,
        tag: list[str] | None = None,
        color: models.Color | None = None,
        from_: str | None = None,
        x_trace_id: str | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.Pet]:
        """Every item of `list_pets`, fetching page after page by `next_cursor`."""
        while True:
            page = await self.list_pets(
                after=after,
                limit=limit,
                tag=tag,
                color=color,
                from_=from_,
                x_trace_id=x_trace_id,
                options=options,
            )
            for item in page["items"]:
                yield item
            next_cursor = page.get("next_cursor")
            if not next_cursor:
                return
            after = next_cursor

    async def create_pet(
        self,
        body: models.Pet,
        *,
        options: RequestOptions | None = None,
    ) -> models.Pet:
        """Create a pet"""
        result = await self._send(
            ApiRequest(
                "POST",
                "/pets",
                "create_pet",
                security=("ApiKeyHeader", "BearerAuth",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Pet", result)

    async def get_pet(
        self,
        pet_id: int,
        *,
        options: RequestOptions | None = None,
    ) -> models.Pet:
        result = await self._send(
            ApiRequest(
                "GET",
                f"/pets/{_quote(pet_id)}",
                "get_pet",
                security=("BearerAuth",),
            ),
            options,
        )
        return cast("models.Pet", result)

    async def delete_pet(
        self,
        pet_id: int,
        *,
        options: RequestOptions | None = None,
    ) -> None:
        """Deprecated."""
        await self._send(
            ApiRequest(
                "DELETE",
                f"/pets/{_quote(pet_id)}",
                "delete_pet",
                security=("ApiKeyQuery",),
            ),
            options,
        )

    async def update_pet(
        self,
        pet_id: int,
        body: models.PetUpdate | None = None,
        *,
        options: RequestOptions | None = None,
    ) -> models.Pet:
        """Absent fields are kept; `null` clears a nullable one."""
        result = await self._send(
            ApiRequest(
                "PATCH",
                f"/pets/{_quote(pet_id)}",
                "update_pet",
                security=("BearerAuth",),
                body=body,
                has_body=body is not None,
            ),
            options,
        )
        return cast("models.Pet", result)

    async def list_visits(
        self,
        pet_id: int,
        *,
        after: models.PageCursor | None = None,
        options: RequestOptions | None = None,
    ) -> models.VisitPage:
        """A pet's visits, oldest first

        A page always carries `next_cursor` (where to resume later); `has_more` says whether more
        visits are there now.
        """
        result = await self._send(
            ApiRequest(
                "GET",
                f"/pets/{_quote(pet_id)}/visits",
                "list_visits",
                security=("BearerAuth",),
                query={ "after": after },
            ),
            options,
        )
        return cast("models.VisitPage", result)

    async def iter_visits(
        self,
        pet_id: int,
        *,
        after: models.PageCursor | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.Visit]:
        """Every item of `list_visits`, fetching page after page by `next_cursor` while `has_more`."""
        while True:
            page = await self.list_visits(
                pet_id,
                after=after,
                options=options,
            )
            for item in page["items"]:
                yield item
            next_cursor = page.get("next_cursor")
            # The page always carries a cursor (where to resume later); the flag says whether to go on.
            if not next_cursor or not page["has_more"]:
                return
            after = next_cursor

    async def pets_by_color(
        self,
        owner: models.Id,
        color: models.Color,
        *,
        options: RequestOptions | None = None,
    ) -> list[models.Pet]:
        """Path parameters that are a ref'd string and an enum"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/owners/{_quote(owner)}/pets/{_quote(color)}",
                "pets_by_color",
                security=(),
            ),
            options,
        )
        return cast("list[models.Pet]", result)

    async def census(
        self,
        *,
        options: RequestOptions | None = None,
    ) -> models.Census:
        result = await self._send(
            ApiRequest(
                "GET",
                "/census",
                "census",
                security=(),
            ),
            options,
        )
        return cast("models.Census", result)
