"""A real PostgreSQL server as a child process.

Binaries come from the `pgserver` wheel (PostgreSQL 16, installed by pip/uv with the server), or
else from the machine: `pg_config --bindir`, `/usr/lib/postgresql/<version>/bin`, or PATH.

PostgreSQL refuses to run as root. When the parent is root, the server runs as another system
user (`TIDINGS_EMBEDDED_PG_USER`, default `nobody`) that owns the data folder. That user must
reach the binaries and the data: when a folder above them is private (a checkout under
`/root`), the binaries are copied once, and the data lives, under /var/lib/tidings.

Authentication is `scram-sha-256` with a random password kept by the caller, and the server
listens on 127.0.0.1 only (no Unix socket, whose path length limit long folders break).
"""

from __future__ import annotations

import glob
import hashlib
import importlib.util
import logging
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from tidings_server.embedded.process import ChildProcess, free_port, wait_for

__all__ = ["EmbeddedPostgres", "postgres_bin_dir"]

SUPERUSER = "tidings"

log = logging.getLogger(__name__)

# Where root keeps what the PostgreSQL user must reach when the checkout is private.
ROOT_ONLY = Path("/var/lib/tidings")


def postgres_bin_dir() -> Path:
    """The folder holding `initdb` and `postgres`."""
    spec = importlib.util.find_spec("pgserver")
    candidates: list[Path] = []
    if spec is not None and spec.submodule_search_locations:
        candidates.append(Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin")
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "postgres").is_file():
            return candidate
    raise FileNotFoundError(
        "no PostgreSQL server binaries found: install the pgserver wheel (make install) "
        "or PostgreSQL (initdb and postgres on PATH)"
    )


def _blocking_parent(path: Path, user: pwd.struct_passwd) -> Path | None:
    """The first folder above `path` that `user` cannot traverse, if any."""
    for parent in path.parents:
        if not parent.exists():
            continue  # created later, by root with the default 0755
        info = parent.stat()
        if info.st_uid != user.pw_uid and not info.st_mode & stat.S_IXOTH:
            return parent
    return None


def _runnable_copy(bin_dir: Path, user: pwd.struct_passwd) -> Path:
    """`bin_dir` if `user` can reach it, else a copy of the pgserver installation where it can.

    As root, the binaries inside a checkout under a private home (`/root/…`) are out of reach of
    the user that runs PostgreSQL. The copy keeps pgserver's layout (its binaries find their
    libraries relative to themselves) and is made once per installation.
    """
    if _blocking_parent(bin_dir / "postgres", user) is None:
        return bin_dir
    install = bin_dir.parent  # …/pgserver/pginstall
    libs = install.parent.parent / "pgserver.libs"
    digest = hashlib.sha1(str(install).encode()).hexdigest()[:12]  # noqa: S324 - a name, not security
    # Under /var/lib, which only root may write: a world-writable place (/tmp, /var/tmp) would
    # let any local user plant binaries there for root to start.
    ROOT_ONLY.mkdir(parents=True, exist_ok=True)
    ROOT_ONLY.chmod(0o755)
    target = ROOT_ONLY / f"postgres-bin-{digest}"
    copied_bin = target / "pgserver" / "pginstall" / "bin"
    if not (copied_bin / "postgres").is_file():
        staging = Path(tempfile.mkdtemp(prefix="postgres-bin-", dir=ROOT_ONLY))
        shutil.copytree(install, staging / "pgserver" / "pginstall", symlinks=True)
        if libs.is_dir():
            shutil.copytree(libs, staging / "pgserver.libs", symlinks=True)
        staging.chmod(0o755)
        (staging / "pgserver").chmod(0o755)
        try:
            staging.rename(target)
        except OSError:  # another process made the same copy first
            shutil.rmtree(staging, ignore_errors=True)
    return copied_bin


def _reachable_data_dir(data_dir: Path, user: pwd.struct_passwd) -> Path:
    """`data_dir`, or a folder under /var/lib/tidings the PostgreSQL user can reach."""
    blocked = _blocking_parent(data_dir, user)
    if blocked is None:
        return data_dir
    digest = hashlib.sha1(str(data_dir).encode()).hexdigest()[:12]  # noqa: S324 - a name, not security
    moved = ROOT_ONLY / f"postgres-{digest}" / "data"
    moved.parent.mkdir(parents=True, exist_ok=True)
    for folder in (moved.parent, moved.parent.parent):
        folder.chmod(0o755)
    log.warning(
        "%s is not traversable by %s, which runs PostgreSQL; its data is in %s instead",
        blocked,
        user.pw_name,
        moved,
    )
    return moved


class EmbeddedPostgres:
    """One PostgreSQL cluster in `data_dir`: `start()` runs initdb if needed, then the server."""

    def __init__(
        self,
        data_dir: Path,
        *,
        password: str,
        port: int = 0,
        run_as: str | None = None,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.password = password
        self.port = port or free_port()
        self.bin_dir = postgres_bin_dir()
        self.user: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam(run_as or "nobody")
            self.bin_dir = _runnable_copy(self.bin_dir, self.user)
            self.data_dir = _reachable_data_dir(self.data_dir, self.user)
        self.settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": "",
            "max_connections": "200",
            **(settings or {}),
        }
        args = [str(self.bin_dir / "postgres"), "-D", str(self.data_dir), "-p", str(self.port)]
        for key, value in self.settings.items():
            args += ["-c", f"{key}={value}"]
        self.process = ChildProcess(
            "postgres",
            args,
            log_path=self.data_dir.parent / "postgres.log",
            # SIGINT is PostgreSQL's "fast shutdown": roll back open transactions, exit cleanly.
            stop_signal=signal.SIGINT,
            user=self.user.pw_name if self.user else None,
        )

    def url(self, database: str = "tidings") -> str:
        return f"postgresql://{SUPERUSER}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{database}"

    def _initdb(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # initdb wants an empty data folder, so the password file sits beside it, briefly.
        pwfile = self.data_dir.parent / ".initdb-password"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(self.password)
        if self.user is not None:
            os.chown(self.data_dir, self.user.pw_uid, self.user.pw_gid)
            os.chown(pwfile, self.user.pw_uid, self.user.pw_gid)
        try:
            result = subprocess.run(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    SUPERUSER,
                    "--pwfile",
                    str(pwfile),
                    "--auth",
                    "scram-sha-256",
                    "--encoding",
                    "UTF8",
                    "--locale",
                    "C",
                ],
                capture_output=True,
                text=True,
                user=self.user.pw_name if self.user else None,
                check=False,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def _answers(self) -> bool:
        # A TCP accept is not enough: the server accepts before it finishes recovery, so ask it.
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                pass
        except OSError:
            return False
        result = subprocess.run([*self._client("pg_isready"), "-q"], check=False)
        return result.returncode == 0

    def _client(self, program: str) -> list[str]:
        """A PostgreSQL client program's command line, connected to this server as superuser."""
        return [str(self.bin_dir / program), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER]

    def _create_database(self, name: str) -> None:
        env = {**os.environ, "PGPASSWORD": self.password}
        base = [*self._client("psql"), "-d", "postgres", "-qtAX"]
        exists = subprocess.run(
            [*base, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        if exists.stdout.strip() != "1":
            subprocess.run(
                [*base, "-c", f'CREATE DATABASE "{name}"'], capture_output=True, env=env, check=True
            )

    def start(self, database: str = "tidings", timeout: float = 30.0) -> None:
        if not (self.data_dir / "PG_VERSION").is_file():
            self._initdb()
        self.process.start()
        try:
            wait_for(self._answers, timeout=timeout, what="postgres", alive=self.process.alive)
            self._create_database(database)
        except (RuntimeError, TimeoutError, OSError, subprocess.CalledProcessError) as exc:
            self.process.stop()
            raise RuntimeError(f"{exc}; its log ends with:\n{self.process.log_tail()}") from None

    def stop(self) -> None:
        self.process.stop()
