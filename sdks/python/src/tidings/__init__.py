"""Python SDK for Tidings, a multi-tenant realtime event platform.

`Client` has one async method per REST operation (generated from spec/openapi.yaml into
`tidings.generated`); models are TypedDicts in `tidings.models`; errors derive from
`TidingsError` (see `tidings._errors` for the hierarchy); `Client.realtime` opens a realtime
connection (`tidings.realtime`).
"""

from ._client import Client, TokenProvider
from ._errors import (
    APIConnectionError,
    APIResponseError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ConnectionTerminated,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RealtimeError,
    ServerError,
    SubscriptionError,
    TidingsError,
)
from ._retry import RetryPolicy
from ._version import VERSION
from .generated import models
from .generated.errors import ERRORS, ErrorCode, ErrorInfo
from .generated.operations import RequestOptions
from .realtime import Realtime, Subscription

__version__ = VERSION

__all__ = [
    "ERRORS",
    "APIConnectionError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "ConnectionTerminated",
    "ErrorCode",
    "ErrorInfo",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Realtime",
    "RealtimeError",
    "RequestOptions",
    "RetryPolicy",
    "ServerError",
    "Subscription",
    "SubscriptionError",
    "TidingsError",
    "TokenProvider",
    "models",
]
