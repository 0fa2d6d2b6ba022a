"""Encryption at rest for secrets the server must read back (HS256 signing keys): AES-256-GCM
under a key derived from the API-key pepper with HKDF, so a database dump alone reveals nothing."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["SecretBox"]

_NONCE_BYTES = 12


class SecretBox:
    def __init__(self, pepper: bytes, purpose: bytes) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tidings:" + purpose).derive(pepper)
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes, associated: bytes = b"") -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated)

    def open(self, sealed: bytes, associated: bytes = b"") -> bytes:
        return self._aead.decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], associated)
