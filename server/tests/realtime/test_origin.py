"""`allowed_origins` enforced for client tokens at the realtime handshakes (issue 12, item 13:
cross-site WebSocket hijacking): a foreign `Origin` is closed with `origin_not_allowed` (4406)
on WebSocket and refused 403 on SSE; API keys and clients without `Origin` are not checked."""

from __future__ import annotations

from typing import Any

import httpx

from tidings_server.spec import error_registry
from tidings_server.testing.realtime import Project
from tidings_server.testing.waiting import aeventually

APP = "https://app.example.com"
EVIL = "https://evil.test"


async def allow(project: Project, origins: list[str]) -> None:
    response = await project.http.patch(
        f"/v1/projects/{project.id}",
        json={"settings": {"allowed_origins": origins}},
        headers={"authorization": f"Bearer {project.user_token}"},
    )
    assert response.status_code == 200, response.text


async def client_token(project: Project) -> str:
    response = await project.http.post(
        f"/v1/projects/{project.id}/tokens",
        json={"user_id": "u1", "capabilities": {"subscribe": ["orders.>"]}},
        headers=project.headers,
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def test_origin_not_allowed_is_a_terminal_close_code_of_the_registry() -> None:
    spec = error_registry()["origin_not_allowed"]
    assert (spec.status, spec.close_code, spec.action) == (403, 4406, "terminal")


async def test_a_client_token_from_a_foreign_origin_is_closed_before_welcome(
    project: Project, connect: Any
) -> None:
    await allow(project, [APP])
    token = await client_token(project)
    client = await connect(f"{project.ws_url}?token={token}", welcome=False, origin=EVIL)
    code, error = await client.closed()
    assert code == 4406
    assert error is not None
    assert error["code"] == "origin_not_allowed"
    assert error["close_code"] == 4406


async def test_a_client_token_from_an_allowed_origin_is_welcomed(project: Project, connect: Any) -> None:
    await allow(project, [APP, "https://*.example.org"])
    token = await client_token(project)
    for origin in (APP, "https://a.b.example.org"):
        client = await connect(f"{project.ws_url}?token={token}", origin=origin)
        assert client.welcome["type"] == "welcome"
        await client.subscribe("orders.>")


async def test_a_client_token_without_origin_and_an_api_key_from_anywhere_are_not_checked(
    project: Project, connect: Any
) -> None:
    await allow(project, [APP])
    token = await client_token(project)
    without_origin = await connect(f"{project.ws_url}?token={token}")
    assert without_origin.welcome["type"] == "welcome"
    api_key = await connect(project.ws_url, project.key, origin=EVIL)
    assert api_key.welcome["type"] == "welcome"


async def test_without_a_list_a_client_token_is_welcomed_from_any_origin(
    project: Project, connect: Any
) -> None:
    token = await client_token(project)
    client = await connect(f"{project.ws_url}?token={token}", origin=EVIL)
    assert client.welcome["type"] == "welcome"


async def test_the_sse_stream_refuses_a_client_token_from_a_foreign_origin(
    project: Project, http: httpx.AsyncClient
) -> None:
    await allow(project, [APP])
    token = await client_token(project)
    url = f"/v1/projects/{project.id}/stream?topic=orders.>&token={token}"
    refused = await http.get(url, headers={"origin": EVIL})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "origin_not_allowed"
    by_header = await http.get(
        f"/v1/projects/{project.id}/stream?topic=orders.>",
        headers={"origin": EVIL, "authorization": f"Bearer {token}"},
    )
    assert by_header.status_code == 403
    async with http.stream("GET", url, headers={"origin": APP}) as allowed:
        assert allowed.status_code == 200
    async with http.stream(
        "GET", f"/v1/projects/{project.id}/stream?topic=orders.>", headers={**project.headers, "origin": EVIL}
    ) as api_key:
        assert api_key.status_code == 200


async def test_an_origin_removed_from_the_list_is_refused_on_the_next_handshake(
    project: Project, connect: Any
) -> None:
    await allow(project, [APP])
    token = await client_token(project)
    first = await connect(f"{project.ws_url}?token={token}", origin=APP)
    assert first.welcome["type"] == "welcome"
    await allow(project, ["https://other.example.com"])

    # The update announced the change; this node drops its cached rules when the command arrives.
    async def close_code() -> int | None:
        client = await connect(f"{project.ws_url}?token={token}", welcome=False, origin=APP)
        frame = await client.recv()
        if frame["type"] == "welcome":
            return None
        code, _ = await client.closed()
        return code

    assert await aeventually(close_code, 4406, timeout=10.0) == 4406
