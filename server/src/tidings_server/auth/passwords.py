"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile: t=3, m=64 MiB).

Hashing takes tens of milliseconds of CPU by design, so it runs in a worker thread and never
blocks the event loop.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["hash_password", "verify_password"]

_hasher = PasswordHasher()
# Verified against when the email is unknown, so the answer takes as long as for a real user.
_DUMMY_HASH = _hasher.hash("tidings-dummy-password-for-timing")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)
