"""Bodies in the dialect's own envelopes, and the one table from exceptions to error responses."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
import uuid
from typing import Any

import orjson
from flask import Response

from crmspec import dotted
from crmspec.model import Dialect, Envelope, Pagination
from mock_server import errors
from mock_server.limits import clamp_int64
from mock_server.store.documents import holds_non_finite

# The one table: exception class -> the kind of client error, whose status the dialect declares.
ERROR_KINDS: dict[type[errors.MockError], str] = {
    errors.BadRequest: "bad_request",
    errors.ValidationFailed: "validation",
    errors.NotFound: "not_found",
    errors.RouteNotFound: "route_not_found",
    errors.Conflict: "conflict",
    errors.BusinessRuleViolation: "bad_request",
    errors.Unauthorized: "unauthorized",
    errors.Forbidden: "forbidden",
    errors.MethodNotAllowed: "method_not_allowed",
    errors.PayloadTooLarge: "payload_too_large",
    errors.UnsupportedMediaType: "unsupported_media_type",
    errors.RateLimited: "rate_limited",
    errors.InjectedFault: "server_error",
    errors.UnknownPreference: "preference",
}
# Used where a dialect declares no status of its own for a kind.
DEFAULT_STATUSES = {
    "bad_request": 400,
    "validation": 422,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "route_not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "server_error": 500,
    "preference": 422,  # no dialect declares it: an unknown Prefer is the mock's own 422, as Prism answers
}

# Statuses that tell the client to come back later: their answers carry Retry-After (seconds), this one
# where nothing computed a better value (the rate limiter counts the seconds to its next window).
RETRY_STATUSES = (429, 503)
RETRY_AFTER_SECONDS = 1


def kind_of(error: errors.MockError) -> str:
    for cls in type(error).__mro__:
        if cls in ERROR_KINDS:
            return ERROR_KINDS[cls]
    return "bad_request"


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if body is None:
        return Response(status=status, headers=headers)
    return Response(dumps(body), status=status, mimetype="application/json", headers=headers)


def dumps(body: Any) -> bytes:
    """JSON, always, by orjson (about 10x the standard library's encoder on a page of 25 deals). A float that
    overflowed (a total of two 1e308 deals) saturates to the largest double (NaN, from inf - inf, becomes 0):
    orjson would write it as null, which the schema's number refuses. orjson writes a non-finite float as null
    and nothing else, so only an answer holding a null is searched for one; a body orjson cannot write (an
    integer past 64 bits) is written by the standard library."""
    try:
        text = orjson.dumps(body)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(_finite(body), allow_nan=False).encode()
    if b"null" in text and type(body) in (dict, list) and holds_non_finite(body):
        return orjson.dumps(_finite(body))
    return text


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return 0.0 if math.isnan(value) else math.copysign(sys.float_info.max, value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


class ErrorRenderer:
    """Renders any MockError in one dialect's error envelope."""

    def __init__(self, dialect: Dialect, document: dict[str, Any]) -> None:
        self.dialect = dialect
        schema: Any = document
        ref = dialect.errors.schema_ref or ""
        for part in ref.removeprefix("#/").split("/") if ref else []:
            schema = schema.get(part, {}) if isinstance(schema, dict) else {}
        # correlation fields some platforms put on every error (Olympus: request_id, timestamp)
        self.extras = set((schema or {}).get("properties", {})) & {"request_id", "timestamp"}

    def status(self, error: errors.MockError) -> int:
        if isinstance(error, errors.InjectedFault):
            return error.status
        kind = kind_of(error)
        return self.dialect.errors.statuses.get(kind) or DEFAULT_STATUSES[kind]

    def body(self, error: errors.MockError) -> dict[str, Any]:
        kind = kind_of(error)
        conv = self.dialect.errors
        body: dict[str, Any] = {}
        if conv.success is False:
            body["success"] = False
        dotted.put(body, conv.message, error.message)
        platform_code = conv.codes.get(kind, kind.upper())
        if conv.error:
            dotted.put(body, conv.error, platform_code)
        if conv.code:
            dotted.put(body, conv.code, error.code or platform_code)
        if conv.field_errors and error.field_errors:
            rendered: dict[str, Any] = {
                field: (messages if conv.field_error_style == "list" else " ".join(messages))
                for field, messages in error.field_errors.items()
            }
            dotted.put(body, conv.field_errors, rendered)
        if "request_id" in self.extras:
            body["request_id"] = f"req_{uuid.uuid4().hex[:16]}"
        if "timestamp" in self.extras:
            body["timestamp"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return body

    def response(self, error: errors.MockError) -> Response:
        return json_response(self.status(error), self.body(error), error.headers or None)


def project(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: record.get(f) for f in fields} if fields else record


def success_body(envelope: Envelope, payload: Any) -> Any:
    """The body for one record (or a non-paginated list) in the envelope's shape."""
    if envelope.empty:
        return None
    if envelope.data == "":
        value = project(payload, envelope.fields) if isinstance(payload, dict) else payload
        return value
    body: dict[str, Any] = {}
    if envelope.success is True:
        body["success"] = True
    if envelope.message:
        body["message"] = envelope.message
    if envelope.data is not None:
        value = project(payload, envelope.fields) if isinstance(payload, dict) else payload
        dotted.put(body, envelope.data, value)
    return body


def page_offset(pagination: Pagination, page: int, size: int) -> int:
    """How many records come before `page` (as the request counts pages, from the dialect's first page)."""
    return clamp_int64((page - pagination.first_page) * size)


def page_values(pagination: Pagination, page: int, size: int, total: int) -> dict[str, Any]:
    """The page fields of a list answer: `page` as the request counts it (from the dialect's first page),
    reported from the dialect's first reported page; the last page is 1 for an empty list."""
    pages = math.ceil(total / size)
    return {
        "page": page - pagination.first_page + pagination.reported_first_page,
        "size": size,
        "total": total,
        "last_page": max(pages, 1),
        "total_pages": pages,
    }


def list_body(envelope: Envelope, items: list[Any], page_values: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if envelope.success is True:
        body["success"] = True
    dotted.put(body, envelope.items or "data", items)
    for key, path in envelope.page_fields.items():
        if path and key in page_values:
            dotted.put(body, path, page_values[key])
    return body
