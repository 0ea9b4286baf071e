"""The Revenue Orbit mutants: each breaks one rule of the Revenue Orbit pages (see tests/mutants/kit.py)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.mutants.documents import without_page_maximum
from tests.mutants.kit import Mutant, accept_alg_none, accept_expired, body_field
from tests.mutants.middleware import (
    Request,
    answer,
    bearer,
    claims_unverified,
    drop,
    items_at,
    on_json,
    on_request,
    on_response,
    refusal,
    restatus,
    unpersisted,
)


def _untitled(_: Any) -> str:
    return "Untitled deal"


def _risk_on_closed(payload: Any) -> None:
    for deal in items_at(payload, "data"):
        if deal.get("is_won") or deal.get("is_lost"):
            deal["risk"] = {"risk_level": "low", "risk_score": 10, "risk_factors": []}


def _clamped(value: Any) -> Any:
    """A probability outside 0-100 is stored at the nearest bound instead of being refused."""
    return max(0, min(100, value)) if isinstance(value, int) and not isinstance(value, bool) else value


def _text_ignored(name: str) -> Any:
    """A request edit that removes one text field of the JSON body: the server never sees a valid value of it
    (an invalid one still reaches it, and is refused)."""
    def edit(request: Request) -> None:
        payload = request.json()
        if isinstance(payload, dict) and isinstance(payload.get(name), str):
            del payload[name]
            request.set_json(payload)

    return edit


def _null_partner(request: Request) -> bool:
    payload = request.json()
    return isinstance(payload, dict) and "partner_id" in payload and payload["partner_id"] is None


def _lost_deals_under_first_stage(payload: Any) -> None:
    """The board files the deals of the Lost column under the first column (their stage_id unchanged)."""
    columns = items_at(payload, "data")
    lost = next((c for c in columns if c.get("is_lost")), None)
    if columns and lost is not None and lost is not columns[0]:
        columns[0]["deals"] = [*columns[0].get("deals", []), *lost.get("deals", [])]
        lost["deals"] = []


def _created_at_read_as_close_date(request: Request) -> None:
    if request.query.get("date_field") == "created_at":
        request.query["date_field"] = "expected_close_date"


def _another_id(payload: Any) -> None:
    record = payload.get("data") if isinstance(payload, dict) else None
    if isinstance(record, dict) and isinstance(record.get("id"), int):
        record["id"] += 1000


def _blank_template(request: Request, response: Any) -> None:
    """The template file holds nothing but a line break (not empty, so it is still a file and no JSON)."""
    if response.status == 200:
        response.body = b"\n"


def _stats_forbidden(app: Flask) -> None:
    """GET /deals/stats refuses a valid admin credential with 403 (a missing or invalid one still gets 401, a user
    one still gets the statistics)."""
    def admin(request: Request) -> bool:
        return refusal(app, request) is None and (claims_unverified(bearer(request) or "") or {}).get("role") == "admin"

    answer(app, "GET /api/deals/stats", 403, {"success": False, "message": "This action is unauthorized."}, when=admin)


def _bare_token_as_bearer(request: Request) -> None:
    """A bare JWT in the Authorization header is read as if it came with the Bearer scheme."""
    sent = request.headers.get("Authorization", "")
    if sent.count(".") == 2 and " " not in sent:
        request.headers["Authorization"] = f"Bearer {sent}"


def _not_an_integer(request: Request) -> bool:
    """A word where a deal id belongs (not one of the documented literal paths beside /deals/{id})."""
    word = str(request.params.get("id", ""))
    return not word.isdigit() and word not in ("pipeline", "stages", "stats", "template", "export", "import")


MUTANTS: tuple[Mutant, ...] = (
    Mutant("ro_list_without_total", "revorbit",
           "RO1 / 001 GET /deals: a paginated list carries total (strict on data, current_page, last_page, per_page, "
           "total); this one omits it", "envelope",
           lambda app: on_json(app, "GET /api/deals", drop("total")), requirement="RO-API-PAGINATION-01"),
    Mutant("ro_stages_without_success", "revorbit",
           "RO1 / 000 'All successful responses include success: true' (strict on /deals/stages): the flag is missing",
           "envelope", lambda app: on_json(app, "GET /api/deals/stages", drop("success")),
           requirement="RO-API-ENVELOPE-01"),
    Mutant("ro_page_size_maximum_ignored", "revorbit",
           "RO11 / 000 'Maximum per_page is 100': never more than 100 items; this server serves per_page=101",
           "pagination", lambda app: None, records=120, document=without_page_maximum,
           requirement="RO-API-PAGINATION-07"),
    Mutant("ro_default_page_size_20", "revorbit",
           "001 per_page 'Default: 25': a list without per_page holds 25 items; this one defaults to 20",
           "pagination", lambda app: on_request(app, "GET /api/deals", lambda r: r.query.setdefault("per_page", "20")),
           records=30, requirement="RO-DEALS-LIST-05"),
    Mutant("ro_expired_token_accepted", "revorbit",
           "X8 / 000 authentication page: an expired JWT answers 401; this server ignores exp", "auth",
           accept_expired, requirement="RO-API-AUTH-06"),
    Mutant("ro_alg_none_accepted", "revorbit",
           "000 'JWT authentication': an unsigned JWT (alg none) is not a valid token; this server trusts it",
           "auth", accept_alg_none, requirement="RO-API-AUTH-05"),
    Mutant("ro_validation_without_field_errors", "revorbit",
           "RO2 / 000 422 body {success:false, message, errors}: this server's 422 lacks errors", "validation",
           lambda app: on_json(app, "* /api/**", drop("errors"), statuses=(422,)), requirement="RO-DEALS-CREATE-03"),
    Mutant("ro_deal_without_name_accepted", "revorbit",
           "001 POST /deals: name is Required (422/400 without it); this server names the deal itself",
           "validation", lambda app: on_request(app, "POST /api/deals", body_field("name", _untitled, missing=True)),
           requirement="RO-DEALS-CREATE-03"),
    Mutant("ro_stage_move_ignored", "revorbit",
           "001 PUT /deals/{id}/stage 'Move a deal to a different pipeline stage': answered but not stored",
           "semantics", lambda app: unpersisted(app, "PUT /api/deals/{id}/stage"),
           requirement="RO-DEALS-MOVE-STAGE-01"),
    Mutant("ro_risk_on_won_deals", "revorbit",
           "RO7 / 001 'risk scoring for open deals': won and lost deals carry no risk; this list scores them",
           "semantics", lambda app: on_json(app, "GET /api/deals", _risk_on_closed), requirement="RO-DEALS-FIELDS-34"),
    Mutant("ro_read_without_risk", "revorbit",
           "001 GET /deals/{id} 'with full details including risk score' (RO7: required on open deals): the deal "
           "read by id comes without its risk", "semantics",
           lambda app: on_json(app, "GET /api/deals/{id}", drop("data.risk")), requirement="RO-DEALS-READ-02"),
    Mutant("ro_note_without_content_accepted", "revorbit",
           "001 POST /deals/{id}/notes: content is Required (422/400 without it); this server writes an empty note",
           "validation", lambda app: on_request(app, "POST /api/deals/{id}/notes",
                                                body_field("content", lambda _: "(no content)", missing=True)),
           requirement="RO-DEAL-NOTES-CREATE-01"),
    Mutant("ro_update_probability_clamped", "revorbit",
           "001 PUT /deals/{id} probability 'Win probability percentage (0-100)': -1 and 101 are refused; this server "
           "stores them at the nearest bound", "validation",
           lambda app: on_request(app, "PUT /api/deals/{id}", body_field("probability", _clamped)),
           requirement="RO-DEALS-UPDATE-28"),
    Mutant("ro_update_null_partner_refused", "revorbit",
           "001 PUT /deals/{id} partner_id 'Bill To company ID. Nullable': null is accepted; this server refuses it",
           "validation", lambda app: answer(app, "PUT /api/deals/{id}", 422, {
               "success": False, "message": "Validation failed", "errors": {"partner_id": "Partner is required"}},
               when=_null_partner), requirement="RO-DEALS-UPDATE-20"),
    Mutant("ro_task_description_not_updated", "revorbit",
           "001 PUT /deals/{id}/tasks/{taskId} description: a new description is stored; this server never sees it",
           "lifecycle", lambda app: on_request(app, "PUT /api/deals/{id}/tasks/{taskId}", _text_ignored("description")),
           requirement="RO-DEAL-TASKS-UPDATE-07"),
    Mutant("ro_task_delete_ignored", "revorbit",
           "001 DELETE /deals/{id}/tasks/{taskId}: a deleted task is gone from the deal's tasks; answered but not "
           "stored", "lifecycle", lambda app: unpersisted(app, "DELETE /api/deals/{id}/tasks/{taskId}"),
           requirement="RO-DEAL-TASKS-DELETE-01"),
    Mutant("ro_stage_delete_ignored", "revorbit",
           "001 DELETE /pipeline-stages/{id}: a deleted stage is gone from GET /deals/stages; answered but not stored",
           "lifecycle", lambda app: unpersisted(app, "DELETE /api/pipeline-stages/{id}"),
           requirement="RO-STAGES-DELETE-01"),
    Mutant("ro_board_misfiles_lost_deals", "revorbit",
           "001 GET /deals/pipeline 'deals grouped by pipeline stage': each deal under its stage; this board files "
           "the Lost deals under the first stage", "semantics",
           lambda app: on_json(app, "GET /api/deals/pipeline", _lost_deals_under_first_stage),
           requirement="RO-DEALS-PIPELINE-01"),
    Mutant("ro_date_field_created_at_ignored", "revorbit",
           "001 GET /deals date_field 'Values: expected_close_date, closed_at, created_at': created_at is filtered "
           "as expected_close_date", "pagination",
           lambda app: on_request(app, "GET /api/deals", _created_at_read_as_close_date),
           requirement="RO-DEALS-LIST-22"),
    Mutant("ro_default_sort_by_value", "revorbit",
           "001 GET /deals sort_by '(default: title)': without sort_by this server orders by value",
           "pagination",
           lambda app: on_request(app, "GET /api/deals", lambda r: r.query.setdefault("sort_by", "value")),
           requirement="RO-DEALS-LIST-28"),
    Mutant("ro_timeline_answers_201", "revorbit",
           "000 status table '200 Success', '201 Created': the timeline, a read, answers 201", "status",
           lambda app: on_response(app, "GET /api/deals/{id}/timeline", restatus(200, 201)),
           requirement="RO-API-STATUS-01"),
    Mutant("ro_stats_forbidden_to_admins", "revorbit",
           "RO13 'Run with an admin token': an admin token is accepted everywhere; this server answers 403 on "
           "GET /deals/stats", "auth", _stats_forbidden, requirement="RO-API-ROLES-03"),
    Mutant("ro_read_answers_another_deal", "revorbit",
           "001 GET /deals/{id} 'Retrieve a single deal': the answer is the deal asked for; this one's id is another",
           "envelope", lambda app: on_json(app, "GET /api/deals/{id}", _another_id), requirement="RO-DEALS-READ-01"),
    Mutant("ro_blank_import_template", "revorbit",
           "001 GET /deals/template (the import template, a file): this server answers 200 with a blank file",
           "semantics", lambda app: on_response(app, "GET /api/deals/template", _blank_template),
           requirement="RO-DEALS-TEMPLATE-01"),
    Mutant("ro_primary_quote_ignored", "revorbit",
           "001 PUT /deals/{id}/primary-quote 'Set which quote is the primary quote for this deal': answered but not "
           "stored", "semantics", lambda app: unpersisted(app, "PUT /api/deals/{id}/primary-quote"),
           requirement="RO-DEALS-PRIMARY-QUOTE-01"),
    Mutant("ro_word_as_deal_id_500", "revorbit",
           "001 '| id | integer | Required | Resource ID |': GET /deals/{id} with a word for the id crashes (500) "
           "instead of answering a 4xx", "status",
           lambda app: answer(app, "GET /api/deals/{id}", 500, {"success": False, "message": "Server Error"},
                              when=_not_an_integer), requirement="RO-API-IDS-02"),
    Mutant("ro_bare_token_accepted", "revorbit",
           "000/001 'Authorization: Bearer <token> header': this server also takes the token without 'Bearer '",
           "auth", lambda app: on_request(app, "* /api/**", _bare_token_as_bearer), requirement="RO-API-AUTH-07"),
)
