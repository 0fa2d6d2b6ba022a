"""Token lifetime caps and numeric extremes in JWT claims, on every transport: REST (401), SSE
(401 problem+json), the WebSocket handshake and the WebSocket `auth` frame (close 4401) —
never 500, never close 1011, never an overflow in the log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import httpx
import orjson
import pytest
import websockets

from tidings_server.testing.live import LiveServer

from .conftest import Tenant, assert_problem, bearer


def _raw(t: Tenant, payload: bytes) -> str:
    """A token over these exact payload bytes (JSON Python would not write, like 1e400)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(orjson.dumps({"alg": "HS256", "typ": "JWT", "kid": t.kid}))
    body = b64(payload)
    mac = hmac.new(t.signing_secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(mac)}"


_CLAIMS = {
    "exp_1e30": '"exp":1000000000000000000000000000000',
    "exp_2^63": '"exp":9223372036854775808',
    "exp_1e400": '"exp":1e400',
    "exp_-1e400": '"exp":-1e400',
    "exp_nan_like": '"exp":-0.0',
    "exp_true": '"exp":true',
    "exp_string": '"exp":"2099-01-01"',
    "exp_object": '"exp":{"n":1}',
    "nbf_1e400": '"exp":{exp},"nbf":1e400',
    "nbf_1e30": '"exp":{exp},"nbf":1000000000000000000000000000000',
    "iat_1e400": '"exp":{exp},"iat":1e400',
    "iat_-1e20": '"exp":{exp},"iat":-100000000000000000000',
    "ten_years": '"exp":{ten_years}',
    "iat_ancient": '"exp":{exp},"iat":1',
    "exp_past_cap": '"exp":{past_cap}',
}
CASES = sorted(_CLAIMS)


def _token(t: Tenant, case: str) -> str:
    now = int(time.time())
    claims = (
        _CLAIMS[case]
        .replace("{exp}", str(now + 600))
        .replace("{ten_years}", str(now + 10 * 365 * 86400))
        .replace("{past_cap}", str(now + 86400 + 3600))
    )
    payload = f'{{"aud":"project:{t.project_id}","sub":"u","cap":{{"subscribe":[">"]}},{claims}}}'
    return _raw(t, payload.encode())


@pytest.mark.parametrize("case", CASES)
def test_rest_refuses_with_401(http: httpx.Client, attacker: Tenant, case: str) -> None:
    assert_problem(http.get("/v1/whoami", headers=bearer(_token(attacker, case))), 401, "unauthenticated")


@pytest.mark.parametrize("case", CASES)
def test_sse_refuses_with_401(http: httpx.Client, attacker: Tenant, case: str) -> None:
    response = http.get(
        f"/v1/projects/{attacker.project_id}/stream",
        params={"topic": ">", "token": _token(attacker, case)},
    )
    assert_problem(response, 401, "unauthenticated")


@pytest.mark.parametrize("case", CASES)
async def test_websocket_handshake_closes_4401(server: LiveServer, attacker: Tenant, case: str) -> None:
    url = f"{server.ws_url}/v1/projects/{attacker.project_id}/ws"
    async with websockets.connect(url, additional_headers=bearer(_token(attacker, case))) as ws:
        frame = orjson.loads(await ws.recv())
        assert frame["code"] == "unauthenticated", frame
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 4401


@pytest.mark.parametrize("case", CASES)
async def test_websocket_auth_frame_closes_4401(server: LiveServer, attacker: Tenant, case: str) -> None:
    url = f"{server.ws_url}/v1/projects/{attacker.project_id}/ws"
    async with websockets.connect(url, additional_headers=bearer(attacker.full_key)) as ws:
        assert orjson.loads(await ws.recv())["type"] == "welcome"
        await ws.send(orjson.dumps({"type": "auth", "id": "a1", "token": _token(attacker, case)}).decode())
        frame = orjson.loads(await ws.recv())
        assert frame["type"] == "error", frame
        assert frame["code"] == "unauthenticated", frame
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert ws.close_code == 4401


def test_a_token_within_every_limit_is_accepted(http: httpx.Client, attacker: Tenant) -> None:
    """The other direction: the same construction with sane claims verifies."""
    now = int(time.time())
    good = _raw(
        attacker,
        f'{{"aud":"project:{attacker.project_id}","sub":"u","cap":{{"subscribe":[">"]}},'
        f'"iat":{now},"nbf":{now - 5},"exp":{now + 3600}}}'.encode(),
    )
    assert http.get("/v1/whoami", headers=bearer(good)).status_code == 200
