"""Realtime delivery (WebSocket, with Server-Sent Events as the fallback) — not built yet.

It will arrive with the server's gateway (issue 8) and plug into the rest of the package like so:
`Client.realtime()` opens a connection with the client's credential or token provider; frames
are the generated `tidings.generated.models.ServerFrame` union; close and error codes come from
`tidings.generated.errors.BY_CLOSE_CODE`, whose `action` decides between reconnecting from the
last cursor and stopping; backoff reuses `tidings.RetryPolicy`.
"""

__all__: list[str] = []
