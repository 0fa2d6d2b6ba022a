"""Schemathesis fuzzes the live server against spec/openapi.yaml with every check it has.

It runs the schemathesis command line (the same one a user would run) against a real server
backed by real NATS and PostgreSQL, authenticated with a real API key, and fails on any finding.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tidings_server.spec import spec_dir
from tidings_server.testing.live import LiveServer
from tidings_server.testing.plugin import Demo

pytestmark = pytest.mark.slow

# Examples per operation in the fuzzing phase: enough to find shape bugs in every operation
# within a minute or two on a 2-core machine as the API grows.
MAX_EXAMPLES = int(os.environ.get("TIDINGS_CONTRACT_EXAMPLES", "60"))


def test_every_operation_conforms_to_the_spec(server: LiveServer, demo: Demo, tmp_path: Path) -> None:
    st = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert st is not None
    result = subprocess.run(
        [
            st,
            "run",
            str(spec_dir() / "openapi.yaml"),
            "--url",
            server.url,
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {demo.api_key}",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--generation-deterministic",
            "--workers",
            "2",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No issues found" in output, output
