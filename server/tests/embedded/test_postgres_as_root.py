"""As root, PostgreSQL runs as another user, who must reach the binaries and the data even when
they sit below a private folder (a checkout under /root)."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tidings_server.embedded import EmbeddedPostgres
from tidings_server.embedded.postgres import _runnable_copy, postgres_bin_dir

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only root runs PostgreSQL as another user")


@pytest.fixture
def private_dir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="tidings-private-"))
    root.chmod(0o700)  # like /root: nobody else may enter
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_binaries_below_a_private_folder_are_copied_where_the_user_reaches_them(private_dir: Path) -> None:
    installed = postgres_bin_dir()
    if not (installed.parent.parent.parent / "pgserver.libs").is_dir():
        pytest.skip("PostgreSQL does not come from the pgserver wheel here")
    site = private_dir / "site-packages"
    shutil.copytree(installed.parent, site / "pgserver" / "pginstall", symlinks=True)
    shutil.copytree(installed.parent.parent.parent / "pgserver.libs", site / "pgserver.libs", symlinks=True)
    nobody = pwd.getpwnam("nobody")
    runnable = _runnable_copy(site / "pgserver" / "pginstall" / "bin", nobody)
    assert not runnable.is_relative_to(private_dir)
    try:
        version = subprocess.run(
            [str(runnable / "initdb"), "--version"], capture_output=True, text=True, user="nobody", check=True
        )
        assert "PostgreSQL" in version.stdout
    finally:
        shutil.rmtree(runnable.parent.parent.parent, ignore_errors=True)


def test_a_data_folder_below_a_private_folder_moves_and_the_server_runs(private_dir: Path) -> None:
    server = EmbeddedPostgres(
        private_dir / "pg" / "data", password=secrets.token_urlsafe(12), run_as="nobody"
    )
    assert not server.data_dir.is_relative_to(private_dir)
    try:
        server.start(database="moved")
        result = subprocess.run(
            [str(server.bin_dir / "psql"), server.url("moved"), "-qtAX", "-c", "SELECT 42"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == "42"
    finally:
        server.stop()
        shutil.rmtree(server.data_dir.parent, ignore_errors=True)
