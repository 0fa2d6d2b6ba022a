# Generated from spec/openapi.yaml, spec/asyncapi.yaml, spec/errors.yaml by codegen — do not edit.
# Change the spec (or codegen/templates/python) and run `make codegen`.
"""One method per REST operation of Tidings API 0.1.0.

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
    "ApiKeyAuth": SecurityScheme(
        "ApiKeyAuth", "http", "bearer", None, None
    ),
    "ClientToken": SecurityScheme(
        "ClientToken", "http", "bearer", None, None
    ),
    "UserToken": SecurityScheme(
        "UserToken", "http", "bearer", None, None
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

    async def healthz(
        self,
        *,
        options: RequestOptions | None = None,
    ) -> models.Health:
        """Liveness probe

        Answers 200 while the process runs; checks no dependency.
        """
        result = await self._send(
            ApiRequest(
                "GET",
                "/healthz",
                "healthz",
                security=(),
            ),
            options,
        )
        return cast("models.Health", result)

    async def readyz(
        self,
        *,
        options: RequestOptions | None = None,
    ) -> models.Readiness:
        """Readiness probe

        200 when PostgreSQL and NATS JetStream both answer and this process's live delivery runs
        (`live_delivery`: after a NATS reconnection the live feeds are re-created first); 503
        naming the failing check otherwise (the body has the same shape in both cases).
        """
        result = await self._send(
            ApiRequest(
                "GET",
                "/readyz",
                "readyz",
                security=(),
            ),
            options,
        )
        return cast("models.Readiness", result)

    async def version(
        self,
        *,
        options: RequestOptions | None = None,
    ) -> models.Version:
        """Server and API version"""
        result = await self._send(
            ApiRequest(
                "GET",
                "/version",
                "version",
                security=(),
            ),
            options,
        )
        return cast("models.Version", result)

    async def whoami(
        self,
        *,
        options: RequestOptions | None = None,
    ) -> models.Whoami:
        """Introspect the calling credential

        What the credential of the request is and what it may do.
        """
        result = await self._send(
            ApiRequest(
                "GET",
                "/v1/whoami",
                "whoami",
                security=("ApiKeyAuth", "ClientToken", "UserToken",),
            ),
            options,
        )
        return cast("models.Whoami", result)

    async def signup(
        self,
        body: models.Signup,
        *,
        options: RequestOptions | None = None,
    ) -> models.Session:
        """Sign up: a user and their first tenant

        Creates a user, a tenant with that user as `owner`, and a session. Refused with 403 `signup_closed` when the operator turned sign-up off.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                "/v1/auth/signup",
                "signup",
                security=(),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Session", result)

    async def login(
        self,
        body: models.Login,
        *,
        options: RequestOptions | None = None,
    ) -> models.Session:
        """Log in with email and password

        Failed attempts are throttled per email and per source address (429 with `Retry-After`). The answer never says whether the email exists.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                "/v1/auth/login",
                "login",
                security=(),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Session", result)

    async def refresh(
        self,
        body: models.RefreshRequest,
        *,
        options: RequestOptions | None = None,
    ) -> models.Session:
        """Rotate a refresh token

        Every refresh token works once. Presenting one that was already used revokes the whole session (token theft detection).
        """
        result = await self._send(
            ApiRequest(
                "POST",
                "/v1/auth/refresh",
                "refresh",
                security=(),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Session", result)

    async def logout(
        self,
        body: models.RefreshRequest,
        *,
        options: RequestOptions | None = None,
    ) -> None:
        """End a session

        Revokes the session of this refresh token; its access tokens stop working at once.
        """
        await self._send(
            ApiRequest(
                "POST",
                "/v1/auth/logout",
                "logout",
                security=(),
                body=body,
                has_body=True,
            ),
            options,
        )

    async def me(
        self,
        *,
        options: RequestOptions | None = None,
    ) -> models.User:
        """The signed-in user and their memberships"""
        result = await self._send(
            ApiRequest(
                "GET",
                "/v1/me",
                "me",
                security=("UserToken",),
            ),
            options,
        )
        return cast("models.User", result)

    async def list_tenants(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> models.TenantList:
        """Tenants the user belongs to (all of them for an operator)"""
        result = await self._send(
            ApiRequest(
                "GET",
                "/v1/tenants",
                "list_tenants",
                security=("UserToken",),
                query={ "after": after, "limit": limit },
            ),
            options,
        )
        return cast("models.TenantList", result)

    async def iter_tenants(
        self,
        *,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.Tenant]:
        """Every item of `list_tenants`, fetching page after page by `next_cursor`."""
        while True:
            page = await self.list_tenants(
                after=after,
                limit=limit,
                options=options,
            )
            for item in page["items"]:
                yield item
            next_cursor = page.get("next_cursor")
            if not next_cursor:
                return
            after = next_cursor

    async def create_tenant(
        self,
        body: models.TenantCreate,
        *,
        options: RequestOptions | None = None,
    ) -> models.Tenant:
        """Create a tenant (the caller becomes its owner)"""
        result = await self._send(
            ApiRequest(
                "POST",
                "/v1/tenants",
                "create_tenant",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Tenant", result)

    async def get_tenant(
        self,
        tenant: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.Tenant:
        """A tenant"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/tenants/{_quote(tenant)}",
                "get_tenant",
                security=("UserToken",),
            ),
            options,
        )
        return cast("models.Tenant", result)

    async def update_tenant(
        self,
        tenant: str,
        body: models.TenantUpdate,
        *,
        options: RequestOptions | None = None,
    ) -> models.Tenant:
        """Update a tenant"""
        result = await self._send(
            ApiRequest(
                "PATCH",
                f"/v1/tenants/{_quote(tenant)}",
                "update_tenant",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Tenant", result)

    async def list_members(
        self,
        tenant: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.MemberList:
        """Members and their roles"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/tenants/{_quote(tenant)}/members",
                "list_members",
                security=("UserToken",),
            ),
            options,
        )
        return cast("models.MemberList", result)

    async def remove_member(
        self,
        tenant: str,
        user_id: str,
        *,
        options: RequestOptions | None = None,
    ) -> None:
        """Remove a member"""
        await self._send(
            ApiRequest(
                "DELETE",
                f"/v1/tenants/{_quote(tenant)}/members/{_quote(user_id)}",
                "remove_member",
                security=("UserToken",),
            ),
            options,
        )

    async def update_member(
        self,
        tenant: str,
        user_id: str,
        body: models.MemberUpdate,
        *,
        options: RequestOptions | None = None,
    ) -> models.Member:
        """Change a member's role

        Takes effect on the member's very next request, on every node. Only an owner grants or removes `owner`; nobody changes their own role; the last owner stays.
        """
        result = await self._send(
            ApiRequest(
                "PATCH",
                f"/v1/tenants/{_quote(tenant)}/members/{_quote(user_id)}",
                "update_member",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Member", result)

    async def invite(
        self,
        tenant: str,
        body: models.InvitationCreate,
        *,
        options: RequestOptions | None = None,
    ) -> models.Invitation:
        """Invite someone by email

        Returns the invitation token once (deliver it to the invitee); it expires after 7 days.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/tenants/{_quote(tenant)}/invitations",
                "invite",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Invitation", result)

    async def accept_invitation(
        self,
        body: models.InvitationAccept,
        *,
        options: RequestOptions | None = None,
    ) -> models.Session:
        """Accept an invitation

        Signed in (bearer user token): joins the tenant. Not signed in: send `name` and `password` to create the account at the same time.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                "/v1/invitations/accept",
                "accept_invitation",
                security=(),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Session", result)

    async def list_projects(
        self,
        tenant: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> models.ProjectList:
        """A tenant's projects"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/tenants/{_quote(tenant)}/projects",
                "list_projects",
                security=("UserToken",),
                query={ "after": after, "limit": limit },
            ),
            options,
        )
        return cast("models.ProjectList", result)

    async def iter_projects(
        self,
        tenant: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.Project]:
        """Every item of `list_projects`, fetching page after page by `next_cursor`."""
        while True:
            page = await self.list_projects(
                tenant,
                after=after,
                limit=limit,
                options=options,
            )
            for item in page["items"]:
                yield item
            next_cursor = page.get("next_cursor")
            if not next_cursor:
                return
            after = next_cursor

    async def create_project(
        self,
        tenant: str,
        body: models.ProjectCreate,
        *,
        options: RequestOptions | None = None,
    ) -> models.Project:
        """Create a project"""
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/tenants/{_quote(tenant)}/projects",
                "create_project",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Project", result)

    async def get_project(
        self,
        project: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.Project:
        """A project"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}",
                "get_project",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )
        return cast("models.Project", result)

    async def update_project(
        self,
        project: str,
        body: models.ProjectUpdate,
        *,
        options: RequestOptions | None = None,
    ) -> models.Project:
        """Update a project"""
        result = await self._send(
            ApiRequest(
                "PATCH",
                f"/v1/projects/{_quote(project)}",
                "update_project",
                security=("UserToken", "ApiKeyAuth",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Project", result)

    async def list_keys(
        self,
        project: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> models.ApiKeyList:
        """A project's API keys (never their secrets)"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/keys",
                "list_keys",
                security=("UserToken", "ApiKeyAuth",),
                query={ "after": after, "limit": limit },
            ),
            options,
        )
        return cast("models.ApiKeyList", result)

    async def iter_keys(
        self,
        project: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.ApiKey]:
        """Every item of `list_keys`, fetching page after page by `next_cursor`."""
        while True:
            page = await self.list_keys(
                project,
                after=after,
                limit=limit,
                options=options,
            )
            for item in page["items"]:
                yield item
            next_cursor = page.get("next_cursor")
            if not next_cursor:
                return
            after = next_cursor

    async def create_key(
        self,
        project: str,
        body: models.ApiKeyCreate,
        *,
        options: RequestOptions | None = None,
    ) -> models.ApiKeyWithSecret:
        """Create an API key

        The key is in this answer only. An API key caller can only create keys within its own grants.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/keys",
                "create_key",
                security=("UserToken", "ApiKeyAuth",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.ApiKeyWithSecret", result)

    async def get_key(
        self,
        project: str,
        key_id: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.ApiKey:
        """An API key"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/keys/{_quote(key_id)}",
                "get_key",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )
        return cast("models.ApiKey", result)

    async def revoke_key(
        self,
        project: str,
        key_id: str,
        *,
        options: RequestOptions | None = None,
    ) -> None:
        """Revoke an API key

        Every node refuses the key within a second.
        """
        await self._send(
            ApiRequest(
                "DELETE",
                f"/v1/projects/{_quote(project)}/keys/{_quote(key_id)}",
                "revoke_key",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )

    async def rotate_key(
        self,
        project: str,
        key_id: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.ApiKeyWithSecret:
        """Replace an API key with a new secret

        Creates a key with the same name, grants and limits, and revokes the old one.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/keys/{_quote(key_id)}/rotate",
                "rotate_key",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )
        return cast("models.ApiKeyWithSecret", result)

    async def list_signing_keys(
        self,
        project: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.SigningKeyList:
        """Keys your backend signs client tokens with"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/signing-keys",
                "list_signing_keys",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )
        return cast("models.SigningKeyList", result)

    async def create_signing_key(
        self,
        project: str,
        body: models.SigningKeyCreate,
        *,
        options: RequestOptions | None = None,
    ) -> models.SigningKeyWithSecret:
        """Register a signing key

        Registered with an API key, the signing key records that key's `publish`, `subscribe` and
        `history` grants as its `max_capabilities`: tokens it signs that ask for more are refused
        (401), so a narrow key gains nothing by registering a signing key. Registered by a signed-in
        user (a role that may create any API key of the project), it has no cap. Every client token
        also lives at most the project's `max_client_token_ttl`.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/signing-keys",
                "create_signing_key",
                security=("UserToken", "ApiKeyAuth",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.SigningKeyWithSecret", result)

    async def delete_signing_key(
        self,
        project: str,
        kid: str,
        *,
        options: RequestOptions | None = None,
    ) -> None:
        """Revoke a signing key

        Tokens signed with it stop verifying on every node within a second.
        """
        await self._send(
            ApiRequest(
                "DELETE",
                f"/v1/projects/{_quote(project)}/signing-keys/{_quote(kid)}",
                "delete_signing_key",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )

    async def mint_token(
        self,
        project: str,
        body: models.TokenRequest,
        *,
        options: RequestOptions | None = None,
    ) -> models.ClientToken:
        """Mint a client token for a browser or device

        Needs an API key of this project; the token's capabilities must be within the key's grants,
        and `ttl_seconds` within the project's `max_client_token_ttl` (400 `validation_failed`).
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/tokens",
                "mint_token",
                security=("ApiKeyAuth",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.ClientToken", result)

    async def list_audit(
        self,
        tenant: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        action: str | None = None,
        options: RequestOptions | None = None,
    ) -> models.AuditList:
        """The tenant's audit log, newest first"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/tenants/{_quote(tenant)}/audit-log",
                "list_audit",
                security=("UserToken",),
                query={ "after": after, "limit": limit, "action": action },
            ),
            options,
        )
        return cast("models.AuditList", result)

    async def iter_audit(
        self,
        tenant: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        action: str | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.AuditEntry]:
        """Every item of `list_audit`, fetching page after page by `next_cursor`."""
        while True:
            page = await self.list_audit(
                tenant,
                after=after,
                limit=limit,
                action=action,
                options=options,
            )
            for item in page["items"]:
                yield item
            next_cursor = page.get("next_cursor")
            if not next_cursor:
                return
            after = next_cursor

    async def list_events(
        self,
        project: str,
        *,
        topic: str | None = None,
        after: str | None = None,
        before: str | None = None,
        since: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> models.EventPage:
        """Replay events by cursor

        Stored events in publish order, after `after` (or from `since`, or from the oldest). Pass
        `next_cursor` back as `after` for the next page. A cursor whose following events were removed by
        retention, or from before the stream was recreated, is 410 `cursor_expired` with the oldest
        valid cursor in `errors[0].oldest_cursor`. Needs `history` on the topic filter (users: any
        role).
        """
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/events",
                "list_events",
                security=("ApiKeyAuth", "ClientToken", "UserToken",),
                query={ "topic": topic, "after": after, "before": before, "since": since, "limit": limit },
            ),
            options,
        )
        return cast("models.EventPage", result)

    async def iter_events(
        self,
        project: str,
        *,
        topic: str | None = None,
        after: str | None = None,
        before: str | None = None,
        since: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.Event]:
        """Every item of `list_events`, fetching page after page by `next_cursor` while `has_more`."""
        while True:
            page = await self.list_events(
                project,
                topic=topic,
                after=after,
                before=before,
                since=since,
                limit=limit,
                options=options,
            )
            for item in page["items"]:
                yield item
            next_cursor = page.get("next_cursor")
            # The page always carries a cursor (where to resume later); the flag says whether to go on.
            if not next_cursor or not page["has_more"]:
                return
            after = next_cursor

    async def publish_event(
        self,
        project: str,
        body: models.EventCreate,
        *,
        idempotency_key: str | None = None,
        options: RequestOptions | None = None,
    ) -> models.Published:
        """Publish an event

        Needs an API key with `publish` on the topic, or a client token with the `publish` capability.
        Answered once JetStream has stored the event. With `Idempotency-Key` (or an `id`), a retry
        within 2 minutes answers the original event (`duplicate: true`); the same key with another body
        is 409 `idempotency_conflict`. `data` over 64 KiB is 413 `event_too_large`; an event larger than
        the project's retention `max_bytes` (it would be removed as soon as stored) is 413
        `retention_exceeded` and is not stored; `data` that breaks a registered schema is 422
        `schema_violation`; JetStream down is 503 with `Retry-After`.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/events",
                "publish_event",
                security=("ApiKeyAuth", "ClientToken",),
                headers={k: str(v) for k, v in (("Idempotency-Key", idempotency_key),) if v is not None},
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Published", result)

    async def publish_events(
        self,
        project: str,
        body: models.EventBatchCreate,
        *,
        idempotency_key: str | None = None,
        options: RequestOptions | None = None,
    ) -> models.PublishedBatch:
        """Publish up to 100 events in order

        Every event is validated before any is stored; they are stored in order. With
        `Idempotency-Key`, a retry stores only the events not stored yet and answers the originals.
        A batch larger than the project's retention `max_bytes`, or with more events than its
        `max_events` (its first events would be removed by its last ones), is 413
        `retention_exceeded` and nothing is stored.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/events/batch",
                "publish_events",
                security=("ApiKeyAuth", "ClientToken",),
                headers={k: str(v) for k, v in (("Idempotency-Key", idempotency_key),) if v is not None},
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.PublishedBatch", result)

    async def get_retention(
        self,
        project: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.RetentionState:
        """The project's retention policy and stream usage"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/retention",
                "get_retention",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )
        return cast("models.RetentionState", result)

    async def put_retention(
        self,
        project: str,
        body: models.Retention,
        *,
        options: RequestOptions | None = None,
    ) -> models.RetentionState:
        """Change the retention policy

        Applied to the stream at once: lowering a limit removes the oldest events over it.
        """
        result = await self._send(
            ApiRequest(
                "PUT",
                f"/v1/projects/{_quote(project)}/retention",
                "put_retention",
                security=("UserToken", "ApiKeyAuth",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.RetentionState", result)

    async def list_schemas(
        self,
        project: str,
        *,
        topic: str | None = None,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> models.TopicSchemaList:
        """Topic schemas (every version)"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/schemas",
                "list_schemas",
                security=("UserToken", "ApiKeyAuth",),
                query={ "topic": topic, "after": after, "limit": limit },
            ),
            options,
        )
        return cast("models.TopicSchemaList", result)

    async def iter_schemas(
        self,
        project: str,
        *,
        topic: str | None = None,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.TopicSchema]:
        """Every item of `list_schemas`, fetching page after page by `next_cursor`."""
        while True:
            page = await self.list_schemas(
                project,
                topic=topic,
                after=after,
                limit=limit,
                options=options,
            )
            for item in page["items"]:
                yield item
            next_cursor = page.get("next_cursor")
            if not next_cursor:
                return
            after = next_cursor

    async def register_schema(
        self,
        project: str,
        body: models.SchemaCreate,
        *,
        options: RequestOptions | None = None,
    ) -> models.TopicSchema:
        """Register a new schema version for a topic or pattern"""
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/schemas",
                "register_schema",
                security=("UserToken", "ApiKeyAuth",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.TopicSchema", result)

    async def get_schema(
        self,
        project: str,
        schema_id: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.TopicSchema:
        """A schema version"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/schemas/{_quote(schema_id)}",
                "get_schema",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )
        return cast("models.TopicSchema", result)

    async def deprecate_schema(
        self,
        project: str,
        schema_id: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.TopicSchema:
        """Deprecate a schema version (the previous version applies again)"""
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/schemas/{_quote(schema_id)}/deprecate",
                "deprecate_schema",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )
        return cast("models.TopicSchema", result)

    async def list_subscriptions(
        self,
        project: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> models.SubscriptionList:
        """Durable subscriptions"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/subscriptions",
                "list_subscriptions",
                security=("UserToken", "ApiKeyAuth",),
                query={ "after": after, "limit": limit },
            ),
            options,
        )
        return cast("models.SubscriptionList", result)

    async def iter_subscriptions(
        self,
        project: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.Subscription]:
        """Every item of `list_subscriptions`, fetching page after page by `next_cursor`."""
        while True:
            page = await self.list_subscriptions(
                project,
                after=after,
                limit=limit,
                options=options,
            )
            for item in page["items"]:
                yield item
            next_cursor = page.get("next_cursor")
            if not next_cursor:
                return
            after = next_cursor

    async def create_subscription(
        self,
        project: str,
        body: models.SubscriptionCreate,
        *,
        options: RequestOptions | None = None,
    ) -> models.Subscription:
        """Create a durable subscription

        It receives the events published from now on that match `topic`, at least once: unacknowledged
        deliveries come again after `ack_wait_seconds`, and after `max_deliveries` they go to the
        dead-letter stream.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/subscriptions",
                "create_subscription",
                security=("UserToken", "ApiKeyAuth",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Subscription", result)

    async def get_subscription(
        self,
        project: str,
        subscription: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.Subscription:
        """A durable subscription"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/subscriptions/{_quote(subscription)}",
                "get_subscription",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )
        return cast("models.Subscription", result)

    async def delete_subscription(
        self,
        project: str,
        subscription: str,
        *,
        options: RequestOptions | None = None,
    ) -> None:
        """Delete a durable subscription"""
        await self._send(
            ApiRequest(
                "DELETE",
                f"/v1/projects/{_quote(project)}/subscriptions/{_quote(subscription)}",
                "delete_subscription",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )

    async def pull(
        self,
        project: str,
        subscription: str,
        body: models.PullRequest,
        *,
        options: RequestOptions | None = None,
    ) -> models.DeliveryList:
        """Pull pending events of a durable subscription

        Needs `subscribe` on the subscription's topic. Acknowledge each delivery with its `ack_token`.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/subscriptions/{_quote(subscription)}/pull",
                "pull",
                security=("ApiKeyAuth", "ClientToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.DeliveryList", result)

    async def ack(
        self,
        project: str,
        subscription: str,
        body: models.AckRequest,
        *,
        options: RequestOptions | None = None,
    ) -> None:
        """Acknowledge deliveries"""
        await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/subscriptions/{_quote(subscription)}/ack",
                "ack",
                security=("ApiKeyAuth", "ClientToken",),
                body=body,
                has_body=True,
            ),
            options,
        )

    async def list_dead_letters(
        self,
        project: str,
        *,
        subscription: str | None = None,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> models.DeadLetterList:
        """Dead letters, oldest first"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/dead-letters",
                "list_dead_letters",
                security=("UserToken", "ApiKeyAuth",),
                query={ "subscription": subscription, "after": after, "limit": limit },
            ),
            options,
        )
        return cast("models.DeadLetterList", result)

    async def iter_dead_letters(
        self,
        project: str,
        *,
        subscription: str | None = None,
        after: str | None = None,
        limit: int | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.DeadLetter]:
        """Every item of `list_dead_letters`, fetching page after page by `next_cursor`."""
        while True:
            page = await self.list_dead_letters(
                project,
                subscription=subscription,
                after=after,
                limit=limit,
                options=options,
            )
            for item in page["items"]:
                yield item
            next_cursor = page.get("next_cursor")
            if not next_cursor:
                return
            after = next_cursor

    async def purge_dead_letters(
        self,
        project: str,
        *,
        subscription: str | None = None,
        options: RequestOptions | None = None,
    ) -> models.PurgeResult:
        """Purge dead letters (all, or one subscription's)"""
        result = await self._send(
            ApiRequest(
                "DELETE",
                f"/v1/projects/{_quote(project)}/dead-letters",
                "purge_dead_letters",
                security=("UserToken", "ApiKeyAuth",),
                query={ "subscription": subscription },
            ),
            options,
        )
        return cast("models.PurgeResult", result)

    async def get_dead_letter(
        self,
        project: str,
        dead_letter: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.DeadLetter:
        """A dead letter"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/dead-letters/{_quote(dead_letter)}",
                "get_dead_letter",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )
        return cast("models.DeadLetter", result)

    async def redrive_dead_letter(
        self,
        project: str,
        dead_letter: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.DeadLetter:
        """Deliver a dead letter to its subscription again"""
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/dead-letters/{_quote(dead_letter)}/redrive",
                "redrive_dead_letter",
                security=("UserToken", "ApiKeyAuth",),
            ),
            options,
        )
        return cast("models.DeadLetter", result)

    async def list_plans(
        self,
        *,
        options: RequestOptions | None = None,
    ) -> models.PlanList:
        """The plans and their limits"""
        result = await self._send(
            ApiRequest(
                "GET",
                "/v1/plans",
                "list_plans",
                security=("UserToken",),
            ),
            options,
        )
        return cast("models.PlanList", result)

    async def put_plan(
        self,
        plan_name: str,
        body: models.PlanUpdate,
        *,
        options: RequestOptions | None = None,
    ) -> models.Plan:
        """Create or change a plan (platform operators)

        Every node applies the new limits at once (control bus). Limits omitted when creating a plan
        are unlimited.
        """
        result = await self._send(
            ApiRequest(
                "PUT",
                f"/v1/plans/{_quote(plan_name)}",
                "put_plan",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.Plan", result)

    async def put_tenant_plan(
        self,
        tenant: str,
        body: models.TenantPlan,
        *,
        options: RequestOptions | None = None,
    ) -> models.BillingState:
        """Move a tenant to another plan (platform operators)"""
        result = await self._send(
            ApiRequest(
                "PUT",
                f"/v1/tenants/{_quote(tenant)}/plan",
                "put_tenant_plan",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.BillingState", result)

    async def suspend_tenant(
        self,
        tenant: str,
        body: models.Suspend,
        *,
        options: RequestOptions | None = None,
    ) -> models.BillingState:
        """Kill switch: suspend a tenant (platform operators)

        Publishes are refused with 403 `tenant_suspended` and every realtime connection of the tenant
        is closed with that code (4423) on every node within a second. Nothing is deleted. Audited.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/tenants/{_quote(tenant)}/suspend",
                "suspend_tenant",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.BillingState", result)

    async def resume_tenant(
        self,
        tenant: str,
        body: models.Resume,
        *,
        options: RequestOptions | None = None,
    ) -> models.BillingState:
        """Resume a suspended tenant (platform operators)"""
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/tenants/{_quote(tenant)}/resume",
                "resume_tenant",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.BillingState", result)

    async def suspend_project(
        self,
        project: str,
        body: models.Suspend,
        *,
        options: RequestOptions | None = None,
    ) -> models.ProjectState:
        """Kill switch: suspend one project (platform operators)"""
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/suspend",
                "suspend_project",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.ProjectState", result)

    async def resume_project(
        self,
        project: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.ProjectState:
        """Resume a suspended project (platform operators)"""
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/projects/{_quote(project)}/resume",
                "resume_project",
                security=("UserToken",),
            ),
            options,
        )
        return cast("models.ProjectState", result)

    async def tenant_usage(
        self,
        tenant: str,
        *,
        start: str | None = None,
        end: str | None = None,
        options: RequestOptions | None = None,
    ) -> models.Usage:
        """The tenant's usage by day, and where it stands against its plan"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/tenants/{_quote(tenant)}/usage",
                "tenant_usage",
                security=("UserToken",),
                query={ "start": start, "end": end },
            ),
            options,
        )
        return cast("models.Usage", result)

    async def export_usage(
        self,
        tenant: str,
        *,
        start: str | None = None,
        end: str | None = None,
        options: RequestOptions | None = None,
    ) -> models.UsageExport:
        """Every ledger row of the tenant: CSV with `Accept: text/csv`, else JSON

        One row per day, project and metric (`day,project_id,metric,quantity,kind`; `kind` is `sum`
        or `max`). Sent as `text/csv` (a file download) when the `Accept` header prefers it.
        """
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/tenants/{_quote(tenant)}/usage/export",
                "export_usage",
                security=("UserToken",),
                query={ "start": start, "end": end },
            ),
            options,
        )
        return cast("models.UsageExport", result)

    async def project_usage(
        self,
        project: str,
        *,
        start: str | None = None,
        end: str | None = None,
        options: RequestOptions | None = None,
    ) -> models.Usage:
        """The project's usage by day"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/projects/{_quote(project)}/usage",
                "project_usage",
                security=("UserToken", "ApiKeyAuth",),
                query={ "start": start, "end": end },
            ),
            options,
        )
        return cast("models.Usage", result)

    async def get_billing(
        self,
        tenant: str,
        *,
        options: RequestOptions | None = None,
    ) -> models.BillingState:
        """The tenant's billing state: status, plan, trial, subscription"""
        result = await self._send(
            ApiRequest(
                "GET",
                f"/v1/tenants/{_quote(tenant)}/billing",
                "get_billing",
                security=("UserToken",),
            ),
            options,
        )
        return cast("models.BillingState", result)

    async def create_checkout(
        self,
        tenant: str,
        body: models.CheckoutRequest,
        *,
        options: RequestOptions | None = None,
    ) -> models.SessionLink:
        """A Stripe Checkout link to subscribe to a paid plan (owner, billing)

        The subscription carries the plan's metered prices; a tenant still in its trial keeps the
        rest of it (Stripe converts it when the trial ends, with the payment method entered here).
        """
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/tenants/{_quote(tenant)}/billing/checkout",
                "create_checkout",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.SessionLink", result)

    async def create_portal(
        self,
        tenant: str,
        body: models.PortalRequest,
        *,
        options: RequestOptions | None = None,
    ) -> models.SessionLink:
        """A Stripe Customer Portal link (owner, billing)"""
        result = await self._send(
            ApiRequest(
                "POST",
                f"/v1/tenants/{_quote(tenant)}/billing/portal",
                "create_portal",
                security=("UserToken",),
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.SessionLink", result)

    async def stripe_webhook(
        self,
        body: models.StripeEvent,
        *,
        stripe_signature: str | None = None,
        options: RequestOptions | None = None,
    ) -> models.WebhookReceipt:
        """Stripe webhook endpoint

        Verified on the raw body with `Stripe-Signature` (300 s tolerance); each event is processed
        once (by event id). A bad signature is 400 `webhook_signature_invalid` and changes nothing.
        """
        result = await self._send(
            ApiRequest(
                "POST",
                "/v1/billing/stripe/webhook",
                "stripe_webhook",
                security=(),
                headers={k: str(v) for k, v in (("Stripe-Signature", stripe_signature),) if v is not None},
                body=body,
                has_body=True,
            ),
            options,
        )
        return cast("models.WebhookReceipt", result)
