"""create_app(api, config): the Flask app, a pipeline of replaceable steps wired in one place.

route -> size limit -> authenticate -> authorize -> validate request -> handler -> envelope.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from crmspec.model import Api, Operation
from mock_server import errors
from mock_server.auth import Credentials, Principal
from mock_server.behaviours import behaviour_for
from mock_server.config import MockConfig
from mock_server.engine import Engine
from mock_server.fallback import FallbackResponder
from mock_server.responses import ErrorRenderer, json_response
from mock_server.seeder import seed
from mock_server.store import Store
from mock_server.validation import RequestValidator, ValidRequest

log = logging.getLogger("crm_mock")
GENERIC_ACTIONS = ("list", "collection", "read", "create", "update", "delete")

HTTP_ERRORS: dict[int, Callable[[HTTPException], errors.MockError]] = {
    404: lambda e: errors.RouteNotFound("The requested URL was not found on this server."),
    405: lambda e: errors.MethodNotAllowed("The method is not allowed for the requested URL."),
    413: lambda e: errors.PayloadTooLarge("The request body is too large."),
}


def flask_rule(path: str) -> str:
    return re.sub(r"\{([^}]+)\}", r"<\1>", path)


class MockApp:
    """Holds everything one served API needs; the Flask views call into it."""

    def __init__(self, api: Api, config: MockConfig) -> None:
        self.api = api
        self.config = config
        self.store = Store(api.dialect, config.state)
        self.credentials = Credentials(api.dialect.auth, config.secret)
        self.behaviour = behaviour_for(api.dialect.id)
        self.engine = Engine(api, self.store, self.credentials, config.password, self.behaviour, config.webhook_url)
        self.errors = ErrorRenderer(api.dialect, api.document)
        self.fallback = FallbackResponder(api, config.seed)
        self.validators = {op.operation_id: RequestValidator(op) for op in api.operations}
        self.engine.indexes()
        if self.store.meta("seed") is None:
            seed(self.engine, config.seed, config.records)

    def handle(self, operation: Operation, path_values: dict[str, str]) -> Response:
        try:
            principal: Principal | None = None
            if operation.secured:
                principal = self.credentials.verify(request.headers)
                self.credentials.authorize(principal, operation)
            valid = self.validators[operation.operation_id].validate(path_values, request.args, request)
            return self.dispatch(operation, valid, principal)
        except errors.MockError as exc:
            return self.errors.response(exc)
        except HTTPException as exc:
            return self.http_error(exc)

    def dispatch(self, operation: Operation, valid: ValidRequest, principal: Principal | None) -> Response:
        handler = self.behaviour.handlers.get((operation.resource, operation.action))
        if handler is not None:
            return handler(self.engine, operation, valid, principal)
        if operation.action in GENERIC_ACTIONS and operation.resource in self.api.dialect.resources:
            action: Callable[[Operation, ValidRequest, Principal | None], Response] = getattr(
                self.engine, operation.action
            )
            return action(operation, valid, principal)
        return self.fallback.respond(operation)

    def http_error(self, exc: HTTPException) -> Response:
        make = HTTP_ERRORS.get(exc.code or 400, lambda e: errors.BadRequest(e.description or "Bad request."))
        error = make(exc)
        if isinstance(error, errors.MethodNotAllowed):
            allowed = getattr(exc, "valid_methods", None) or []
            error.headers = {"Allow": ", ".join(allowed)}
        return self.errors.response(error)


def create_app(api: Api, config: MockConfig | None = None) -> Flask:
    config = config or MockConfig()
    mock = MockApp(api, config)
    app = Flask(f"crm_mock_{api.dialect.id}")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.extensions["crm_mock"] = mock

    for operation in api.operations:
        def view(_op: Operation = operation, **path_values: str) -> Response:
            return mock.handle(_op, path_values)

        app.add_url_rule(
            flask_rule(operation.full_path),
            endpoint=operation.operation_id,
            view_func=view,
            methods=[operation.method.upper()],
        )

    @app.get("/openapi.json")
    def openapi_document() -> Response:
        return json_response(200, api.document)

    @app.errorhandler(HTTPException)
    def http_exception(exc: HTTPException) -> Response:
        return mock.http_error(exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        log.exception("unexpected error while serving %s %s", request.method, request.path)
        return mock.errors.response(errors.InjectedFault("Internal server error."))

    return app


def mock_of(app: Flask) -> Any:
    return app.extensions["crm_mock"]
