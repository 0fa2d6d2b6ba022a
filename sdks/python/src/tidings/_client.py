"""`Client`: the REST client. Generated methods shape each call; this module performs it."""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import Self

import aiohttp

from ._errors import APIConnectionError, APIResponseError, APIStatusError, APITimeoutError, status_error
from ._retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after
from ._version import USER_AGENT
from .generated import models
from .generated.operations import SECURITY_SCHEMES, ApiRequest, Operations, RequestOptions
from .realtime.connection import Realtime, Transport

__all__ = ["Client", "TokenProvider"]

#: Returns the credential to send; asked before every attempt, so it can refresh a token.
TokenProvider = Callable[[], str | Awaitable[str]]


# Methods whose retry could act twice; they carry an Idempotency-Key the server deduplicates by.
_UNSAFE_METHODS = frozenset({"POST", "PATCH"})


class Client(Operations):
    """An asyncio client of the Tidings REST API.

    Give one credential: `api_key` (server to server), `token` (a user's access token or a
    client token), or `token_provider` (sync or async callable, asked before every attempt).
    Use it as an async context manager, or call `close()`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        token: str | None = None,
        token_provider: TokenProvider | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        session: aiohttp.ClientSession | None = None,
        realtime_url: str | None = None,
    ) -> None:
        given = [c for c in (api_key, token, token_provider) if c is not None]
        if len(given) > 1:
            raise ValueError("give at most one of api_key, token, token_provider")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be http(s): {base_url!r}")
        self.base_url = base_url.rstrip("/")
        # The WebSocket gateway may listen on its own port (the server's `TIDINGS_GATEWAY_PORT`,
        # 8081 by default) or sit behind the same ingress as the API; SSE always uses `base_url`.
        self.realtime_url = (realtime_url or "ws" + self.base_url.removeprefix("http")).rstrip("/")
        if not self.realtime_url.startswith(("ws://", "wss://")):
            raise ValueError(f"realtime_url must be ws(s): {realtime_url!r}")
        self._secret = api_key or token
        self._token_provider = token_provider
        # Per attempt; `RequestOptions["timeout"]` bounds a whole call, retries included.
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)
        self.retry = retry or RetryPolicy()
        self._headers = {"User-Agent": USER_AGENT, **(headers or {})}
        self._session = session
        # A session handed in belongs to the caller, who closes it.
        self._owns_session = session is None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def realtime(
        self,
        project: str,
        *,
        transport: Transport = "auto",
        heartbeat_timeout: float | None = None,
        token_refresh_before: float = 30.0,
        reconnect: RetryPolicy | None = None,
        max_reconnect_attempts: int | None = None,
        max_pending: int = 1000,
        open_timeout: float = 10.0,
    ) -> Realtime:
        """A realtime connection of `project`: `async with client.realtime(project) as rt:`.

        `transport`: `"auto"` (WebSocket at `realtime_url`, Server-Sent Events at `base_url` when
        the WebSocket cannot connect at all), `"websocket"` or `"sse"`. `heartbeat_timeout`:
        seconds of silence after which a socket is dead (default: twice the server's
        `heartbeat_ms` over WebSocket, 45 s over SSE). `token_refresh_before`: with a
        `token_provider` handing out JWTs, seconds before expiry to replace the credential on the
        live connection. `reconnect`: backoff between reconnections (default: the client's
        `retry`; its `max_retries` is not used). `max_reconnect_attempts`: failed retries in a
        row, after the first attempt, before giving up (default: never). `max_pending`: items
        buffered per subscription before reading stops (the server then resumes the reader from
        its cursor).
        """
        return Realtime(
            self,
            project,
            transport=transport,
            heartbeat_timeout=heartbeat_timeout,
            token_refresh_before=token_refresh_before,
            reconnect=reconnect,
            max_reconnect_attempts=max_reconnect_attempts,
            max_pending=max_pending,
            open_timeout=open_timeout,
        )

    async def replay(
        self,
        project: str,
        *,
        after: str | None = None,
        topic: str | None = None,
        since: str | None = None,
        before: str | None = None,
        page_size: int | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncIterator[models.Event]:
        """The stored events of `project` in publish order, fetched page by page.

        From just after the cursor `after` (else from the time `since`, else from the oldest),
        up to what is stored when each page is read, filtered by the topic pattern `topic`. To
        continue later, keep the last event's `cursor` and pass it as `after`. A cursor whose
        events were removed (retention, or the stream was recreated) raises `APIStatusError`
        with `code == "cursor_expired"`; `problem["errors"][0]["oldest_cursor"]` is where to
        resume.
        """
        while True:
            page = await self.list_events(
                project,
                topic=topic,
                after=after,
                before=before,
                since=since if after is None else None,
                limit=page_size,
                options=options,
            )
            for event in page["items"]:
                yield event
            # `next_cursor` is always there (the position reached); `has_more` says whether to go on.
            if not page["has_more"] or page["next_cursor"] == after:
                return
            after = page["next_cursor"]

    def _http(self) -> aiohttp.ClientSession:
        # Created lazily: aiohttp sessions must be made inside the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._owns_session = True
        return self._session

    async def _send(self, request: ApiRequest, options: RequestOptions | None) -> object:
        options = options or {}
        # Generated once per logical call and reused on every retry: the server deduplicates by
        # it, so a retry after a lost answer does not publish (or create) twice.
        idempotency_key = options.get("idempotency_key") or _header(request.headers, "idempotency-key")
        if idempotency_key is None and request.method in _UNSAFE_METHODS:
            idempotency_key = str(uuid.uuid4())
        deadline = options.get("timeout")
        if deadline is None:
            return await self._with_retries(request, options, idempotency_key)
        try:
            async with asyncio.timeout(deadline):
                return await self._with_retries(request, options, idempotency_key)
        except TimeoutError as exc:
            raise APITimeoutError(f"{request.operation}: no answer within {deadline}s") from exc

    async def _with_retries(
        self, request: ApiRequest, options: RequestOptions, idempotency_key: str | None
    ) -> object:
        max_retries = options.get("max_retries", self.retry.max_retries)
        retry = 0
        while True:
            try:
                return await self._attempt(request, options, idempotency_key)
            except APIStatusError as exc:
                if exc.status not in RETRYABLE_STATUSES or retry >= max_retries:
                    raise
                wait = self.retry.delay(retry, exc.retry_after)
            except APIConnectionError:
                if retry >= max_retries:
                    raise
                wait = self.retry.delay(retry, None)
            await self.retry.sleep(wait)
            retry += 1

    async def _attempt(
        self, request: ApiRequest, options: RequestOptions, idempotency_key: str | None
    ) -> object:
        headers = {
            **self._headers,
            "Accept": "application/json",
            **{k: v for k, v in request.headers.items() if k.lower() != "idempotency-key"},
            **options.get("headers", {}),
        }
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        query = _query_pairs(request.query)
        await self._authorize(request, headers, query)
        data = None
        if request.has_body:
            headers["Content-Type"] = "application/json"
            data = json.dumps(request.body, separators=(",", ":")).encode()
        try:
            async with self._http().request(
                request.method, self.base_url + request.path, params=query, data=data, headers=headers
            ) as response:
                raw = await response.read()
                status, response_headers = response.status, response.headers
        except TimeoutError as exc:
            raise APITimeoutError(f"{request.operation}: no answer in time") from exc
        except aiohttp.ClientError as exc:
            raise APIConnectionError(f"{request.operation}: {exc or type(exc).__name__}") from exc
        if 200 <= status < 300:
            if not raw:
                return None
            try:
                return json.loads(raw)
            except ValueError as exc:
                raise APIResponseError(f"{request.operation}: answer {status} is not JSON") from exc
        try:
            body: object = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        raise status_error(
            status,
            body,
            request_id=response_headers.get("X-Request-ID"),
            retry_after=parse_retry_after(response_headers.get("Retry-After")),
        )

    async def _credential(self) -> str | None:
        """The credential to send now: the provider's answer, else the key or token given."""
        if self._token_provider is not None:
            provided = self._token_provider()
            return await provided if inspect.isawaitable(provided) else provided
        return self._secret

    async def _authorize(
        self, request: ApiRequest, headers: dict[str, str], query: list[tuple[str, str]]
    ) -> None:
        # Anonymous operations (login, health) never see the credential.
        if not request.security:
            return
        secret = await self._credential()
        if not secret:
            return
        scheme = SECURITY_SCHEMES.get(request.security[0])
        if scheme is not None and scheme.type == "apiKey" and scheme.param_name:
            if scheme.location == "query":
                query.append((scheme.param_name, secret))
            else:
                headers[scheme.param_name] = secret
        else:
            headers["Authorization"] = f"Bearer {secret}"


def _query_pairs(query: Mapping[str, object]) -> list[tuple[str, str]]:
    """None is left out, lists repeat the name, booleans are `true`/`false`."""
    pairs: list[tuple[str, str]] = []
    for name, value in query.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            if item is None:
                continue
            pairs.append((name, ("true" if item else "false") if isinstance(item, bool) else str(item)))
    return pairs


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value whatever the case of its name."""
    return next((value for key, value in headers.items() if key.lower() == name), None)
