"""The Olympus Cloud CRM mutants: each breaks one rule of the Olympus Cloud CRM pages (see tests/mutants/kit.py)."""

from __future__ import annotations

import math
from typing import Any

from flask import Flask

from tests.mutants.kit import Mutant
from tests.mutants.middleware import (
    Request,
    Response,
    Send,
    bearer,
    claims_unverified,
    intercept,
    on_json,
    on_request,
    on_response,
    refusal,
    restatus,
    swap_credential,
    unpersisted,
)


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


MUTANTS: tuple[Mutant, ...] = (
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
)
