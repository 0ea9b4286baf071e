"""The Concord CRM mutants: each breaks one rule of the Concord CRM pages (see tests/mutants/kit.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Flask

from mock_server.app import mock_of
from tests.mutants.kit import Mutant, as_text, body_field
from tests.mutants.middleware import (
    Request,
    Response,
    Send,
    intercept,
    on_json,
    on_request,
    on_response,
    restatus,
    unpersisted,
)


def _next_page(request: Request, send: Send) -> Response:
    asked = int(request.query.get("page") or 1)
    response = send(request.copy(query={**request.query, "page": str(asked + 1)}))
    payload = response.json()
    if response.status == 200 and isinstance(payload, dict):
        payload["meta"]["current_page"] = asked
        response.set_json(payload)
    return response


def _floor_last_page(payload: Any) -> None:
    meta = payload["meta"]
    meta["last_page"] = max(meta["total"] // meta["per_page"], 1)


def _keep_sent_amount(app: Flask) -> None:
    """Deals keep the amount a client sent, even when products make it up (the recompute is skipped)."""
    engine = mock_of(app).engine
    recompute = engine.behaviour.on_write["deals"]

    def written(engine: Any, record: dict[str, Any]) -> dict[str, Any]:
        out = recompute(engine, record)
        if "amount" in record:
            out["amount"] = record["amount"]
        return out

    engine.behaviour = dataclasses.replace(engine.behaviour, on_write={**engine.behaviour.on_write,
                                                                       "deals": written})


def _reopen_first(request: Request, send: Send) -> Response:
    if request.params["status"] in ("won", "lost"):
        send(request.copy(path=request.path.rsplit("/", 1)[0] + "/open", body=b"{}"))
    return send(request)


def _string_id(payload: Any) -> None:
    if isinstance(payload, dict) and isinstance(payload.get("id"), int):
        payload["id"] = str(payload["id"])


def _first_message_only(payload: Any) -> None:
    errors = payload.get("errors")
    if isinstance(errors, dict):
        payload["errors"] = {k: v[0] if isinstance(v, list) and v else v for k, v in errors.items()}


MUTANTS: tuple[Mutant, ...] = (
    Mutant("cc_create_answers_200", "concord",
           "CC1 / 003: create answers 201 Created (source-confirmed); this server answers 200", "status",
           lambda app: on_response(app, "POST /api/{resource}", restatus(201, 200))),
    Mutant("cc_deal_id_as_string", "concord",
           "X4 / CC1: Concord ids are JSON integers; this server sends deal ids as numeric strings", "schema",
           lambda app: on_json(app, "GET|PUT|POST /api/deals**", _string_id, statuses=(200, 201))),
    Mutant("cc_field_errors_as_strings", "concord",
           "CC2 / 003: field errors are {field: [messages]}; this server sends {field: 'message'}", "envelope",
           lambda app: on_json(app, "* /api/**", _first_message_only, statuses=(422,))),
    Mutant("cc_object_name_accepted", "concord",
           "003 Body Parameters: name is a string; this server casts an object sent as name to text", "validation",
           lambda app: on_request(app, "POST /api/deals", body_field("name", as_text))),
    Mutant("cc_page_off_by_one", "concord",
           "003/CC1 page-based pagination: page 1 is the first page; this server serves page n+1 and calls it n",
           "pagination", lambda app: intercept(app, "GET /api/deals", _next_page)),
    Mutant("cc_last_page_rounded_down", "concord",
           "CC1 meta.last_page = ceil(total / per_page); this server rounds down", "pagination",
           lambda app: on_json(app, "GET /api/deals", _floor_last_page)),
    Mutant("cc_order_ignored", "concord",
           "CC6 / 003 order=created_at|desc: lists come back in the order asked; this server ignores order",
           "pagination", lambda app: on_request(app, "GET /api/deals", lambda r: r.query.pop("order", None))),
    Mutant("cc_delete_keeps_record", "concord",
           "CC1 / 003 DELETE /deals/{id}: a deleted deal is then not found; this one answers 204 and stays",
           "lifecycle", lambda app: unpersisted(app, "DELETE /api/deals/{id}")),
    Mutant("cc_amount_not_recomputed", "concord",
           "CC3 / 003 amount 'automatically updated based on the total value of the products': here the sent "
           "amount is kept", "semantics", _keep_sent_amount),
    Mutant("cc_status_lock_missing", "concord",
           "CC9 / Concord v1.5.1: a won deal must be reopened before it is lost; this server skips the lock",
           "semantics", lambda app: intercept(app, "PUT /api/deals/{id}/status/{status}", _reopen_first)),
    Mutant("cc_search_wrapped", "concord",
           "CC5 / 003 Search Deals 'without pagination': a bare JSON array; this server wraps it in {data}",
           "semantics", lambda app: on_json(app, "GET /api/deals/search", lambda p: {"data": p})),
)
