"""Where the examples find the server: environment variables, defaulting to `make run`'s.

TIDINGS_URL           REST and SSE base URL        (default http://127.0.0.1:8080)
TIDINGS_REALTIME_URL  WebSocket gateway base URL   (default ws://127.0.0.1:8081, its own port)
TIDINGS_API_KEY       an API key (`make run` prints the demo key; also in .tidings/secrets.json)
"""

from __future__ import annotations

import os
import sys

import tidings

__all__ = ["client", "project_id"]


def client() -> tidings.Client:
    key = os.environ.get("TIDINGS_API_KEY")
    if not key:
        sys.exit("set TIDINGS_API_KEY to an API key (make run prints the demo key)")
    return tidings.Client(
        os.environ.get("TIDINGS_URL", "http://127.0.0.1:8080"),
        api_key=key,
        realtime_url=os.environ.get("TIDINGS_REALTIME_URL", "ws://127.0.0.1:8081"),
    )


async def project_id(sdk: tidings.Client) -> str:
    """The project of the API key (an API key belongs to exactly one project)."""
    who = await sdk.whoami()
    project = who.get("project_id")
    if project is None:
        sys.exit("TIDINGS_API_KEY is not an API key of a project")
    return project
