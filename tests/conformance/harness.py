"""A live Tidings for SDK tests in any language: real NATS (JetStream) and PostgreSQL on free ports,
the whole server (REST + SSE, WebSocket gateway) behind TCP fault proxies, and a small control API
to make projects and inject faults.

    uv run --frozen --no-sync python tests/conformance/harness.py

prints one JSON line on stdout once everything is up, then serves until its standard input closes
(or SIGTERM); a test runner spawns it, reads the line, and ends it by closing the pipe:

    {"api": "http://127.0.0.1:P", "ws": "ws://127.0.0.1:Q", "control": "http://127.0.0.1:R"}

`api` and `ws` are the proxies the SDK under test talks to. Control API (JSON in and out):

    POST /projects        a new tenant with one project and an API key of every scope:
                          {"project", "key", "key_id", "tenant_id", "user_token"}
    POST /restart         stop the server (clients are told `going_away`), start a new one on the
                          same NATS and PostgreSQL, point the proxies at it
    POST /cut             close every connection through the proxies (a reset)
    POST /blackhole       the open connections stop carrying bytes, without FIN or RST
    POST /block-ws        the WebSocket port refuses (new connections are closed at once)
    POST /unblock-ws
    POST /reset           undo what outlives a scenario: a pending cut, a blocked WebSocket port
    POST /revoke          {"project", "key_id"}: revoke an API key (as the tenant's owner)
    POST /cut-next-answer the next connection to the REST port is cut once the server starts
                          answering: the request was handled, the answer is lost

Nothing is mocked: it is the server the pytest fixtures start (`tidings_server.testing`), with
a 1 s heartbeat and a half-second drain so faults show quickly.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from tidings_server.config import Settings, load_settings
from tidings_server.embedded import EmbeddedNats, EmbeddedPostgres
from tidings_server.store.migrate import upgrade
from tidings_server.testing.live import LiveServer
from tidings_server.testing.plugin import FAST_POSTGRES
from tidings_server.testing.realtime import new_project

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sdks" / "python" / "tests"))
from support.proxy import TcpProxy

DATABASE = "tidings_conformance"


class Harness:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.nats = EmbeddedNats(root / "nats")
        self.postgres = EmbeddedPostgres(
            root / "postgres" / "data",
            password=secrets.token_urlsafe(16),
            run_as=os.environ.get("TIDINGS_EMBEDDED_PG_USER", "nobody"),
            settings=FAST_POSTGRES,
        )
        self.settings: Settings | None = None
        self.server: LiveServer | None = None
        self.http: TcpProxy | None = None
        self.gateway: TcpProxy | None = None
        self.users: dict[str, str] = {}  # project id → its owner's access token
        # Where a blocked WebSocket port points: a listener of ours that closes every connection
        # at once (a port merely closed could be taken by another process meanwhile).
        self._refuser: asyncio.Server | None = None
        self._dead_port = 0

    async def start(self) -> None:
        await asyncio.to_thread(self.nats.start)
        await asyncio.to_thread(self.postgres.start, database=DATABASE)
        await upgrade(self.postgres.url(DATABASE))
        self.settings = load_settings(
            database_url=self.postgres.url(DATABASE),
            nats_url=self.nats.url,
            api_key_pepper=secrets.token_urlsafe(32),
            token_secret=secrets.token_urlsafe(32),
        ).model_copy(update={"heartbeat_seconds": 1.0, "drain_seconds": 0.5, "max_body_bytes": 1_048_576})
        self.server = await self._serve()
        self._refuser = await asyncio.start_server(_refuse, "127.0.0.1", 0)
        self._dead_port = self._refuser.sockets[0].getsockname()[1]
        self.http = await TcpProxy(self.server.port).start()
        self.gateway = await TcpProxy(self.server.ws_port).start()

    async def _serve(self) -> LiveServer:
        assert self.settings is not None
        server = LiveServer(self.settings)
        await asyncio.to_thread(server.start)
        return server

    async def restart(self) -> None:
        assert self.server is not None
        assert self.http is not None
        assert self.gateway is not None
        await asyncio.to_thread(self.server.stop)
        self.server = await self._serve()
        self.http.retarget(self.server.port)
        self.gateway.retarget(self.server.ws_port)

    async def stop(self) -> None:
        if self._refuser is not None:
            self._refuser.close()
        for proxy in (self.http, self.gateway):
            if proxy is not None:
                await proxy.close()
        if self.server is not None:
            await asyncio.to_thread(self.server.stop)
        await asyncio.to_thread(self.postgres.stop)
        await asyncio.to_thread(self.nats.stop)

    # --- the control API ------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/projects", self._projects)
        app.router.add_post("/restart", self._action(self.restart))
        app.router.add_post("/cut", self._action(self._cut))
        app.router.add_post("/blackhole", self._action(self._blackhole))
        app.router.add_post("/block-ws", self._action(self._block_ws))
        app.router.add_post("/unblock-ws", self._action(self._unblock_ws))
        app.router.add_post("/revoke", self._revoke)
        app.router.add_post("/cut-next-answer", self._action(self._cut_next_answer))
        app.router.add_post("/reset", self._action(self._reset))
        return app

    def _action(self, action: Any) -> Any:
        async def handle(_request: web.Request) -> web.Response:
            await action()
            return web.json_response({"ok": True})

        return handle

    async def _cut(self) -> None:
        assert self.http is not None
        assert self.gateway is not None
        self.http.cut_all()
        self.gateway.cut_all()

    async def _reset(self) -> None:
        """Undo the faults that outlive a scenario (a failed one may not have undone its own)."""
        assert self.http is not None
        self.http.cut_next(-self.http._cut_pending)  # the shared proxy has no reset
        await self._unblock_ws()

    async def _cut_next_answer(self) -> None:
        assert self.http is not None
        # Idle keep-alive connections are closed first, so the SDK's next request opens the
        # connection that is cut (a pooled one would carry it past the fault).
        self.http.cut_all()
        self.http.cut_next(1)

    async def _blackhole(self) -> None:
        assert self.http is not None
        assert self.gateway is not None
        self.http.blackhole()
        self.gateway.blackhole()

    async def _block_ws(self) -> None:
        assert self.gateway is not None
        self.gateway.retarget(self._dead_port)
        self.gateway.cut_all()

    async def _unblock_ws(self) -> None:
        assert self.gateway is not None
        assert self.server is not None
        self.gateway.retarget(self.server.ws_port)

    async def _projects(self, _request: web.Request) -> web.Response:
        assert self.server is not None
        async with httpx.AsyncClient(base_url=self.server.url, timeout=30) as http:
            project = await new_project(self.server, http)
            keys = await http.get(f"/v1/projects/{project.id}/keys", headers=project.headers)
        key_id = keys.json()["items"][0]["key_id"]  # the project's one key
        self.users[project.id] = project.user_token
        body = {
            "project": project.id,
            "key": project.key,
            "key_id": key_id,
            "tenant_id": project.tenant_id,
            "user_token": project.user_token,
        }
        return web.json_response(body)

    async def _revoke(self, request: web.Request) -> web.Response:
        assert self.server is not None
        body = await request.json()
        token = self.users[body["project"]]
        async with httpx.AsyncClient(base_url=self.server.url, timeout=30) as http:
            answer = await http.delete(
                f"/v1/projects/{body['project']}/keys/{body['key_id']}",
                headers={"authorization": f"Bearer {token}"},
            )
        return web.json_response({"status": answer.status_code}, status=200 if answer.is_success else 500)


def _services_root() -> Path:
    root = Path(tempfile.mkdtemp(prefix="tidings-conformance-"))
    root.chmod(0o755)  # the PostgreSQL user must traverse it
    return root


async def _refuse(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.transport.abort()


_STOP: asyncio.Event | None = None


def request_stop() -> None:
    """End a `serve` running in this process."""
    if _STOP is not None:
        _STOP.set()


async def serve(ready: asyncio.Future[dict[str, str]] | None = None, *, stop_on_stdin: bool = True) -> None:
    """Run the harness until stdin closes (or SIGTERM/SIGINT); `ready` gets the addresses."""
    root = _services_root()
    harness = Harness(root)
    runner: web.AppRunner | None = None
    try:
        await harness.start()
        runner = web.AppRunner(harness.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        assert harness.http is not None
        assert harness.gateway is not None
        port = runner.addresses[0][1]
        info = {
            "api": harness.http.url(),
            "ws": harness.gateway.url("ws"),
            "control": f"http://127.0.0.1:{port}",
        }
        if ready is not None:
            ready.set_result(info)
        else:
            print(json.dumps(info), flush=True)
        await _until_told_to_stop(stop_on_stdin)
    finally:
        if runner is not None:
            await runner.cleanup()
        await harness.stop()
        shutil.rmtree(root, ignore_errors=True)


async def _until_told_to_stop(stop_on_stdin: bool) -> None:
    global _STOP
    loop = asyncio.get_running_loop()
    stop = _STOP = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    # The parent closing our stdin (or dying) ends the harness too: never an orphan server.
    reader = asyncio.StreamReader()
    mode = os.fstat(sys.stdin.fileno()).st_mode
    if stop_on_stdin and (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

        async def eof() -> None:
            while await reader.read(4096):
                pass
            stop.set()

        asyncio.get_running_loop().create_task(eof())
    await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve())
