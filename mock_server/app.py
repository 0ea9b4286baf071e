"""create_app(api, config): the Flask app, a pipeline of replaceable steps wired in one place.

An API request: route -> size limit -> rate limit -> authenticate -> authorize -> Prefer -> steer (a
documented example or generated body, no state) or: chaos -> session -> validate request -> handler
-> envelope; then latency, rate-limit headers, CORS and the access log.

Beside the API's paths: preflights (answered before routing, cors.py), /__mock/ (admin.py), /docs and
/openapi.json (docs.py). With config.watch the app rebuilds itself when the document changes (watch.py).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Request, Response, request
from werkzeug.exceptions import HTTPException

from crmspec.model import Api, Operation
from mock_server import admin, docs, errors
from mock_server.accesslog import AccessLog, entry
from mock_server.auth import Credentials, Principal
from mock_server.behaviours import behaviour_for
from mock_server.chaos import Chaos
from mock_server.config import MockConfig
from mock_server.cors import Cors
from mock_server.engine import Engine
from mock_server.faker import FakeData
from mock_server.fallback import FallbackResponder
from mock_server.ratelimit import RateLimiter
from mock_server.responses import RETRY_AFTER_SECONDS, RETRY_STATUSES, ErrorRenderer
from mock_server.runtime import Runtime
from mock_server.seeder import seed
from mock_server.sessions import DEFAULT_SESSION, SESSION_HEADER
from mock_server.steering import Preferences, Steering
from mock_server.store import RecordStore, seeded_cache
from mock_server.validation import RequestValidator, Routes, ValidRequest
from mock_server.watch import watch

log = logging.getLogger("crm_mock")
GENERIC_ACTIONS = ("list", "collection", "read", "create", "update", "delete")
STARTED = "crm_mock.started"  # environ key: when the request reached the app

def _bad_request(exc: HTTPException) -> errors.MockError:
    return errors.BadRequest(exc.description or "Bad request.")


HTTP_ERRORS: dict[int, Callable[[HTTPException], errors.MockError]] = {
    404: lambda e: errors.RouteNotFound("The requested URL was not found on this server."),
    405: lambda e: errors.MethodNotAllowed("The method is not allowed for the requested URL."),
    413: lambda e: errors.PayloadTooLarge("The request body is too large."),
}


def current_request() -> Request:
    """The request behind Flask's proxy, fetched once: every attribute read through the proxy costs a
    context lookup, and a request reads a dozen."""
    incoming: Request = request._get_current_object()  # type: ignore[attr-defined]
    return incoming


class MockFlask(Flask):
    """Flask asks, for the view and for every hook of every request, whether the function is a coroutine
    (inspect, a few microseconds each); the mock's functions never change, so each answer is kept."""

    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self._synchronous: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        known = self._synchronous.get(func)
        if known is None:
            known = self._synchronous[func] = super().ensure_sync(func)
        return known


def flask_rule(path: str) -> str:
    return re.sub(r"\{([^}]+)\}", r"<\1>", path)


class MockApp:
    """Holds everything one served API needs; the Flask views call into it.

    `runtime` (the stores, the ledger, the chaos RNG) outlives the app: a reloaded document gets a new
    MockApp around the same runtime."""

    def __init__(self, api: Api, config: MockConfig, runtime: Runtime | None = None) -> None:
        self.api = api
        self.config = config
        self.runtime = runtime or Runtime(api.dialect, config)
        self.store = self.runtime.sessions.default
        self.credentials = Credentials(api.dialect.auth, config.secret, realm=api.dialect.title)
        self.behaviour = behaviour_for(api.dialect.behaviours)
        self.engine = Engine(api, self.store, self.credentials, config.password, self.behaviour, config.webhook_url)
        self.errors = ErrorRenderer(api.dialect, api.document)
        self.fallback = FallbackResponder(api, config.seed)
        self.validators = {op.operation_id: RequestValidator(op) for op in api.operations}
        self.routes = Routes(api.operations)  # the document's path for a URL (405 and Allow)
        self.steering = Steering(self.errors, FakeData(config.seed))
        self.chaos = Chaos(config, self.runtime.rng)
        self.limiter = RateLimiter(config.rate_limit, self.runtime.ledger, api.dialect.auth)
        self.access_log = AccessLog(config.access_log, self.runtime.ledger)
        self.cors = Cors(config, api.dialect.auth)
        self.engine.indexes()
        self.seed_once(config)

    def seed_once(self, config: MockConfig) -> None:
        """The default session's start-up records: kept from an earlier start when there is such a copy
        (store/seeded_cache.py), else generated, once across every process and replica."""
        if self.store.meta("seed") is not None:  # a worker after its master, a reloaded document: nothing to key
            return
        in_place = self.runtime.sessions.backend.seeds_in_place
        kept = seeded_cache.cache_file(self.api.sha256, config.seed, config.records) \
            if config.seed_cache and in_place else None
        if kept is not None and seeded_cache.restore(self.store, kept, config.seed, config.records):
            return
        generated = False
        with self.store.transaction():  # replicas starting together: the first seeds, the others find it seeded
            if self.store.meta("seed") is None:
                if in_place:
                    seed(self.engine, config.seed, config.records, aside=True)
                    generated = True
                else:
                    self.runtime.sessions.reseed(DEFAULT_SESSION, self.seed_store, config.seed, config.records)
        if generated and kept is not None:
            seeded_cache.keep(self.store, kept)

    def handle(self, operation: Operation, path_values: dict[str, str]) -> Response:
        incoming = current_request()
        prefer = Preferences.of(incoming.headers, incoming.args)
        quota: dict[str, str] = {}
        try:
            quota = self.limiter.admit(incoming.headers, incoming.remote_addr)
            response = self.serve(incoming, operation, path_values, prefer)
        except errors.MockError as exc:
            response = self.errors.response(exc)
        except HTTPException as exc:
            response = self.http_error(exc)
        self.complete_headers(response, operation, incoming)
        response.headers.update(quota)
        self.chaos.wait(prefer.delay_ms)
        return response

    def complete_headers(self, response: Response, operation: Operation, incoming: Request) -> None:
        """Headers an answer of its status carries however it was produced (the rate limiter, auth, a
        handler, steering, chaos): `Retry-After` on a 429 or a 503; on a secured operation's 401, the bearer
        challenge (auth.py writes its own; a steered 401 refuses the token that was sent)."""
        if response.status_code in RETRY_STATUSES and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        if response.status_code == 401 and operation.secured and "WWW-Authenticate" not in response.headers:
            token = incoming.headers.get("Authorization", "").partition(" ")[2].strip()
            response.headers.update(self.credentials.challenge("The access token was refused." if token else None))

    def serve(self, incoming: Request, operation: Operation, path_values: dict[str, str],
              prefer: Preferences) -> Response:
        self.routes.check(operation, incoming.path)
        principal: Principal | None = None
        if operation.secured:
            principal = self.credentials.verify(incoming.headers)
            self.credentials.authorize(principal, operation)
        prefer.check()
        if prefer.steers:
            return self.steering.respond(operation, prefer, incoming.args)
        self.chaos.strike()
        engine = self.engine_for(self.runtime.sessions.store(incoming.headers.get(SESSION_HEADER), self.seed_store))
        valid = self.validators[operation.operation_id].validate(path_values, incoming.args, incoming)
        return self.dispatch(operation, valid, principal, engine)

    def dispatch(self, operation: Operation, valid: ValidRequest, principal: Principal | None,
                 engine: Engine | None = None) -> Response:
        engine = engine or self.engine
        handler = self.behaviour.handlers.get((operation.resource, operation.action))
        if handler is not None:
            return handler(engine, operation, valid, principal)
        if operation.action in GENERIC_ACTIONS and operation.resource in self.api.dialect.resources:
            action: Callable[[Operation, ValidRequest, Principal | None], Response] = getattr(
                engine, operation.action
            )
            return action(operation, valid, principal)
        return self.fallback.respond(operation)

    # sessions -----------------------------------------------------------------------------------
    def engine_for(self, store: RecordStore) -> Engine:
        if store is self.store:
            return self.engine
        return Engine(self.api, store, self.credentials, self.config.password, self.behaviour, self.config.webhook_url)

    def seed_store(self, store: RecordStore, seed_value: int, records: int) -> None:
        engine = self.engine_for(store)
        engine.indexes()
        seed(engine, seed_value, records)

    # every request, API or not --------------------------------------------------------------------
    def before(self) -> Response | None:
        incoming = current_request()
        incoming.environ[STARTED] = time.perf_counter()
        return self.cors.preflight(incoming.method, incoming.headers)

    def after(self, response: Response) -> Response:
        incoming = current_request()
        path = incoming.path
        if "Allow" in response.headers:
            # Flask's automatic OPTIONS answer lists every rule the URL matches; the document's path item decides
            allowed = self.routes.allowed(path)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        self.cors.decorate(response, incoming.headers)
        now = time.perf_counter()
        elapsed = now - incoming.environ.get(STARTED, now)
        session = incoming.headers.get(SESSION_HEADER) or DEFAULT_SESSION
        line = entry(incoming.method, incoming.script_root + path, incoming.query_string.decode("latin-1"),
                     response.status_code, elapsed, session)
        self.access_log.record(line, path)
        return response

    def http_error(self, exc: HTTPException) -> Response:
        make = HTTP_ERRORS.get(exc.code or 400, _bad_request)
        error = make(exc)
        if isinstance(error, errors.MethodNotAllowed):
            allowed = self.routes.allowed(request.path) or getattr(exc, "valid_methods", None) or []
            error.headers = {"Allow": ", ".join(allowed)}
        return self.errors.response(error)


def create_app(api: Api, config: MockConfig | None = None) -> Flask:
    config = config or MockConfig()
    app = build_app(api, config)
    if config.watch:
        watch(app, api.path, lambda new_api, runtime: build_app(new_api, config, runtime))
    return app


def build_app(api: Api, config: MockConfig, runtime: Runtime | None = None) -> Flask:
    reserved = [op for op in api.operations for own in (admin.PREFIX, "/docs", "/openapi.json")
                if op.full_path == own or op.full_path.startswith(own + "/")]
    if reserved:
        raise ValueError(f"{reserved[0]} is under a path the mock keeps for itself (/__mock, /docs, /openapi.json)")
    mock = MockApp(api, config, runtime)
    app = MockFlask(f"crm_mock_{api.dialect.id}")
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

    docs.register(app, mock)
    app.register_blueprint(admin.blueprint(mock))
    app.before_request(mock.before)
    app.after_request(mock.after)

    @app.errorhandler(errors.MockError)
    def mock_error(exc: errors.MockError) -> Response:
        return mock.errors.response(exc)

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
