"""Prism's response steering: `Prefer: code=404`, `example=NAME`, `dynamic=true`, `delay=500`.

The same switches ride in the query as `__code`, `__example`, `__dynamic` and `__delay` (the query wins
over the header). A steered answer comes from the document, never from the state, and writes nothing:

- `code=N` takes the operation's documented response for N: its first example, else a body generated
  from its schema (success codes) or the API's own error envelope (error codes); `code=500` and
  `code=503` work on every operation, documented or not (a chaos tool), in the API's error envelope;
- `example=NAME` takes that named example (from the response `code=` names, else from any response);
- `dynamic=true` generates a fresh body from the response schema (mock_server/faker.py);
- `delay=MS` only waits (chaos.py) and does not steer.

A status (other than 500 and 503) or an example the operation does not document, or a malformed value, is a 422
(`UnknownPreference`) in the API's error envelope that names what is available. The request is still
authenticated and authorized first (app.py): steering never bypasses auth.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response

from crmspec import dotted
from crmspec.model import Operation
from mock_server import errors
from mock_server.faker import FakeData
from mock_server.responses import ErrorRenderer, page_offset, page_values

MAX_DELAY_MS = 30_000
QUERY_FALLBACKS = {"__code": "code", "__example": "example", "__dynamic": "dynamic", "__delay": "delay"}
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")
# the error classes a steered error status is rendered as, in this order (the first whose status the
# dialect gives to N wins; a status no kind has, such as 503, is an InjectedFault with that status)
ERROR_CLASSES: tuple[type[errors.MockError], ...] = (
    errors.ValidationFailed, errors.BadRequest, errors.Unauthorized, errors.Forbidden, errors.NotFound,
    errors.RouteNotFound, errors.Conflict, errors.MethodNotAllowed, errors.PayloadTooLarge,
    errors.UnsupportedMediaType, errors.RateLimited,
)


@dataclass(frozen=True, slots=True)
class Preferences:
    code: int | None = None
    example: str | None = None
    dynamic: bool = False
    delay_ms: int | None = None
    applied: tuple[str, ...] = ()  # "code=404", ... as the client wrote them (Preference-Applied)
    problems: tuple[str, ...] = ()

    @property
    def steers(self) -> bool:
        return self.code is not None or self.example is not None or self.dynamic

    def check(self) -> None:
        if self.problems:
            raise errors.UnknownPreference(" ".join(self.problems), field_errors={"Prefer": list(self.problems)})

    @classmethod
    def of(cls, headers: Any, args: Mapping[str, str]) -> Preferences:
        """Parse the Prefer header(s) and the query fallbacks; never raises (see `check`)."""
        if "Prefer" not in headers and not any(param in args for param in QUERY_FALLBACKS):
            return NO_PREFERENCES
        raw = _asked(headers, args)
        values: dict[str, Any] = {}
        problems: list[str] = []
        for key, parse in PREFERENCE_PARSERS.items():
            if key in raw:
                parsed, problem = parse(raw[key])
                values.update(parsed)
                problems += [problem] if problem else []
        applied = tuple(f"{k}={v}" for k, v in raw.items())
        return cls(**values, applied=applied, problems=tuple(problems))


Parsed = tuple[dict[str, Any], str | None]  # the preference's fields, or why the value is refused


def _asked(headers: Any, args: Mapping[str, str]) -> dict[str, str]:
    """The preferences the request names, the query fallbacks winning over the header."""
    raw: dict[str, str] = {}
    for header in headers.getlist("Prefer"):
        for token in header.replace(";", ",").split(","):
            key, _, value = token.strip().partition("=")
            if key.strip().lower() in QUERY_FALLBACKS.values():
                raw[key.strip().lower()] = value.strip().strip('"')
    for param, key in QUERY_FALLBACKS.items():
        if param in args:
            raw[key] = args[param]
    return raw


def _code(code: str) -> Parsed:
    if code.isdigit() and 100 <= int(code) <= 599:
        return {"code": int(code)}, None
    return {}, f"Prefer code={code!r} is not an HTTP status code."


def _example(name: str) -> Parsed:
    return ({"example": name}, None) if name else ({}, "Prefer example= needs the name of an example.")


def _dynamic(flag: str) -> Parsed:
    if flag.lower() in TRUE or flag.lower() in FALSE:
        return {"dynamic": flag.lower() in TRUE}, None
    return {}, f"Prefer dynamic={flag!r} must be true or false."


def _delay(delay: str) -> Parsed:
    if delay.isdigit() and int(delay) <= MAX_DELAY_MS:
        return {"delay_ms": int(delay)}, None
    return {}, f"Prefer delay={delay!r} must be a whole number of milliseconds, 0 to {MAX_DELAY_MS}."


PREFERENCE_PARSERS = {"code": _code, "example": _example, "dynamic": _dynamic, "delay": _delay}


NO_PREFERENCES = Preferences()
MAX_PAGE = 10_000  # a generated page asked for beyond this is answered as this one


def _whole(raw: str | None, default: int, low: int, high: int) -> int:
    """A page number or size from the query: `default` when absent or not a whole number, kept in [low, high]."""
    text = (raw or "").strip()
    if not text.isdigit():
        return default
    return max(low, min(high, int(text)))


def documented(operation: Operation) -> dict[int, dict[str, Any]]:
    """The operation's responses with a numeric status, in status order."""
    responses = operation.raw.get("responses") or {}
    return {int(code): spec for code, spec in sorted(responses.items()) if str(code).isdigit()}


def media_of(spec: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    content = spec.get("content") or {}
    if not content:
        return None
    media_type = "application/json" if "application/json" in content else next(iter(content))
    return media_type, content[media_type] or {}


def examples_of(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Named examples of a response's media (an unnamed `example` is named "default")."""
    found = media_of(spec)
    if found is None:
        return {}
    media = found[1]
    named = {name: ex["value"] for name, ex in (media.get("examples") or {}).items()
             if isinstance(ex, dict) and "value" in ex}
    if "example" in media:
        named.setdefault("default", media["example"])
    return named


class Steering:
    def __init__(self, renderer: ErrorRenderer, fake: FakeData) -> None:
        self.renderer = renderer
        self.fake = fake

    def respond(self, operation: Operation, prefer: Preferences, query: Mapping[str, str] | None = None) -> Response:
        """The steered answer; `query` is the request's (a generated list page follows its page and size)."""
        responses = documented(operation)
        if not responses:
            raise errors.UnknownPreference(f"{operation} documents no response to choose from.")
        status = prefer.code
        if status in errors.FAULTS and status not in responses and prefer.example is None:
            # a chaos tool on every operation: the document need not list the server error to inject
            return self._answer_error(errors.fault(status, f"Prefer: code={status}"), prefer)
        if status is not None and status not in responses:
            available = ", ".join(str(code) for code in responses)
            raise errors.UnknownPreference(
                f"{operation} documents no {status} response: use one of {available}.",
                field_errors={"Prefer": [f"code must be one of {available}"]},
            )
        if prefer.example is not None:
            status, body = self._named(operation, responses, prefer.example, status)
            return self._render(status, responses[status], body, "example", prefer)
        if status is None:
            status = next((code for code in responses if 200 <= code < 300), next(iter(responses)))
        spec = responses[status]
        examples = examples_of(spec)
        if examples and not prefer.dynamic:
            return self._render(status, spec, next(iter(examples.values())), "example", prefer)
        if status >= 400:
            return self._error(status, spec, prefer)
        found = media_of(spec)
        body = self.fake.value("body", found[1].get("schema") or {}) if found else None
        if operation.action == "list":
            body = self._paged(operation, body, query or {})
        return self._render(status, spec, body, "schema", prefer)

    def _paged(self, operation: Operation, body: Any, query: Mapping[str, str]) -> Any:
        """A generated list page whose page fields (the dialect's block) agree with its items and the request:
        the page and size asked for (else the first page and the default size, never past the maximum), its
        items at most a page, and a total that makes it the last page (an empty list is the first page).
        `from` / `to` beside the page fields, when generated, number its first and last item."""
        dialect = self.renderer.dialect
        envelope = dialect.envelope_for(operation, "list")
        pagination = dialect.pagination
        items = dotted.get(body, envelope.items or "data") if isinstance(body, dict) else None
        if not envelope.page_fields or not isinstance(items, list):
            return body
        size = _whole(query.get(pagination.size_param), pagination.default_size, 1, pagination.max_size)
        page = _whole(query.get(pagination.page_param), pagination.first_page, pagination.first_page, MAX_PAGE)
        items = items[:size]
        if not items:
            page = pagination.first_page
        offset = page_offset(pagination, page, size)
        dotted.put(body, envelope.items or "data", items)
        values = page_values(pagination, page, size, offset + len(items))
        for key, path in envelope.page_fields.items():
            if key in values and path:
                dotted.put(body, path, values[key])
                container = path.rpartition(".")[0]
                meta = dotted.get(body, container) if container else body
                if isinstance(meta, dict):
                    for edge, position in (("from", offset + 1), ("to", offset + len(items))):
                        if edge in meta:
                            meta[edge] = position if items else None
        return body

    @staticmethod
    def _named(operation: Operation, responses: dict[int, dict[str, Any]], name: str,
               status: int | None) -> tuple[int, Any]:
        where = [status] if status is not None else [*sorted(responses, key=lambda c: (c >= 300, c))]
        for code in where:
            examples = examples_of(responses[code])
            if name in examples:
                return code, examples[name]
        available = [f"{ex} ({code})" for code in where for ex in examples_of(responses[code])]
        listing = ", ".join(available) or "none"
        raise errors.UnknownPreference(
            f"{operation} has no example named {name!r}"
            f"{f' for its {status} response' if status is not None else ''}: use one of {listing}.",
            field_errors={"Prefer": [f"example must be one of {listing}"]},
        )

    def _render(self, status: int, spec: Mapping[str, Any], body: Any, source: str,
                prefer: Preferences) -> Response:
        headers = {"X-Mock-Source": source, "Preference-Applied": ", ".join(prefer.applied)}
        found = media_of(spec)
        if found is None or body is None or status in (204, 304):
            return Response(status=status, headers=headers)
        media_type = found[0]
        if media_type == "application/json" or media_type.endswith("+json"):
            payload = json.dumps(body)
        else:
            payload = body if isinstance(body, str) else json.dumps(body)
        return Response(payload, status=status, mimetype=media_type, headers=headers)

    def _error(self, status: int, spec: Mapping[str, Any], prefer: Preferences) -> Response:
        message = str(spec.get("description") or "").strip().splitlines()
        return self._answer_error(self.error_for(status, message[0] if message else f"Steered response {status}."),
                                  prefer)

    def _answer_error(self, error: errors.MockError, prefer: Preferences) -> Response:
        response = self.renderer.response(error)
        response.headers["X-Mock-Source"] = "error"
        response.headers["Preference-Applied"] = ", ".join(prefer.applied)
        return response

    def error_for(self, status: int, message: str) -> errors.MockError:
        """The MockError the API renders with `status`, in its own envelope and machine codes."""
        for cls in ERROR_CLASSES:
            error = cls(message)
            if self.renderer.status(error) == status:
                return error
        fault = errors.InjectedFault(message)
        fault.status = status
        return fault
