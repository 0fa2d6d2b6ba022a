"""Billing fixtures: stripe-mock (Stripe's official mock, `make install-stripe-mock`) on a free
port, a recording Stripe stand-in for Billing Meter totals (stripe-mock is stateless: it checks
each request against Stripe's API definition but keeps nothing, so it cannot show totals), a
live server with Stripe configured, and a synchronous client with tenants, keys and an operator.

Tests never reach the internet: every Stripe URL is on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from tidings_server.billing.webhooks import sign_payload
from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.store.db import Database
from tidings_server.store.models import BillingAccount, User
from tidings_server.testing.live import LiveServer, live_server
from tidings_server.testing.waiting import eventually

REPO = Path(__file__).resolve().parents[3]
STRIPE_KEY = "sk_test_tidings0123456789"
WEBHOOK_SECRET = "whsec_test_tidings_0123456789abcdef"
T = TypeVar("T")
_seq = itertools.count()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stripe_mock_binary() -> str | None:
    local = REPO / ".tools" / "go" / "bin" / "stripe-mock"
    if not local.exists() and shutil.which("go"):
        subprocess.run(["make", "-s", "install-stripe-mock"], cwd=REPO, check=False, capture_output=True)
    if local.exists():
        return str(local)
    return shutil.which("stripe-mock")


@pytest.fixture(scope="session")
def stripe_mock() -> Iterator[str]:
    """The URL of a running stripe-mock."""
    binary = _stripe_mock_binary()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("stripe-mock is required on CI (make install-stripe-mock)")
        pytest.skip("stripe-mock is not installed (make install-stripe-mock needs Go)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "-http-port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def accepting() -> bool:
        if process.poll() is not None:
            pytest.fail(f"stripe-mock exited with {process.returncode}")  # not retried: BaseException
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True

    try:
        eventually(accepting, message="stripe-mock accepting connections")
    except AssertionError:
        process.kill()
        raise
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


# --- a recording Stripe for meter events ------------------------------------------------------


@dataclass(repr=False)
class MeterLedger:
    """What a Stripe account would hold: meter events by identifier (each taken once, as Stripe
    refuses a known identifier), and the requests seen."""

    events: dict[str, dict[str, str]] = field(default_factory=dict)
    requests: int = 0
    duplicates: int = 0
    # Answer the next N meter events with 500 (an outage) without recording them.
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __repr__(self) -> str:
        return f"MeterLedger({len(self.events)} events)"

    def totals(self) -> dict[tuple[str, str], int]:
        out: dict[tuple[str, str], int] = {}
        with self.lock:
            for event in self.events.values():
                key = (event["payload[stripe_customer_id]"], event["event_name"])
                out[key] = out.get(key, 0) + int(event["payload[value]"])
        return out


class _Handler(BaseHTTPRequestHandler):
    ledger: MeterLedger

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        ledger = self.ledger
        if self.path != "/v1/billing/meter_events":
            self._answer(404, {"error": {"type": "invalid_request_error", "message": "unknown path"}})
            return
        if self.headers.get("Authorization") != f"Bearer {STRIPE_KEY}":
            self._answer(401, {"error": {"type": "invalid_request_error", "message": "bad key"}})
            return
        required = {"event_name", "identifier", "timestamp", "payload[stripe_customer_id]", "payload[value]"}
        if not required <= form.keys():
            self._answer(400, {"error": {"type": "invalid_request_error", "message": "missing fields"}})
            return
        with ledger.lock:
            ledger.requests += 1
            if ledger.fail_next > 0:
                ledger.fail_next -= 1
                self._answer(500, {"error": {"type": "api_error", "message": "outage"}})
                return
            if form["identifier"] in ledger.events:
                ledger.duplicates += 1
                self._answer(
                    400,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "code": "resource_already_exists",
                            "message": f"An event already exists with identifier {form['identifier']}.",
                        }
                    },
                )
                return
            ledger.events[form["identifier"]] = form
        self._answer(200, {"object": "billing.meter_event", "identifier": form["identifier"]})


@pytest.fixture
def recording_stripe() -> Iterator[tuple[str, MeterLedger]]:
    ledger = MeterLedger()
    handler = type("Handler", (_Handler,), {"ledger": ledger})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", ledger
    server.shutdown()
    server.server_close()


# --- the live server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def settings(settings: Settings, stripe_mock: str) -> Settings:
    return settings.model_copy(
        update={
            "stripe_api_key": SecretStr(STRIPE_KEY),
            "stripe_api_base": stripe_mock,
            "stripe_webhook_secret": SecretStr(WEBHOOK_SECRET),
            "usage_flush_interval": 0.2,
            # The tests run the sweeper and the reporter themselves.
            "billing_sweep_interval": 3600.0,
            "billing_report_interval": 3600.0,
            "max_body_bytes": 1_048_576,
        }
    )


def run(coro_fn: Callable[[Database], Awaitable[T]], settings: Settings) -> T:
    """Run `coro_fn(db)` on a fresh connection pool (for synchronous tests)."""
    assert settings.database_url is not None

    async def main() -> T:
        db = Database.connect(settings.database_url.get_secret_value(), pool_size=1)  # type: ignore[union-attr]
        try:
            return await coro_fn(db)
        finally:
            await db.close()

    return asyncio.run(main())


@dataclass
class Tenant:
    http: httpx.Client
    id: str
    project_id: str
    key: str
    user_token: str

    @property
    def user(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.user_token}"}

    def publish(self, topic: str = "t.x", data: Any = 1, **headers: str) -> httpx.Response:
        return self.http.post(
            f"/v1/projects/{self.project_id}/events",
            json={"topic": topic, "data": data},
            headers={"authorization": f"Bearer {self.key}", **headers},
        )

    def publish_batch(self, n: int) -> httpx.Response:
        return self.http.post(
            f"/v1/projects/{self.project_id}/events/batch",
            json={"events": [{"topic": "t.b", "data": i} for i in range(n)]},
            headers={"authorization": f"Bearer {self.key}"},
        )


class Billing:
    """A client of the live server: tenants with a project and a key, an operator."""

    def __init__(self, server: LiveServer, settings: Settings) -> None:
        self.url = server.url
        self.http = httpx.Client(base_url=server.url, timeout=30)
        self.settings = settings
        self._operator: dict[str, str] | None = None

    def tenant(self) -> Tenant:
        n = next(_seq)
        signup = self.http.post(
            "/v1/auth/signup",
            json={
                "email": f"bill{n}-{uuid.uuid4().hex[:6]}@example.com",
                "password": f"password-{n}-long-enough",
                "name": f"Bill {n}",
                "tenant": {"slug": f"bill-{uuid.uuid4().hex[:10]}", "name": "T"},
            },
        )
        assert signup.status_code == 201, signup.text
        token = signup.json()["access_token"]
        auth = {"authorization": f"Bearer {token}"}
        tenant_id = self.http.get("/v1/me", headers=auth).json()["memberships"][0]["tenant_id"]
        project = self.http.post(
            f"/v1/tenants/{tenant_id}/projects", json={"slug": "pr", "name": "P"}, headers=auth
        )
        assert project.status_code == 201, project.text
        project_id = project.json()["id"]
        key = self.http.post(
            f"/v1/projects/{project_id}/keys",
            json={
                "name": "k",
                "scopes": {"publish": [">"], "subscribe": [">"], "history": [">"], "admin": [">"]},
            },
            headers=auth,
        )
        assert key.status_code == 201, key.text
        return Tenant(self.http, tenant_id, project_id, key.json()["key"], token)

    @property
    def operator(self) -> dict[str, str]:
        if self._operator is None:
            email = f"op-{uuid.uuid4().hex[:8]}@example.com"
            signup = self.http.post(
                "/v1/auth/signup",
                json={
                    "email": email,
                    "password": "operator-password-long",
                    "name": "Op",
                    "tenant": {"slug": f"op-{uuid.uuid4().hex[:10]}", "name": "Ops"},
                },
            )
            assert signup.status_code == 201, signup.text

            async def promote(db: Database) -> None:
                async with db.session() as session, session.begin():
                    await session.execute(sa.update(User).where(User.email == email).values(operator=True))

            run(promote, self.settings)
            self._operator = {"authorization": f"Bearer {signup.json()['access_token']}"}
        return self._operator

    def set_plan(self, tenant: Tenant, plan: str) -> None:
        response = self.http.put(f"/v1/tenants/{tenant.id}/plan", json={"plan": plan}, headers=self.operator)
        assert response.status_code == 200, response.text

    def put_plan(self, name: str, **limits: Any) -> dict[str, Any]:
        response = self.http.put(f"/v1/plans/{name}", json=limits, headers=self.operator)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def status(self, tenant: Tenant) -> str:
        response = self.http.get(f"/v1/tenants/{tenant.id}/billing", headers=self.operator)
        assert response.status_code == 200, response.text
        status: str = response.json()["status"]
        return status

    def link_customer(self, tenant: Tenant, customer: str | None = None, **values: Any) -> str:
        """Give the tenant a Stripe customer (as Checkout would have)."""
        customer = customer or f"cus_{uuid.uuid4().hex[:14]}"

        async def link(db: Database) -> None:
            async with db.session() as session, session.begin():
                await session.execute(
                    sa.dialects.postgresql.insert(BillingAccount)
                    .values(tenant_id=uuid.UUID(tenant.id), stripe_customer_id=customer, **values)
                    .on_conflict_do_update(
                        index_elements=[BillingAccount.tenant_id],
                        set_={"stripe_customer_id": customer, **values},
                    )
                )

        run(link, self.settings)
        return customer

    def webhook(
        self, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, at: int | None = None
    ) -> httpx.Response:
        payload = json.dumps(event).encode()
        header = sign_payload(payload, secret, int(time.time()) if at is None else at)
        return self.http.post(
            "/v1/billing/stripe/webhook",
            content=payload,
            headers={"stripe-signature": header, "content-type": "application/json"},
        )

    def close(self) -> None:
        self.http.close()


def stripe_event(
    kind: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None
) -> dict[str, Any]:
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "type": kind,
        "created": int(time.time()) if created is None else created,
        "livemode": False,
        "api_version": "2025-01-27.acacia",
        "data": {"object": obj},
    }


@pytest.fixture(scope="module")
def server(settings: Settings, nats_server: EmbeddedNats) -> Iterator[LiveServer]:
    with live_server(settings) as running:
        yield running


@pytest.fixture(scope="module")
def billing(server: LiveServer, settings: Settings) -> Iterator[Billing]:
    client = Billing(server, settings)
    yield client
    client.close()
