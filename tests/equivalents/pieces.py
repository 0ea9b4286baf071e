"""The pieces the equivalents add to tests/mutants/middleware.py: requests picked by the document's
operation (not by a written route), error answers in the API's own envelope, the records a body carries,
and the store's sort order.

An equivalent changes a behaviour consistently (every create, every list, every error of the API), so its
pieces pick operations by what the document says they are (`action`, `x-source`), never by a path list.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from flask import Flask
from werkzeug.datastructures import Headers

from crmspec import dotted
from crmspec.model import Dialect, Operation
from crmspec.schemas import flatten
from mock_server.app import mock_of
from mock_server.errors import MockError
from mock_server.store import Query
from tests.mutants.middleware import Request, Response, Send, intercept

OperationHandler = Callable[[Request, Send, Operation], Response]
SINGLE_ACTIONS = ("read", "create", "update")
TIMESTAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?")


# requests picked by operation -------------------------------------------------------------------------
def operation_of(app: Flask, request: Request) -> Operation | None:
    """The document's operation a request goes to, as the mock resolves it (concrete paths first)."""
    mock = mock_of(app)
    path = mock.routes.resolve(request.path)
    for op in mock.api.operations:
        if op.full_path == path and op.method.upper() == request.method:
            return op
    return None


def on_operations(app: Flask, pick: Callable[[Operation], bool], handler: OperationHandler) -> None:
    """`handler(request, send, operation)` answers every request whose operation `pick` chooses."""
    def dispatch(request: Request, send: Send) -> Response:
        op = operation_of(app, request)
        return handler(request, send, op) if op is not None and pick(op) else send(request)

    intercept(app, "* /**", dispatch)


def on_operation_json(app: Flask, pick: Callable[[Operation], bool], edit: Callable[[Any, Operation], Any],
                      statuses: Callable[[int], bool] = lambda status: 200 <= status < 300) -> None:
    """Rewrite the JSON body of the chosen operations' answers: `edit(body, op)` changes it in place or
    returns a new one."""
    def handler(request: Request, send: Send, op: Operation) -> Response:
        response = send(request)
        payload = response.json()
        if statuses(response.status) and payload is not None:
            changed = edit(payload, op)
            response.set_json(payload if changed is None else changed)
        return response

    on_operations(app, pick, handler)


def every(_: Operation) -> bool:
    return True


def action(*names: str) -> Callable[[Operation], bool]:
    return lambda op: op.action in names


def is_error(status: int) -> bool:
    return 400 <= status < 500


def admitted(app: Flask, request: Request, op: Operation) -> bool:
    """Whether the mock lets the request's credential call the operation: a variant that answers instead
    of the mock does so only after authentication and authorisation, as a server's middleware would."""
    credentials = mock_of(app).credentials
    try:
        if op.secured:
            credentials.authorize(credentials.verify(request.headers), op)
    except MockError:
        return False
    return True


# answers in the API's own envelope ------------------------------------------------------------------
def error_answer(app: Flask, error: MockError, status: int | None = None) -> Response:
    """The error as the mock renders it for its API (envelope, codes, field errors), at `status` if given."""
    renderer = mock_of(app).errors
    response = Response(status or renderer.status(error), Headers(error.headers), b"")
    response.set_json(renderer.body(error))
    return response


# what a body carries ----------------------------------------------------------------------------------
def records_of(dialect: Dialect, op: Operation, payload: Any) -> list[dict[str, Any]]:
    """The records of the operation's resource that a success body carries, as the objects in the body
    (an edit of one changes the body): a list's items, or the one record of a read, create or update."""
    if op.resource not in dialect.resources or op.action not in ("list", "collection", *SINGLE_ACTIONS):
        return []
    envelope = dialect.envelope_for(op)
    if op.action == "list":
        found = dotted.get(payload, envelope.items if envelope.items is not None else "data")
    else:
        found = dotted.get(payload, envelope.data)
    if isinstance(found, dict):
        return [found]
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def page_blocks(dialect: Dialect, op: Operation, payload: Any) -> list[dict[str, Any]]:
    """The objects holding a list's page fields (`meta`, `pagination`, YSUITE's `data`; none when flat)."""
    if op.action != "list":
        return []
    paths = [path for path in dialect.envelope_for(op).page_fields.values() if path]
    parents = {path.rpartition(".")[0] for path in paths} - {""}
    return [block for block in (dotted.get(payload, p) for p in sorted(parents)) if isinstance(block, dict)]


def optional_properties(dialect: Dialect, resource: str) -> list[str]:
    """The resource schema's properties a record may leave out (not `required`)."""
    schema = flatten(dialect.resources[resource].schema)
    required = set(schema.get("required") or [])
    return [name for name in schema.get("properties") or {} if name not in required]


def strings(payload: Any, change: Callable[[str], str]) -> Any:
    """The body with `change` applied to every string value (keys are left alone)."""
    if isinstance(payload, str):
        return change(payload)
    if isinstance(payload, dict):
        return {key: strings(value, change) for key, value in payload.items()}
    if isinstance(payload, list):
        return [strings(value, change) for value in payload]
    return payload


def timestamps(change: Callable[[re.Match[str]], str]) -> Callable[[str], str]:
    """A `strings` change for date-time values only (`YYYY-MM-DDTHH:MM:SS[.frac][Z|+hh:mm]`)."""
    def edit(text: str) -> str:
        found = TIMESTAMP.fullmatch(text)
        return change(found) if found else text

    return edit


# the store's sort order -------------------------------------------------------------------------------
Compare = Callable[[Any, Any], int]


def sorted_by_store(app: Flask, compare: Compare) -> None:
    """The store orders records with `compare` (ascending; descending is its reverse) instead of SQLite's
    `COLLATE NOCASE` with NULLs smallest, as another database's collation would: every ordered query of
    every operation (lists, their pages, search and its `take`) reads the whole ordered result, re-sorts
    it, then cuts the page. The sort is stable, so such changes compose: the one applied later only
    reorders what its own comparison tells apart, and ties keep the order the store gave them."""
    store = mock_of(app).store
    inner = store.query

    def query(resource_name: str, wanted: Query) -> tuple[list[dict[str, Any]], int]:
        if not wanted.order:
            return inner(resource_name, wanted)
        rows, total = inner(resource_name, dataclasses.replace(wanted, limit=None, offset=0))
        for field, direction, _ in reversed(wanted.order):
            rows.sort(key=cmp_to_key(_by_field(compare, field)), reverse=direction == "DESC")
        end = None if wanted.limit is None else wanted.offset + wanted.limit
        return rows[wanted.offset:end], total

    store.query = query


def _by_field(compare: Compare, field: str) -> Callable[[dict[str, Any], dict[str, Any]], int]:
    return lambda a, b: compare(dotted.get(a, field), dotted.get(b, field))
