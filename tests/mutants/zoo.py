"""The mutant zoo: small named changes to the mock, each breaking ONE rule of one API.

Every conformance check family must be able to fail: for each mutant the suite must answer
non-conformant with at least one failed check of the mutant's `family`. A mutant is a few lines over
the pieces in tests/mutants/middleware.py, never a copy of the mock. The other half, that the
unmodified mock is conformant at the strict level, is tests/integration/test_conformance_against_the_mock.py.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
from flask import Flask

from conformance.model import FAMILIES
from mock_server.app import mock_of
from tests.mutants.documents import without_page_maximum
from tests.mutants.middleware import (
    Request,
    Response,
    Send,
    answer,
    bearer,
    claims_unverified,
    drop,
    intercept,
    items_at,
    on_json,
    on_request,
    on_response,
    refusal,
    restatus,
    swap_credential,
    unpersisted,
)

APIS = ("revorbit", "olympus", "concord", "ysuite")


@dataclass(frozen=True)
class Mutant:
    name: str
    dialect: str
    rule: str                                   # the one rule it breaks, naming the page or decision
    family: str                                 # the check family expected to catch it
    apply: Callable[[Flask], None]              # installs the change on the mock's app
    records: int = 15
    document: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # the MOCK's document only
    weakness: str | None = None                 # a check too weak to catch it (reported, xfail)

    def __post_init__(self) -> None:
        if self.family not in FAMILIES or self.dialect not in APIS:
            raise ValueError(f"{self.name}: unknown family {self.family!r} or API {self.dialect!r}")


# shared edits ------------------------------------------------------------------------------------
def _accept_expired(app: Flask) -> None:
    """A credential refused only because it expired is treated as a fresh one of the same role."""
    auth = mock_of(app).credentials.auth

    def edit(request: Request) -> None:
        refused = refusal(app, request)
        if refused is None or "expired" not in refused.message.lower():
            return
        claims = claims_unverified(bearer(request) or "") or {}
        role = claims.get(auth.role_claim) if auth.scheme == "jwt" else None
        swap_credential(app, request, role[0] if isinstance(role, list) else role)

    on_request(app, "* /**", edit)


def _accept_alg_none(app: Flask) -> None:
    """An unsigned JWT (alg: none) is trusted: its claims are taken as they are."""
    role_claim = mock_of(app).credentials.auth.role_claim

    def edit(request: Request) -> None:
        token = bearer(request)
        if token and _algorithm(token) == "none":
            role = (claims_unverified(token) or {}).get(role_claim)
            swap_credential(app, request, role[0] if isinstance(role, list) else role)

    on_request(app, "* /**", edit)


def _algorithm(token: str) -> str | None:
    try:
        return str(jwt.get_unverified_header(token).get("alg"))
    except jwt.PyJWTError:
        return None


def _field(name: str, change: Callable[[Any], Any], missing: bool = False) -> Callable[[Request], None]:
    """Change one field of a JSON request body: when it is present, or (`missing`) when it is absent."""
    def edit(request: Request) -> None:
        body = request.json()
        if isinstance(body, dict) and (name in body) != missing:
            body[name] = change(body.get(name))
            request.set_json(body)

    return edit


def _as_text(value: Any) -> Any:
    """PHP-style casting: whatever JSON value arrives is stored as its text."""
    return value if isinstance(value, str) or value is None else json.dumps(value)


def _parses(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


# Revenue Orbit ------------------------------------------------------------------------------------
def _untitled(_: Any) -> str:
    return "Untitled deal"


def _risk_on_closed(payload: Any) -> None:
    for deal in items_at(payload, "data"):
        if deal.get("is_won") or deal.get("is_lost"):
            deal["risk"] = {"risk_level": "low", "risk_score": 10, "risk_factors": []}


# Olympus ------------------------------------------------------------------------------------------
def _staff_as_sales(app: Flask) -> None:
    def edit(request: Request) -> None:
        roles = (claims_unverified(bearer(request) or "") or {}).get("roles")
        if refusal(app, request) is None and isinstance(roles, list) and roles == ["staff"]:
            swap_credential(app, request, "sales")

    on_request(app, "* /api/v1/crm/**", edit)


def _unprotected_score(app: Flask) -> None:
    """The score operation lets a request without a credential in, as the default user."""
    def edit(request: Request) -> None:
        if "Authorization" not in request.headers:
            swap_credential(app, request)

    on_request(app, "GET /api/v1/crm/contacts/{contact_id}/score", edit)


def _repeat_last_page(request: Request, send: Send) -> Response:
    response = send(request)
    payload = response.json()
    block = payload.get("pagination") if isinstance(payload, dict) else None
    if response.status != 200 or not isinstance(block, dict) or payload.get("data") or not block.get("total"):
        return response
    last = send(request.copy(query={**request.query, "page": str(math.ceil(block["total"] / block["limit"]))}))
    again = last.json()
    again["pagination"]["page"] = block["page"]
    last.set_json(again)
    return last


def _one_deal_short(payload: Any) -> None:
    stage = next(s for s in payload["by_stage"] if s.get("count"))
    stage["count"] -= 1


def _score_plus_five(payload: Any) -> None:
    payload["total_score"] += 5


# Concord ------------------------------------------------------------------------------------------
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


# YSUITE -------------------------------------------------------------------------------------------
def _accept_any_secret(app: Flask) -> None:
    """A key pair whose access key looks right is let in whatever its secret (YSUITE: key pairs only)."""
    access_header = str(mock_of(app).credentials.auth.access_header)

    def edit(request: Request) -> None:
        if request.headers.get(access_header, "").startswith("ysk_") and refusal(app, request) is not None:
            swap_credential(app, request)

    on_request(app, "* /v1/**", edit)


def _one_based_page_index(request: Request) -> None:
    request.query["pageIndex"] = str(max(int(request.query.get("pageIndex") or 0) - 1, 0))


def _amount_as_text(payload: Any) -> None:
    for deal in items_at(payload, "data.data"):
        if isinstance(deal.get("deal_amount"), int | float):
            deal["deal_amount"] = f"{deal['deal_amount']:.2f}"


def _created_201_without_id(request: Request, response: Response) -> None:
    payload = response.json()
    if response.status == 200 and isinstance(payload, dict) and isinstance(payload.get("data"), dict):
        payload["data"].pop("deal_id", None)
        response.status = 201
        response.set_json(payload)


def _html_content_type(request: Request, response: Response) -> None:
    response.headers["Content-Type"] = "text/html; charset=UTF-8"



ZOO: tuple[Mutant, ...] = (
    # Revenue Orbit -------------------------------------------------------------------------------
    Mutant("ro_list_without_total", "revorbit",
           "RO1 / 001 GET /deals: a paginated list carries total (strict on data, current_page, last_page, per_page, "
           "total); this one omits it", "envelope",
           lambda app: on_json(app, "GET /api/deals", drop("total"))),
    Mutant("ro_stages_without_success", "revorbit",
           "RO1 / 000 'All successful responses include success: true' (strict on /deals/stages): the flag is missing",
           "envelope", lambda app: on_json(app, "GET /api/deals/stages", drop("success"))),
    Mutant("ro_page_size_maximum_ignored", "revorbit",
           "RO11 / 000 'Maximum per_page is 100': never more than 100 items; this server serves per_page=101",
           "pagination", lambda app: None, records=120, document=without_page_maximum),
    Mutant("ro_default_page_size_20", "revorbit",
           "001 per_page 'Default: 25': a list without per_page holds 25 items; this one defaults to 20",
           "pagination", lambda app: on_request(app, "GET /api/deals", lambda r: r.query.setdefault("per_page", "20")),
           records=30),
    Mutant("ro_expired_token_accepted", "revorbit",
           "X8 / 000 authentication page: an expired JWT answers 401; this server ignores exp", "auth",
           _accept_expired),
    Mutant("ro_alg_none_accepted", "revorbit",
           "000 'JWT authentication': an unsigned JWT (alg none) is not a valid token; this server trusts it",
           "auth", _accept_alg_none),
    Mutant("ro_validation_without_field_errors", "revorbit",
           "RO2 / 000 422 body {success:false, message, errors}: this server's 422 lacks errors", "validation",
           lambda app: on_json(app, "* /api/**", drop("errors"), statuses=(422,))),
    Mutant("ro_deal_without_name_accepted", "revorbit",
           "001 POST /deals: name is Required (422/400 without it); this server names the deal itself",
           "validation", lambda app: on_request(app, "POST /api/deals", _field("name", _untitled, missing=True))),
    Mutant("ro_stage_move_ignored", "revorbit",
           "001 PUT /deals/{id}/stage 'Move a deal to a different pipeline stage': answered but not stored",
           "semantics", lambda app: unpersisted(app, "PUT /api/deals/{id}/stage")),
    Mutant("ro_risk_on_won_deals", "revorbit",
           "RO7 / 001 'risk scoring for open deals': won and lost deals carry no risk; this list scores them",
           "semantics", lambda app: on_json(app, "GET /api/deals", _risk_on_closed)),
    # Olympus -------------------------------------------------------------------------------------
    Mutant("oc_score_without_auth", "olympus",
           "X8 / 002 'All endpoints require a valid Bearer token': GET /contacts/{id}/score answers without one",
           "auth", _unprotected_score),
    Mutant("oc_staff_role_accepted", "olympus",
           "OC15 / 002 Required Roles: a staff-only token gets 403; this server lets staff in as sales", "auth",
           _staff_as_sales),
    Mutant("oc_401_instead_of_403", "olympus",
           "OC15 / X8: a valid token with a refused role is 403 (401 is for bad credentials); this server says 401",
           "auth", lambda app: on_response(app, "* /api/v1/crm/**", restatus(403, 401))),
    Mutant("oc_status_filter_ignored", "olympus",
           "002 GET /contacts status filter: only contacts of that status; this server ignores it", "pagination",
           lambda app: on_request(app, "GET /api/v1/crm/contacts", lambda r: r.query.pop("status", None))),
    Mutant("oc_past_end_repeats_last_page", "olympus",
           "RO12 applied to every page-based API: a page past the end is empty; this one repeats the last page",
           "pagination", lambda app: intercept(app, "GET /api/v1/crm/contacts", _repeat_last_page)),
    Mutant("oc_missing_contact_410", "olympus",
           "002 error table / OC4: a missing contact is 404; this server answers the undocumented 410", "status",
           lambda app: on_response(app, "GET /api/v1/crm/contacts/{contact_id}", restatus(404, 410))),
    Mutant("oc_contact_update_not_persisted", "olympus",
           "OC2/OC12 PUT /contacts/{id}: an accepted update is what a later read shows; this one is not stored",
           "lifecycle", lambda app: unpersisted(app, "PUT /api/v1/crm/contacts/{contact_id}")),
    Mutant("oc_merged_contacts_readable", "olympus",
           "OC13 / 002 'The merged contacts are deleted and cannot be recovered': here they stay readable",
           "semantics", lambda app: unpersisted(app, "POST /api/v1/crm/contacts/merge")),
    Mutant("oc_analytics_one_deal_short", "olympus",
           "OC16 / 002 analytics example: by_stage counts add up to deal_count; here one deal is missing",
           "semantics", lambda app: on_json(app, "GET /api/v1/crm/pipeline/analytics", _one_deal_short)),
    Mutant("oc_invalid_stage_422", "olympus",
           "OC10 / 002 Error Responses: an unknown stage is 400 invalid_stage; this server answers 422",
           "semantics", lambda app: on_response(app, "PATCH /api/v1/crm/deals/{deal_id}/stage", restatus(400, 422))),
    Mutant("oc_completed_task_not_completed", "olympus",
           "OC14 / 002 POST /tasks/{id}/complete: the task is then listed with status=completed; here it is not",
           "semantics", lambda app: unpersisted(app, "POST /api/v1/crm/tasks/{task_id}/complete")),
    Mutant("oc_score_not_adding_up", "olympus",
           "OC9 / 002 Get Lead Score: total_score is the sum of the breakdown; here it is 5 more", "semantics",
           lambda app: on_json(app, "GET /api/v1/crm/contacts/{contact_id}/score", _score_plus_five)),
    # Concord -------------------------------------------------------------------------------------
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
           lambda app: on_request(app, "POST /api/deals", _field("name", _as_text))),
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
    # YSUITE --------------------------------------------------------------------------------------
    Mutant("ys_json_as_text_html", "ysuite",
           "X7: JSON bodies are application/json; this server labels deal responses text/html", "status",
           lambda app: on_response(app, "* /v1/deals**", _html_content_type)),
    Mutant("ys_deal_amount_as_text", "ysuite",
           "004 deals list: deal_amount is a number (X1: types strict); this server sends '15000.00'", "schema",
           lambda app: on_json(app, "GET /v1/deals", _amount_as_text)),
    Mutant("ys_read_without_success", "ysuite",
           "YS8 / 004: GET /v1/deals/{id} answers {success: true, data}; this server's read omits success",
           "envelope", lambda app: on_json(app, "GET /v1/deals/{id}", drop("success"))),
    Mutant("ys_create_201_without_deal_id", "ysuite",
           "YS7 / 004 create answers data {deal_id, deal_name}; this server answers 201 (YS3 allows it) without "
           "deal_id", "envelope", lambda app: on_response(app, "POST /v1/deals", _created_201_without_id)),
    Mutant("ys_wrong_secret_accepted", "ysuite",
           "YS1 / X8 / 004 'Invalid API credentials.': a key pair whose secret is wrong answers 401; this server "
           "checks only the access key", "auth", _accept_any_secret),
    Mutant("ys_malformed_json_500", "ysuite",
           "004 errors page 400: malformed JSON is a client error; this server answers 500", "validation",
           lambda app: answer(app, "POST|PUT /v1/**", 500, {"success": False, "message": "Server Error"},
                              when=lambda r: bool(r.body) and not _parses(r.body))),
    Mutant("ys_long_deal_name_accepted", "ysuite",
           "YS14 / 004 deal_name 'max 255 chars': 256 characters is 422; this server truncates silently",
           "validation", lambda app: on_request(app, "POST /v1/deals", _field(
               "deal_name", lambda name: name[:255] if isinstance(name, str) else name))),
    Mutant("ys_page_index_one_based", "ysuite",
           "YS4 / 004 pagination page: pageIndex is zero-based; this server treats it as one-based",
           "pagination", lambda app: on_request(app, "GET /v1/deals", _one_based_page_index)),
    Mutant("ys_search_ignored", "ysuite",
           "004 GET /deals search 'Search by deal name or description': this server ignores search",
           "pagination", lambda app: on_request(app, "GET /v1/deals", lambda r: r.query.pop("search", None))),
    Mutant("ys_update_not_persisted", "ysuite",
           "004 PUT /v1/deals/{id}: an accepted update is what a later read shows; this one is not stored",
           "lifecycle", lambda app: unpersisted(app, "PUT /v1/deals/{id}")),
    Mutant("ys_not_found_without_success_false", "ysuite",
           "YS2 / 004 errors page: a missing deal answers success:false with a message; here success is absent",
           "semantics", lambda app: on_json(app, "GET /v1/deals/{id}", drop("success"), statuses=(400, 404))),
)

BY_NAME = {m.name: m for m in ZOO}
