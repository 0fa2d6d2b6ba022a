"""Python SDK for Tidings, a multi-tenant realtime event platform.

`Client` has one async method per REST operation (generated from spec/openapi.yaml into
`tidings.generated`); models are TypedDicts in `tidings.models`; errors derive from
`TidingsError` (see `tidings._errors` for the hierarchy).
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
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TidingsError,
)
from ._retry import RetryPolicy
from .generated import models
from .generated.errors import ERRORS, ErrorCode, ErrorInfo
from .generated.operations import RequestOptions

__version__ = "0.1.0"

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
    "ErrorCode",
    "ErrorInfo",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestOptions",
    "RetryPolicy",
    "ServerError",
    "TidingsError",
    "TokenProvider",
    "models",
]
