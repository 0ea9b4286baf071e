"""Each API's own invariants, exercised on records the suite creates (X11)."""

from __future__ import annotations

from typing import Any

from conformance import normalise
from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation

TOLERANCE = 0.01  # X5: money compared with a tolerance


def _op(run: CheckRun, resource: str, action: str) -> Operation:
    op = run.api.find(resource, action)
    if op is None:
        run.skip(f"the document has no {resource} {action} operation")
    assert op is not None
    return op


def _read(run: CheckRun, resource: str, record_id: Any) -> tuple[Exchange, dict[str, Any] | None]:
    op = _op(run, resource, "read")
    exchange = run.call(op, fill_path(run, op, record_id))
    record = normalise.record(run.dialect, op, body(exchange)) if exchange.status == 200 else None
    return exchange, record if isinstance(record, dict) else None


def _items(run: CheckRun, op: Operation, **params: Any) -> tuple[Exchange, list[dict[str, Any]]]:
    exchange = run.call(op, params=params or None)
    payload = body(exchange)
    if op.action == "list":
        found = normalise.items(run.dialect, op, payload)
    else:
        found = normalise.record(run.dialect, op, payload)
    return exchange, [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def _create(run: CheckRun, resource: str, **overrides: Any) -> Any:
    return run.fixtures.require(resource, overrides=overrides or None)


def _number(value: Any) -> float | None:
    """A JSON number as a float; None for anything else (booleans, strings, null)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# Revenue Orbit ---------------------------------------------------------------------------------

def _stages(run: CheckRun) -> tuple[Exchange, list[dict[str, Any]]]:
    return _items(run, _op(run, "stages", "collection"))


@scenario("SEM-001", "semantics", "Moving a deal's stage changes its stage", "MUST",
          "001 PUT /deals/{id}/stage 'Move a deal to a different pipeline stage' {stage_id}", dialects=("revorbit",))
def ro_stage_move(run: CheckRun) -> None:
    _, stages = _stages(run)
    stages = [s for s in stages if s.get("id") is not None]
    if len(stages) < 2:
        run.skip("fewer than two stages")
    deal = _create(run, "deals", stage_id=stages[0]["id"])
    target = stages[1]
    move = _op(run, "deals", "move_stage")
    exchange = run.call(move, fill_path(run, move, deal.id), json_body={"stage_id": target["id"]})
    if not run.expect(exchange.status is not None and 200 <= exchange.status < 300, exchange,
                      f"moving to stage {target['id']} answered {exchange.status}"):
        return
    read, record = _read(run, "deals", deal.id)
    run.expect(record is not None and record.get("stage_id") == target["id"], read,
               f"after the move the deal's stage_id is {record.get('stage_id') if record else None!r}")


@scenario("SEM-002", "semantics", "A moved deal's stage name and won/lost flags follow the stage", "SHOULD",
          "001 deal fields stage_name, is_won, is_lost; stage list is_won/is_lost (the pages imply, not state, it)",
          dialects=("revorbit",))
def ro_stage_flags(run: CheckRun) -> None:
    _, stages = _stages(run)
    stages = [s for s in stages if s.get("id") is not None]
    won = next((s for s in stages if s.get("is_won") is True), None)
    if won is None:
        run.skip("no won stage")
    deal = _create(run, "deals", stage_id=stages[0]["id"])
    move = _op(run, "deals", "move_stage")
    run.call(move, fill_path(run, move, deal.id), json_body={"stage_id": won["id"]})
    read, record = _read(run, "deals", deal.id)
    if record is None:
        run.fail(read, "cannot read the moved deal")
        return
    run.expect(record.get("stage_name") == won.get("name"), read, f"stage_name {record.get('stage_name')!r}, "
               f"the stage is {won.get('name')!r}")
    run.expect(record.get("is_won") is True and record.get("is_lost") is not True, read,
               f"a deal in a won stage has is_won={record.get('is_won')!r}, is_lost={record.get('is_lost')!r}")


def _deals(run: CheckRun) -> tuple[Exchange, list[dict[str, Any]]]:
    return _items(run, _op(run, "deals", "list"), per_page=100, scope="company")


@scenario("SEM-003", "semantics", "Open deals carry a risk score", "MUST",
          "001 GET /deals 'Includes risk scoring for open deals'; GET /deals/{id} 'with full details including "
          "risk score' (RO7: required on open deals; RO21: factors have a label)", dialects=("revorbit",))
def ro_risk_on_open(run: CheckRun) -> None:
    exchange, deals = _deals(run)
    for deal in deals:
        if deal.get("is_won") or deal.get("is_lost"):
            continue
        risk = deal.get("risk")
        if not isinstance(risk, dict) or not isinstance(risk.get("risk_score"), int | float):
            run.fail(exchange, f"open deal {deal.get('id')} has risk {risk!r}")
            continue
        run.observe()
        for factor in risk.get("risk_factors") or []:
            run.expect(isinstance(factor, dict) and isinstance(factor.get("label"), str), exchange,
                       f"deal {deal.get('id')}: risk factor {factor!r} has no label")


@scenario("SEM-004", "semantics", "Won and lost deals carry no risk; levels and scores are in range", "SHOULD",
          "001 'risk scoring for open deals' (RO7: null/absent on won/lost; level in {low, medium, high, "
          "critical} and score 0-100 as warnings)", dialects=("revorbit",))
def ro_risk_closed(run: CheckRun) -> None:
    exchange, deals = _deals(run)
    for deal in deals:
        risk = deal.get("risk")
        if deal.get("is_won") or deal.get("is_lost"):
            run.expect(risk is None, exchange, f"closed deal {deal.get('id')} carries risk {risk!r}")
        elif isinstance(risk, dict):
            run.expect(risk.get("risk_level") in ("low", "medium", "high", "critical"), exchange,
                       f"deal {deal.get('id')}: risk_level {risk.get('risk_level')!r}")
            score = risk.get("risk_score")
            run.expect(isinstance(score, int | float) and 0 <= score <= 100, exchange,
                       f"deal {deal.get('id')}: risk_score {score!r} outside 0-100")


@scenario("SEM-005", "semantics", "Stages come in display order", "SHOULD",
          "001 GET /deals/stages 'Retrieve all pipeline stages with display order' (ordering implied, not stated)",
          dialects=("revorbit",))
def ro_stage_order(run: CheckRun) -> None:
    exchange, stages = _stages(run)
    orders = [s.get("display_order") for s in stages]
    run.expect(orders == sorted(o for o in orders if isinstance(o, int)) and None not in orders, exchange,
               f"display_order comes back as {orders}")


# Olympus ---------------------------------------------------------------------------------------

@scenario("SEM-101", "semantics", "Merged contacts are gone, the primary stays", "MUST",
          "002 'The merged contacts are deleted and cannot be recovered' (OC13 strict: 404 and 200)",
          dialects=("olympus",))
def oc_merge(run: CheckRun) -> None:
    primary, merged = _create(run, "contacts"), _create(run, "contacts")
    merge = _op(run, "contacts", "merge")
    exchange = run.call(merge, json_body={"primary_contact_id": primary.id, "merge_contact_ids": [merged.id]})
    if not run.expect(exchange.status is not None and 200 <= exchange.status < 300, exchange,
                      f"merging answered {exchange.status}"):
        return
    run.fixtures.forget("contacts", merged.id)
    gone, _ = _read(run, "contacts", merged.id)
    run.expect(gone.status == 404, gone, f"a merged contact answers {gone.status}, expected 404")
    kept, _ = _read(run, "contacts", primary.id)
    run.expect(kept.status == 200, kept, f"the primary contact answers {kept.status} after the merge")
    itself = run.call(merge, json_body={"primary_contact_id": primary.id, "merge_contact_ids": [primary.id]})
    run.expect(itself.status in (400, 404, 409, 422), itself,
               f"merging a contact into itself answered {itself.status}, expected 409 (or 400/404)")


@scenario("SEM-102", "semantics", "A lead score is the sum of its breakdown, each within its maximum", "MUST",
          "002 Get Lead Score example: 25+35+25 = 85, each score <= max, grade 'A' (OC9 strict)",
          dialects=("olympus",))
def oc_score(run: CheckRun) -> None:
    contact = _create(run, "contacts")
    score = _op(run, "contacts", "score")
    for contact_id in (contact.id,):
        exchange = run.call(score, fill_path(run, score, contact_id))
        payload = body(exchange)
        if not run.expect(exchange.status == 200 and isinstance(payload, dict), exchange,
                          f"the score answered {exchange.status}"):
            continue
        breakdown = payload.get("breakdown")
        parts = [v for v in breakdown.values() if isinstance(v, dict)] if isinstance(breakdown, dict) else []
        scores = [_number(p.get("score")) for p in parts]
        total_score = _number(payload.get("total_score"))
        run.expect(bool(parts) and None not in scores and total_score is not None
                   and abs(sum(s for s in scores if s is not None) - total_score) <= TOLERANCE, exchange,
                   f"total_score {payload.get('total_score')!r} but the breakdown sums to "
                   f"{sum(s for s in scores if s is not None)} ({len(parts)} numeric parts)")
        for name, part in (breakdown.items() if isinstance(breakdown, dict) else ()):
            if not isinstance(part, dict):
                continue
            ceiling, points = _number(part.get("max")), _number(part.get("score"))
            if ceiling is not None and points is not None:
                run.expect(points <= ceiling, exchange, f"{name} scores {points} above its max {ceiling}")
        run.expect(isinstance(payload.get("grade"), str), exchange, "the score has no grade")


@scenario("SEM-103", "semantics", "Pipeline analytics add up", "SHOULD",
          "002 analytics example: sum of by_stage value = total_value, avg_deal_size = total/count; the deals "
          "list's pipeline_summary repeats them (OC16: lenient)", dialects=("olympus",))
def oc_analytics(run: CheckRun) -> None:
    analytics = _op(run, "deals", "pipeline_analytics")
    exchange = run.call(analytics)
    payload = body(exchange)
    if not isinstance(payload, dict) or not isinstance(payload.get("pipeline"), dict):
        run.fail(exchange, "the analytics body has no pipeline block")
        return
    pipeline = payload["pipeline"]
    stages = [s for s in payload.get("by_stage") or [] if isinstance(s, dict)] \
        if isinstance(payload.get("by_stage"), list) else []
    values, counts = [_number(s.get("value")) for s in stages], [_number(s.get("count")) for s in stages]
    total_value, deal_count = _number(pipeline.get("total_value")), _number(pipeline.get("deal_count"))
    if None in values or None in counts or total_value is None or deal_count is None:
        run.fail(exchange, "the analytics hold a value or count that is not a number")
        return
    by_value = sum(v for v in values if v is not None)
    by_count = sum(c for c in counts if c is not None)
    run.expect(abs(by_value - total_value) <= TOLERANCE, exchange,
               f"by_stage values sum to {by_value}, total_value is {pipeline.get('total_value')}")
    run.expect(by_count == deal_count, exchange,
               f"by_stage counts sum to {by_count}, deal_count is {pipeline.get('deal_count')}")
    average_size = _number(pipeline.get("avg_deal_size"))
    if deal_count:
        average = total_value / deal_count
        run.expect(average_size is not None and abs(average - average_size) <= 1, exchange,
                   f"avg_deal_size {pipeline.get('avg_deal_size')} but total/count is {average:.2f}")
    listed = run.call(_op(run, "deals", "collection"))
    summary = (body(listed) or {}).get("pipeline_summary") if isinstance(body(listed), dict) else None
    if isinstance(summary, dict):
        run.expect(summary.get("deal_count") == pipeline.get("deal_count"), listed,
                   f"pipeline_summary counts {summary.get('deal_count')}, analytics {pipeline.get('deal_count')}")


@scenario("SEM-104", "semantics", "An unknown deal stage is refused with 400 invalid_stage", "MUST",
          "002 Error Responses: 400 invalid_stage 'Invalid deal stage'; stage enum (OC10 strict; OC4 codes)",
          dialects=("olympus",))
def oc_invalid_stage(run: CheckRun) -> None:
    deal = _create(run, "deals")
    move = _op(run, "deals", "move_stage")
    bad = run.call(move, fill_path(run, move, deal.id), json_body={"stage": "no_such_stage"})
    code = normalise.error(run.dialect, body(bad)).code
    run.expect(bad.status == 400, bad, f"an unknown stage answered {bad.status}, expected 400")
    run.expect(code in ("invalid_stage", "INVALID_STAGE", "VALIDATION_ERROR", "BAD_REQUEST"), bad,
               f"the error code is {code!r}, expected invalid_stage")
    good = run.call(move, fill_path(run, move, deal.id), json_body={"stage": "proposal"})
    run.expect(good.status is not None and 200 <= good.status < 300, good, f"a valid stage answered {good.status}")


@scenario("SEM-105", "semantics", "A completed task is listed as completed", "MUST",
          "002 POST /tasks/{task_id}/complete; GET /tasks status=completed (OC14 strict)", dialects=("olympus",))
def oc_task_complete(run: CheckRun) -> None:
    task = _create(run, "tasks")
    complete = _op(run, "tasks", "complete")
    done = run.call(complete, fill_path(run, complete, task.id))
    if not run.expect(done.status is not None and 200 <= done.status < 300, done, f"complete answered {done.status}"):
        return
    exchange, tasks = _items(run, _op(run, "tasks", "list"), status="completed", limit=100)
    run.expect(task.id in [t.get("id") for t in tasks], exchange, f"task {task.id} is not listed as completed")


# Concord ---------------------------------------------------------------------------------------

@scenario("SEM-201", "semantics", "A deal with products has the products' total as its amount", "MUST",
          "003 'amount ... Not applicable when the deal has products because the amount is automatically updated "
          "based on the total value of the products' (CC3, CC15 under no_tax)", dialects=("concord",))
def cc_amount(run: CheckRun) -> None:
    products = [{"name": "crm-conformance seat", "unit_price": 120.5, "qty": 3},
                {"name": "crm-conformance setup", "unit_price": 99.0, "qty": 1}]
    expected = 120.5 * 3 + 99.0
    deal = _create(run, "deals", billable={"tax_type": "no_tax", "products": products})
    read, record = _read(run, "deals", deal.id)
    amount = record.get("amount") if record else None
    run.expect(isinstance(amount, int | float) and abs(amount - expected) <= TOLERANCE, read,
               f"amount is {amount!r}, the products total {expected}")
    update = _op(run, "deals", "update")
    good = run.fixtures.body("deals") or {}
    sent = run.call(update, fill_path(run, update, deal.id), json_body={
        "name": record.get("name") if record else good.get("name"), "stage_id": record.get("stage_id") if record
        else good.get("stage_id"), "amount": 1.0})
    if sent.status is not None and sent.status in run.dialect.errors.accepted("validation"):
        run.observe()  # CC3 lenient: rejecting the amount is allowed
    read, record = _read(run, "deals", deal.id)
    amount = record.get("amount") if record else None
    run.expect(isinstance(amount, int | float) and abs(amount - expected) <= TOLERANCE, read,
               f"after sending amount 1.0 the stored amount is {amount!r}, the products total {expected}")


@scenario("SEM-202", "semantics", "A won deal must be reopened before it can be lost", "MUST",
          "Concord v1.5.1 (dialects.md 1C [C]): the won/lost lock; CC9 strict: the status does not change",
          dialects=("concord",))
def cc_status_lock(run: CheckRun) -> None:
    deal = _create(run, "deals")
    change = _op(run, "deals", "change_status")

    def to(status: str) -> Exchange:
        return run.call(change, {**fill_path(run, change, deal.id), "status": status}, json_body={})

    won = to("won")
    if not run.expect(won.status is not None and 200 <= won.status < 300, won, f"marking won answered {won.status}"):
        return
    lost = to("lost")
    run.expect(lost.status in (409, 422), lost, f"won -> lost answered {lost.status}, expected 409 (or 422)")
    read, record = _read(run, "deals", deal.id)
    run.expect(record is not None and record.get("status") == "won", read,
               f"after the refused change the status is {record.get('status') if record else None!r}")
    reopened, lost_again = to("open"), to("lost")
    run.expect(reopened.status is not None and 200 <= reopened.status < 300 and lost_again.status is not None
               and 200 <= lost_again.status < 300, lost_again,
               f"won -> open -> lost answered {reopened.status} then {lost_again.status}")
    bad = to("nonsense")
    run.expect(bad.status is not None and 400 <= bad.status < 500, bad,
               f"an invalid status answered {bad.status}, expected a 4xx (CC9 flags 500)")


@scenario("SEM-203", "semantics", "Search answers a bare array, limited by take, empty for an empty q", "MUST",
          "003 Search Deals 'without pagination and use the take parameter' (CC5 strict)", dialects=("concord",))
def cc_search(run: CheckRun) -> None:
    search = _op(run, "deals", "search") if run.api.find("deals", "search") else None
    if search is None:
        search = next((op for op in run.api.operations if op.path.endswith("/search")), None)
    if search is None:
        run.skip("no search operation")
    assert search is not None
    deal = _create(run, "deals")
    name = str(deal.record.get("name", ""))
    word = name.split()[0] if name else "crmconf"
    found = run.call(search, params={"q": word})
    payload = body(found)
    if run.expect(isinstance(payload, list), found, "the search body is not a bare JSON array"):
        run.expect(deal.id in [i.get("id") for i in payload if isinstance(i, dict)], found,
                   f"searching for {word!r} did not find deal {deal.id}")
    one = run.call(search, params={"q": word, "take": 1})
    run.expect(isinstance(body(one), list) and len(body(one)) <= 1, one, "take=1 returned more than one deal")
    empty = run.call(search, params={"q": ""})
    run.expect(body(empty) == [], empty, f"an empty q answered {str(body(empty))[:80]}, expected []")


@scenario("SEM-204", "semantics", "A duplicate contact email is refused with errors.email", "MUST",
          "Concord contacts (dialects.md 1C [D][C]): email unique among contacts (CC16 strict 422)",
          dialects=("concord",))
def cc_duplicate_email(run: CheckRun) -> None:
    first = _create(run, "contacts")
    email = first.record.get("email")
    if not email:
        run.skip("the created contact has no email")
    create = _op(run, "contacts", "create")
    again = run.call(create, json_body={"first_name": "crmconf duplicate", "email": email})
    run.fixtures.adopt(create, again)  # a server that took the duplicate made a record the suite must delete
    errors = normalise.error(run.dialect, body(again)).field_errors
    run.expect(again.status == 422 and isinstance(errors, dict) and "email" in errors, again,
               f"a duplicate email answered {again.status} with errors {errors!r}")


@scenario("SEM-205", "semantics", "A deal's status is open, won or lost", "MUST",
          "003 status 'Any of [open, won, lost]' (CC10 strict)", dialects=("concord",))
def cc_status_values(run: CheckRun) -> None:
    exchange, deals = _items(run, _op(run, "deals", "list"), per_page=50)
    for deal in deals:
        run.expect(deal.get("status") in ("open", "won", "lost"), exchange,
                   f"deal {deal.get('id')} has status {deal.get('status')!r}")


# YSUITE ----------------------------------------------------------------------------------------

@scenario("SEM-301", "semantics", "A missing record answers 400 (or 404) with success false and a message", "MUST",
          "004 errors page: 400 for business errors including not found (YS2: 400 preferred, 404 lenient)",
          dialects=("ysuite",))
def ys_not_found(run: CheckRun) -> None:
    deal = _create(run, "deals")
    delete = _op(run, "deals", "delete")
    run.call(delete, fill_path(run, delete, deal.id))
    run.fixtures.forget("deals", deal.id)
    exchange, _ = _read(run, "deals", deal.id)
    payload = body(exchange)
    run.expect(exchange.status in (400, 404), exchange, f"a deleted deal answered {exchange.status}")
    shaped = isinstance(payload, dict) and payload.get("success") is False and isinstance(payload.get("message"), str)
    run.expect(shaped, exchange, f"the not-found body is {str(payload)[:120]}")


@scenario("SEM-302", "semantics", "The id a create returns reads back the same deal", "MUST",
          "004 create response data {deal_id, deal_name}; GET /v1/deals/{id} 'The deal_id' (YS7, YS8)",
          dialects=("ysuite",))
def ys_create_reads_back(run: CheckRun) -> None:
    deal = _create(run, "deals")
    exchange, record = _read(run, "deals", deal.id)
    run.expect(record is not None and record.get("deal_id") == deal.id, exchange,
               f"GET /deals/{deal.id} answered {exchange.status} with deal_id "
               f"{record.get('deal_id') if record else None!r}")
    run.expect(record is not None and record.get("deal_name") == deal.record.get("deal_name"), exchange,
               "the deal_name read back differs from the created one")
