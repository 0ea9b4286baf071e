"""The mock's own endpoints, under /__mock/ (JSON, no credential, outside every API's paths).

They act on the session `X-Mock-Session` names (the server's own state without it):

    POST   /__mock/reset                          back to the --seed / --records data set
    POST   /__mock/reseed        {seed, records}  a fresh data set from another seed or size
    GET    /__mock/snapshots                      the session's snapshots
    POST   /__mock/snapshots     {name}           snapshot the session's whole state
    POST   /__mock/snapshots/NAME/restore         put it back
    DELETE /__mock/snapshots/NAME
    GET    /__mock/requests?limit=N               the last N API calls (method, path, status, ms, session)
    DELETE /__mock/requests
    GET    /__mock/sessions                       the sessions in use
    GET    /__mock/config                         the running configuration, the secret redacted

Their errors are MockErrors like any other, in the API's error envelope.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Response, request

from mock_server.errors import ValidationFailed
from mock_server.limits import INT64_MAX, INT64_MIN
from mock_server.parts import MockParts
from mock_server.responses import json_response
from mock_server.sessions import DEFAULT_SESSION, SESSION_HEADER, checked_name
from mock_server.validation import parse_json

PREFIX = "/__mock"
MAX_RECORDS = 10_000
REDACTED = "[redacted]"
ENDPOINTS = [
    "POST /__mock/reset", "POST /__mock/reseed", "GET /__mock/snapshots", "POST /__mock/snapshots",
    "POST /__mock/snapshots/{name}/restore", "DELETE /__mock/snapshots/{name}", "GET /__mock/requests",
    "DELETE /__mock/requests", "GET /__mock/sessions", "GET /__mock/config",
]


def session_name() -> str:
    name = request.headers.get(SESSION_HEADER) or DEFAULT_SESSION
    return name if name == DEFAULT_SESSION else checked_name(name)


def body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    value = parse_json(raw) if raw.strip() else {}
    if not isinstance(value, dict):
        raise ValidationFailed("The body must be a JSON object.", field_errors={"body": ["must be an object"]})
    return value


def integer(data: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"The {name} field must be an integer from {low} to {high}.",
                               field_errors={name: [f"must be an integer from {low} to {high}"]})
    return value


def blueprint(mock: MockParts) -> Blueprint:
    admin = Blueprint("crm_mock_admin", __name__, url_prefix=PREFIX)

    @admin.get("/")
    def index() -> Response:
        return json_response(200, {"endpoints": ENDPOINTS, "session_header": SESSION_HEADER})

    _data_routes(admin, mock)
    _snapshot_routes(admin, mock)
    _log_routes(admin, mock)
    return admin


def _data_routes(admin: Blueprint, mock: MockParts) -> None:
    """A session's data started again, and what the mock runs with."""
    sessions = mock.runtime.sessions

    @admin.post("/reset")
    def reset() -> Response:
        name = session_name()
        sessions.reseed(name, mock.seed_store, mock.config.seed, mock.config.records)
        return json_response(200, {"session": name, "seed": mock.config.seed, "records": mock.config.records})

    @admin.post("/reseed")
    def reseed() -> Response:
        name, data = session_name(), body()
        seed_value = integer(data, "seed", mock.config.seed, INT64_MIN, INT64_MAX)
        records = integer(data, "records", mock.config.records, 0, MAX_RECORDS)
        sessions.reseed(name, mock.seed_store, seed_value, records)
        return json_response(200, {"session": name, "seed": seed_value, "records": records})

    @admin.get("/sessions")
    def session_list() -> Response:
        return json_response(200, {"sessions": sessions.names()})

    @admin.get("/config")
    def running_config() -> Response:
        settings = dataclasses.asdict(mock.config)
        settings["secret"] = REDACTED
        return json_response(200, {
            "dialect": mock.api.dialect.id,
            "title": mock.api.dialect.title,
            "document": mock.api.path,
            "document_sha256": mock.api.sha256,
            "base_path": mock.api.dialect.base_path,
            "config": settings,
        })


def _snapshot_routes(admin: Blueprint, mock: MockParts) -> None:
    sessions = mock.runtime.sessions

    @admin.get("/snapshots")
    def snapshots() -> Response:
        name = session_name()
        return json_response(200, {"session": name,
                                   "snapshots": [dataclasses.asdict(s) for s in sessions.snapshots(name)]})

    @admin.post("/snapshots")
    def take() -> Response:
        name, data = session_name(), body()
        label = data.get("name")
        if not isinstance(label, str) or not label:
            message = "The name field is required."
            raise ValidationFailed(message, field_errors={"name": [message]})
        taken = sessions.snapshot(name, label, mock.seed_store)
        return json_response(201, {"session": name, **dataclasses.asdict(taken)})

    @admin.post("/snapshots/<label>/restore")
    def restore(label: str) -> Response:
        name = session_name()
        restored = sessions.restore(name, label, mock.seed_store)
        return json_response(200, {"session": name, "restored": dataclasses.asdict(restored)})

    @admin.delete("/snapshots/<label>")
    def drop(label: str) -> Response:
        sessions.drop_snapshot(session_name(), label)
        return json_response(204, None)


def _log_routes(admin: Blueprint, mock: MockParts) -> None:
    @admin.get("/requests")
    def requests_log() -> Response:
        name = session_name()
        raw = request.args.get("limit", "50")
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            raise ValidationFailed("The limit must be an integer from 1 to 1000.",
                                   field_errors={"limit": ["must be an integer from 1 to 1000"]})
        return json_response(200, {"session": name, "requests": mock.access_log.recent(name, int(raw))})

    @admin.delete("/requests")
    def clear_log() -> Response:
        return json_response(200, {"session": session_name(), "deleted": mock.access_log.clear(session_name())})
