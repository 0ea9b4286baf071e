"""The fuzz harness is not vacuous: against a mock with a planted bug, it reports that bug.

Each plant targets Concord's GET /deals/{id} and the run is limited to that operation (a few seconds).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, Response, request

from mock_server import MockConfig, create_app
from mock_server.app import mock_of
from mock_server.auth import Credentials, Principal
from tests.conftest import SECRET, auth_headers, load_api
from tests.fuzz.harness import Size, fuzz

TINY = Size("tiny", max_examples=5, negative_coverage=True, max_steps=4, min_cases=1)


def _ignore_credentials(app: Flask) -> None:
    mock_of(app).credentials.verify = lambda headers: Principal(subject="1", roles=("admin",))


def _crash_on_reads(app: Flask) -> None:
    def crash(*args: Any) -> Any:
        raise RuntimeError("planted")
    mock_of(app).engine.read = crash


def _break_the_body(app: Flask) -> None:
    def rewrite(response: Response) -> Response:
        if request.method == "GET" and response.status_code == 200 and response.is_json:
            body = response.get_json()
            if isinstance(body, dict) and "id" in body:
                response.set_data(json.dumps({**body, "id": "not an integer"}))
        return response

    app.after_request(rewrite)


@pytest.mark.parametrize(("plant", "caught"), [
    (_ignore_credentials, "ignored_auth"),
    (_crash_on_reads, "not_a_server_error"),
    (_break_the_body, "response_schema_conformance"),
], ids=["ignored credentials", "a 500", "a body breaking its schema"])
def test_a_planted_bug_is_reported(plant: Callable[[Flask], None], caught: str) -> None:
    api = load_api("concord")
    app = create_app(api, MockConfig(seed=11, records=5, secret=SECRET))
    plant(app)
    headers = auth_headers(api, Credentials(api.dialect.auth, SECRET).issue())
    outcome = fuzz(api, app, headers, TINY, include={"operation_id": "getDeal"})
    assert any(f.startswith(caught) for f in outcome.failures), outcome.failures[:10]
