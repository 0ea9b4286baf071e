"""Mutants for the generic checks issue 15 added: each breaks one rule those checks verify, on whichever
API shows it best (see tests/mutants/kit.py)."""

from __future__ import annotations

import json
from typing import Any

from tests.mutants.kit import Mutant
from tests.mutants.middleware import Request, Response, Send, answer, intercept, on_json, on_request, on_response


def _renamed_not_found_code(payload: Any) -> None:
    if isinstance(payload, dict) and payload.get("code") == "contact_not_found":
        payload["code"] = "missing"


def _generic_auth_code(payload: Any) -> None:
    if isinstance(payload, dict) and payload.get("code") in ("UNAUTHORIZED", "INVALID_TOKEN", "TOKEN_EXPIRED"):
        payload["code"] = "AUTH_FAILED"


def _unknown_status_ignored(request: Request) -> None:
    if request.query.get("status") not in (None, "active", "inactive", "lead", "customer"):
        request.query.pop("status")


def _found_after_all(request: Request, response: Response) -> None:
    if response.status == 404:
        response.status = 200
        response.set_json({})


def _deleted_deals_still_listed() -> Any:
    """A list that keeps answering with deals deleted since (a stale cache or index): a deleted deal still
    comes back from a search for its name."""
    gone: dict[str, dict[str, Any]] = {}

    def handler(request: Request, send: Send) -> Response:
        if request.method == "DELETE":
            before = send(request.copy(method="GET", body=b""))
            answered = send(request)
            record = (before.json() or {}).get("data") if before.status == 200 else None
            if 200 <= answered.status < 300 and isinstance(record, dict):
                gone[str(record.get("id"))] = record
            return answered
        response = send(request)
        payload = response.json()
        term = (request.query.get("search") or "").lower()
        if response.status == 200 and isinstance(payload, dict) and term and isinstance(payload.get("data"), list):
            payload["data"] += [r for r in gone.values() if term in json.dumps(r).lower()]
            response.set_json(payload)
        return response

    return handler


def _unfiltered_total(request: Request, send: Send) -> Response:
    """A list whose total and last page ignore the filters (counted before filtering): the items are the
    filtered ones, the page fields speak of the whole collection."""
    response = send(request)
    filters = {name for name in request.query if name not in ("page", "per_page", "sort_by", "sort_dir")}
    payload = response.json()
    if response.status != 200 or not filters or not isinstance(payload, dict):
        return response
    everything = send(request.copy(query={k: v for k, v in request.query.items() if k not in filters})).json()
    if isinstance(everything, dict):
        payload.update(total=everything.get("total"), last_page=everything.get("last_page"))
        response.set_json(payload)
    return response


MUTANTS: tuple[Mutant, ...] = (
    Mutant("oc_not_found_code_renamed", "olympus",
           "OC4 / 002 Error Responses: a missing contact is 404 contact_not_found (or NOT_FOUND); this server says "
           "'missing'", "status",
           lambda app: on_json(app, "GET /api/v1/crm/contacts/{contact_id}", _renamed_not_found_code,
                               statuses=(404,)), requirement="OC-CONTACTS-READ-24"),
    Mutant("cc_missing_deal_200", "concord",
           "CC1 / 003: a deal that does not exist is 404; this server answers 200 with an empty object", "status",
           lambda app: on_response(app, "GET /api/deals/{id}", _found_after_all), requirement="CC-API-ERRORS-01"),
    Mutant("ro_deleted_deal_still_listed", "revorbit",
           "001 DELETE /deals/{id}: a deleted deal is gone; this server's list still finds it", "lifecycle",
           lambda app: intercept(app, "GET|DELETE /api/deals**", _deleted_deals_still_listed()),
           requirement="RO-DEALS-DELETE-02"),
    Mutant("oc_min_value_ignored", "olympus",
           "002 GET /deals min_value 'Minimum deal value': only deals worth at least that; this server ignores it",
           "pagination",
           lambda app: on_request(app, "GET /api/v1/crm/deals", lambda r: r.query.pop("min_value", None)),
           requirement="OC-DEALS-LIST-04"),
    Mutant("cc_search_match_refused", "concord",
           "003 search_match: 'use the AND comparison operator': ?search_match=and is documented; this server "
           "refuses it", "pagination",
           lambda app: answer(app, "GET /api/deals", 422, {"message": "Unknown parameter search_match.",
                                                           "errors": {"search_match": ["Unknown parameter."]}},
                              when=lambda r: "search_match" in r.query), requirement="CC-DEALS-LIST-16"),
    Mutant("ro_filtered_list_counts_everything", "revorbit",
           "000 pagination {data, current_page, last_page, per_page, total}: total counts the records the list "
           "holds; with a filter this server counts the whole collection", "pagination",
           lambda app: intercept(app, "GET /api/deals", _unfiltered_total), requirement="RO-API-PAGINATION-05"),
    Mutant("oc_auth_code_invented", "olympus",
           "1B errors: a 401 carries UNAUTHORIZED, INVALID_TOKEN or TOKEN_EXPIRED; this server says AUTH_FAILED",
           "auth", lambda app: on_json(app, "* /api/v1/crm/**", _generic_auth_code, statuses=(401,)),
           requirement="OC-API-ERRORS-12"),
    Mutant("oc_unknown_contact_status_ignored", "olympus",
           "002 GET /contacts 'status | string | active, inactive, lead, customer': another value is a client "
           "error (OC5); this server ignores it and answers every contact", "validation",
           lambda app: on_request(app, "GET /api/v1/crm/contacts", _unknown_status_ignored),
           requirement="OC-CONTACTS-LIST-03"),
)
