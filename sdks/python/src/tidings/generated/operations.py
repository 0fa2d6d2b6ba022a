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

        200 when PostgreSQL and NATS JetStream both answer; 503 naming the failing dependency
        otherwise (the body has the same shape in both cases).
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
        """Register a signing key"""
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

        Needs an API key of this project; the token's capabilities must be within the key's grants.
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
