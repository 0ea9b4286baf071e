"""The small reusable WSGI pieces every mutant is made of.

A mutant never copies the mock: it wraps the mock's `app.wsgi_app` with one of these pieces, which
rewrite a request before the mock sees it, rewrite the JSON response after it, answer instead of the
mock, or let the mock answer without keeping what it wrote. Routes are written as the mock serves
them, base path included: "GET /api/deals/{id}", "* /v1/**" (`*` any method, `**` any rest of path).
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jwt
from flask import Flask
from werkzeug.datastructures import EnvironHeaders, Headers

from crmspec import dotted
from mock_server.app import mock_of
from mock_server.errors import MockError

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


# requests and responses ---------------------------------------------------------------------------
def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass
class Request:
    """One request as the mutant sees it; `send` turns it back into a WSGI call."""

    method: str
    path: str
    query: dict[str, str]
    headers: Headers
    body: bytes
    environ: Environ
    params: dict[str, str] = field(default_factory=dict)   # the route's {placeholders}

    @classmethod
    def of(cls, environ: Environ) -> Request:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        return cls(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                   dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)),
                   Headers(EnvironHeaders(environ)), body, environ)

    def json(self) -> Any:
        return _json(self.body)

    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()
        self.headers["Content-Type"] = "application/json"

    def to_environ(self) -> Environ:
        environ = {k: v for k, v in self.environ.items()
                   if not k.startswith("HTTP_") and k not in ("CONTENT_TYPE", "CONTENT_LENGTH")}
        environ.update(REQUEST_METHOD=self.method, PATH_INFO=self.path, QUERY_STRING=urlencode(self.query),
                       CONTENT_LENGTH=str(len(self.body)))
        environ["wsgi.input"] = io.BytesIO(self.body)
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
        environ["CONTENT_LENGTH"] = str(len(self.body))
        return environ

    def copy(self, **changes: Any) -> Request:
        """Another request to send through the mock; unchanged parts are copied, not shared."""
        fresh = dataclasses.replace(self, query=dict(self.query), headers=Headers(self.headers),
                                    params=dict(self.params))
        return dataclasses.replace(fresh, **changes)


@dataclass
class Response:
    status: int
    headers: Headers
    body: bytes

    def json(self) -> Any:
        return _json(self.body)

    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()
        self.headers["Content-Type"] = "application/json"


Send = Callable[[Request], Response]
Handler = Callable[[Request, Send], Response]


def _send(inner: WSGIApp, request: Request) -> Response:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = int(status.split()[0]), Headers(headers)
        return lambda chunk: None

    result = inner(request.to_environ(), start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Response(captured["status"], captured["headers"], body)


def _answer(response: Response, start_response: StartResponse) -> list[bytes]:
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = "Unknown"
    response.headers["Content-Length"] = str(len(response.body))
    start_response(f"{response.status} {phrase}", list(response.headers.items()))
    return [response.body]


# routes ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Route:
    methods: frozenset[str]          # empty: any method
    pattern: re.Pattern[str]

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.methods and method not in self.methods:
            return None
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else None


def route(spec: str) -> Route:
    """"GET /api/deals/{id}", "PUT|PATCH /api/**", "* /v1/**"."""
    methods, _, path = spec.partition(" ")
    parts = re.split(r"(\{[^}]+\}|\*\*)", path)
    regex = "".join(
        f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else ".*" if p == "**" else re.escape(p) for p in parts
    )
    return Route(frozenset() if methods == "*" else frozenset(methods.split("|")), re.compile(regex))


# the pieces -------------------------------------------------------------------------------------------
def intercept(app: Flask, spec: str, handler: Handler) -> None:
    """The most general piece: `handler(request, send)` answers requests on the route; others pass."""
    wanted, inner = route(spec), app.wsgi_app

    def middleware(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        params = wanted.match(environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""))
        if params is None:
            return inner(environ, start_response)
        request = Request.of(environ)
        request.params = params
        return _answer(handler(request, lambda r: _send(inner, r)), start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]


def on_request(app: Flask, spec: str, edit: Callable[[Request], object]) -> None:
    """Rewrite the request (query, body, headers) in place before the mock sees it (what `edit` returns is
    ignored, so `lambda r: r.query.pop("order", None)` is an edit)."""
    def handler(request: Request, send: Send) -> Response:
        edit(request)
        return send(request)

    intercept(app, spec, handler)


def on_response(app: Flask, spec: str, edit: Callable[[Request, Response], None]) -> None:
    """Rewrite the mock's response (status, headers, body) in place."""
    def handler(request: Request, send: Send) -> Response:
        response = send(request)
        edit(request, response)
        return response

    intercept(app, spec, handler)


def on_json(app: Flask, spec: str, edit: Callable[[Any], Any], statuses: tuple[int, ...] = (200,)) -> None:
    """Rewrite a JSON body answered with one of `statuses`: `edit` changes it in place or returns a new one."""
    def rewrite(request: Request, response: Response) -> None:
        payload = response.json()
        if response.status in statuses and payload is not None:
            changed = edit(payload)
            response.set_json(payload if changed is None else changed)

    on_response(app, spec, rewrite)


def answer(app: Flask, spec: str, status: int, payload: Any, when: Callable[[Request], bool]) -> None:
    """Answer `status` + `payload` instead of the mock for the requests `when` picks."""
    def handler(request: Request, send: Send) -> Response:
        if not when(request):
            return send(request)
        response = Response(status, Headers(), b"")
        response.set_json(payload)
        return response

    intercept(app, spec, handler)


class _Undo(Exception):
    pass


def unpersisted(app: Flask, spec: str) -> None:
    """The mock answers as usual, then everything it wrote for the request is rolled back."""
    store = mock_of(app).store
    holder: list[Response] = []

    def handler(request: Request, send: Send) -> Response:
        try:
            with store.transaction():  # the mock's own transactions join this one
                holder.append(send(request))
                raise _Undo
        except _Undo:
            pass
        return holder.pop()

    intercept(app, spec, handler)


# small edits the zoos share ----------------------------------------------------------------------------
def restatus(old: int, new: int) -> Callable[[Request, Response], None]:
    """An `on_response` edit: answer `new` wherever the mock answers `old` (the body is kept)."""
    def edit(request: Request, response: Response) -> None:
        if response.status == old:
            response.status = new

    return edit


def drop(path: str) -> Callable[[Any], None]:
    """Remove the value at a dotted path (`data.total_records`)."""
    parent, _, leaf = path.rpartition(".")

    def edit(payload: Any) -> None:
        holder = dotted.get(payload, parent) if parent else payload
        if isinstance(holder, dict):
            holder.pop(leaf, None)

    return edit


def items_at(payload: Any, path: str) -> list[dict[str, Any]]:
    found = dotted.get(payload, path)
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def claims_unverified(token: str) -> dict[str, Any] | None:
    try:
        return dict(jwt.decode(token, options={"verify_signature": False, "verify_exp": False}))
    except jwt.PyJWTError:
        return None


def refusal(app: Flask, request: Request) -> MockError | None:
    """Why the mock would refuse the request's credential (None: it accepts it)."""
    try:
        mock_of(app).credentials.verify(request.headers)
    except MockError as exc:
        return exc
    return None


def swap_credential(app: Flask, request: Request, role: str | None = None) -> None:
    """Replace the request's credential with a fresh, valid one (of `role`)."""
    credentials = mock_of(app).credentials
    issued = credentials.issue(role) if role is not None else credentials.issue()
    if credentials.auth.scheme == "key_pair":
        access, _, secret = issued.partition(":")
        request.headers[str(credentials.auth.access_header)] = access
        request.headers[str(credentials.auth.secret_header)] = secret
    else:
        request.headers["Authorization"] = f"Bearer {issued}"
