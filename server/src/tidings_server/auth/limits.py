"""Rate limits on the request path: per API key and per tenant for API-key requests, and
login throttling per email and per source address.

`RateLimitMiddleware` runs inside connexion after authentication: it checks the key's bucket
first (a request the key refuses costs the tenant nothing), then the tenant's, and refuses with
429 `rate_limited` and `Retry-After`; every answer to an API-key request carries the
`RateLimit-*` headers of the most restrictive limit. Limits hold across processes and nodes
(tidings_server.ratelimit documents the precision).

Every refusal counts once in `tidings_rate_limit_rejections_total` with the scope that refused
(`key`, `tenant`, `login`) and, when tenant labels are configured, the tenant.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings_server.auth.principal import Principal
from tidings_server.errors import TidingsError
from tidings_server.observability.metrics import RATE_LIMIT_REJECTIONS, tenant_label
from tidings_server.ratelimit import (
    CostExceedsBurstError,
    RateLimiter,
    api_key_scope,
    most_restrictive,
    tenant_scope,
)
from tidings_server.ratelimit.core import Decision

__all__ = ["LOGIN_LIMITS", "RateLimitMiddleware", "RateLimited", "charge_api_key", "throttle_login"]

# Failed or not, a login costs one cell of three buckets:
# - per email and source address: 10 at once, then one every 6 s — a person mistyping is never
#   blocked, a guesser at one address gets 600 tries an hour on one account at most;
# - per email, from every address together: a ceiling far higher (300 at once, then one a
#   second), so guesses from elsewhere never lock the owner out, yet a botnet stays bounded;
# - per address, over every email: 30 at once, then one a second (offices share one address).
# The address is the peer's, or what X-Forwarded-For says when the peer is one of
# TIDINGS_TRUSTED_PROXIES: a forged header from anyone else changes nothing.
LOGIN_LIMITS = {"email_address": (1 / 6, 10), "email": (1.0, 300), "address": (1.0, 30)}


class RateLimited(TidingsError):
    code = "rate_limited"

    def __init__(self, detail: str, headers: Mapping[str, str]) -> None:
        super().__init__(detail, headers=headers)


def _principal(scope: Scope) -> Principal | None:
    context = scope.get("extensions", {}).get("connexion_context", {})
    token_info = context.get("token_info") or {}
    principal = token_info.get("principal")
    return principal if isinstance(principal, Principal) else None


async def check_api_key(
    limiter: RateLimiter, principal: Principal, defaults: tuple[float, int, float, int], cost: int = 1
) -> Decision:
    """The decision for `cost` requests of an API key, then of its tenant; a refusal is counted
    under the scope that refused (the caller answers it with 429)."""
    key_rate, key_burst, tenant_rate, tenant_burst = defaults
    rate, burst = principal.rate_limit or (key_rate, key_burst)
    assert principal.key_id is not None
    scope = "key"  # which limit a refusal (or CostExceedsBurstError) below comes from
    try:
        decision = await limiter.hit(api_key_scope(principal.key_id), rate=rate, burst=burst, cost=cost)
        if decision.allowed and principal.tenant_id is not None:
            scope = "tenant"
            tenant_decision = await limiter.hit(
                tenant_scope(principal.tenant_id), rate=tenant_rate, burst=tenant_burst, cost=cost
            )
            decision = most_restrictive([decision, tenant_decision])
    except CostExceedsBurstError:
        _count_refusal(scope, principal)
        raise RateLimited(
            f"this request costs {cost} requests, more than the key's or tenant's burst allows at once; "
            "send smaller batches",
            {},
        ) from None
    if not decision.allowed:
        _count_refusal(scope, principal)
    return decision


def _count_refusal(scope: str, principal: Principal) -> None:
    tenant = tenant_label(principal.tenant_id) if principal.tenant_id is not None else ""
    RATE_LIMIT_REJECTIONS.labels(scope, tenant).inc()


def _defaults(settings: Any) -> tuple[float, int, float, int]:
    return (settings.key_rate, settings.key_burst, settings.tenant_rate, settings.tenant_burst)


async def charge_api_key(services: Any, principal: Principal, cost: int) -> None:
    """Spend `cost` more requests of an API key and its tenant (a batch of N costs N; the rate
    limit middleware already spent 1), or raise 429."""
    if principal.kind != "api_key" or cost <= 0:
        return
    decision = await check_api_key(services.limiter, principal, _defaults(services.settings), cost)
    if not decision.allowed:
        raise RateLimited("this API key or its tenant is over its request rate", decision.headers())


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = _principal(scope) if scope["type"] == "http" else None
        if principal is None or principal.kind != "api_key":
            await self.app(scope, receive, send)
            return
        services = scope["state"]["services"]
        if principal.tenant_id is not None and principal.project_id is not None:
            services.billing.meter.record(principal.tenant_id, principal.project_id, "api_calls")
        decision = await check_api_key(services.limiter, principal, _defaults(services.settings))
        headers = decision.headers()
        if not decision.allowed:
            raise RateLimited("this API key or its tenant is over its request rate", headers)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        *((k.lower().encode(), v.encode()) for k, v in headers.items()),
                    ],
                }
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def throttle_login(limiter: RateLimiter, email: str, address: str | None) -> None:
    """Spend a login attempt of `email` from `address` (see LOGIN_LIMITS), or raise 429."""
    digest = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    where = address or "-"
    buckets = [
        (f"login-pair:{digest}:{where}", "email_address"),
        (f"login:{digest}", "email"),
    ]
    if address:
        buckets.append((f"login-ip:{address}", "address"))
    decisions = []
    for key, kind in buckets:
        rate, burst = LOGIN_LIMITS[kind]
        decisions.append(await limiter.hit(key, rate=rate, burst=burst))
    decision = most_restrictive(decisions)
    if not decision.allowed:
        RATE_LIMIT_REJECTIONS.labels("login", "").inc()
        raise RateLimited("too many login attempts; retry later", decision.headers())
