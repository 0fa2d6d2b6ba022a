"""The served OpenAPI document names the running server (Swagger UI's server list)."""

from __future__ import annotations

import httpx

from tidings_server.testing.live import LiveServer


async def test_the_spec_names_the_server_it_came_from(server: LiveServer) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        spec = (await client.get(server.url + "/openapi.json")).json()
        assert spec["servers"] == [{"url": server.url, "description": "this server"}]
        # Behind a proxy: the origin the client used.
        proxied = await client.get(server.url + "/openapi.json", headers={"host": "api.example.com"})
        assert proxied.json()["servers"][0]["url"] == "http://api.example.com"
        assert int(proxied.headers["content-length"]) == len(proxied.content)


async def test_a_host_header_that_is_not_a_host_leaves_the_spec_alone(server: LiveServer) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        spec = (await client.get(server.url + "/openapi.json", headers={"host": "a b/<script>"})).json()
    assert spec["servers"] == [{"url": ""}]
