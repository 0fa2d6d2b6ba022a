"""The audit log records every control-plane change with actor, target, request id and source."""

from __future__ import annotations

from .conftest import Api


def test_changes_are_recorded_newest_first_with_who_and_from_where(api: Api) -> None:
    owner = api.signup("audit")
    project = api.project(owner)
    key = api.key(owner, project)
    api.http.delete(
        f"/v1/projects/{project}/keys/{key['key_id']}",
        headers={**owner.headers, "x-request-id": "req-revoke-1"},
    )
    log = api.http.get(f"/v1/tenants/{owner.tenant_id}/audit-log", headers=owner.headers).json()
    actions = [e["action"] for e in log["items"]]
    assert actions == ["api_key.revoked", "api_key.created", "project.created", "tenant.created"]
    revoked = log["items"][0]
    assert revoked["actor"] == {"type": "user", "id": owner.user_id}
    assert revoked["target"] == {"type": "api_key", "id": key["key_id"]}
    assert revoked["request_id"] == "req-revoke-1"
    assert revoked["source_ip"] == "127.0.0.1"


def test_filter_by_action_and_paginate(api: Api) -> None:
    owner = api.signup("audit-page")
    project = api.project(owner)
    for _ in range(5):
        api.key(owner, project)
    first = api.http.get(
        f"/v1/tenants/{owner.tenant_id}/audit-log?action=api_key.created&limit=2", headers=owner.headers
    ).json()
    assert len(first["items"]) == 2
    seen = [e["id"] for e in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = api.http.get(
            f"/v1/tenants/{owner.tenant_id}/audit-log?action=api_key.created&limit=2&after={cursor}",
            headers=owner.headers,
        ).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page.get("next_cursor")
    assert len(seen) == len(set(seen)) == 5
    assert seen == sorted(seen, key=int, reverse=True)


def test_api_key_actions_are_attributed_to_the_key(api: Api) -> None:
    owner = api.signup("audit-key")
    project = api.project(owner)
    admin_key = api.key(owner, project)
    made = api.http.post(
        f"/v1/projects/{project}/keys",
        json={"name": "child", "scopes": {"publish": ["a.>"]}},
        headers={"authorization": f"Bearer {admin_key['key']}"},
    )
    assert made.status_code == 201
    log = api.http.get(f"/v1/tenants/{owner.tenant_id}/audit-log?limit=1", headers=owner.headers).json()
    assert log["items"][0]["actor"] == {"type": "api_key", "id": admin_key["key_id"]}
