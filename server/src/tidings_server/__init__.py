"""Tidings server: REST control plane, ingest, and the WebSocket/SSE gateway."""

import warnings

# connexion imports starlette.testclient at import time, which warns that it wants httpx2;
# neither is used at run time, so the warning would only be noise (and an error under pytest).
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

__version__ = "0.1.0"
__all__ = ["__version__"]
