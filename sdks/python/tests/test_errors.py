from __future__ import annotations

import tidings
from tidings._errors import status_error


def test_status_picks_the_subclass_and_keeps_the_problem() -> None:
    body = {"type": "t", "title": "Not Found", "status": 404, "code": "not_found", "request_id": "r-body"}
    error = status_error(404, body, request_id="r-header", retry_after=None)
    assert type(error) is tidings.NotFoundError
    assert isinstance(error, tidings.TidingsError)
    assert error.code == "not_found"
    assert error.request_id == "r-body"  # the server's own id beats a header a proxy may set
    assert error.error_info is not None
    assert error.error_info.status == 404
    assert "not_found" in str(error)
    assert "r-body" in str(error)


def test_every_5xx_is_a_server_error_and_unknown_4xx_the_base_class() -> None:
    assert type(status_error(503, None, request_id=None, retry_after=1.0)) is tidings.ServerError
    assert type(status_error(599, None, request_id=None, retry_after=None)) is tidings.ServerError
    assert type(status_error(418, None, request_id=None, retry_after=None)) is tidings.APIStatusError


def test_a_non_problem_body_is_kept_but_not_trusted() -> None:
    error = status_error(502, "<html>bad gateway</html>", request_id="r-proxy", retry_after=None)
    assert error.code is None
    assert error.problem is None
    assert error.error_info is None
    assert error.body == "<html>bad gateway</html>"
    assert error.request_id == "r-proxy"


def test_an_unknown_code_has_no_registry_entry() -> None:
    body = {"type": "t", "title": "New", "status": 400, "code": "from_a_newer_server"}
    assert status_error(400, body, request_id=None, retry_after=None).error_info is None


def test_the_registry_is_complete_for_rest_codes() -> None:
    for code, info in tidings.ERRORS.items():
        assert info.code is code
        assert info.status is not None or info.close_code is not None or info.frame
