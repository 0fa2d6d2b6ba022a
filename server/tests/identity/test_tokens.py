"""Client tokens: minted by the server, or signed by a tenant's backend with a registered key;
every forgery and misuse is a 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from tidings_server.testing.waiting import eventually

from .conftest import Account, Api, auth


@dataclass
class Setup:
    owner: Account
    project: str
    key: str
    hs_secret: bytes
    ed_private: ed25519.Ed25519PrivateKey
    rsa_private: rsa.RSAPrivateKey


def _pem(public: Any) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.fixture(scope="module")
def setup(api: Api) -> Setup:
    owner = api.signup("tok")
    project = api.project(owner)
    key = api.key(owner, project, {"subscribe": ["chat.>"], "publish": ["chat.>"], "admin": [">"]})["key"]
    hs = api.http.post(
        f"/v1/projects/{project}/signing-keys", json={"kid": "hs1", "alg": "HS256"}, headers=owner.headers
    )
    assert hs.status_code == 201, hs.text
    secret = hs.json()["secret"]
    ed_private = ed25519.Ed25519PrivateKey.generate()
    rsa_private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for kid, alg, public in [
        ("ed1", "EdDSA", ed_private.public_key()),
        ("rs1", "RS256", rsa_private.public_key()),
    ]:
        created = api.http.post(
            f"/v1/projects/{project}/signing-keys",
            json={"kid": kid, "alg": alg, "public_key": _pem(public)},
            headers=owner.headers,
        )
        assert created.status_code == 201, created.text
    # The secret is used as the HMAC key as it is shown (its ASCII bytes), as JWT libraries expect.
    return Setup(owner, project, key, secret.encode(), ed_private, rsa_private)


def _claims(setup: Setup, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": "alice",
        "aud": f"project:{setup.project}",
        "exp": now + 300,
        "iat": now,
        "cap": {"subscribe": ["chat.>"]},
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _whoami(api: Api, token: str) -> int:
    return api.http.get("/v1/whoami", headers=auth(token)).status_code


def test_a_minted_token_carries_its_capabilities(api: Api, setup: Setup) -> None:
    minted = api.http.post(
        f"/v1/projects/{setup.project}/tokens",
        json={"user_id": "alice", "capabilities": {"subscribe": ["chat.room1"]}, "ttl_seconds": 60},
        headers=auth(setup.key),
    )
    assert minted.status_code == 201
    body = api.http.get("/v1/whoami", headers=auth(minted.json()["token"])).json()
    assert body == {
        "credential": "client_token",
        "subject": "alice",
        "tenant_id": setup.owner.tenant_id,
        "project_id": setup.project,
        "scopes": {"subscribe": ["chat.room1"]},
    }


def test_capabilities_wider_than_the_minting_key_are_refused(api: Api, setup: Setup) -> None:
    response = api.http.post(
        f"/v1/projects/{setup.project}/tokens",
        json={"user_id": "alice", "capabilities": {"subscribe": [">"]}},
        headers=auth(setup.key),
    )
    assert response.status_code == 403


@pytest.mark.parametrize("kid", ["hs1", "ed1", "rs1"])
def test_tokens_signed_by_the_tenants_backend_verify(api: Api, setup: Setup, kid: str) -> None:
    key: Any = {"hs1": setup.hs_secret, "ed1": setup.ed_private, "rs1": setup.rsa_private}[kid]
    alg = {"hs1": "HS256", "ed1": "EdDSA", "rs1": "RS256"}[kid]
    token = jwt.encode(_claims(setup), key, algorithm=alg, headers={"kid": kid})
    assert _whoami(api, token) == 200


def _forgeries(setup: Setup) -> dict[str, str]:
    now = int(time.time())
    good = _claims(setup)
    rs_public_pem = _pem(setup.rsa_private.public_key()).encode()
    unsigned = (
        base64.urlsafe_b64encode(b'{"alg":"none","kid":"hs1"}').rstrip(b"=").decode()
        + "."
        + base64.urlsafe_b64encode(json.dumps(good).encode()).rstrip(b"=").decode()
        + "."
    )
    valid = jwt.encode(good, setup.hs_secret, algorithm="HS256", headers={"kid": "hs1"})
    head, _, sig = valid.split(".")
    tampered_claims = dict(good, cap={"subscribe": [">"]})
    tampered = (
        head
        + "."
        + base64.urlsafe_b64encode(json.dumps(tampered_claims).encode()).rstrip(b"=").decode()
        + "."
        + sig
    )
    return {
        "alg none": unsigned,
        "wrong key": jwt.encode(good, b"w" * 32, algorithm="HS256", headers={"kid": "hs1"}),
        "expired": jwt.encode(
            _claims(setup, exp=now - 60, iat=now - 120),
            setup.hs_secret,
            algorithm="HS256",
            headers={"kid": "hs1"},
        ),
        "not yet valid": jwt.encode(
            _claims(setup, nbf=now + 600), setup.hs_secret, algorithm="HS256", headers={"kid": "hs1"}
        ),
        "no exp": jwt.encode(
            _claims(setup, exp=None), setup.hs_secret, algorithm="HS256", headers={"kid": "hs1"}
        ),
        "tampered claims": tampered,
        "wrong audience": jwt.encode(
            _claims(setup, aud="project:00000000-0000-0000-0000-000000000000"),
            setup.hs_secret,
            algorithm="HS256",
            headers={"kid": "hs1"},
        ),
        "unknown kid": jwt.encode(good, setup.hs_secret, algorithm="HS256", headers={"kid": "nope"}),
        # Algorithm confusion: an HS256 token keyed with the RS256 key's public PEM.
        "alg confusion": _hs256_with(good, rs_public_pem, "rs1"),
        "EdDSA token on the HS256 kid": jwt.encode(
            good, setup.ed_private, algorithm="EdDSA", headers={"kid": "hs1"}
        ),
        "capability outside the scopes": jwt.encode(
            _claims(setup, cap={"admin": [">"]}), setup.hs_secret, algorithm="HS256", headers={"kid": "hs1"}
        ),
        "server kid, wrong type": setup.owner.access,
    }


def _hs256_with(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    """An HS256 token signed by hand (PyJWT itself refuses a PEM public key as an HMAC secret)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = (
        b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
        + "."
        + b64(json.dumps(claims).encode())
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


@pytest.mark.parametrize(
    "case",
    [
        "alg none",
        "wrong key",
        "expired",
        "not yet valid",
        "no exp",
        "tampered claims",
        "wrong audience",
        "unknown kid",
        "alg confusion",
        "EdDSA token on the HS256 kid",
        "capability outside the scopes",
    ],
)
def test_forged_or_misused_tokens_are_401(api: Api, setup: Setup, case: str) -> None:
    token = _forgeries(setup)[case]
    response = api.http.get("/v1/whoami", headers=auth(token))
    assert response.status_code == 401, case
    assert response.json()["code"] == "unauthenticated"


def test_a_client_token_reaches_no_admin_operation(api: Api, setup: Setup) -> None:
    token = jwt.encode(_claims(setup), setup.hs_secret, algorithm="HS256", headers={"kid": "hs1"})
    assert api.http.get(f"/v1/projects/{setup.project}/keys", headers=auth(token)).status_code == 401
    assert api.http.get("/v1/me", headers=auth(token)).status_code == 401


def test_a_revoked_signing_key_stops_verifying(api: Api, setup: Setup) -> None:
    created = api.http.post(
        f"/v1/projects/{setup.project}/signing-keys",
        json={"kid": "tmp", "alg": "HS256"},
        headers=setup.owner.headers,
    )
    secret = created.json()["secret"]
    token = jwt.encode(_claims(setup), secret.encode(), algorithm="HS256", headers={"kid": "tmp"})
    assert _whoami(api, token) == 200
    assert (
        api.http.delete(
            f"/v1/projects/{setup.project}/signing-keys/tmp", headers=setup.owner.headers
        ).status_code
        == 204
    )
    eventually(lambda: _whoami(api, token), 401, message="a token of the deleted signing key")
    # A kid is never reused, even after revocation.
    again = api.http.post(
        f"/v1/projects/{setup.project}/signing-keys",
        json={"kid": "tmp", "alg": "HS256"},
        headers=setup.owner.headers,
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"kid": "tidings", "alg": "HS256"}, 400),
        ({"kid": "x1", "alg": "RS256"}, 422),
        ({"kid": "x2", "alg": "RS256", "public_key": "not a pem"}, 422),
        ({"kid": "x3", "alg": "HS256", "public_key": "-----BEGIN PUBLIC KEY-----"}, 422),
    ],
)
def test_bad_signing_keys_are_refused(api: Api, setup: Setup, body: dict[str, str], status: int) -> None:
    response = api.http.post(
        f"/v1/projects/{setup.project}/signing-keys", json=body, headers=setup.owner.headers
    )
    assert response.status_code == status, response.text


def test_a_weak_rsa_key_is_refused(api: Api, setup: Setup) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point of the test
    response = api.http.post(
        f"/v1/projects/{setup.project}/signing-keys",
        json={"kid": "weak", "alg": "RS256", "public_key": _pem(weak.public_key())},
        headers=setup.owner.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_key_material"
