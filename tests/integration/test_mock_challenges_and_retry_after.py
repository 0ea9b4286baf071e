"""A 401 of a bearer scheme says how to authenticate (RFC 6750 section 3): `WWW-Authenticate: Bearer
realm="..."`, with `error="invalid_token"` and a description when a token was sent and refused, without an
error code when none was. YSUITE's key pair is no HTTP authentication scheme: no challenge. Every 429 (the
rate limiter, `Prefer: code=429` on any operation) and every 503 carries `Retry-After` in seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.conftest import DIALECTS, Mock
from tests.integration.frontend import start_of_window, url_of
from tests.integration.helpers import assert_error_envelope

MAIN = {"revorbit": "/deals", "olympus": "/contacts", "concord": "/deals", "ysuite": "/deals"}
BEARER = ("revorbit", "olympus", "concord")  # JWTs (000, 002) and Sanctum personal access tokens (003)
TITLES = {"revorbit": "Revenue Orbit", "olympus": "Olympus Cloud CRM", "concord": "Concord CRM"}
AUTH_PARAM = re.compile(r'\s*([A-Za-z_]+)="([\x20\x21\x23-\x5b\x5d-\x7e]*)"\s*(?:,|$)')


def challenge(header: str | None) -> dict[str, str]:
    """The auth-params of a `Bearer` challenge (RFC 6750 3: realm, error, error_description as quoted strings)."""
    assert header is not None, "a 401 without WWW-Authenticate"
    scheme, _, rest = header.partition(" ")
    assert scheme == "Bearer", header
    params: dict[str, str] = {}
    position = 0
    while position < len(rest):
        match = AUTH_PARAM.match(rest, position)
        assert match is not None, f"not an auth-param list: {rest!r}"
        assert match[1] not in params, header
        params[match[1]] = match[2]
        position = match.end()
    return params


def refused(mock: Mock, headers: dict[str, str]) -> dict[str, str]:
    response = mock.get(MAIN[mock.dialect], headers=headers)
    assert_error_envelope(mock, response, 401)
    return challenge(response.headers.get("WWW-Authenticate"))


@pytest.mark.parametrize("dialect", BEARER)
def test_a_401_without_a_token_names_the_realm_and_no_error(dialect: str) -> None:
    mock = Mock(dialect, records=3)
    assert refused(mock, {}) == {"realm": TITLES[dialect]}
    # another scheme is no bearer token either (RFC 6750 3.1: no error code for an unsupported method)
    assert refused(mock, {"Authorization": "Basic YTpi"}) == {"realm": TITLES[dialect]}


@pytest.mark.parametrize("dialect", BEARER)
def test_a_refused_token_is_an_invalid_token_with_a_description(dialect: str) -> None:
    mock = Mock(dialect, records=3)
    token = mock.headers["Authorization"]
    for headers in ({"Authorization": "Bearer not-a-token"}, mock.headers_for(expired=True),
                    {"Authorization": token[:-2] + ("AA" if not token.endswith("AA") else "BB")}):
        params = refused(mock, headers)
        assert params["realm"] == TITLES[dialect]
        assert params["error"] == "invalid_token", params
        assert params["error_description"], params


@pytest.mark.parametrize("dialect", BEARER)
def test_a_steered_401_challenges_the_token_that_was_sent(dialect: str) -> None:
    mock = Mock(dialect, records=3)
    response = mock.get(MAIN[dialect], headers={**mock.headers, "Prefer": "code=401"})
    assert response.status_code == 401
    params = challenge(response.headers.get("WWW-Authenticate"))
    assert (params["realm"], params["error"]) == (TITLES[dialect], "invalid_token")


def test_a_key_pair_gets_no_bearer_challenge() -> None:
    mock = Mock("ysuite", records=3)
    for headers in ({}, {"x-ysuite-access-key": "nope", "x-ysuite-secret-key": "nope"}):
        response = mock.get("/deals", headers=headers)
        assert_error_envelope(mock, response, 401)
        assert "WWW-Authenticate" not in response.headers


def test_a_login_refusal_is_no_bearer_challenge() -> None:
    """A wrong password at the login endpoint (no credential needed there) asks for no bearer token."""
    mock = Mock("revorbit", records=3)
    response = mock.client.post("/api/auth/login", json={"email": "admin@example.com", "password": "wrong"})
    assert_error_envelope(mock, response, 401)
    assert "WWW-Authenticate" not in response.headers


def test_the_challenge_is_exposed_to_browsers() -> None:
    mock = Mock("revorbit", records=3)
    response = mock.get("/deals", headers={"Origin": "http://localhost:5173"})
    exposed = {h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert "www-authenticate" in exposed


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_steered_429_and_503_says_when_to_retry(dialect: str) -> None:
    mock = Mock(dialect, records=3)
    for operation in mock.api.operations:
        for status in (429, 503):
            if status == 429:
                assert "429" in operation.raw["responses"], operation  # every operation documents 429 (X9)
            body = {} if operation.method in ("post", "put", "patch") else None
            response = mock.client.open(url_of(operation), method=operation.method.upper(), json=body,
                                        headers={**mock.headers, "Prefer": f"code={status}"})
            assert response.status_code == status, (operation, response.get_data(as_text=True))
            assert re.fullmatch(r"[1-9]\d*", response.headers.get("Retry-After", "")), (operation, status)


def test_the_rate_limiter_429_says_when_to_retry(make_mock: Callable[..., Mock], dialect: str) -> None:
    mock = make_mock(dialect, records=3, rate_limit=(2, 1.0))
    start_of_window()
    statuses = [mock.get(MAIN[dialect]).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = mock.get(MAIN[dialect])
    assert_error_envelope(mock, limited, 429)
    assert limited.headers["Retry-After"] == "1"  # seconds to the next one-second window


def test_a_chaos_503_says_when_to_retry(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("olympus", records=3, error_rate=1.0)
    statuses = set()
    for _ in range(20):
        response = mock.get("/contacts")
        statuses.add(response.status_code)
        if response.status_code == 503:
            assert response.headers["Retry-After"] == "1"
        else:
            assert response.status_code == 500 and "Retry-After" not in response.headers
    assert statuses == {500, 503}
