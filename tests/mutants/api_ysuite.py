"""The YSUITE mutants: each breaks one rule of the YSUITE pages (see tests/mutants/kit.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from mock_server.app import mock_of
from tests.mutants.kit import Mutant, body_field, parses
from tests.mutants.middleware import (
    Request,
    Response,
    Send,
    answer,
    bearer,
    drop,
    intercept,
    items_at,
    on_json,
    on_request,
    on_response,
    refusal,
    swap_credential,
    unpersisted,
)

DOCUMENTED_LIST_PARAMETERS = {"pageSize", "pageIndex", "search", "pipeline_id", "deal_current_stage", "cstid",
                              "deal_owner_id", "sortBy", "sortOrder"}   # 004 List deals, Query parameters


def _accept_any_secret(app: Flask) -> None:
    """A key pair whose access key looks right is let in whatever its secret (YSUITE: key pairs only)."""
    access_header = str(mock_of(app).credentials.auth.access_header)

    def edit(request: Request) -> None:
        if request.headers.get(access_header, "").startswith("ysk_") and refusal(app, request) is not None:
            swap_credential(app, request)

    on_request(app, "* /v1/**", edit)


def _half_a_key_pair_accepted(present: str) -> Callable[[Flask], None]:
    """A request that carries only the `present` header of the key pair (access or secret) is let in: this
    server never asks for the other one."""
    def apply(app: Flask) -> None:
        auth = mock_of(app).credentials.auth
        headers = {"access": str(auth.access_header), "secret": str(auth.secret_header)}
        sent, missing = headers[present], headers["secret" if present == "access" else "access"]

        def edit(request: Request) -> None:
            if request.headers.get(sent) and not request.headers.get(missing):
                swap_credential(app, request)

        on_request(app, "* /v1/**", edit)

    return apply


def _bearer_read_as_key_pair(app: Flask) -> None:
    """`Authorization: Bearer ACCESS:SECRET` is read as the key pair when the two headers are absent."""
    auth = mock_of(app).credentials.auth

    def edit(request: Request) -> None:
        token = bearer(request)
        if token and ":" in token and not request.headers.get(str(auth.access_header)):
            access, _, secret = token.partition(":")
            request.headers[str(auth.access_header)] = access
            request.headers[str(auth.secret_header)] = secret

    on_request(app, "* /v1/**", edit)


def _refuse_valid_key_pair(app: Flask, spec: str) -> None:
    """The operation answers 401 even to the valid key pair."""
    answer(app, spec, 401, {"success": False, "message": "Invalid API credentials."},
           when=lambda r: refusal(app, r) is None)


def _default_page_index(value: str) -> Callable[[Request], None]:
    def edit(request: Request) -> None:
        request.query.setdefault("pageIndex", value)

    return edit


def _negative_page_past_the_end(request: Request, send: Send) -> Response:
    """A negative pageIndex answers an empty page far past the end instead of a 4xx or the first page."""
    index = request.query.get("pageIndex", "")
    if index.startswith("-") and index[1:].isdigit():
        request.query["pageIndex"] = "100000"
    return send(request)


def _refuse_query(when: Callable[[dict[str, str]], bool], field: str) -> Callable[[Flask], None]:
    """GET /v1/deals answers 422 naming `field` for the queries `when` picks."""
    return lambda app: answer(app, "GET /v1/deals", 422, _invalid(field),
                              when=lambda r: refusal(app, r) is None and when(r.query))


def _refuse_body_field(field: str) -> Callable[[Flask], None]:
    """POST /v1/deals answers 422 naming `field` whenever the body carries it."""
    def carries(request: Request) -> bool:
        payload = request.json()
        return isinstance(payload, dict) and field in payload

    return lambda app: answer(app, "POST /v1/deals", 422, _invalid(field),
                              when=lambda r: refusal(app, r) is None and carries(r))


def _invalid(field: str) -> dict[str, Any]:
    return {"success": False, "message": "The given data was invalid.", "errors": {field: [f"The {field} is invalid."]}}


def _search_names_only(request: Request, response: Response) -> None:
    """search matches deal_name only, not deal_description."""
    term = request.query.get("search", "").casefold()
    payload = response.json()
    holder = payload.get("data") if isinstance(payload, dict) else None
    if term and response.status == 200 and isinstance(holder, dict) and isinstance(holder.get("data"), list):
        holder["data"] = [d for d in holder["data"] if term in str(d.get("deal_name", "")).casefold()]
        response.set_json(payload)


def _without(field: str) -> Callable[[Request], None]:
    """The body loses `field` before the mock sees it: the write succeeds all the same, without it."""
    def edit(request: Request) -> None:
        payload = request.json()
        if isinstance(payload, dict) and field in payload:
            del payload[field]
            request.set_json(payload)

    return edit


def _another_deal_id(payload: Any) -> None:
    if isinstance(payload, dict) and isinstance(payload.get("data"), dict) \
            and isinstance(payload["data"].get("deal_id"), int):
        payload["data"]["deal_id"] += 1000


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


MUTANTS: tuple[Mutant, ...] = (
    Mutant("ys_json_as_text_html", "ysuite",
           "X7: JSON bodies are application/json; this server labels deal responses text/html", "status",
           lambda app: on_response(app, "* /v1/deals**", _html_content_type), requirement="YS-API-FORMATS-02"),
    Mutant("ys_deal_amount_as_text", "ysuite",
           "004 deals list: deal_amount is a number (X1: types strict); this server sends '15000.00'", "schema",
           lambda app: on_json(app, "GET /v1/deals", _amount_as_text), requirement="YS-DEALS-LIST-28"),
    Mutant("ys_read_without_success", "ysuite",
           "YS8 / 004: GET /v1/deals/{id} answers {success: true, data}; this server's read omits success",
           "envelope", lambda app: on_json(app, "GET /v1/deals/{id}", drop("success")),
           requirement="YS-DEALS-READ-01"),
    Mutant("ys_create_201_without_deal_id", "ysuite",
           "YS7 / 004 create answers data {deal_id, deal_name}; this server answers 201 (YS3 allows it) without "
           "deal_id", "envelope", lambda app: on_response(app, "POST /v1/deals", _created_201_without_id),
           requirement="YS-DEALS-CREATE-20"),
    Mutant("ys_wrong_secret_accepted", "ysuite",
           "YS1 / X8 / 004 'Invalid API credentials.': a key pair whose secret is wrong answers 401; this server "
           "checks only the access key", "auth", _accept_any_secret, requirement="YS-API-AUTH-04"),
    Mutant("ys_malformed_json_500", "ysuite",
           "004 errors page 400: malformed JSON is a client error; this server answers 500", "validation",
           lambda app: answer(app, "POST|PUT /v1/**", 500, {"success": False, "message": "Server Error"},
                              when=lambda r: bool(r.body) and not parses(r.body)),
           requirement="YS-API-FORMATS-08"),
    Mutant("ys_long_deal_name_accepted", "ysuite",
           "YS14 / 004 deal_name 'max 255 chars': 256 characters is 422; this server truncates silently",
           "validation", lambda app: on_request(app, "POST /v1/deals", body_field(
               "deal_name", lambda name: name[:255] if isinstance(name, str) else name)),
           requirement="YS-DEALS-CREATE-03"),
    Mutant("ys_page_index_one_based", "ysuite",
           "YS4 / 004 pagination page: pageIndex is zero-based; this server treats it as one-based",
           "pagination", lambda app: on_request(app, "GET /v1/deals", _one_based_page_index),
           requirement="YS-DEALS-LIST-07"),
    Mutant("ys_search_ignored", "ysuite",
           "004 GET /deals search 'Search by deal name or description': this server ignores search",
           "pagination", lambda app: on_request(app, "GET /v1/deals", lambda r: r.query.pop("search", None)),
           requirement="YS-DEALS-LIST-11"),
    Mutant("ys_update_not_persisted", "ysuite",
           "004 PUT /v1/deals/{id}: an accepted update is what a later read shows; this one is not stored",
           "lifecycle", lambda app: unpersisted(app, "PUT /v1/deals/{id}"), requirement="YS-DEALS-UPDATE-05"),
    Mutant("ys_not_found_without_success_false", "ysuite",
           "YS2 / 004 errors page: a missing deal answers success:false with a message; here success is absent",
           "semantics", lambda app: on_json(app, "GET /v1/deals/{id}", drop("success"), statuses=(400, 404)),
           requirement="YS-API-ERRORS-01"),
    # the invariants of conformance/invariants/ysuite.py, one requirement each -------------------------
    Mutant("ys_key_pair_refused_on_update", "ysuite",
           "1D / YS1 'Two headers on every call': the valid key pair is accepted; this server's PUT /v1/deals/{id} "
           "answers 401 to it", "auth", lambda app: _refuse_valid_key_pair(app, "PUT /v1/deals/{id}"),
           requirement="YS-API-AUTH-01"),
    Mutant("ys_access_key_optional", "ysuite",
           "YS1: a request without x-ysuite-access-key answers 401; this server lets in a valid secret key alone",
           "auth", _half_a_key_pair_accepted("secret"), requirement="YS-API-AUTH-02"),
    Mutant("ys_secret_key_optional", "ysuite",
           "YS1: a request without x-ysuite-secret-key answers 401; this server lets in a valid access key alone",
           "auth", _half_a_key_pair_accepted("access"), requirement="YS-API-AUTH-03"),
    Mutant("ys_bearer_accepted", "ysuite",
           "1D 'Not bearer. Two headers on every call': this server also reads the pair from Authorization: Bearer",
           "auth", _bearer_read_as_key_pair, requirement="YS-API-AUTH-05"),
    Mutant("ys_page_index_defaults_to_second_page", "ysuite",
           "004 pageIndex '(default 0)': without pageIndex this server answers the second page", "pagination",
           lambda app: on_request(app, "GET /v1/deals", _default_page_index("1")), requirement="YS-DEALS-LIST-08"),
    Mutant("ys_negative_page_index_empty", "ysuite",
           "YS4: a negative pageIndex is clamped to the first page or refused; this server answers an empty page "
           "past the end", "pagination", lambda app: intercept(app, "GET /v1/deals", _negative_page_past_the_end),
           requirement="YS-DEALS-LIST-10"),
    Mutant("ys_maximum_page_size_refused", "ysuite",
           "004 pageSize '(default 10, max 100)': 100 is a valid size; this server refuses pageSize=100 with 422 "
           "(it takes the maximum as exclusive)", "pagination",
           _refuse_query(lambda q: q.get("pageSize") == "100", "pageSize"), requirement="YS-DEALS-LIST-02"),
    Mutant("ys_sort_by_deal_name_refused", "ysuite",
           "YS13 'Use sortBy=deal_name&sortOrder=asc; assert 2xx (strict)': this server refuses it with 422",
           "pagination", _refuse_query(lambda q: q.get("sortBy") == "deal_name" and q.get("sortOrder") != "desc",
                                       "sortBy"), requirement="YS-DEALS-LIST-17"),
    Mutant("ys_sort_desc_refused", "ysuite",
           "004 sortOrder 'asc | desc' (YS13: 2xx strict): this server refuses sortOrder=desc with 422",
           "pagination", _refuse_query(lambda q: q.get("sortOrder") == "desc", "sortOrder"),
           requirement="YS-DEALS-LIST-19"),
    Mutant("ys_invalid_sort_order_ignored", "ysuite",
           "004 sortOrder 'asc | desc': another value is refused naming sortOrder; this server ignores it",
           "pagination", lambda app: on_request(app, "GET /v1/deals", lambda r: r.query.pop("sortOrder", None)
                                                if r.query.get("sortOrder") not in ("asc", "desc") else None),
           requirement="YS-DEALS-LIST-21"),
    Mutant("ys_unknown_parameter_refused", "ysuite",
           "X10: a query parameter no page names is ignored; this server refuses it with 422", "pagination",
           _refuse_query(lambda q: bool(set(q) - DOCUMENTED_LIST_PARAMETERS), "query"),
           requirement="YS-API-FORMATS-07"),
    Mutant("ys_search_names_only", "ysuite",
           "004 search 'Search by deal name or description': this server searches deal names only", "pagination",
           lambda app: on_response(app, "GET /v1/deals", _search_names_only), requirement="YS-DEALS-LIST-12"),
    Mutant("ys_currency_refused", "ysuite",
           "004 create body deal_amount_currency 'integer | no | org_currency_id': this server refuses any value",
           "lifecycle", _refuse_body_field("deal_amount_currency"), requirement="YS-DEALS-CREATE-10"),
    Mutant("ys_owner_dropped_on_create", "ysuite",
           "004 deal_owner_id 'Assigned owner user ID' and 'Filter by owner user ID': this server drops the owner "
           "a create sends, so the owner's filter misses the deal", "lifecycle",
           lambda app: on_request(app, "POST /v1/deals", _without("deal_owner_id")),
           requirement="YS-DEALS-CREATE-11"),
    Mutant("ys_contact_person_refused", "ysuite",
           "004 create body deal_contact_id 'Individual contact within the company': this server refuses any value",
           "lifecycle", _refuse_body_field("deal_contact_id"), requirement="YS-DEALS-CREATE-12"),
    Mutant("ys_assignee_refused", "ysuite",
           "004 create body deal_assignedto 'Assigned user ID': this server refuses any value", "lifecycle",
           _refuse_body_field("deal_assignedto"), requirement="YS-DEALS-CREATE-17"),
    Mutant("ys_tag_ids_refused", "ysuite",
           "004 create body tag_ids 'integer[] | no | Array of tag IDs': this server refuses any value", "lifecycle",
           _refuse_body_field("tag_ids"), requirement="YS-DEALS-CREATE-18"),
    Mutant("ys_update_requires_amount", "ysuite",
           "004 Update a deal 'All other fields are optional': this server refuses a PUT without deal_amount",
           "lifecycle", lambda app: answer(app, "PUT /v1/deals/{id}", 422, _invalid("deal_amount"),
                                           when=lambda r: refusal(app, r) is None and isinstance(r.json(), dict)
                                           and "deal_amount" not in r.json()),
           requirement="YS-DEALS-UPDATE-04"),
    Mutant("ys_update_drops_amount", "ysuite",
           "004 PUT /v1/deals/{id}: what an update sends is stored; this server answers success but keeps the old "
           "deal_amount", "lifecycle", lambda app: on_request(app, "PUT /v1/deals/{id}", _without("deal_amount")),
           requirement="YS-DEALS-UPDATE-05"),
    Mutant("ys_create_without_message", "ysuite",
           "004 create response 'message': \"Deal created successfully!\"': this server's create answer has no message",
           "semantics", lambda app: on_json(app, "POST /v1/deals", drop("message")), requirement="YS-DEALS-CREATE-22"),
    Mutant("ys_read_reports_another_id", "ysuite",
           "YS7 / YS8: the deal_id a create returns reads back that deal (data.deal_id == id); this server's read "
           "reports another id", "semantics", lambda app: on_json(app, "GET /v1/deals/{id}", _another_deal_id),
           requirement="YS-DEALS-CREATE-23"),
    Mutant("ys_delete_not_persisted", "ysuite",
           "004 DELETE /v1/deals/{id}: a deleted deal no longer reads (400, YS2); this server answers success and "
           "keeps it", "semantics", lambda app: unpersisted(app, "DELETE /v1/deals/{id}"),
           requirement="YS-DEALS-DELETE-02"),
    Mutant("ys_non_integer_id_500", "ysuite",
           "004 'id | The deal_id' (an integer, X4): /v1/deals/abc is a client error; this server answers 500",
           "status", lambda app: answer(app, "* /v1/deals/{id}", 500, {"success": False, "message": "Server Error"},
                                            when=lambda r: not r.params.get("id", "").isdigit()),
           requirement="YS-API-ERRORS-03"),
)
