"""The YSUITE mutants: each breaks one rule of the YSUITE pages (see tests/mutants/kit.py)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from mock_server.app import mock_of
from tests.mutants.kit import Mutant, body_field, parses
from tests.mutants.middleware import (
    Request,
    Response,
    answer,
    drop,
    items_at,
    on_json,
    on_request,
    on_response,
    refusal,
    swap_credential,
    unpersisted,
)


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


MUTANTS: tuple[Mutant, ...] = (
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
                              when=lambda r: bool(r.body) and not parses(r.body))),
    Mutant("ys_long_deal_name_accepted", "ysuite",
           "YS14 / 004 deal_name 'max 255 chars': 256 characters is 422; this server truncates silently",
           "validation", lambda app: on_request(app, "POST /v1/deals", body_field(
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
