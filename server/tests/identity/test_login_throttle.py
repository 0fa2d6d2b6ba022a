"""Login throttling and client addresses (issue 12, item 16): guesses from one address never
lock the owner out at another; X-Forwarded-For is believed from TIDINGS_TRUSTED_PROXIES only
(rotating it bypasses nothing, and the audit log records the real peer otherwise).

The module runs its own nats-server: it spends the per-address login bucket of 127.0.0.1, which
would throttle other modules' logins through a shared one."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tidings_server.config import Settings
from tidings_server.embedded import EmbeddedNats
from tidings_server.testing.live import LiveServer, live_server

_seq = itertools.count()


@pytest.fixture(scope="module")
def own_nats() -> Iterator[EmbeddedNats]:
    with tempfile.TemporaryDirectory(prefix="tidings-throttle-") as root:
        nats = EmbeddedNats(Path(root) / "nats")
        nats.start()
        yield nats
        nats.stop()


@pytest.fixture(scope="module")
def direct(settings: Settings, own_nats: EmbeddedNats) -> Iterator[LiveServer]:
    """No trusted proxies (the default)."""
    with live_server(settings.model_copy(update={"nats_url": own_nats.url})) as server:
        yield server


@pytest.fixture(scope="module")
def proxied(settings: Settings, own_nats: EmbeddedNats) -> Iterator[LiveServer]:
    """Behind a trusted proxy at 127.0.0.1."""
    own = settings.model_copy(update={"nats_url": own_nats.url, "trusted_proxies": "127.0.0.1/32"})
    with live_server(own) as server:
        yield server


def _signup(http: httpx.Client, headers: dict[str, str] | None = None) -> tuple[str, str, str]:
    n = next(_seq)
    email, password = f"thr{n}@example.com", f"password-{n}-long-enough"
    response = http.post(
        "/v1/auth/signup",
        json={"email": email, "password": password, "name": "N", "tenant": {"slug": f"thr-{n}", "name": "T"}},
        headers=headers or {},
    )
    assert response.status_code == 201, response.text
    access = response.json()["access_token"]
    me = http.get("/v1/me", headers={"authorization": f"Bearer {access}"}).json()
    return email, password, me["memberships"][0]["tenant_id"] + " " + access


def _login(http: httpx.Client, email: str, password: str, forwarded: str | None = None) -> httpx.Response:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return http.post("/v1/auth/login", json={"email": email, "password": password}, headers=headers)


def _signup_source_ip(http: httpx.Client, tenant_and_access: str) -> str | None:
    tenant_id, access = tenant_and_access.split(" ")
    entries = http.get(
        f"/v1/tenants/{tenant_id}/audit-log", headers={"authorization": f"Bearer {access}"}
    ).json()["items"]
    created = [e for e in entries if e["action"] == "tenant.created"]
    source: str | None = created[0].get("source_ip")
    return source


def test_guesses_from_one_address_do_not_lock_the_owner_out_at_another(proxied: LiveServer) -> None:
    with httpx.Client(base_url=proxied.url, timeout=30) as http:
        email, password, _ = _signup(http)
        guesses = []
        while len(guesses) < 30 and 429 not in guesses:
            guesses.append(_login(http, email, f"guess-{len(guesses)}", "198.51.100.7").status_code)
        assert guesses[:10] == [401] * 10
        assert guesses[-1] == 429
        # The attacker's address stays throttled on this account, even with the right password...
        assert _login(http, email, password, "198.51.100.7").status_code == 429
        # ...while the owner, elsewhere, logs in.
        owner = _login(http, email, password, "203.0.113.20")
        assert owner.status_code == 200, owner.text


def test_a_trusted_proxy_names_the_client_in_the_audit_log(proxied: LiveServer) -> None:
    with httpx.Client(base_url=proxied.url, timeout=30) as http:
        _, _, tenant = _signup(http, {"x-forwarded-for": "203.0.113.5"})
        assert _signup_source_ip(http, tenant) == "203.0.113.5"


def test_an_untrusted_x_forwarded_for_is_ignored_in_the_audit_log(direct: LiveServer) -> None:
    with httpx.Client(base_url=direct.url, timeout=30) as http:
        _, _, tenant = _signup(http, {"x-forwarded-for": "203.0.113.5"})
        assert _signup_source_ip(http, tenant) == "127.0.0.1"


def test_rotating_an_untrusted_x_forwarded_for_does_not_bypass_the_throttle(direct: LiveServer) -> None:
    with httpx.Client(base_url=direct.url, timeout=30) as http:
        email, _, _ = _signup(http)
        statuses: list[int] = []
        while len(statuses) < 30 and 429 not in statuses:
            statuses.append(
                _login(http, email, f"guess-{len(statuses)}", f"192.0.2.{len(statuses)}").status_code
            )
    assert statuses[:10] == [401] * 10
    assert 429 in statuses[10:], "each forged address got a bucket of its own"
