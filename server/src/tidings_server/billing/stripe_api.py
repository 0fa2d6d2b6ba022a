"""The Stripe calls Tidings makes, behind one small class (the official `stripe` library).

- `create_customer`: one customer per tenant; the idempotency key is the tenant id, so a retry
  (or two racing requests) creates one customer.
- `send_meter_event`: usage as a Billing Meter event (`POST /v1/billing/meter_events`; legacy
  usage records are gone from current API versions) with a caller-chosen deterministic
  `identifier`. Stripe refuses a second event with the same identifier (within at least 24 h), so
  a resend after a crash or timeout is answered "already exists" and counts as delivered.
- `checkout_url` / `portal_url`: Checkout (subscription with the plan's metered prices and a
  trial when the tenant is still trialing) and Customer Portal session URLs.

Every failure becomes `PaymentProviderUnavailable` (retryable) except a duplicate meter event.
Tests point `api_base` at stripe-mock (the `billing.mk` install) or at a recording server.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import stripe

from tidings_server.billing.errors import PaymentProviderUnavailable

__all__ = ["StripeGateway"]

log = logging.getLogger(__name__)

# Answers Stripe gives a meter event whose identifier it has seen.
_DUPLICATE_CODES = frozenset({"resource_already_exists", "idempotency_key_in_use"})
TIMEOUT_SECONDS = 20


class StripeGateway:
    def __init__(self, api_key: str, *, api_base: str | None = None, meter_prefix: str = "tidings_") -> None:
        self.meter_prefix = meter_prefix
        self._http = _HTTPXClient(timeout=TIMEOUT_SECONDS, allow_sync_methods=True)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else {},
            # Retries are the reporter's (with backoff); one request here is one attempt.
            max_network_retries=0,
            http_client=self._http,
        )

    async def aclose(self) -> None:
        self._http.close()  # type: ignore[no-untyped-call]
        await self._http.close_async()  # type: ignore[no-untyped-call]

    def meter_event_name(self, metric: str) -> str:
        return f"{self.meter_prefix}{metric}"

    async def create_customer(self, tenant_id: uuid.UUID, name: str, email: str | None) -> str:
        params: dict[str, Any] = {"name": name, "metadata": {"tenant_id": str(tenant_id)}}
        if email:
            params["email"] = email
        try:
            customer = await self._client.v1.customers.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"tidings-customer-{tenant_id}"},
            )
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        return str(customer.id)

    async def send_meter_event(
        self, *, metric: str, customer_id: str, value: int, identifier: str, timestamp: int
    ) -> bool:
        """Report `value` of `metric` for the customer; False if Stripe already had the event
        (same identifier), True if it took it now."""
        params = {
            "event_name": self.meter_event_name(metric),
            "payload": {"stripe_customer_id": customer_id, "value": str(value)},
            "identifier": identifier,
            "timestamp": timestamp,
        }
        try:
            await self._client.v1.billing.meter_events.create_async(params)  # type: ignore[arg-type]
        except stripe.InvalidRequestError as exc:
            if exc.code in _DUPLICATE_CODES or "already exists" in str(exc.user_message or ""):
                return False
            raise _unavailable(exc) from exc
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        return True

    async def checkout_url(
        self,
        *,
        customer_id: str,
        tenant_id: uuid.UUID,
        plan: str,
        price_ids: Sequence[str],
        success_url: str,
        cancel_url: str,
        trial_end: int | None,
    ) -> str:
        subscription: dict[str, Any] = {"metadata": {"tenant_id": str(tenant_id), "plan": plan}}
        if trial_end is not None:
            subscription["trial_end"] = trial_end
        params: dict[str, Any] = {
            "mode": "subscription",
            "customer": customer_id,
            # Metered prices take no quantity: usage comes from the meters.
            "line_items": [{"price": price} for price in price_ids],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": str(tenant_id),
            "subscription_data": subscription,
        }
        try:
            session = await self._client.v1.checkout.sessions.create_async(params)  # type: ignore[arg-type]
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        return str(session.url)

    async def portal_url(self, *, customer_id: str, return_url: str) -> str:
        try:
            session = await self._client.v1.billing_portal.sessions.create_async(
                {"customer": customer_id, "return_url": return_url}
            )
        except stripe.StripeError as exc:
            raise _unavailable(exc) from exc
        return str(session.url)


class _HTTPXClient(stripe.HTTPXClient):
    """stripe's httpx client sends its form-encoded body as `data=<str>`, which httpx deprecates
    (a DeprecationWarning on every request); send it as `content=`, as httpx asks."""

    def _get_request_args_kwargs(  # type: ignore[no-untyped-def]
        self, method: str, url: str, headers: Mapping[str, str], post_data
    ):
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        if isinstance(post_data, str | bytes):
            kwargs = {**kwargs, "content": post_data}
            kwargs.pop("data", None)
        return args, kwargs


def _unavailable(exc: stripe.StripeError) -> PaymentProviderUnavailable:
    # The message names the Stripe error, never the key or the request's secrets.
    log.warning("Stripe request failed: %s (%s)", type(exc).__name__, getattr(exc, "code", None))
    return PaymentProviderUnavailable(f"Stripe answered {type(exc).__name__}; retry later")
