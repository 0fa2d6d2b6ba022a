"""JSON Web Tokens: user access tokens, and client tokens (minted by the server, or signed by a
tenant's backend with a registered project signing key).

Rules that hold for every token:
- the algorithm is pinned by the key that verifies it (`none` is never accepted, and a token
  cannot pick another algorithm than its key's: no RS256/HS256 confusion);
- `exp` is required, with a small leeway for clock skew;
- numeric claims (`exp`, `iat`, `nbf`) are integers or finite numbers within
  `MAX_TIMESTAMP`; anything else (`exp: 1e400`, `10**30`, `true`) is a token that does not
  verify (401 / close 4401), never an overflow;
- a client token lives at most its project's `max_client_token_ttl` (checked here, at
  verification, whoever signed it): `exp` no further than that from now, nor from `iat`;
- client tokens carry `aud = "project:<project id>"`; user tokens `typ = "user"` and no audience,
  so neither kind is accepted in place of the other.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from tidings_server import topics
from tidings_server.auth.grants import CLIENT_SCOPES

__all__ = [
    "DEFAULT_MAX_CLIENT_TOKEN_TTL",
    "LEEWAY_SECONDS",
    "SERVER_KID",
    "ClientClaims",
    "TokenIssuer",
    "VerificationKey",
    "load_public_key",
    "unverified_client_target",
]

# Clocks of a tenant's backend and ours may differ a little; more would stretch every token.
LEEWAY_SECONDS = 10
ISSUER = "tidings"
SERVER_KID = "tidings"
# RSA keys shorter than this are refused at registration.
MIN_RSA_BITS = 2048
# Numeric claims past this (year 2286) are refused: they are no date anyone means.
MAX_TIMESTAMP = 10**10
DEFAULT_MAX_CLIENT_TOKEN_TTL = 86400
_NUMERIC_CLAIMS = ("exp", "iat", "nbf")


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """A project signing key as the verifier needs it."""

    alg: str
    key: bytes | Ed25519PublicKey | RSAPublicKey


@dataclass(frozen=True, slots=True)
class ClientClaims:
    project_id: uuid.UUID
    subject: str
    capabilities: dict[str, list[str]]
    expires_at: int


def load_public_key(alg: str, pem: str) -> Ed25519PublicKey | RSAPublicKey:
    """Parse a PEM public key for `alg`, or raise ValueError saying what is wrong."""
    try:
        key = load_pem_public_key(pem.encode())
    except (ValueError, TypeError) as exc:
        raise ValueError("public_key is not a PEM public key") from exc
    if alg == "EdDSA" and isinstance(key, Ed25519PublicKey):
        return key
    if alg == "RS256" and isinstance(key, RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise ValueError(f"RSA keys must have at least {MIN_RSA_BITS} bits")
        return key
    raise ValueError(f"public_key is not a key for {alg}")


def unverified_client_target(token: str) -> tuple[str, uuid.UUID] | None:
    """(kid, project id) named by a client token, read before verification to find its key."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    kid, aud = header.get("kid"), claims.get("aud")
    if not isinstance(kid, str) or not isinstance(aud, str) or not aud.startswith("project:"):
        return None
    try:
        return kid, uuid.UUID(aud.removeprefix("project:"))
    except ValueError:
        return None


def _numbers_in_range(token: str) -> bool:
    """Whether every numeric claim of `token` is a plain number within range (read before
    verification, so a hostile value never reaches arithmetic that could overflow)."""
    try:
        claims: Mapping[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except (jwt.PyJWTError, ValueError, TypeError, ArithmeticError):
        return False
    for name in _NUMERIC_CLAIMS:
        if name not in claims:
            continue
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if not (0 <= value <= MAX_TIMESTAMP):  # also False for NaN
            return False
    return True


def _capabilities(value: Any) -> dict[str, list[str]] | None:
    if not isinstance(value, Mapping):
        return None
    caps: dict[str, list[str]] = {}
    for scope, patterns in value.items():
        if scope not in CLIENT_SCOPES or not isinstance(patterns, list) or not patterns:
            return None
        if not all(isinstance(p, str) and topics.is_pattern(p) for p in patterns):
            return None
        caps[scope] = list(patterns)
    return caps


class TokenIssuer:
    """Mints and verifies the tokens signed with the server's own secret (HS256, kid `tidings`)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._secret, algorithm="HS256", headers={"kid": SERVER_KID})

    def user_access_token(self, user_id: uuid.UUID, session_id: uuid.UUID, ttl: int) -> str:
        now = int(time.time())
        return self._sign(
            {
                "iss": ISSUER,
                "typ": "user",
                "sub": str(user_id),
                "sid": str(session_id),
                "iat": now,
                "exp": now + ttl,
            }
        )

    def verify_user_token(self, token: str) -> tuple[uuid.UUID, uuid.UUID] | None:
        """(user id, session id) of a valid user token, or None."""
        try:
            if not _numbers_in_range(token):
                return None
            if jwt.get_unverified_header(token).get("kid") != SERVER_KID:
                return None
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "sid", "typ"], "verify_aud": False},
            )
            if claims["typ"] != "user" or "aud" in claims:
                return None
            return uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
        except (jwt.PyJWTError, ValueError, TypeError, ArithmeticError, AttributeError):
            return None

    def client_token(
        self, project_id: uuid.UUID, subject: str, capabilities: Mapping[str, list[str]], ttl: int
    ) -> tuple[str, int]:
        now = int(time.time())
        expires = now + ttl
        token = self._sign(
            {
                "iss": ISSUER,
                "typ": "client",
                "aud": f"project:{project_id}",
                "sub": subject,
                "cap": dict(capabilities),
                "iat": now,
                "exp": expires,
            }
        )
        return token, expires

    def verify_client_token(
        self,
        token: str,
        project_id: uuid.UUID,
        key: VerificationKey | None,
        *,
        max_ttl: int = DEFAULT_MAX_CLIENT_TOKEN_TTL,
    ) -> ClientClaims | None:
        """Verify a client token of `project_id`: with the server secret when its kid is the
        server's, else with `key` (the project signing key its kid names, or None if unknown).
        A token whose `exp` lies more than `max_ttl` seconds after now or after its `iat` is
        refused, however it was signed."""
        if not _numbers_in_range(token):
            return None
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            return None
        if kid == SERVER_KID:
            key = VerificationKey("HS256", self._secret)
        if key is None:
            return None
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[key.alg],
                audience=f"project:{project_id}",
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "sub", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError, ArithmeticError):
            return None
        exp = claims["exp"]
        if exp > time.time() + max_ttl + LEEWAY_SECONDS:
            return None
        iat = claims.get("iat")
        if iat is not None and exp - iat > max_ttl + LEEWAY_SECONDS:
            return None
        if kid == SERVER_KID and (claims.get("typ") != "client" or claims.get("iss") != ISSUER):
            return None
        caps = _capabilities(claims.get("cap", {}))
        if caps is None or not isinstance(claims["sub"], str) or not claims["sub"]:
            return None
        return ClientClaims(project_id, claims["sub"], caps, int(claims["exp"]))
