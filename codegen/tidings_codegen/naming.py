"""Identifier spelling shared by every language adapter."""

from __future__ import annotations

import re

__all__ = ["camel", "pascal", "snake", "words"]

_BOUNDARY = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])|[0-9]+")


def words(text: str) -> list[str]:
    """Split `past_due`, `EdDSA`, `/v1/tenants/{tenant}`, `ApiKeyWithSecret` into words."""
    out: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", text):
        out.extend(_BOUNDARY.findall(chunk))
    return out


def pascal(text: str) -> str:
    # Acronyms become capitalised words (HS256 -> Hs256) so clippy's upper_case_acronyms and
    # the usual TS/Python conventions agree on one spelling.
    result = "".join(w[:1].upper() + w[1:].lower() for w in words(text))
    if not result:
        return "Value"
    return result if not result[0].isdigit() else "V" + result


def camel(text: str) -> str:
    p = pascal(text)
    return p[:1].lower() + p[1:]


def snake(text: str) -> str:
    result = "_".join(w.lower() for w in words(text))
    if not result:
        return "value"
    return result if not result[0].isdigit() else "v" + result
