"""Authorization first (issue 12, item 15): a caller without the right to an operation learns
nothing else about it — not that billing is unconfigured (409), not that its query is malformed
(400 from a handler's own checks) — it gets 403 (or 404 for a project that does not exist)
before anything else is checked."""

from __future__ import annotations

import uuid

import httpx
import pytest

from .conftest import Account, Api, auth


@pytest.fixture(scope="module")
def accounts(api: Api) -> dict[str, Account]:
    owner, viewer, stranger = api.signup("af-own"), api.signup("af-view"), api.signup("af-str")
    api.project(owner, "billing-p")
    api.join(owner, viewer, "viewer")
    return {"owner": owner, "viewer": viewer, "stranger": stranger}


def _forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "forbidden"


CHECKOUT = {"plan": "pro", "success_url": "https://example.com/ok", "cancel_url": "https://example.com/no"}
PORTAL = {"return_url": "https://example.com/back"}


@pytest.mark.parametrize(("path", "body"), [("checkout", CHECKOUT), ("portal", PORTAL)])
def test_billing_links_authorize_before_saying_billing_is_not_configured(
    api: Api, accounts: dict[str, Account], path: str, body: dict[str, str]
) -> None:
    owner = accounts["owner"]
    for caller, tenant in (
        (accounts["viewer"], owner.tenant_id),  # a member without billing:manage
        (accounts["stranger"], owner.tenant_id),  # another tenant's owner
        (accounts["stranger"], str(uuid.uuid4())),  # a tenant that does not exist
    ):
        _forbidden(api.http.post(f"/v1/tenants/{tenant}/billing/{path}", json=body, headers=caller.headers))
    # The owner is authorized: only then does the server say it has no Stripe key.
    allowed = api.http.post(f"/v1/tenants/{owner.tenant_id}/billing/{path}", json=body, headers=owner.headers)
    assert allowed.status_code == 409, allowed.text
    assert allowed.json()["code"] == "billing_not_configured"


def test_malformed_queries_of_another_tenant_are_403_not_400(api: Api, accounts: dict[str, Account]) -> None:
    owner, stranger = accounts["owner"], accounts["stranger"]
    project_id = owner.projects["billing-p"]
    bad_range = {"start": "2026-02-01", "end": "2025-01-01"}
    for path, params in (
        (f"/v1/tenants/{owner.tenant_id}/usage", bad_range),
        (f"/v1/tenants/{owner.tenant_id}/usage/export", bad_range),
        (f"/v1/projects/{project_id}/usage", bad_range),
    ):
        _forbidden(api.http.get(path, params=params, headers=stranger.headers))


def test_a_narrow_key_of_another_project_is_403_before_its_body_is_judged(
    api: Api, accounts: dict[str, Account]
) -> None:
    owner, stranger = accounts["owner"], accounts["stranger"]
    other = api.project(stranger, "other-p")
    key = api.key(stranger, other, {"admin": [">"], "publish": [">"]})["key"]
    project_id = owner.projects["billing-p"]
    response = api.http.post(
        f"/v1/projects/{project_id}/keys",
        json={"name": "k", "scopes": {"history": [">"]}},
        headers=auth(key),
    )
    _forbidden(response)
