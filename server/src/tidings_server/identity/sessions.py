"""Users and their sessions: sign-up, login, refresh-token rotation, logout, invitations.

A session is one login. Its refresh tokens rotate: each works once and is exchanged for a new
pair; presenting a used one again means it was stolen, and the whole session is revoked. Access
tokens name their session (`sid`), and every request checks it, so logout is immediate.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tidings_server.auth.passwords import hash_password, verify_password
from tidings_server.auth.tokens import TokenIssuer
from tidings_server.config import Settings
from tidings_server.errors import Forbidden, RequestError, TidingsError, Unauthenticated
from tidings_server.identity.context import Caller
from tidings_server.store import repo
from tidings_server.store.models import Session, User
from tidings_server.store.repo import TenantScope

__all__ = ["INVITATION_TTL", "Issued", "RefreshTokenReused", "SessionService", "token_digest"]

INVITATION_TTL = timedelta(days=7)


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class RefreshTokenReused(Unauthenticated):
    """A rotated refresh token came back: its session must be revoked (in a transaction of its
    own, since the failing request's transaction rolls back)."""

    def __init__(self, session_id: uuid.UUID) -> None:
        super().__init__("refresh token reused; the session was revoked")
        self.session_id = session_id


@dataclass(frozen=True, slots=True)
class Issued:
    access_token: str
    refresh_token: str
    expires_in: int

    def body(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }


class SessionService:
    def __init__(self, settings: Settings, issuer: TokenIssuer) -> None:
        self._settings = settings
        self._issuer = issuer

    async def _issue(self, session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID | None) -> Issued:
        now = datetime.now(UTC)
        if session_id is None:
            row = await repo.create_session(
                session, user_id, now + timedelta(seconds=self._settings.refresh_token_ttl)
            )
            session_id = row.id
        refresh = "tdr_" + secrets.token_urlsafe(32)
        await repo.add_refresh_token(session, session_id, token_digest(refresh))
        ttl = self._settings.access_token_ttl
        return Issued(self._issuer.user_access_token(user_id, session_id, ttl), refresh, ttl)

    async def start_session(self, session: AsyncSession, user_id: uuid.UUID) -> Issued:
        return await self._issue(session, user_id, None)

    async def signup(
        self,
        session: AsyncSession,
        caller: Caller,
        *,
        email: str,
        password: str,
        name: str,
        slug: str,
        tenant: str,
    ) -> Issued:
        if not self._settings.allow_signup:
            raise TidingsError(
                "sign-up is closed on this platform; ask for an invitation", code="signup_closed"
            )
        if await repo.find_user_by_email(session, email) is not None:
            raise RequestError("an account with this email exists; log in instead", code="conflict")
        if await repo.get_tenant_by_slug(session, slug) is not None:
            raise RequestError(f"the tenant slug {slug!r} is taken", code="conflict")
        user = await repo.create_user(
            session, email=email, name=name, password_hash=await hash_password(password)
        )
        created = await repo.create_tenant(session, slug=slug, name=tenant)
        scope = TenantScope(session, created.id)
        await scope.add_member(user.id, "owner")
        await scope.audit(
            action="tenant.created",
            target=("tenant", str(created.id)),
            actor=("user", str(user.id)),
            request_id=caller.request_id,
            source_ip=caller.source_ip,
        )
        return await self._issue(session, user.id, None)

    async def login(self, session: AsyncSession, *, email: str, password: str) -> Issued:
        user = await repo.find_user_by_email(session, email)
        ok = await verify_password(user.password_hash if user else None, password)
        if not ok or user is None or user.disabled_at is not None:
            raise Unauthenticated("wrong email or password")
        return await self._issue(session, user.id, None)

    async def refresh(self, session: AsyncSession, refresh_token: str) -> Issued:
        found = await repo.find_refresh_token(session, token_digest(refresh_token))
        now = datetime.now(UTC)
        if found is None:
            raise Unauthenticated("invalid refresh token")
        token, login = found
        if login.revoked_at is not None or login.expires_at <= now:
            raise Unauthenticated("the session has ended; log in again")
        if token.used_at is not None:
            # Reuse of a rotated token: someone else holds the chain. End the session.
            raise RefreshTokenReused(login.id)
        token.used_at = now
        return await self._issue(session, login.user_id, login.id)

    async def revoke(self, session: AsyncSession, session_id: uuid.UUID) -> None:
        login = await session.get(Session, session_id, with_for_update=True)
        if login is not None and login.revoked_at is None:
            login.revoked_at = datetime.now(UTC)
            await session.flush()

    async def logout(self, session: AsyncSession, refresh_token: str) -> None:
        found = await repo.find_refresh_token(session, token_digest(refresh_token))
        if found is None:
            raise Unauthenticated("invalid refresh token")
        await self.revoke(session, found[1].id)

    async def accept_invitation(
        self,
        session: AsyncSession,
        caller: Caller,
        *,
        token: str,
        user: User | None,
        name: str | None,
        password: str | None,
    ) -> Issued | None:
        """Join the invitation's tenant as `user`, or as a new account (name + password).
        Returns a session for a new account, None for a signed-in user."""
        invitation = await repo.find_invitation(session, token_digest(token))
        now = datetime.now(UTC)
        if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now:
            raise Unauthenticated("the invitation is unknown, used or expired")
        issued: Issued | None = None
        if user is None:
            if name is None or password is None:
                raise RequestError("sign in, or send `name` and `password` to create your account")
            if await repo.find_user_by_email(session, invitation.email) is not None:
                raise RequestError("an account with this email exists; sign in to accept", code="conflict")
            user = await repo.create_user(
                session, email=invitation.email, name=name, password_hash=await hash_password(password)
            )
            issued = await self._issue(session, user.id, None)
        elif user.email != invitation.email:
            raise Forbidden("this invitation is for another email address")
        scope = TenantScope(session, invitation.tenant_id)
        if await scope.role_of(user.id) is not None:
            raise RequestError("you are already a member of this tenant", code="conflict")
        await scope.add_member(user.id, invitation.role)
        invitation.accepted_at = now
        await scope.audit(
            action="member.joined",
            target=("user", str(user.id)),
            details={"role": invitation.role, "invitation": str(invitation.id)},
            actor=("user", str(user.id)),
            request_id=caller.request_id,
            source_ip=caller.source_ip,
        )
        return issued
