"""Sign-up, login, refresh-token rotation, logout, login throttling."""

from __future__ import annotations

import httpx

from .conftest import Api, auth


def _login(api: Api, email: str, password: str) -> httpx.Response:
    return api.http.post("/v1/auth/login", json={"email": email, "password": password})


def test_signup_makes_the_user_owner_of_a_new_tenant(api: Api) -> None:
    account = api.signup()
    me = api.http.get("/v1/me", headers=account.headers).json()
    assert me["email"] == account.email
    assert me["memberships"] == [{"tenant_id": account.tenant_id, "role": "owner"}]
    assert me["operator"] is False


def test_signup_with_a_taken_email_or_slug_is_409(api: Api) -> None:
    account = api.signup()
    again = api.http.post(
        "/v1/auth/signup",
        json={
            "email": account.email.upper(),
            "password": "x" * 12,
            "name": "n",
            "tenant": {"slug": "fresh-one", "name": "n"},
        },
    )
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"


def test_login_works_with_any_case_of_the_email(api: Api) -> None:
    account = api.signup()
    response = _login(api, account.email.upper(), account.password)
    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"


def test_wrong_password_and_unknown_email_get_the_same_401(api: Api) -> None:
    account = api.signup()
    wrong = _login(api, account.email, "not-the-password")
    unknown = _login(api, "nobody-here@example.com", "whatever-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_refresh_rotates_and_a_reused_token_revokes_the_session(api: Api) -> None:
    account = api.signup()
    first = api.http.post("/v1/auth/refresh", json={"refresh_token": account.refresh})
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != account.refresh
    assert api.http.get("/v1/me", headers=auth(rotated["access_token"])).status_code == 200

    reuse = api.http.post("/v1/auth/refresh", json={"refresh_token": account.refresh})
    assert reuse.status_code == 401
    # The theft response ends the whole session: the rotated tokens stop working too.
    assert (
        api.http.post("/v1/auth/refresh", json={"refresh_token": rotated["refresh_token"]}).status_code == 401
    )
    assert api.http.get("/v1/me", headers=auth(rotated["access_token"])).status_code == 401


def test_logout_ends_access_at_once(api: Api) -> None:
    account = api.signup()
    assert api.http.post("/v1/auth/logout", json={"refresh_token": account.refresh}).status_code == 204
    assert api.http.get("/v1/me", headers=account.headers).status_code == 401
    assert api.http.post("/v1/auth/refresh", json={"refresh_token": account.refresh}).status_code == 401


def test_login_brute_force_is_throttled_with_retry_after(api: Api) -> None:
    account = api.signup()
    statuses = [_login(api, account.email, f"guess-{i}").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10
    throttled = _login(api, account.email, account.password)
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "rate_limited"
    assert int(throttled.headers["retry-after"]) >= 1


def test_an_api_key_is_not_a_user_token(api: Api) -> None:
    account = api.signup()
    project = api.project(account)
    key = api.key(account, project)["key"]
    assert api.http.get("/v1/me", headers=auth(key)).status_code == 401
    assert api.http.get("/v1/tenants", headers=auth(key)).status_code == 401
