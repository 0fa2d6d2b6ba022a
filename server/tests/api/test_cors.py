"""CORS on the HTTP port (api/cors.py), against the live server: preflights, grants on answers
and errors, `Vary: Origin`, wildcard rules, the control plane, refusals of client tokens from
foreign origins, and invalidation of the cached rules across nodes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tidings_server.api.cors import ALLOWED_HEADERS, CORSMiddleware, DataPlane
from tidings_server.config import Settings
from tidings_server.identity.origins import OriginRules
from tidings_server.spec import spec_dir
from tidings_server.testing.live import LiveServer, live_server
from tidings_server.testing.realtime import Project, new_project
from tidings_server.testing.waiting import aeventually

APP = "https://app.example.com"
EVIL = "https://evil.test"


@pytest.fixture
async def project(server: LiveServer, http: httpx.AsyncClient) -> Project:
    return await new_project(server, http)


async def set_origins(project: Project, origins: list[str], http: httpx.AsyncClient | None = None) -> None:
    response = await (http or project.http).patch(
        f"/v1/projects/{project.id}",
        json={"settings": {"allowed_origins": origins}},
        headers={"authorization": f"Bearer {project.user_token}"},
    )
    assert response.status_code == 200, response.text


async def client_token(project: Project, **capabilities: list[str]) -> str:
    wanted = capabilities or {"subscribe": ["orders.>"], "history": ["orders.>"]}
    response = await project.http.post(
        f"/v1/projects/{project.id}/tokens",
        json={"user_id": "u1", "capabilities": wanted},
        headers=project.headers,
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def preflight_headers(origin: str, method: str = "GET", headers: str = "authorization") -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": method,
        "access-control-request-headers": headers,
    }


def varies_on_origin(response: httpx.Response) -> bool:
    return any(
        "origin" in (v.strip().lower() for v in value.split(","))
        for value in response.headers.get_list("vary")
    )


# --- preflights -----------------------------------------------------------------------------


async def test_a_preflight_from_an_allowed_origin_is_granted_with_methods_headers_and_max_age(
    project: Project, http: httpx.AsyncClient
) -> None:
    await set_origins(project, [APP])
    response = await http.options(
        f"/v1/projects/{project.id}/events",
        headers=preflight_headers(APP, "POST", "authorization, content-type, idempotency-key, traceparent"),
    )
    assert response.status_code == 204, response.text
    assert response.headers["access-control-allow-origin"] == APP
    assert set(response.headers["access-control-allow-methods"].split(", ")) == {"GET", "POST"}
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type", "idempotency-key", "last-event-id", "traceparent"} <= allowed
    assert int(response.headers["access-control-max-age"]) > 0
    assert varies_on_origin(response)
    assert "access-control-allow-credentials" not in response.headers


async def test_a_preflight_of_the_stream_and_the_batch_publish_is_granted(
    project: Project, http: httpx.AsyncClient
) -> None:
    await set_origins(project, [APP])
    stream = await http.options(
        f"/v1/projects/{project.id}/stream", headers=preflight_headers(APP, "GET", "last-event-id")
    )
    assert stream.status_code == 204
    assert stream.headers["access-control-allow-methods"] == "GET, HEAD"
    batch = await http.options(
        f"/v1/projects/{project.id}/events/batch", headers=preflight_headers(APP, "POST")
    )
    assert batch.status_code == 204
    assert batch.headers["access-control-allow-methods"] == "POST"


async def test_a_preflight_from_a_foreign_origin_gets_no_grant(
    project: Project, http: httpx.AsyncClient
) -> None:
    await set_origins(project, [APP])
    response = await http.options(f"/v1/projects/{project.id}/events", headers=preflight_headers(EVIL))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in response.headers
    assert varies_on_origin(response)


async def test_without_a_list_any_origin_is_granted(project: Project, http: httpx.AsyncClient) -> None:
    response = await http.options(f"/v1/projects/{project.id}/events", headers=preflight_headers(EVIL))
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == EVIL


async def test_a_wildcard_rule_grants_subdomains_but_not_the_bare_domain(
    project: Project, http: httpx.AsyncClient
) -> None:
    await set_origins(project, ["https://*.example.com"])
    path = f"/v1/projects/{project.id}/events"
    for origin in ("https://a.example.com", "https://a.b.example.com"):
        granted = await http.options(path, headers=preflight_headers(origin))
        assert granted.status_code == 204, origin
        assert granted.headers["access-control-allow-origin"] == origin
    for origin in ("https://example.com", "https://evilexample.com", "http://a.example.com", "null"):
        refused = await http.options(path, headers=preflight_headers(origin))
        assert refused.status_code == 403, origin
        assert "access-control-allow-origin" not in refused.headers


async def test_preflights_are_never_rate_limited(project: Project, http: httpx.AsyncClient) -> None:
    await set_origins(project, [APP])
    # Preflights carry no credential and are answered before connexion and its limiter.
    answers = [
        (await http.options(f"/v1/projects/{project.id}/events", headers=preflight_headers(APP))).status_code
        for _ in range(50)
    ]
    assert set(answers) == {204}


# --- actual answers -------------------------------------------------------------------------


async def test_replay_with_a_client_token_from_an_allowed_origin_carries_the_grant(
    project: Project, http: httpx.AsyncClient
) -> None:
    await set_origins(project, [APP])
    token = await client_token(project)
    response = await http.get(
        f"/v1/projects/{project.id}/events",
        params={"topic": "orders.>", "limit": 1},
        headers={"authorization": f"Bearer {token}", "origin": APP},
    )
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == APP
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {
        "x-request-id",
        "retry-after",
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
    } <= exposed
    assert varies_on_origin(response)


async def test_answers_of_data_plane_routes_vary_on_origin_even_without_one(
    project: Project, http: httpx.AsyncClient
) -> None:
    response = await http.get(
        f"/v1/projects/{project.id}/events", params={"topic": ">", "limit": 1}, headers=project.headers
    )
    assert response.status_code == 200
    assert varies_on_origin(response)
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("case", "expected"),
    [("bad_token", 401), ("bad_query", 400), ("too_large", 413), ("forbidden_topic", 403)],
)
async def test_errors_carry_the_grant_so_the_page_can_read_them(
    project: Project, http: httpx.AsyncClient, settings: Settings, case: str, expected: int
) -> None:
    await set_origins(project, [APP])
    token = await client_token(project)
    url = f"/v1/projects/{project.id}/events"
    headers = {"authorization": f"Bearer {token}", "origin": APP}
    if case == "bad_token":
        response = await http.get(
            url, params={"topic": ">"}, headers={**headers, "authorization": "Bearer x.y.z"}
        )
    elif case == "bad_query":
        response = await http.get(url, params={"topic": "orders..x"}, headers=headers)
    elif case == "too_large":
        response = await http.post(url, content=b"{" + b" " * settings.max_body_bytes + b"}", headers=headers)
    else:
        response = await http.get(url, params={"topic": "payments.>"}, headers=headers)
    assert response.status_code == expected, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["access-control-allow-origin"] == APP
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_a_client_token_from_a_foreign_origin_is_refused_on_rest(
    project: Project, http: httpx.AsyncClient
) -> None:
    await set_origins(project, [APP])
    token = await client_token(project, publish=["orders.>"], history=[">"])
    headers = {"authorization": f"Bearer {token}", "origin": EVIL}
    replay = await http.get(f"/v1/projects/{project.id}/events", params={"topic": ">"}, headers=headers)
    publish = await http.post(
        f"/v1/projects/{project.id}/events", json={"topic": "orders.a", "data": 1}, headers=headers
    )
    for response in (replay, publish):
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "origin_not_allowed"
        assert "access-control-allow-origin" not in response.headers
    # Nothing was stored by the refused publish.
    stored = await http.get(
        f"/v1/projects/{project.id}/events", params={"topic": ">"}, headers=project.headers
    )
    assert stored.json()["items"] == []


async def test_an_api_key_is_not_checked_against_origins(project: Project, http: httpx.AsyncClient) -> None:
    await set_origins(project, [APP])
    response = await http.get(
        f"/v1/projects/{project.id}/events",
        params={"topic": ">"},
        headers={**project.headers, "origin": EVIL},
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_a_client_token_without_origin_is_served(project: Project, http: httpx.AsyncClient) -> None:
    await set_origins(project, [APP])
    token = await client_token(project)
    response = await http.get(
        f"/v1/projects/{project.id}/events",
        params={"topic": "orders.>"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200


async def test_the_stream_grants_an_allowed_origin_and_refuses_a_foreign_one(
    project: Project, http: httpx.AsyncClient
) -> None:
    await set_origins(project, [APP])
    token = await client_token(project)
    url = f"/v1/projects/{project.id}/stream?topic=orders.>&token={token}"
    async with http.stream("GET", url, headers={"origin": APP}) as response:
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == APP
        assert varies_on_origin(response)
    refused = await http.get(url, headers={"origin": EVIL})
    assert refused.status_code == 403
    assert refused.json()["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in refused.headers


# --- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule", ["https://app.example.com\n", "https://app.*.com", "https://*.", "https://a.example.com:99999"]
)
async def test_an_invalid_origin_rule_is_refused_with_a_code(
    project: Project, http: httpx.AsyncClient, rule: str
) -> None:
    response = await http.patch(
        f"/v1/projects/{project.id}",
        json={"settings": {"allowed_origins": [rule]}},
        headers={"authorization": f"Bearer {project.user_token}"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "validation_failed"


async def test_a_project_is_created_with_its_origins_and_they_apply(
    project: Project, http: httpx.AsyncClient
) -> None:
    created = await http.post(
        f"/v1/tenants/{project.tenant_id}/projects",
        json={"slug": "web", "name": "Web", "settings": {"allowed_origins": [APP]}},
        headers={"authorization": f"Bearer {project.user_token}"},
    )
    assert created.status_code == 201, created.text
    path = f"/v1/projects/{created.json()['id']}/events"
    assert (await http.options(path, headers=preflight_headers(APP))).status_code == 204
    assert (await http.options(path, headers=preflight_headers(EVIL))).status_code == 403


# --- control plane --------------------------------------------------------------------------


async def test_the_admin_api_grants_no_cross_origin_preflight(
    project: Project, http: httpx.AsyncClient
) -> None:
    response = await http.options(f"/v1/projects/{project.id}", headers=preflight_headers(APP, "PATCH"))
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    answer = await http.get(
        f"/v1/projects/{project.id}", headers={"authorization": f"Bearer {project.user_token}", "origin": APP}
    )
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
async def console_client() -> AsyncIterator[httpx.AsyncClient]:
    middleware = CORSMiddleware(
        _echo,
        DataPlane(spec_dir() / "openapi.yaml"),
        OriginRules(["https://admin.example.com"], any_when_empty=False),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=middleware), base_url="http://t"
    ) as client:
        yield client


async def test_operator_listed_console_origins_are_granted_on_the_admin_api(
    console_client: httpx.AsyncClient,
) -> None:
    granted = await console_client.options(
        "/v1/tenants", headers=preflight_headers("https://admin.example.com", "POST")
    )
    assert granted.status_code == 204
    assert granted.headers["access-control-allow-origin"] == "https://admin.example.com"
    assert granted.headers["access-control-allow-headers"] == ALLOWED_HEADERS
    answer = await console_client.get("/v1/tenants", headers={"origin": "https://admin.example.com"})
    assert answer.headers["access-control-allow-origin"] == "https://admin.example.com"
    other = await console_client.options("/v1/tenants", headers=preflight_headers(APP, "POST"))
    assert other.status_code == 403


def test_console_origins_are_validated_at_start_up(settings: Settings) -> None:
    from tidings_server.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="TIDINGS_CONSOLE_ORIGINS"):
        load_settings(console_origins="https://admin.example.com, https://admin.example.com/\n")
    assert load_settings(console_origins="https://a.example.com, https://*.b.test").console_origins


# --- cache invalidation across nodes --------------------------------------------------------


@pytest.fixture
def second_node(settings: Settings) -> Iterator[LiveServer]:
    with live_server(settings) as running:
        yield running


async def test_a_change_of_origins_reaches_the_next_preflight_on_another_node(
    project: Project, http: httpx.AsyncClient, second_node: LiveServer
) -> None:
    await set_origins(project, [APP])
    path = f"/v1/projects/{project.id}/events"
    async with httpx.AsyncClient(base_url=second_node.url, timeout=10) as other:
        # The other node caches the rules on this preflight.
        assert (await other.options(path, headers=preflight_headers(APP))).status_code == 204
        await set_origins(project, [EVIL])

        async def statuses() -> tuple[int, int]:
            old = await other.options(path, headers=preflight_headers(APP))
            new = await other.options(path, headers=preflight_headers(EVIL))
            return old.status_code, new.status_code

        # Applied over the control bus (milliseconds); the cache's own TTL is 30 s, so a
        # deadline shorter than it shows the command, not the expiry, did it.
        assert await aeventually(statuses, (403, 204), timeout=5.0) == (403, 204)
