"""The Concord CRM mutants: each breaks one rule of the Concord CRM pages (see tests/mutants/kit.py)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from flask import Flask

from mock_server.app import mock_of
from tests.mutants.kit import Mutant, as_text, body_field
from tests.mutants.middleware import (
    Request,
    Response,
    Send,
    answer,
    intercept,
    on_json,
    on_request,
    on_response,
    refusal,
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


def _without(*path: str) -> Callable[[Request], None]:
    """Leave a (nested) key out of a JSON request body: `_without("billable", "removed_products")`."""
    def edit(request: Request) -> None:
        payload = request.json()
        holder = payload
        for key in path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and path[-1] in holder:
            del holder[path[-1]]
            request.set_json(payload)

    return edit


def _products(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[Request], None]:
    """Change every product of a billable save's body."""
    def edit(request: Request) -> None:
        payload = request.json()
        if isinstance(payload, dict) and isinstance(payload.get("products"), list):
            payload["products"] = [change(p) if isinstance(p, dict) else p for p in payload["products"]]
            request.set_json(payload)

    return edit


def _current_deal(request: Request, send: Send) -> dict[str, Any] | None:
    read = send(request.copy(method="GET", body=b"", query={}))
    payload = read.json()
    return payload if read.status == 200 and isinstance(payload, dict) else None


def _empty_stage_kept(request: Request, send: Send) -> Response:
    """An update sending stage_id null or "" keeps the deal's stage instead of being refused."""
    payload = request.json()
    if isinstance(payload, dict) and "stage_id" in payload and payload["stage_id"] in (None, ""):
        current = _current_deal(request, send)
        if current is not None:
            payload["stage_id"] = current.get("stage_id")
            request.set_json(payload)
    return send(request)


def _search_keeps_deleted(app: Flask) -> None:
    """Deleted deals stay in GET /deals/search results (a search index that is never told of deletes)."""
    deleted: dict[str, dict[str, Any]] = {}

    def on_delete(request: Request, send: Send) -> Response:
        current = _current_deal(request, send)
        response = send(request)
        if 200 <= response.status < 300 and current is not None:
            deleted[request.params["id"]] = current
        return response

    def on_search(request: Request, send: Send) -> Response:
        response = send(request)
        payload, term = response.json(), request.query.get("q", "").lower()
        if response.status == 200 and isinstance(payload, list) and term:
            payload += [deal for deal in deleted.values() if term in str(deal.get("name", "")).lower()]
            response.set_json(payload)
        return response

    intercept(app, "DELETE /api/deals/{id}", on_delete)
    intercept(app, "GET /api/deals/search", on_search)


def _as_sync(request: Request) -> None:
    request.method = "POST"


def _to_valid_credentials(app: Flask, spec: str, status: int, message: str) -> None:
    """Answer `status` with a Laravel error body to every request on the route whose credential is valid."""
    answer(app, spec, status, {"message": message}, when=lambda request: refusal(app, request) is None)


def _valid_date_dropped(request: Request) -> None:
    """A well-formed expected_close_date is not stored (one that is not a date is still refused)."""
    payload = request.json()
    if isinstance(payload, dict) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(payload.get("expected_close_date"))):
        del payload["expected_close_date"]
        request.set_json(payload)


def _unknown_status_as_open(value: Any) -> Any:
    return value if value in ("open", "won", "lost") else "open"


def _limit_in_words(request: Request, response: Response) -> None:
    response.headers["X-RateLimit-Limit"] = "sixty"


STATUS_NUMBERS = {"open": 1, "won": 2, "lost": 3}  # how Concord stores a deal's status (DealStatus)


def _status_as_number(payload: Any) -> None:
    """Deals answered with the stored number of their status instead of its name."""
    listed = payload.get("data") if isinstance(payload, dict) else None
    deals = listed if isinstance(listed, list) else payload if isinstance(payload, list) else [payload]
    for deal in deals:
        if isinstance(deal, dict) and deal.get("status") in STATUS_NUMBERS:
            deal["status"] = STATUS_NUMBERS[deal["status"]]


def _duplicate_email_accepted(request: Request, send: Send) -> Response:
    """A create refused only because its email is taken is saved anyway (under a variant of the address, as
    a server without the unique index would store a second contact)."""
    response = send(request)
    payload, sent = response.json(), request.json()
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if response.status != 422 or not isinstance(errors, dict) or set(errors) != {"email"} or not isinstance(sent, dict):
        return response
    retry = request.copy()
    retry.set_json({**sent, "email": f"dup.{sent.get('email')}"})
    return send(retry)


MUTANTS: tuple[Mutant, ...] = (
    Mutant("cc_create_answers_200", "concord",
           "CC1 / 003: create answers 201 Created (source-confirmed); this server answers 200", "status",
           lambda app: on_response(app, "POST /api/{resource}", restatus(201, 200)),
           requirement="CC-DEALS-CREATE-17"),
    Mutant("cc_deal_id_as_string", "concord",
           "X4 / CC1: Concord ids are JSON integers; this server sends deal ids as numeric strings", "schema",
           lambda app: on_json(app, "GET|PUT|POST /api/deals**", _string_id, statuses=(200, 201)),
           requirement="CC-API-IDS-01"),
    Mutant("cc_field_errors_as_strings", "concord",
           "CC2 / 003: field errors are {field: [messages]}; this server sends {field: 'message'}", "envelope",
           lambda app: on_json(app, "* /api/**", _first_message_only, statuses=(422,)),
           requirement="CC-API-ERRORS-03"),
    Mutant("cc_object_name_accepted", "concord",
           "003 Body Parameters: name is a string; this server casts an object sent as name to text", "validation",
           lambda app: on_request(app, "POST /api/deals", body_field("name", as_text)),
           requirement="CC-DEALS-CREATE-18"),
    Mutant("cc_page_off_by_one", "concord",
           "003/CC1 page-based pagination: page 1 is the first page; this server serves page n+1 and calls it n",
           "pagination", lambda app: intercept(app, "GET /api/deals", _next_page), requirement="CC-DEALS-LIST-11"),
    Mutant("cc_last_page_rounded_down", "concord",
           "CC1 meta.last_page = ceil(total / per_page); this server rounds down", "pagination",
           lambda app: on_json(app, "GET /api/deals", _floor_last_page), requirement="CC-DEALS-LIST-18"),
    Mutant("cc_order_ignored", "concord",
           "CC6 / 003 order=created_at|desc: lists come back in the order asked; this server ignores order",
           "pagination", lambda app: on_request(app, "GET /api/deals", lambda r: r.query.pop("order", None)),
           requirement="CC-DEALS-LIST-04"),
    Mutant("cc_delete_keeps_record", "concord",
           "CC1 / 003 DELETE /deals/{id}: a deleted deal is then not found; this one answers 204 and stays",
           "lifecycle", lambda app: unpersisted(app, "DELETE /api/deals/{id}"), requirement="CC-DEALS-DELETE-02"),
    Mutant("cc_amount_not_recomputed", "concord",
           "CC3 / 003 amount 'automatically updated based on the total value of the products': here the sent "
           "amount is kept", "semantics", _keep_sent_amount, requirement="CC-DEALS-UPDATE-08"),
    Mutant("cc_status_lock_missing", "concord",
           "CC9 / Concord v1.5.1: a won deal must be reopened before it is lost; this server skips the lock",
           "semantics", lambda app: intercept(app, "PUT /api/deals/{id}/status/{status}", _reopen_first),
           requirement="CC-DEALS-CHANGE-STATUS-07"),
    Mutant("cc_search_wrapped", "concord",
           "CC5 / 003 Search Deals 'without pagination': a bare JSON array; this server wraps it in {data}",
           "semantics", lambda app: on_json(app, "GET /api/deals/search", lambda p: {"data": p}),
           requirement="CC-DEALS-SEARCH-02"),
    Mutant("cc_status_won_not_stored", "concord",
           "003 PUT /deals/{id}/status/{status}: marking a deal won makes it won; this server answers won and "
           "keeps the deal open", "semantics",
           lambda app: unpersisted(app, "PUT /api/deals/{id}/status/won"),
           requirement="CC-DEALS-CHANGE-STATUS-01"),
    Mutant("cc_lost_reason_dropped", "concord",
           "003 Change deal status: lost_reason 'Deal lost reason when marking the deal as lost'; this server "
           "drops it", "semantics",
           lambda app: on_request(app, "PUT /api/deals/{id}/status/{status}", _without("lost_reason")),
           requirement="CC-DEALS-CHANGE-STATUS-05"),
    Mutant("cc_billable_id_ignored", "concord",
           "003 Billable: product id 'used to update an existing billable product'; this server adds a new "
           "product instead", "semantics",
           lambda app: on_request(app, "POST /api/deals/{id}/billable",
                                  _products(lambda p: {k: v for k, v in p.items() if k != "id"})),
           requirement="CC-DEALS-BILLABLE-09"),
    Mutant("cc_removed_products_ignored_on_update", "concord",
           "003 Update Deal: billable.removed_products 'billable product id's to remove from the record'; this "
           "server ignores them", "semantics",
           lambda app: on_request(app, "PUT /api/deals/{id}", _without("billable", "removed_products")),
           requirement="CC-DEALS-UPDATE-17"),
    Mutant("cc_product_without_price_accepted", "concord",
           "003 Product metadata: unit_price (Required); this server saves a product sent without one at 0",
           "semantics",
           lambda app: on_request(app, "POST /api/deals/{id}/billable",
                                  _products(lambda p: {"unit_price": 0, **p})),
           requirement="CC-DEALS-BILLABLE-15"),
    Mutant("cc_attach_replaces", "concord",
           "003 Attach: 'Array of contacts ID's to attach'; this server replaces the deal's associations (a sync) "
           "instead of adding to them", "semantics",
           lambda app: on_request(app, "PUT /api/associations/deals/{id}", _as_sync),
           requirement="CC-DEALS-ATTACH-02"),
    Mutant("cc_update_drops_user_id", "concord",
           "003 Update Deal: user_id 'The owner of the deal'; this server keeps the old owner", "semantics",
           lambda app: on_request(app, "PUT /api/deals/{id}", _without("user_id")),
           requirement="CC-DEALS-UPDATE-12"),
    Mutant("cc_empty_stage_id_kept", "concord",
           "003 Update Deal: stage_id Required (CC2: a stage_id sent empty is refused); this server keeps the "
           "old stage", "semantics",
           lambda app: intercept(app, "PUT /api/deals/{id}", _empty_stage_kept),
           requirement="CC-DEALS-UPDATE-04"),
    Mutant("cc_search_match_ignored", "concord",
           "003 search_match: 'if you need to match all parameters ... AND'; this server always matches any",
           "semantics",
           lambda app: on_request(app, "GET /api/deals**", lambda r: r.query.pop("search_match", None)),
           requirement="CC-DEALS-LIST-17"),
    Mutant("cc_search_order_ignored", "concord",
           "003 Search Deals order=created_at|desc (CC6); this server ignores order on the search",
           "semantics",
           lambda app: on_request(app, "GET /api/deals/search", lambda r: r.query.pop("order", None)),
           requirement="CC-DEALS-SEARCH-08"),
    Mutant("cc_search_keeps_deleted", "concord",
           "003 Delete Deal: a deleted deal is gone; this server's search still returns it", "semantics",
           _search_keeps_deleted, requirement="CC-DEALS-DELETE-03"),
    Mutant("cc_billable_refuses_json", "concord",
           "003 'Content-Type (Required) string application/json'; this server answers 415 to JSON bodies on "
           "POST /deals/{id}/billable", "semantics",
           lambda app: _to_valid_credentials(app, "POST /api/deals/{id}/billable", 415, "Unsupported Media Type."),
           requirement="CC-API-FORMATS-01"),
    Mutant("cc_token_refused_on_status", "concord",
           "003 'Authorization (Required) string Bearer {token}'; this server answers 401 to a valid token on "
           "PUT /deals/{id}/status/{status}", "semantics",
           lambda app: _to_valid_credentials(app, "PUT /api/deals/{id}/status/{status}", 401, "Unauthenticated."),
           requirement="CC-API-AUTH-01"),
    Mutant("cc_non_integer_id_500", "concord",
           "003 'id (Required) integer': /deals/abc is a client error; this server answers 500", "status",
           lambda app: answer(app, "GET /api/deals/{id}", 500, {"message": "Server Error"},
                              when=lambda r: not r.params["id"].isdigit() and r.params["id"] != "search"),
           requirement="CC-API-ERRORS-02"),
    Mutant("cc_rate_limit_headers_as_text", "concord",
           "Concord API pages: X-RateLimit-Limit / -Remaining are request counts; this server sends words",
           "semantics",
           lambda app: on_response(app, "* /api/**", _limit_in_words),
           requirement="CC-API-RATE-LIMIT-01"),
    Mutant("cc_create_drops_expected_close_date", "concord",
           "003 Create Deal: expected_close_date 'Expected close date'; this server does not store it", "lifecycle",
           lambda app: on_request(app, "POST /api/deals", _valid_date_dropped),
           requirement="CC-DEALS-CREATE-06"),
    Mutant("cc_unknown_status_created_open", "concord",
           "003 Create Deal: status 'Any of [open, won, lost]'; this server creates an open deal from any other "
           "status", "validation",
           lambda app: on_request(app, "POST /api/deals", body_field("status", _unknown_status_as_open)),
           requirement="CC-DEALS-CREATE-10"),
    Mutant("cc_search_fields_refused", "concord",
           "003 search_fields 'Example:?search_fields=email:like;phones.number:=' (CC6: 2xx); this server refuses "
           "search_fields on the deals list", "semantics",
           lambda app: answer(app, "GET /api/deals", 422, {"message": "The search fields are invalid.",
                                                           "errors": {"search_fields": ["Unknown parameter."]}},
                              when=lambda r: "search_fields" in r.query),
           requirement="CC-DEALS-LIST-14"),
    Mutant("cc_status_as_number", "concord",
           "003 status 'Any of [open, won, lost]' (CC10: serialised as those names); this server answers the "
           "stored number (1, 2, 3)", "semantics",
           lambda app: on_json(app, "GET /api/deals**", _status_as_number),
           requirement="CC-DEALS-READ-03"),
    Mutant("cc_duplicate_contact_email_accepted", "concord",
           "CC16: a contact email already taken is refused with 422 and errors.email; this server creates the "
           "contact anyway", "semantics",
           lambda app: intercept(app, "POST /api/contacts", _duplicate_email_accepted),
           requirement="CC-CONTACTS-CREATE-01"),
)
