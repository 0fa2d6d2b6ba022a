"""Browser origins: which web pages may use a project's data plane with a client token.

A project's `settings.allowed_origins` is a list of rules, each an origin or a wildcard:

    https://app.example.com        exactly this origin (scheme, host and port must all match)
    http://127.0.0.1:17690         a port is part of the origin; no port means the scheme's default
    https://*.example.com          any origin whose host ends in `.example.com` (one or more
                                   labels before it), with this scheme and port — never the bare
                                   `example.com` (list it too when it serves pages)

Matching is exact on the whole serialized origin (full-match semantics: no prefix, suffix or
trailing-newline match), ASCII case-insensitive on the host, and a `*` stands only for whole
leading labels. `null` (sandboxed frames, `file:` pages) matches no rule.

An empty list means any origin (what a new project gets, so a developer's first page works); a
production project should list its sites, because a client token leaked to or minted for another
site is then refused there (see docs/browsers.md). The list is enforced for client tokens only:
an API key belongs to a server, and a server sends no `Origin` (and could forge one).

`ProjectOrigins` caches each project's rules (the CORS preflights and the realtime handshakes
read them without touching PostgreSQL); `update_project` announces a change over the control
bus and every node drops its entry within milliseconds. A node that was away from NATS drops its
whole cache on reconnection; the TTL bounds staleness for a node that missed both. While
PostgreSQL is unreachable a known entry keeps serving (stale while error).
"""

from __future__ import annotations

import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from tidings_server.auth.principal import Principal
from tidings_server.broker.control import ControlBus
from tidings_server.store.db import Database
from tidings_server.store.models import Project

__all__ = [
    "ORIGINS_COMMAND",
    "InvalidOriginRule",
    "OriginRules",
    "ProjectOrigins",
    "announce_origins_changed",
    "normalize_origin",
    "origin_refused",
    "validate_rules",
]

ORIGINS_COMMAND = "project.origins"
# Staleness bound for a node that missed the control-bus command and the reconnection both.
CACHE_TTL_SECONDS = 30.0
# Entries kept (least recently used dropped first): preflights for random project ids must not
# grow memory without bound.
CACHE_MAX_ENTRIES = 10_000

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL})*"
_ORIGIN = re.compile(rf"(?P<scheme>https?)://(?P<host>{_HOST})(?::(?P<port>[0-9]{{1,5}}))?")
_RULE = re.compile(
    rf"(?P<scheme>https?)://(?P<wild>\*\.)?(?P<host>{_HOST})(?::(?P<port>[0-9]{{1,5}}))?", re.IGNORECASE
)


class InvalidOriginRule(ValueError):
    """A rule that is not `scheme://host[:port]` or `scheme://*.host[:port]`."""


def _port(scheme: str, port: str | None) -> int | None:
    if port is None:
        return _DEFAULT_PORTS[scheme]
    number = int(port)
    return number if 0 < number <= 65535 else None


def normalize_origin(origin: str) -> tuple[str, str, int] | None:
    """(scheme, lower-case host, port) of a serialized origin (an `Origin` header), or None for
    anything else, `null` included."""
    match = _ORIGIN.fullmatch(origin)
    if match is None:
        return None
    scheme = match["scheme"]
    port = _port(scheme, match["port"])
    if port is None:
        return None
    return scheme, match["host"].lower(), port


@dataclass(frozen=True, slots=True)
class _Rule:
    scheme: str
    host: str
    port: int
    wildcard: bool

    def matches(self, scheme: str, host: str, port: int) -> bool:
        if scheme != self.scheme or port != self.port:
            return False
        if self.wildcard:
            return host.endswith("." + self.host)
        return host == self.host


def _parse_rule(text: str) -> _Rule:
    match = _RULE.fullmatch(text)
    if match is None:
        raise InvalidOriginRule(
            f"{text!r} is not an origin (`https://host[:port]`) or a wildcard (`https://*.host`)"
        )
    scheme = match["scheme"].lower()
    port = _port(scheme, match["port"])
    if port is None:
        raise InvalidOriginRule(f"{text!r} has a port outside 1-65535")
    return _Rule(scheme, match["host"].lower(), port, match["wild"] is not None)


class OriginRules:
    """A parsed list of origin rules. `allows` answers for one `Origin` header value."""

    __slots__ = ("_rules", "any_when_empty")

    def __init__(self, rules: Iterable[str], *, any_when_empty: bool) -> None:
        """Raises `InvalidOriginRule` for the first rule that does not parse. `any_when_empty`:
        what an empty list means (a project's: any origin; the console's: none)."""
        self._rules = tuple(_parse_rule(r) for r in rules)
        self.any_when_empty = any_when_empty

    @classmethod
    def lenient(cls, rules: Iterable[Any], *, any_when_empty: bool) -> OriginRules:
        """Rules as stored: entries that do not parse (stored before validation was strict)
        are skipped, never widened — a list of only such entries allows nothing."""
        entries = [str(r) for r in rules]
        valid = [r for r in entries if not validate_rules([r])]
        parsed = cls(valid, any_when_empty=any_when_empty)
        if entries and not valid:
            parsed.any_when_empty = False
        return parsed

    def allows(self, origin: str) -> bool:
        if not self._rules:
            return self.any_when_empty
        parts = normalize_origin(origin)
        if parts is None:
            return False
        return any(rule.matches(*parts) for rule in self._rules)


def validate_rules(rules: Sequence[str]) -> list[dict[str, str]]:
    """problem+json `errors` entries for the rules that do not parse (empty when all do)."""
    errors = []
    for i, rule in enumerate(rules):
        try:
            _parse_rule(rule)
        except InvalidOriginRule as exc:
            errors.append({"pointer": f"/settings/allowed_origins/{i}", "message": str(exc)})
    return errors


async def announce_origins_changed(control: ControlBus, project_id: uuid.UUID) -> None:
    """Tell every node that the project's allowed origins changed (after the commit)."""
    await control.publish(ORIGINS_COMMAND, {"project_id": str(project_id)})


class ProjectOrigins:
    """Each project's `allowed_origins`, cached per node and invalidated over the control bus."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: OrderedDict[uuid.UUID, tuple[OriginRules | None, float]] = OrderedDict()

    async def attach(self, control: ControlBus) -> None:
        async def changed(payload: dict[str, Any]) -> None:
            self._cache.pop(uuid.UUID(str(payload["project_id"])), None)

        await control.subscribe(ORIGINS_COMMAND, changed)

    async def forget_all(self) -> None:
        self._cache.clear()

    async def rules(self, project_id: uuid.UUID) -> OriginRules | None:
        """The project's rules, or None when there is no such project. Raises the database's
        error when PostgreSQL cannot be reached and the project is not cached."""
        cached = self._cache.get(project_id)
        now = time.monotonic()
        if cached is not None and now - cached[1] < CACHE_TTL_SECONDS:
            self._cache.move_to_end(project_id)
            return cached[0]
        try:
            async with self._db.session() as session:
                row = (
                    await session.execute(sa.select(Project.settings).where(Project.id == project_id))
                ).first()
        except Exception:
            if cached is not None:
                return cached[0]  # stale while error: the rules rarely change, an outage is short
            raise
        rules = (
            None
            if row is None
            else OriginRules.lenient((row[0] or {}).get("allowed_origins") or (), any_when_empty=True)
        )
        self._cache[project_id] = (rules, now)
        self._cache.move_to_end(project_id)
        while len(self._cache) > CACHE_MAX_ENTRIES:
            self._cache.popitem(last=False)
        return rules


async def origin_refused(origins: ProjectOrigins, principal: Principal, origin: str | None) -> bool:
    """Whether a realtime or data-plane request must be refused with `origin_not_allowed`: a
    client token, from a browser page (an `Origin` header) that the token's project does not
    allow. API keys and requests without `Origin` are never refused here."""
    if origin is None or principal.kind != "client_token" or principal.project_id is None:
        return False
    rules = await origins.rules(principal.project_id)
    return rules is None or not rules.allows(origin)
