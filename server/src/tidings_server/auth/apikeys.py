"""API key format, generation and digests (no I/O).

A key reads `tdg_<env>_<key id>_<secret>`:

- `tdg_` makes leaked keys easy for secret scanners to spot;
- `<env>` is `live` or `test`;
- `<key id>` (12 base32 characters, 60 bits) is public: it is stored in clear, logged, and used to
  find the key's row;
- `<secret>` (32 base62 characters, ~190 bits) is shown once and never stored.

The database keeps `HMAC-SHA256(pepper, whole key)`. A stolen database without the pepper does not
yield usable keys, and a fast keyed hash (not argon2) is right here: the secret has 190 bits of
entropy, so there is nothing to brute-force, and verification sits on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass
from typing import Literal

__all__ = ["GeneratedKey", "ParsedKey", "digest", "generate", "parse", "verify"]

PREFIX = "tdg"
KEY_ID_LENGTH = 12
SECRET_LENGTH = 32
_KEY_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits
_PATTERN = re.compile(rf"{PREFIX}_(live|test)_([a-z2-7]{{{KEY_ID_LENGTH}}})_([A-Za-z0-9]{{{SECRET_LENGTH}}})")


@dataclass(frozen=True, slots=True)
class ParsedKey:
    environment: str
    key_id: str
    key: str


@dataclass(frozen=True, slots=True)
class GeneratedKey:
    key_id: str
    key: str
    """The whole key: show it to its owner once, then forget it."""
    digest: bytes


def parse(key: str) -> ParsedKey | None:
    """The parts of a well-formed key, or None (the caller answers 401 without saying why)."""
    match = _PATTERN.fullmatch(key)
    if match is None:
        return None
    return ParsedKey(environment=match[1], key_id=match[2], key=key)


def digest(pepper: bytes, key: str) -> bytes:
    return hmac.new(pepper, key.encode("ascii"), hashlib.sha256).digest()


def verify(pepper: bytes, key: str, stored_digest: bytes) -> bool:
    """Constant-time comparison of the key's digest with the stored one."""
    return hmac.compare_digest(digest(pepper, key), stored_digest)


def generate(pepper: bytes, environment: Literal["live", "test"] = "live") -> GeneratedKey:
    key_id = "".join(secrets.choice(_KEY_ID_ALPHABET) for _ in range(KEY_ID_LENGTH))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    key = f"{PREFIX}_{environment}_{key_id}_{secret}"
    return GeneratedKey(key_id=key_id, key=key, digest=digest(pepper, key))
