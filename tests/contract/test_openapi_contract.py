"""Schemathesis fuzzes the live server against spec/openapi.yaml with every check it has.

It runs the schemathesis command line (the same one a user would run) against a real server
backed by real NATS and PostgreSQL, authenticated with a real API key, and fails on any finding.
Path ids are pinned to real resources (tenant, project, an API key, a signing key, a schema, a
durable subscription; schemathesis.toml), so operations reach past "no such resource" into
their logic. `make contract-deep` runs it at nightly size (TIDINGS_CONTRACT_EXAMPLES).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tidings_server.spec import spec_dir
from tidings_server.testing.live import LiveServer
from tidings_server.testing.plugin import Demo

pytestmark = pytest.mark.slow

# Examples per operation in the fuzzing phase: enough to find shape bugs in every operation
# within a minute or two on a 2-core machine as the API grows.
ARTIFACTS = Path(__file__).parents[2] / ".test-artifacts"
MAX_EXAMPLES = int(os.environ.get("TIDINGS_CONTRACT_EXAMPLES", "40"))
# Four minutes at 40 examples on 2 cores; the time grows with the examples.
RUN_SECONDS = max(900, MAX_EXAMPLES * 25)


def _pinned_resources(server: LiveServer, token: str, project: str) -> dict[str, str]:
    """Resources for schemathesis' path parameters, made with the credential under test. The
    API key is not the credential itself: revoking or rotating it must not end the run."""
    headers = {"authorization": f"Bearer {token}"}

    def post(path: str, body: dict[str, object]) -> dict[str, str]:
        response = httpx.post(
            server.url + f"/v1/projects/{project}{path}", json=body, headers=headers, timeout=30
        )
        assert response.status_code == 201, response.text
        created: dict[str, str] = response.json()
        return created

    key = post("/keys", {"name": "contract-pinned", "scopes": {"publish": [">"]}})
    signing = post("/signing-keys", {"kid": "contract-kid", "alg": "HS256"})
    schema = post("/schemas", {"topic": "contract.>", "schema": {"type": "object"}})
    subscription = post("/subscriptions", {"name": "contract-sub", "topic": "contract.>"})
    return {
        "TIDINGS_CONTRACT_KEY": key["key_id"],
        "TIDINGS_CONTRACT_KID": signing["kid"],
        "TIDINGS_CONTRACT_SCHEMA": schema["id"],
        "TIDINGS_CONTRACT_SUBSCRIPTION": subscription["name"],
    }


def _user_credential(server: LiveServer) -> tuple[str, str, str]:
    """A signed-up user: (access token, its tenant id, a project id in it)."""
    response = httpx.post(
        server.url + "/v1/auth/signup",
        json={
            "email": "contract@example.com",
            "password": "contract-password-123",
            "name": "Contract",
            "tenant": {"slug": "contract", "name": "Contract"},
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["access_token"]
    headers = {"authorization": f"Bearer {token}"}
    tenant = httpx.get(server.url + "/v1/me", headers=headers).json()["memberships"][0]["tenant_id"]
    project = httpx.post(
        server.url + f"/v1/tenants/{tenant}/projects",
        json={"slug": "contract", "name": "Contract"},
        headers=headers,
    )
    assert project.status_code == 201, project.text
    return token, tenant, project.json()["id"]


def _api_key_credential(server: LiveServer, demo: Demo) -> tuple[str, str, str]:
    whoami = httpx.get(server.url + "/v1/whoami", headers={"authorization": f"Bearer {demo.api_key}"}).json()
    return demo.api_key, whoami["tenant_id"], whoami["project_id"]


# Each run fuzzes every operation (about four minutes on 2 cores): past the suite's default timeout.
@pytest.mark.timeout(RUN_SECONDS + 300)
@pytest.mark.parametrize("credential", ["api_key", "user"])
def test_every_operation_conforms_to_the_spec(
    server: LiveServer, demo: Demo, tmp_path: Path, credential: str
) -> None:
    """Once with an API key (project operations), once as a signed-in user (tenant operations)."""
    st = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert st is not None
    token, tenant, project = (
        _api_key_credential(server, demo) if credential == "api_key" else _user_credential(server)
    )
    env = {
        **os.environ,
        "TIDINGS_CONTRACT_TENANT": tenant,
        "TIDINGS_CONTRACT_PROJECT": project,
        **_pinned_resources(server, token, project),
    }
    result = subprocess.run(
        [
            st,
            "--config-file",
            str(Path(__file__).with_name("schemathesis.toml")),
            "run",
            str(spec_dir() / "openapi.yaml"),
            "--url",
            server.url,
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--generation-deterministic",
            # One worker: hypothesis' lambda introspection is not thread-safe on Python 3.11.
            "--workers",
            "1",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=RUN_SECONDS,
        check=False,
    )
    output = result.stdout + result.stderr
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"schemathesis-{credential}.txt").write_text(output)
    # Warnings (e.g. operations the credential may not call) are expected; failures are not.
    assert result.returncode == 0, output
    assert "FAILURES" not in output, output
