"""Where the contract files live, and the error registry loaded from them.

The server reads `spec/` at start-up: connexion routes from `openapi.yaml`, and the error
registry (`errors.yaml`) gives every problem its status and every realtime error its close code.
In a source checkout `spec/` is the repository's; in a wheel it is packaged as
`tidings_server/spec` (see `server/pyproject.toml`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

__all__ = ["ErrorSpec", "api_version", "error_registry", "spec_dir"]


def spec_dir() -> Path:
    """The folder holding `openapi.yaml`, `asyncapi.yaml`, `errors.yaml` and `schemas/`."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "spec", here.parents[2] / "spec"):
        if (candidate / "openapi.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"spec/openapi.yaml not found next to {here} or in the repository")


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One entry of the error registry."""

    code: str
    title: str
    description: str
    retryable: bool
    status: int | None = None
    close_code: int | None = None
    action: Literal["reconnect", "terminal"] | None = None
    frame: bool = False
    """Answered with a realtime `error` frame; the connection stays open."""


@functools.cache
def error_registry() -> dict[str, ErrorSpec]:
    """The registry `spec/errors.yaml`, keyed by code; validated on load."""
    raw = yaml.safe_load((spec_dir() / "errors.yaml").read_text(encoding="utf-8"))
    registry: dict[str, ErrorSpec] = {}
    close_codes: set[int] = set()
    for code, entry in raw["codes"].items():
        spec = ErrorSpec(code=code, **entry)
        if spec.status is None and spec.close_code is None and not spec.frame:
            raise ValueError(f"error code {code!r} has no HTTP status, close code or frame use")
        if spec.close_code is not None:
            if not 4000 <= spec.close_code <= 4999 or spec.action is None:
                raise ValueError(f"error code {code!r}: close codes are 4000-4999 with an action")
            if spec.close_code in close_codes:
                raise ValueError(f"close code {spec.close_code} is used twice")
            close_codes.add(spec.close_code)
        registry[code] = spec
    return registry


@functools.cache
def api_version() -> str:
    """`info.version` of spec/openapi.yaml."""
    doc = yaml.safe_load((spec_dir() / "openapi.yaml").read_text(encoding="utf-8"))
    return str(doc["info"]["version"])
