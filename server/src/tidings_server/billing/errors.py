"""Errors of the billing package (codes in spec/errors.yaml, group `billing`).

TidingsError
├── RequestError
│   ├── TenantSuspended          403 tenant_suspended (tenant or project; close code 4423)
│   ├── UsageLimitReached        403 usage_limit_reached (monthly allowance, `block` plans)
│   ├── ProjectLimitReached      403 project_limit_reached
│   ├── WebhookSignatureInvalid  400 webhook_signature_invalid
│   └── BillingNotConfigured     409 billing_not_configured
└── PaymentProviderUnavailable   502 payment_provider_unavailable (Stripe down or refusing)
"""

from __future__ import annotations

from tidings_server.errors import RequestError, TidingsError

__all__ = [
    "BillingNotConfigured",
    "PaymentProviderUnavailable",
    "ProjectLimitReached",
    "TenantSuspended",
    "UsageLimitReached",
    "WebhookSignatureInvalid",
]


class TenantSuspended(RequestError):
    code = "tenant_suspended"


class UsageLimitReached(RequestError):
    code = "usage_limit_reached"


class ProjectLimitReached(RequestError):
    code = "project_limit_reached"


class WebhookSignatureInvalid(RequestError):
    code = "webhook_signature_invalid"


class BillingNotConfigured(RequestError):
    code = "billing_not_configured"


class PaymentProviderUnavailable(TidingsError):
    code = "payment_provider_unavailable"
