"""The Olympus Cloud CRM mutants: each breaks one rule of the Olympus Cloud CRM pages (see tests/mutants/kit.py)."""

from __future__ import annotations

import copy
import math
import uuid
from typing import Any

from flask import Flask

from crmspec import dotted
from tests.mutants.kit import Mutant, body_field
from tests.mutants.middleware import (
    Request,
    Response,
    Send,
    answer,
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

CRM = "/api/v1/crm"


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


def _roles(request: Request) -> Any:
    return (claims_unverified(bearer(request) or "") or {}).get("roles")


def _admin_refused_on_analytics(app: Flask) -> None:
    """A tenant_admin token (a CRM role) is answered as a staff one on the analytics: 403."""
    def edit(request: Request) -> None:
        if refusal(app, request) is None and _roles(request) == ["tenant_admin"]:
            swap_credential(app, request, "staff")

    on_request(app, f"GET {CRM}/pipeline/analytics", edit)


def _duplicate_email_renamed(request: Request, send: Send) -> Response:
    """A contact whose email is taken is created anyway, under a fresh email."""
    response = send(request)
    payload, sent = response.json(), request.json()
    if response.status == 400 and isinstance(payload, dict) and payload.get("code") == "duplicate_contact" \
            and isinstance(sent, dict):
        retry = request.copy()
        retry.set_json({**sent, "email": f"renamed-{uuid.uuid4().hex[:8]}-{sent.get('email')}"})
        return send(retry)
    return response


def _search_names_only(document: dict[str, Any]) -> dict[str, Any]:
    """The mock's GET /contacts searches the name alone (the suite keeps the page's name/email)."""
    changed = copy.deepcopy(document)
    changed["paths"]["/contacts"]["get"]["x-crm-operation"]["search"]["fields"] = ["name"]
    return changed


def _tag_removal_dropped(request: Request) -> None:
    body = request.json()
    tags = dotted.get(body, "updates.tags")
    if isinstance(tags, dict) and "remove" in tags:
        del tags["remove"]
        request.set_json(body)


def _import_source_dropped(request: Request) -> None:
    request.body = request.body.replace(b', "source": "csv_import"', b"")


def _refused_value(field: str, value: str) -> Any:
    """400 VALIDATION_ERROR for a create whose body sends `field` = `value`, a documented value."""
    def when(request: Request) -> bool:
        sent = request.json()
        return isinstance(sent, dict) and sent.get(field) == value

    return when


def _owner_dropped(request: Request) -> None:
    sent = request.json()
    if isinstance(sent, dict) and "owner_id" in sent:
        request.set_json({k: v for k, v in sent.items() if k != "owner_id"})


REFUSED = {"message": "The given data was invalid.", "error": "VALIDATION_ERROR", "code": "VALIDATION_ERROR"}


def _pagination_total_as_text(payload: Any) -> None:
    block = payload.get("pagination") if isinstance(payload, dict) else None
    if isinstance(block, dict) and isinstance(block.get("total"), int):
        block["total"] = str(block["total"])


def _closed_lost_as_won(request: Request) -> None:
    body = request.json()
    if isinstance(body, dict) and body.get("stage") == "closed_lost":
        request.set_json({**body, "stage": "closed_won"})


MUTANTS: tuple[Mutant, ...] = (
    Mutant("oc_score_without_auth", "olympus",
           "X8 / 002 'All endpoints require a valid Bearer token': GET /contacts/{id}/score answers without one",
           "auth", _unprotected_score, requirement="OC-API-AUTH-01"),
    Mutant("oc_staff_role_accepted", "olympus",
           "OC15 / 002 Required Roles: a staff-only token gets 403; this server lets staff in as sales", "auth",
           _staff_as_sales, requirement="OC-API-ROLES-02"),
    Mutant("oc_401_instead_of_403", "olympus",
           "OC15 / X8: a valid token with a refused role is 403 (401 is for bad credentials); this server says 401",
           "auth", lambda app: on_response(app, "* /api/v1/crm/**", restatus(403, 401)), requirement="OC-API-ROLES-02"),
    Mutant("oc_status_filter_ignored", "olympus",
           "002 GET /contacts status filter: only contacts of that status; this server ignores it", "pagination",
           lambda app: on_request(app, "GET /api/v1/crm/contacts", lambda r: r.query.pop("status", None)),
           requirement="OC-CONTACTS-LIST-02"),
    Mutant("oc_past_end_repeats_last_page", "olympus",
           "RO12 applied to every page-based API: a page past the end is empty; this one repeats the last page",
           "pagination", lambda app: intercept(app, "GET /api/v1/crm/contacts", _repeat_last_page),
           requirement="OC-CONTACTS-LIST-09"),
    Mutant("oc_missing_contact_410", "olympus",
           "002 error table / OC4: a missing contact is 404; this server answers the undocumented 410", "status",
           lambda app: on_response(app, "GET /api/v1/crm/contacts/{contact_id}", restatus(404, 410)),
           requirement="OC-CONTACTS-DELETE-01"),
    Mutant("oc_contact_update_not_persisted", "olympus",
           "OC2/OC12 PUT /contacts/{id}: an accepted update is what a later read shows; this one is not stored",
           "lifecycle", lambda app: unpersisted(app, "PUT /api/v1/crm/contacts/{contact_id}"),
           requirement="OC-CONTACTS-UPDATE-01"),
    Mutant("oc_merged_contacts_readable", "olympus",
           "OC13 / 002 'The merged contacts are deleted and cannot be recovered': here they stay readable",
           "semantics", lambda app: unpersisted(app, "POST /api/v1/crm/contacts/merge"),
           requirement="OC-CONTACTS-MERGE-03"),
    Mutant("oc_analytics_one_deal_short", "olympus",
           "OC16 / 002 analytics example: by_stage counts add up to deal_count; here one deal is missing",
           "semantics", lambda app: on_json(app, "GET /api/v1/crm/pipeline/analytics", _one_deal_short),
           requirement="OC-DEALS-PIPELINE-ANALYTICS-13"),
    Mutant("oc_invalid_stage_422", "olympus",
           "OC10 / 002 Error Responses: an unknown stage is 400 invalid_stage; this server answers 422",
           "semantics", lambda app: on_response(app, "PATCH /api/v1/crm/deals/{deal_id}/stage", restatus(400, 422)),
           requirement="OC-DEALS-MOVE-STAGE-09"),
    Mutant("oc_completed_task_not_completed", "olympus",
           "OC14 / 002 POST /tasks/{id}/complete: the task is then listed with status=completed; here it is not",
           "semantics", lambda app: unpersisted(app, "POST /api/v1/crm/tasks/{task_id}/complete"),
           requirement="OC-TASKS-COMPLETE-02"),
    Mutant("oc_score_not_adding_up", "olympus",
           "OC9 / 002 Get Lead Score: total_score is the sum of the breakdown; here it is 5 more", "semantics",
           lambda app: on_json(app, "GET /api/v1/crm/contacts/{contact_id}/score", _score_plus_five),
           requirement="OC-CONTACTS-SCORE-08"),
    Mutant("oc_deal_value_off_by_one", "olympus",
           "002 Create Deal: value is stored as sent (X5: within 0.005); this server lists it 1 higher", "semantics",
           lambda app: on_request(app, f"POST {CRM}/deals", body_field("value", lambda v: v + 1)),
           requirement="OC-DEALS-CREATE-04"),
    Mutant("oc_closed_lost_stored_as_won", "olympus",
           "002 Deal Stages / Update Deal Stage: closed_lost is a stage of its own; this server stores closed_won",
           "semantics", lambda app: on_request(app, f"PATCH {CRM}/deals/{{deal_id}}/stage", _closed_lost_as_won),
           requirement="OC-DEALS-MOVE-STAGE-07"),
    Mutant("oc_search_ignores_email", "olympus",
           "002 GET /contacts search 'Search name/email': this server searches names only", "pagination",
           lambda app: None, document=_search_names_only, requirement="OC-CONTACTS-LIST-07"),
    Mutant("oc_duplicate_contact_created", "olympus",
           "002 Error Responses: 400 duplicate_contact (OC6: or 409); this server creates the duplicate anyway",
           "semantics", lambda app: intercept(app, f"POST {CRM}/contacts", _duplicate_email_renamed),
           requirement="OC-CONTACTS-CREATE-16"),
    Mutant("oc_contact_owner_ignored", "olympus",
           "002 Create Contact: owner_id sets the contact's owner; this server drops it", "semantics",
           lambda app: on_request(app, f"POST {CRM}/contacts", _owner_dropped),
           requirement="OC-CONTACTS-CREATE-12"),
    Mutant("oc_bulk_tag_removal_ignored", "olympus",
           "002 Bulk Update: updates.tags.remove removes the tags (add/remove patch semantics); here it is ignored",
           "semantics", lambda app: on_request(app, f"POST {CRM}/contacts/bulk-update", _tag_removal_dropped),
           requirement="OC-CONTACTS-BULK-UPDATE-04"),
    Mutant("oc_import_source_ignored", "olympus",
           "002 Bulk Import: options.source becomes every imported contact's source; this server drops it",
           "semantics", lambda app: on_request(app, f"POST {CRM}/contacts/import", _import_source_dropped),
           requirement="OC-CONTACTS-IMPORT-05"),
    Mutant("oc_enrich_unknown_400", "olympus",
           "002 Error Responses / OC4: an unknown contact is 404 contact_not_found; enrich answers it with 400",
           "status", lambda app: on_response(app, f"POST {CRM}/contacts/{{contact_id}}/enrich", restatus(404, 400)),
           requirement="OC-CONTACTS-ENRICH-11"),
    Mutant("oc_bulk_enrich_refused", "olympus",
           "002 Bulk Enrich {contact_ids, fields}: the page's body is accepted; this server refuses it with 400",
           "semantics", lambda app: on_response(app, f"POST {CRM}/contacts/enrich/bulk", restatus(200, 400)),
           requirement="OC-CONTACTS-BULK-ENRICH-01"),
    Mutant("oc_demo_activity_refused", "olympus",
           "002 Activity Types: demo (Product demo) is a type; this server refuses it", "semantics",
           lambda app: answer(app, f"POST {CRM}/activities", 400, REFUSED, _refused_value("type", "demo")),
           requirement="OC-ACTIVITIES-CREATE-05"),
    Mutant("oc_low_priority_task_refused", "olympus",
           "002 List Tasks priority low, medium, high: a low-priority task is refused by this server", "semantics",
           lambda app: answer(app, f"POST {CRM}/tasks", 400, REFUSED, _refused_value("priority", "low")),
           requirement="OC-TASKS-CREATE-03"),
    Mutant("oc_pagination_total_as_text", "olympus",
           "002 List Contacts pagination {page, limit, total} (OC3: if present, integers); total is a string here",
           "pagination", lambda app: on_json(app, f"GET {CRM}/contacts", _pagination_total_as_text),
           requirement="OC-CONTACTS-LIST-15"),
    Mutant("oc_crm_role_refused_on_analytics", "olympus",
           "002 Required Roles: tenant_admin is a CRM role; this server answers it 403 on the pipeline analytics",
           "auth", _admin_refused_on_analytics, requirement="OC-API-ROLES-01"),
)
