"""Read any API's bodies through its x-crm-dialect block: records, items, page fields, errors.

dialects.md section 4 calls this the normaliser layer: the checks speak of `items`, `total`, `page`
and `field_errors`; only this module knows where each API puts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crmspec import dotted
from crmspec.model import Dialect, Envelope, Operation


def envelope_of(dialect: Dialect, operation: Operation, action: str | None = None) -> Envelope:
    return dialect.envelope_for(operation, action)


def record(dialect: Dialect, operation: Operation, body: Any, action: str | None = None) -> Any:
    """The record a single-record response carries (None when the envelope has none)."""
    envelope = envelope_of(dialect, operation, action)
    if envelope.data is None:
        return None
    return unwrapped(dialect, operation, dotted.get(body, envelope.data), action)


def unwrapped(dialect: Dialect, operation: Operation, body: Any, action: str | None = None) -> Any:
    """A bare-object API's body as the page shows it: OC2 / CC1 accept the record wrapped in {data: ...}
    too (lenient), which is then read as if it were bare."""
    bare = envelope_of(dialect, operation, action).data == "" and operation.action != "list"
    if bare and isinstance(body, dict) and set(body) == {"data"} and isinstance(body["data"], dict):
        return body["data"]
    return body


def items(dialect: Dialect, operation: Operation, body: Any) -> Any:
    envelope = envelope_of(dialect, operation)
    path = envelope.items if envelope.items is not None else envelope.data
    return dotted.get(body, path if path is not None else "data")


def page_value(dialect: Dialect, operation: Operation, body: Any, key: str) -> Any:
    envelope = envelope_of(dialect, operation)
    path = envelope.page_fields.get(key)
    if path is None:
        return None
    value = dotted.get(body, path)
    # OC3: Olympus's pagination block may say per_page where the page says limit
    if value is None and key == "size" and path.endswith(".limit"):
        value = dotted.get(body, path.removesuffix("limit") + "per_page")
    return value


def record_id(dialect: Dialect, operation: Operation, record_body: Any) -> Any:
    resource = dialect.resources.get(operation.resource)
    field = resource.id_field if resource else "id"
    return record_body.get(field) if isinstance(record_body, dict) else None


@dataclass(frozen=True, slots=True)
class ErrorBody:
    message: Any
    code: Any
    field_errors: Any
    success: Any


def error(dialect: Dialect, body: Any) -> ErrorBody:
    conv = dialect.errors
    if not isinstance(body, dict):
        return ErrorBody(None, None, None, None)
    message = dotted.get(body, conv.message)
    nested = body.get("error")
    if message is None and isinstance(nested, str):
        message = nested  # CC11: {error: "..."}
    if message is None and isinstance(nested, dict):
        message = nested.get("message")  # OC4: the SDK's {error: {code, message, details}}
    code = None
    if conv.code is not None:  # OC4: body.code -> body.error.code -> body.error
        code = dotted.get(body, conv.code)
        if code is None and isinstance(nested, dict):
            code = nested.get("code")
        if code is None and isinstance(nested, str):
            code = nested
    field_errors = dotted.get(body, conv.field_errors) if conv.field_errors else None
    if field_errors is None and isinstance(body.get("error"), dict):
        field_errors = body["error"].get("details")
    return ErrorBody(message, code, field_errors, body.get("success"))
