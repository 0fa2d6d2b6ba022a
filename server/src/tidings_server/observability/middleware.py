"""`RequestMetricsMiddleware`: request count and latency of every HTTP request and WebSocket
upgrade, by operation, method and status (see `metrics.HTTP_REQUESTS` and `metrics.HTTP_DURATION`).

It sits outside `RequestContextMiddleware` so that it sees the status that middleware gives an
unhandled error (500) and times the whole stack. Latency runs to the response *start* (the
status line): for an SSE stream or a WebSocket, the part after it is the connection's lifetime,
not the request's latency, and would drown the histogram.

Hot-path cost: one closure, one key tuple and one dict lookup per request; label children are
resolved once per (operation, method, status) and reused (loadtests/observability has the
benchmark).
"""

from __future__ import annotations

from time import perf_counter

from prometheus_client import Counter, Histogram
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tidings_server.observability.metrics import HTTP_DURATION, HTTP_REQUESTS, method_label, status_class

__all__ = ["UNMATCHED", "RequestMetricsMiddleware", "operation_of", "prepare_scope"]

# The operation label of a request no route matched (a 404 of an unknown path, a scanner).
UNMATCHED = "unmatched"
# connexion's key in scope["extensions"] (connexion.middleware.abstract.ROUTING_CONTEXT).
_CONNEXION_ROUTING = "connexion_routing"


def prepare_scope(scope: Scope) -> None:
    """Give the scope an `extensions` dict before the app runs. connexion routes on a shallow
    copy of the scope and writes the operationId into `extensions`; only a dict that exists
    before the copy is shared with us."""
    if "extensions" not in scope:
        scope["extensions"] = {}


def operation_of(scope: Scope) -> str:
    """The low-cardinality name of a request's operation, once routing has run: the OpenAPI
    operationId, else the template of the Starlette route that matched, else `unmatched`."""
    extensions = scope.get("extensions")
    if extensions:
        routing = extensions.get(_CONNEXION_ROUTING)
        if routing:
            operation_id = routing.get("operation_id")
            if operation_id:
                return str(operation_id)
    route = scope.get("route")
    # A Mount matches every path below it: its template names no operation.
    if route is not None and not isinstance(route, Mount):
        path = getattr(route, "path", None)
        if path:
            return str(path)
    return UNMATCHED


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # (operation, method label, status) → the two label children. Bounded: every part of the
        # key comes from a closed set (operations, methods, status codes).
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def _record(self, scope: Scope, status: int, started: float) -> None:
        elapsed = perf_counter() - started
        key = (operation_of(scope), method_label(scope.get("method", "GET")), status)
        children = self._children.get(key)
        if children is None:
            operation, method, _ = key
            children = (
                HTTP_REQUESTS.labels(operation, method, str(status)),
                HTTP_DURATION.labels(operation, method, status_class(status)),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(elapsed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" and scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        prepare_scope(scope)
        started = perf_counter()
        recorded = False

        async def send_recording(message: Message) -> None:
            nonlocal recorded
            if not recorded:
                kind = message["type"]
                if kind == "http.response.start" or kind == "websocket.http.response.start":
                    recorded = True
                    self._record(scope, message["status"], started)
                elif kind == "websocket.accept":
                    recorded = True
                    self._record(scope, 101, started)
                elif kind == "websocket.close":
                    # Closed before accepting: the server answers the upgrade with 403.
                    recorded = True
                    self._record(scope, 403, started)
            await send(message)

        try:
            await self.app(scope, receive, send_recording)
        except Exception:
            # The server answers 500 for an error that escaped before the response started.
            if not recorded:
                recorded = True
                self._record(scope, 500, started)
            raise
        if not recorded and scope["type"] == "http":
            # An app that returns without responding also gets the server's 500.
            self._record(scope, 500, started)
