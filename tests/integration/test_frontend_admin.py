"""The /__mock/ endpoints (request log, running config) and CORS."""

from __future__ import annotations

from collections.abc import Callable

from mock_server.config import DEFAULT_PASSWORD
from tests.conftest import SECRET, Mock
from tests.integration.frontend import SESSION, in_session
from tests.integration.helpers import assert_error_envelope


def test_the_request_log_lists_api_calls_newest_first(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    mock.get("/deals", query_string={"per_page": 5})
    mock.get("/deals/999999")
    mock.client.get("/__mock/config")  # the mock's own endpoints are not API calls
    in_session(mock, "erin").post("/deals", json={"name": "Erin's", "stage_id": 1})

    log = mock.client.get("/__mock/requests", query_string={"limit": 2}).get_json()
    assert log["session"] == "default"
    assert [(r["method"], r["path"], r["query"], r["status"], r["session"]) for r in log["requests"]] == [
        ("GET", "/api/deals/999999", "", 404, "default"),
        ("GET", "/api/deals", "per_page=5", 200, "default"),
    ]
    assert all(isinstance(r["ms"], float) and r["ms"] >= 0 for r in log["requests"])

    erin = mock.client.get("/__mock/requests", headers={SESSION: "erin"}).get_json()["requests"]
    assert [(r["method"], r["path"], r["status"]) for r in erin] == [("POST", "/api/deals", 201)]

    assert mock.client.delete("/__mock/requests").get_json()["deleted"] == 2
    assert mock.client.get("/__mock/requests").get_json()["requests"] == []
    bad = mock.client.get("/__mock/requests", query_string={"limit": "lots"})
    assert_error_envelope(mock, bad, 422)


def test_the_running_config_redacts_the_secret(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("ysuite", rate_limit=(60, 60.0), delay_ms=(0, 5))
    response = mock.client.get("/__mock/config")  # no credential needed
    assert response.status_code == 200
    body = response.get_json()
    assert body["dialect"] == "ysuite" and body["base_path"] == "/v1"
    assert body["config"]["secret"] == "[redacted]"
    assert SECRET not in response.get_data(as_text=True)
    assert body["config"]["rate_limit"] == [60, 60.0] and body["config"]["delay_ms"] == [0, 5]
    assert body["config"]["password"] == DEFAULT_PASSWORD  # the documented login password is no secret


def test_a_preflight_is_answered_without_a_credential(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("ysuite")
    response = mock.client.options("/v1/deals/7", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type, x-ysuite-access-key, x-ysuite-secret-key, prefer",
    })
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "x-mock-session", "prefer", "x-ysuite-access-key",
            "x-ysuite-secret-key"} <= allowed
    # an actual request carries the CORS headers, and exposes the rate-limit ones
    actual = mock.get("/deals", headers={**mock.headers, "Origin": "http://localhost:5173"})
    assert actual.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in actual.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "Retry-After"} <= exposed


def test_cors_origin_restricts_to_one_origin(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit", cors_origin="http://app.test")
    preflight = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    allowed = mock.client.options("/api/deals", headers={**preflight, "Origin": "http://app.test"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://app.test"
    refused = mock.client.options("/api/deals", headers={**preflight, "Origin": "http://evil.test"})
    assert refused.status_code == 204 and "Access-Control-Allow-Origin" not in refused.headers
    actual = mock.get("/deals", headers={**mock.headers, "Origin": "http://evil.test"})
    assert actual.status_code == 200 and "Access-Control-Allow-Origin" not in actual.headers
    assert "Origin" in actual.headers["Vary"]
    off = make_mock("revorbit", cors=False)
    assert "Access-Control-Allow-Origin" not in off.get("/deals", headers={**off.headers, "Origin": "http://a"}).headers
