"""The Revenue Orbit mutants: each breaks one rule of the Revenue Orbit pages (see tests/mutants/kit.py)."""

from __future__ import annotations

from typing import Any

from tests.mutants.documents import without_page_maximum
from tests.mutants.kit import Mutant, accept_alg_none, accept_expired, body_field
from tests.mutants.middleware import (
    drop,
    items_at,
    on_json,
    on_request,
    unpersisted,
)


def _untitled(_: Any) -> str:
    return "Untitled deal"


def _risk_on_closed(payload: Any) -> None:
    for deal in items_at(payload, "data"):
        if deal.get("is_won") or deal.get("is_lost"):
            deal["risk"] = {"risk_level": "low", "risk_score": 10, "risk_factors": []}


MUTANTS: tuple[Mutant, ...] = (
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
           accept_expired),
    Mutant("ro_alg_none_accepted", "revorbit",
           "000 'JWT authentication': an unsigned JWT (alg none) is not a valid token; this server trusts it",
           "auth", accept_alg_none),
    Mutant("ro_validation_without_field_errors", "revorbit",
           "RO2 / 000 422 body {success:false, message, errors}: this server's 422 lacks errors", "validation",
           lambda app: on_json(app, "* /api/**", drop("errors"), statuses=(422,))),
    Mutant("ro_deal_without_name_accepted", "revorbit",
           "001 POST /deals: name is Required (422/400 without it); this server names the deal itself",
           "validation", lambda app: on_request(app, "POST /api/deals", body_field("name", _untitled, missing=True))),
    Mutant("ro_stage_move_ignored", "revorbit",
           "001 PUT /deals/{id}/stage 'Move a deal to a different pipeline stage': answered but not stored",
           "semantics", lambda app: unpersisted(app, "PUT /api/deals/{id}/stage")),
    Mutant("ro_risk_on_won_deals", "revorbit",
           "RO7 / 001 'risk scoring for open deals': won and lost deals carry no risk; this list scores them",
           "semantics", lambda app: on_json(app, "GET /api/deals", _risk_on_closed)),
)
