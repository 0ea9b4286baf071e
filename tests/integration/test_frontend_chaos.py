"""Latency (--delay, Prefer: delay), faults (--error-rate, reproducible with --seed) and --rate-limit."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from mock_server.chaos import parse_delay
from mock_server.ratelimit import parse_rate
from tests.conftest import Mock
from tests.integration.frontend import start_of_window
from tests.integration.helpers import assert_error_envelope


def elapsed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def test_prefer_delay_and_the_configured_delay_are_waited(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    assert elapsed(lambda: mock.get("/deals", headers={**mock.headers, "Prefer": "delay=300"})) >= 0.3
    assert elapsed(lambda: mock.get("/deals", query_string={"__delay": "150"})) >= 0.15
    assert elapsed(lambda: mock.get("/deals")) < 0.3

    fixed = make_mock("concord", delay_ms=(200, 200))
    assert elapsed(lambda: fixed.get("/deals")) >= 0.2
    assert elapsed(lambda: fixed.get("/deals", headers={**fixed.headers, "Prefer": "delay=0"})) < 0.2
    ranged = make_mock("ysuite", delay_ms=(100, 160))
    took = [elapsed(lambda: ranged.get("/deals")) for _ in range(3)]
    assert all(t >= 0.1 for t in took), took


def test_error_rate_one_always_fails_in_the_envelope_and_zero_never(make_mock: Callable[..., Mock]) -> None:
    for dialect in ("revorbit", "olympus"):
        failing = make_mock(dialect, error_rate=1.0)
        path = "/deals" if dialect == "revorbit" else "/contacts"
        statuses = []
        for _ in range(30):
            response = failing.get(path)
            assert response.status_code in (500, 503)
            assert_error_envelope(failing, response, response.status_code)
            statuses.append(response.status_code)
        assert set(statuses) == {500, 503}
        healthy = make_mock(dialect, error_rate=0.0)
        assert {healthy.get(path).status_code for _ in range(30)} == {200}


def test_the_faults_are_reproducible_with_the_seed(make_mock: Callable[..., Mock]) -> None:
    def run(seed: int) -> list[int]:
        mock = make_mock("concord", seed=seed, records=3, error_rate=0.5)
        return [mock.get("/deals").status_code for _ in range(40)]

    first, again, other = run(5), run(5), run(6)
    assert first == again
    assert first != other
    assert set(first) == {200, 500, 503}


def test_rate_limit_answers_429_after_the_limit_and_recovers_next_window(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit", rate_limit=(3, 1.0))
    start_of_window()
    remaining = []
    for _ in range(3):
        response = mock.get("/deals")
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
    assert remaining == ["2", "1", "0"]
    limited = mock.get("/deals")
    body = assert_error_envelope(mock, limited, 429)
    assert "limit" in body["message"].lower()
    assert limited.headers["Retry-After"] == "1"
    assert (limited.headers["X-RateLimit-Limit"], limited.headers["X-RateLimit-Remaining"]) == ("3", "0")
    # another credential has its own window; an error answer carries the headers too
    other = mock.get("/deals", headers=mock.headers_for("user"))
    assert other.status_code == 200 and other.headers["X-RateLimit-Remaining"] == "2"
    anonymous = mock.get("/deals", headers={})
    assert anonymous.status_code == 401 and anonymous.headers["X-RateLimit-Remaining"] == "2"

    time.sleep(1.0 - time.time() % 1.0 + 0.02)
    recovered = mock.get("/deals")
    assert recovered.status_code == 200 and recovered.headers["X-RateLimit-Remaining"] == "2"


def test_rate_limit_counts_a_key_pair_by_its_access_key(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("ysuite", rate_limit=(2, 1.0))
    wrong_secret = {**mock.headers, "x-ysuite-secret-key": "not-the-secret"}
    start_of_window()
    assert mock.get("/deals").status_code == 200
    assert mock.get("/deals", headers=wrong_secret).status_code == 401  # the same caller: counted before auth
    assert mock.get("/deals").status_code == 429


@pytest.mark.parametrize(("text", "expected"), [
    ("60/min", (60, 60.0)), ("5/s", (5, 1.0)), ("1000/hour", (1000, 3600.0)), ("10/minutes", (10, 60.0)),
    ("2/day", (2, 86400.0)),
])
def test_rate_limit_syntax(text: str, expected: tuple[int, float]) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["60", "0/s", "5/fortnight", "x/min"])
def test_bad_rate_limits_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(text)


def test_delay_syntax() -> None:
    assert parse_delay("200") == (200, 200)
    assert parse_delay("100-400") == (100, 400)
    for bad in ("400-100", "fast", "-5"):
        with pytest.raises(ValueError):
            parse_delay(bad)
