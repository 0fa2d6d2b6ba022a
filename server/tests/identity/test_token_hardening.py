"""Client-token hardening (issue 12): no escalation through signing keys (item 12), a per-project
maximum lifetime enforced at verification (item 14), and numeric claims out of range refused,
never an overflow (item 9)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

import httpx
import jwt
import orjson
import pytest
import websockets

from tidings_server.testing.live import LiveServer

from .conftest import Account, Api, auth

NARROW = {"admin": [">"], "publish": ["orders.>"]}


def _signing_key(api: Api, headers: dict[str, str], project_id: str, kid: str) -> dict[str, Any]:
    response = api.http.post(
        f"/v1/projects/{project_id}/signing-keys", json={"kid": kid, "alg": "HS256"}, headers=headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _token(secret: str, kid: str, project_id: str, cap: dict[str, list[str]], **claims: Any) -> str:
    payload = {"aud": f"project:{project_id}", "sub": "end-user", "cap": cap, "exp": int(time.time()) + 600}
    payload.update(claims)
    return jwt.encode(payload, secret.encode(), algorithm="HS256", headers={"kid": kid})


def _raw_token(secret: str, kid: str, payload_json: bytes) -> str:
    """A token whose payload is these exact bytes (JSON that Python would not write: 1e400)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(orjson.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}))
    body = b64(payload_json)
    signature = hmac.new(secret.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(signature)}"


def _whoami(api: Api, token: str) -> httpx.Response:
    return api.http.get("/v1/whoami", headers=auth(token))


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unauthenticated"


@pytest.fixture(scope="module")
def owner(api: Api) -> Account:
    account = api.signup("tok")
    api.project(account, "main")
    return account


# --- item 12: no escalation through signing keys -------------------------------------------


def test_a_narrow_key_cannot_sign_itself_a_wider_token(api: Api, owner: Account) -> None:
    project_id = owner.projects["main"]
    narrow = api.key(owner, project_id, NARROW)["key"]
    registered = _signing_key(api, auth(narrow), project_id, "by-narrow-key")
    assert registered["max_capabilities"] == {"publish": ["orders.>"]}
    secret, kid = registered["secret"], registered["kid"]
    # Wider than the registering key: refused, whatever it asks beyond.
    for cap in ({"publish": ["payments.*"]}, {"history": [">"]}, {"subscribe": [">"]}, {"publish": [">"]}):
        _refused(_whoami(api, _token(secret, kid, project_id, cap)))
    wider = _token(secret, kid, project_id, {"publish": ["payments.*"]})
    publish = api.http.post(
        f"/v1/projects/{project_id}/events", json={"topic": "payments.x", "data": {}}, headers=auth(wider)
    )
    _refused(publish)
    # Within it: accepted.
    within = _token(secret, kid, project_id, {"publish": ["orders.eu.>"]})
    assert _whoami(api, within).status_code == 200


def test_a_signing_key_registered_by_a_user_is_not_capped(api: Api, owner: Account) -> None:
    project_id = owner.projects["main"]
    registered = _signing_key(api, owner.headers, project_id, "by-owner")
    assert "max_capabilities" not in registered
    token = _token(
        registered["secret"], "by-owner", project_id, {"publish": ["payments.*"], "history": [">"]}
    )
    assert _whoami(api, token).status_code == 200


# --- item 14: maximum lifetime, enforced at verification --------------------------------------


def test_a_ten_year_backend_signed_token_is_refused(api: Api, owner: Account) -> None:
    project_id = owner.projects["main"]
    registered = _signing_key(api, owner.headers, project_id, "ttl")
    secret, now = registered["secret"], int(time.time())
    cap = {"subscribe": [">"]}
    _refused(_whoami(api, _token(secret, "ttl", project_id, cap, exp=now + 10 * 365 * 86400)))
    # Default maximum: one day, from now and from `iat`.
    _refused(_whoami(api, _token(secret, "ttl", project_id, cap, exp=now + 86400 + 600)))
    _refused(_whoami(api, _token(secret, "ttl", project_id, cap, iat=now - 86400, exp=now + 3600)))
    assert _whoami(api, _token(secret, "ttl", project_id, cap, iat=now, exp=now + 86000)).status_code == 200


def test_the_project_maximum_applies_to_signed_and_minted_tokens(api: Api, owner: Account) -> None:
    response = api.http.post(
        f"/v1/tenants/{owner.tenant_id}/projects",
        json={"slug": "short", "name": "short", "settings": {"max_client_token_ttl": 120}},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["settings"]["max_client_token_ttl"] == 120
    project_id = response.json()["id"]
    registered = _signing_key(api, owner.headers, project_id, "short")
    now = int(time.time())
    cap = {"subscribe": [">"]}
    _refused(_whoami(api, _token(registered["secret"], "short", project_id, cap, exp=now + 3600)))
    assert (
        _whoami(api, _token(registered["secret"], "short", project_id, cap, exp=now + 100)).status_code == 200
    )
    key = api.key(owner, project_id, {"subscribe": [">"]})["key"]
    minted = api.http.post(
        f"/v1/projects/{project_id}/tokens",
        json={"user_id": "u1", "capabilities": cap, "ttl_seconds": 3600},
        headers=auth(key),
    )
    assert minted.status_code == 400, minted.text
    assert minted.json()["code"] == "validation_failed"
    ok = api.http.post(
        f"/v1/projects/{project_id}/tokens",
        json={"user_id": "u1", "capabilities": cap, "ttl_seconds": 60},
        headers=auth(key),
    )
    assert ok.status_code == 201, ok.text
    assert _whoami(api, ok.json()["token"]).status_code == 200


# --- item 9: numeric claims out of range ------------------------------------------------------

EXTREMES = [
    b'{"aud":"project:%s","sub":"u","exp":1000000000000000000000000000000}',
    b'{"aud":"project:%s","sub":"u","exp":1e400}',
    b'{"aud":"project:%s","sub":"u","exp":-1e400}',
    b'{"aud":"project:%s","sub":"u","exp":%d,"nbf":1e400}',
    b'{"aud":"project:%s","sub":"u","exp":%d,"iat":1e400}',
    b'{"aud":"project:%s","sub":"u","exp":%d,"iat":-100000000000000000000}',
    b'{"aud":"project:%s","sub":"u","exp":true}',
    b'{"aud":"project:%s","sub":"u","exp":"soon"}',
]


def _extremes(secret: str, kid: str, project_id: str) -> list[str]:
    exp = int(time.time()) + 600
    tokens = []
    for template in EXTREMES:
        raw = template % ((project_id.encode(), exp) if b"%d" in template else (project_id.encode(),))
        tokens.append(_raw_token(secret, kid, raw))
    return tokens


def test_numeric_claims_out_of_range_are_401_on_rest(api: Api, owner: Account) -> None:
    project_id = owner.projects["main"]
    registered = _signing_key(api, owner.headers, project_id, "numbers-rest")
    for token in _extremes(registered["secret"], "numbers-rest", project_id):
        _refused(_whoami(api, token))
    # Shaped like a user token (no audience): refused the same way.
    user_like = _raw_token("x" * 32, "tidings", b'{"typ":"user","sub":"u","sid":"s","iat":1,"exp":1e400}')
    _refused(api.http.get("/v1/me", headers=auth(user_like)))


async def test_numeric_claims_out_of_range_close_4401_on_websocket(
    api: Api, owner: Account, server: LiveServer
) -> None:
    project_id = owner.projects["main"]
    registered = _signing_key(api, owner.headers, project_id, "numbers-ws")
    key = api.key(owner, project_id, {"subscribe": [">"]})["key"]
    url = f"{server.ws_url}/v1/projects/{project_id}/ws"
    for token in _extremes(registered["secret"], "numbers-ws", project_id):
        # As the connection's credential...
        async with websockets.connect(url, additional_headers=auth(token)) as ws:
            frame = orjson.loads(await ws.recv())
            assert frame["code"] == "unauthenticated", frame
            with pytest.raises(websockets.ConnectionClosed):
                await ws.recv()
        assert ws.close_code == 4401
        # ...and in an `auth` frame (was close 1011, OverflowError).
        async with websockets.connect(url, additional_headers=auth(key)) as ws:
            assert orjson.loads(await ws.recv())["type"] == "welcome"
            await ws.send(orjson.dumps({"type": "auth", "token": token}).decode())
            frame = orjson.loads(await ws.recv())
            assert frame["type"] == "error", frame
            assert frame["code"] == "unauthenticated", frame
            with pytest.raises(websockets.ConnectionClosed):
                await ws.recv()
        assert ws.close_code == 4401
