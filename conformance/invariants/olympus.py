"""Olympus Cloud CRM's own invariants (002): merges, lead scores, analytics, stages, task completion, and the
side effects of the page's compound operations (bulk update, import, enrichment), each on the suite's own
records (X11).

What each check reports an observation about (docs/requirements.md), beyond its operation:
`rule` names the property of a compound operation it judged (`merged-gone`, `by-stage-sums`, ...);
`field` a field of the record or answer; `stage`, `type`, `priority` one documented enum value;
`parameter` a query parameter; `status` and `code` an error's status and code; `role` a token's role.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from typing import Any

from conformance import normalise
from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.fixtures import Created
from conformance.invariants._common import TOLERANCE, create_record, list_items, number, op_of, read_record
from conformance.model import Severity
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation

DEAL_STAGES = ("lead", "qualified", "proposal", "negotiation", "closed_won", "closed_lost")
FUTURE_DUE = "2099-01-15T10:00:00Z"   # a task due long after any run: pending, never overdue (OC14)
PAGES_WALKED = 5                      # a paginated list is walked this far looking for the suite's record
SHOULD: Severity = "SHOULD"


def _ok(exchange: Exchange) -> bool:
    return exchange.status is not None and 200 <= exchange.status < 300


def _code(run: CheckRun, exchange: Exchange) -> str:
    """The error code, wherever OC4 lets it sit (body.code -> body.error.code -> body.error), lower-cased."""
    return str(normalise.error(run.dialect, body(exchange)).code or "").lower()


def _answer(run: CheckRun, op: Operation, exchange: Exchange) -> dict[str, Any] | None:
    """The record or object an answer carries (a {data: ...} wrapper read as bare, OC2)."""
    found = normalise.unwrapped(run.dialect, op, body(exchange))
    return found if isinstance(found, dict) else None


def _deals(run: CheckRun) -> tuple[Exchange, dict[str, dict[str, Any]]]:
    """Every deal by id: the deals list is not paginated (OC3)."""
    exchange, items = list_items(run, op_of(run, "deals", "collection"))
    return exchange, {str(d.get("id")): d for d in items}


def _listed(run: CheckRun, op: Operation, record_id: Any, **params: Any) -> tuple[Exchange, dict[str, Any] | None]:
    """The suite's record as a paginated list with these filters shows it (walked PAGES_WALKED pages deep)."""
    pag = run.dialect.pagination
    exchange = None
    for page in range(pag.first_page, pag.first_page + PAGES_WALKED):
        exchange, items = list_items(run, op, **params, **{pag.page_param: page, pag.size_param: 100})
        found = next((i for i in items if str(i.get("id")) == str(record_id)), None)
        if found is not None or len(items) < 100:
            return exchange, found
    assert exchange is not None
    return exchange, None


def _searched(run: CheckRun, term: str) -> tuple[Exchange, list[dict[str, Any]]]:
    contacts = op_of(run, "contacts", "list")
    return list_items(run, contacts, search=term, **{run.dialect.pagination.size_param: 100})


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _made(run: CheckRun, resource: str, about: dict[str, str], **overrides: Any) -> Created | None:
    """A record of the suite's own made with a documented value in its body: a refusal is a finding about
    that value (about `about`), not a missing fixture."""
    create = op_of(run, resource, "create")
    exchange = run.call(create, json_body=run.fixtures.body(resource, overrides))
    made: Created | None = run.fixtures.adopt(create, exchange)
    shown = ", ".join(f"{k}={v}" for k, v in overrides.items())
    run.expect(made is not None, exchange, f"a {resource} create with {shown} answered {exchange.status}",
               about=about)
    return made


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [str(i.get("id")) for i in items]


def _token(run: CheckRun, kind: str) -> str:
    """A word no record but the suite's own can hold."""
    return f"crmconf{run.ctx.options.seed}{kind}{run.fixtures.counter + 1}z"


def _users(run: CheckRun) -> list[str]:
    """User ids the document fixes (002 shows user_001, user_002): lookup data, only referenced."""
    users = run.dialect.resources.get("users")
    return [str(f["id"]) for f in (users.fixtures if users is not None else ()) if f.get("id")]


# merges ------------------------------------------------------------------------------------------------
@scenario("SEM-101", "semantics", "Merged contacts are gone, the primary stays", "MUST",
          "002 'The merged contacts are deleted and cannot be recovered'; field_preferences picks the winning "
          "value (OC13 strict: 404 and 200; into itself or an unknown id: 409/400/404)")
def oc_merge(run: CheckRun) -> None:
    primary = create_record(run, "contacts", phone="+15550000001")
    merged = create_record(run, "contacts", phone="+15550000002")
    deal = create_record(run, "deals", contact_id=merged.id)
    detail, record = read_record(run, "contacts", merged.id)
    if record is not None:
        run.expect(str(deal.id) in _ids([d for d in _list(record.get("deals")) if isinstance(d, dict)]), detail,
                   f"the deal {deal.id} made for {merged.id} is not in its detail's deals", level=SHOULD,
                   about={"rule": "detail-deals"})
    merge = op_of(run, "contacts", "merge")
    exchange = run.call(merge, json_body={"primary_contact_id": primary.id, "merge_contact_ids": [merged.id],
                                          "field_preferences": {"phone": merged.id}})
    if not run.expect(_ok(exchange), exchange, f"merging answered {exchange.status}", about={"rule": "accepted"}):
        return
    run.fixtures.forget("contacts", merged.id)
    gone, _ = read_record(run, "contacts", merged.id)
    run.expect(gone.status == 404, gone, f"a merged contact answers {gone.status}, expected 404",
               about={"rule": "merged-gone"})
    kept, record = read_record(run, "contacts", primary.id)
    run.expect(kept.status == 200, kept, f"the primary contact answers {kept.status} after the merge",
               about={"rule": "primary-kept"})
    if record is not None:
        run.expect(record.get("phone") == "+15550000002", kept, f"field_preferences gave phone to the merged "
                   f"contact, yet the primary's phone is {record.get('phone')!r}", about={"rule": "field-preferences"})
    for contact, present in ((merged, False), (primary, True)):
        listed, found = _searched(run, str(contact.exchange.request_body["email"]))
        wrong = "lacks the primary" if present else "still lists the merged contact"
        run.expect((str(contact.id) in _ids(found)) == present, listed, f"after the merge GET /contacts {wrong} "
                   f"{contact.id}", about={"rule": "listed"})
    deals_listed, deals = _deals(run)
    moved = deals.get(str(deal.id), {}).get("contact_id")
    run.expect(moved == primary.id, deals_listed, f"the merged contact's deal {deal.id} belongs to {moved!r}, "
               f"not to the primary {primary.id}", level=SHOULD, about={"rule": "records-move"})
    itself = run.call(merge, json_body={"primary_contact_id": primary.id, "merge_contact_ids": [primary.id]})
    run.expect(itself.status in (400, 404, 409), itself,
               f"merging a contact into itself answered {itself.status}, expected 409 (or 400/404)",
               about={"rule": "itself"})
    absent = run.fixtures.absent_id("contacts")
    if absent is not None:
        unknown = run.call(merge, json_body={"primary_contact_id": primary.id, "merge_contact_ids": [absent]})
        still, _ = read_record(run, "contacts", primary.id)
        run.expect(unknown.status in (400, 404, 409) and still.status == 200, unknown,
                   f"merging an unknown id answered {unknown.status} and the primary then {still.status}, expected "
                   "404 (or 400/409) and 200", about={"rule": "unknown"})


def _of_a_contact(run: CheckRun, action: str, rule: str) -> tuple[Created, Exchange, dict[str, Any] | None]:
    """A new contact of the suite's own, what `action` (score, enrich) answers about it, and that answer's
    object when it is one (about `rule`), which must name the contact (about `field: contact_id`)."""
    contact = create_record(run, "contacts")
    op = op_of(run, "contacts", action)
    exchange = run.call(op, fill_path(run, op, contact.id))
    answer = _answer(run, op, exchange)
    if not run.expect(_ok(exchange) and answer is not None, exchange, f"{op} answered {exchange.status}",
                      about={"rule": rule}):
        return contact, exchange, None
    assert answer is not None
    run.expect(answer.get("contact_id") == contact.id, exchange, f"{op} of {contact.id} says contact_id "
               f"{answer.get('contact_id')!r}", about={"field": "contact_id"})
    return contact, exchange, answer


# lead scores -------------------------------------------------------------------------------------------
@scenario("SEM-102", "semantics", "A lead score is the sum of its breakdown, each within its maximum", "MUST",
          "002 Get Lead Score example: 25+35+25 = 85, each score <= max, grade 'A' (OC9 strict); the contact's "
          "score and score_breakdown agree with it (OC9 lenient: warn)")
def oc_score(run: CheckRun) -> None:
    contact, exchange, payload = _of_a_contact(run, "score", "answer")
    if payload is None:
        return
    breakdown = payload.get("breakdown")
    parts = [v for v in breakdown.values() if isinstance(v, dict)] if isinstance(breakdown, dict) else []
    scores = [number(p.get("score")) for p in parts]
    total_score = number(payload.get("total_score"))
    run.expect(bool(parts) and None not in scores and total_score is not None
               and abs(sum(s for s in scores if s is not None) - total_score) <= TOLERANCE, exchange,
               f"total_score {payload.get('total_score')!r} but the breakdown sums to "
               f"{sum(s for s in scores if s is not None)} ({len(parts)} numeric parts)",
               about={"field": "total_score"})
    for name, part in (breakdown.items() if isinstance(breakdown, dict) else ()):
        if not isinstance(part, dict):
            continue
        ceiling, points = number(part.get("max")), number(part.get("score"))
        if ceiling is not None and points is not None:
            run.expect(points <= ceiling, exchange, f"{name} scores {points} above its max {ceiling}",
                       about={"field": "max"})
        factors = [number(f.get("score")) for f in part.get("factors") or [] if isinstance(f, dict)] \
            if isinstance(part.get("factors"), list) else []
        if factors and None not in factors and points is not None:
            run.expect(abs(sum(f for f in factors if f is not None) - points) <= TOLERANCE, exchange,
                       f"{name} scores {points} but its factors sum to {sum(f for f in factors if f is not None)}",
                       level=SHOULD, about={"field": "factors"})
    run.expect(isinstance(payload.get("grade"), str), exchange, "the score has no grade", about={"field": "grade"})
    read, record = read_record(run, "contacts", contact.id)
    if record is None or total_score is None:
        return
    if number(record.get("score")) is not None:
        run.expect(number(record.get("score")) == total_score, read, f"the contact's score {record.get('score')} "
                   f"differs from its total_score {payload.get('total_score')}", level=SHOULD, about={"field": "score"})
    detail = record.get("score_breakdown")
    values = [number(v) for v in detail.values()] if isinstance(detail, dict) else []
    if values and None not in values and number(record.get("score")) is not None:
        run.expect(abs(sum(v for v in values if v is not None) - float(record["score"])) <= TOLERANCE, read,
                   f"the contact's score_breakdown sums to {sum(v for v in values if v is not None)}, its score is "
                   f"{record.get('score')}", level=SHOULD, about={"field": "score_breakdown"})


# analytics ---------------------------------------------------------------------------------------------
def _numbers(value: Any, where: str = "") -> Iterator[tuple[str, float]]:
    """Every number inside a JSON value, with where it sits."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _numbers(inner, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _numbers(inner, f"{where}[{index}]")
    elif number(value) is not None:
        yield where, float(value)


@scenario("SEM-103", "semantics", "Pipeline analytics add up", "SHOULD",
          "002 analytics example: sum of by_stage value = total_value, avg_deal_size = total/count; the deals "
          "list's pipeline_summary repeats them (OC16: lenient; OC3: pipeline_summary expected, warn only)")
def oc_analytics(run: CheckRun) -> None:
    analytics = op_of(run, "deals", "pipeline_analytics")
    exchange = run.call(analytics)
    payload = _answer(run, analytics, exchange)
    if not run.expect(payload is not None and isinstance(payload.get("pipeline"), dict), exchange,
                      "the analytics body has no pipeline block", about={"rule": "answer"}):
        return
    assert payload is not None
    pipeline = payload["pipeline"]
    negative = [(where, value) for where, value in _numbers(payload) if value < 0]
    run.expect(not negative, exchange, f"negative analytics numbers: {negative[:3]}", level=SHOULD,
               about={"rule": "non-negative"})
    stages = [s for s in payload.get("by_stage") or [] if isinstance(s, dict)] \
        if isinstance(payload.get("by_stage"), list) else []
    values, counts = [number(s.get("value")) for s in stages], [number(s.get("count")) for s in stages]
    total_value, deal_count = number(pipeline.get("total_value")), number(pipeline.get("deal_count"))
    if None in values or None in counts or total_value is None or deal_count is None:
        run.fail(exchange, "the analytics hold a value or count that is not a number", level=SHOULD,
                 about={"rule": "by-stage-sums"})
        return
    by_value = sum(v for v in values if v is not None)
    by_count = sum(c for c in counts if c is not None)
    run.expect(abs(by_value - total_value) <= TOLERANCE, exchange,
               f"by_stage values sum to {by_value}, total_value is {pipeline.get('total_value')}", level=SHOULD,
               about={"rule": "by-stage-sums"})
    run.expect(by_count == deal_count, exchange,
               f"by_stage counts sum to {by_count}, deal_count is {pipeline.get('deal_count')}", level=SHOULD,
               about={"rule": "by-stage-sums"})
    average_size = number(pipeline.get("avg_deal_size"))
    if deal_count:
        average = total_value / deal_count
        run.expect(average_size is not None and abs(average - average_size) <= 1, exchange,
                   f"avg_deal_size {pipeline.get('avg_deal_size')} but total/count is {average:.2f}", level=SHOULD,
                   about={"field": "avg_deal_size"})
    _deals_summary(run, pipeline)


def _deals_summary(run: CheckRun, pipeline: dict[str, Any]) -> None:
    """GET /deals: its pipeline_summary (OC3: expected, warn if missing; numbers when present), all deals in
    one answer, and the same totals as the analytics (OC16: warn)."""
    listed = run.call(op_of(run, "deals", "collection"))
    payload = body(listed)
    summary = payload.get("pipeline_summary") if isinstance(payload, dict) else None
    if not run.expect(isinstance(summary, dict), listed, "GET /deals carries no pipeline_summary", level=SHOULD,
                      about={"field": "pipeline_summary", "rule": "present"}):
        return
    assert isinstance(summary, dict) and isinstance(payload, dict)
    wrong = [k for k in ("total_value", "weighted_value") if number(summary.get(k)) is None]
    count = summary.get("deal_count")
    wrong += [] if isinstance(count, int) and not isinstance(count, bool) else ["deal_count"]
    run.expect(not wrong, listed, f"pipeline_summary holds no number at {', '.join(wrong)}",
               about={"field": "pipeline_summary", "rule": "types"})
    items = payload.get("data")
    if isinstance(items, list) and isinstance(count, int):
        run.expect(len(items) == count, listed, f"GET /deals answers {len(items)} deals, its pipeline_summary "
                   f"counts {count}: the list is not one answer with every deal", level=SHOULD,
                   about={"rule": "unpaginated"})
    differ = [k for k in ("total_value", "weighted_value", "deal_count")
              if number(summary.get(k)) is None or number(pipeline.get(k)) is None
              or abs(float(summary[k]) - float(pipeline[k])) > TOLERANCE]
    run.expect(not differ, listed, f"pipeline_summary and the analytics differ on {', '.join(differ)}",
               level=SHOULD, about={"field": "pipeline_summary", "rule": "agrees"})


# deals -------------------------------------------------------------------------------------------------
@scenario("SEM-104", "semantics", "An unknown deal stage is refused with 400 invalid_stage", "MUST",
          "002 Error Responses: 400 invalid_stage 'Invalid deal stage'; stage enum (OC10 strict; OC4 codes)")
def oc_invalid_stage(run: CheckRun) -> None:
    deal = create_record(run, "deals")
    move = op_of(run, "deals", "move_stage")
    about = {"rule": "invalid-stage"}
    bad = run.call(move, fill_path(run, move, deal.id), json_body={"stage": "no_such_stage"})
    code = _code(run, bad)
    run.expect(bad.status == 400, bad, f"an unknown stage answered {bad.status}, expected 400", about=about)
    run.expect(code in ("invalid_stage", "validation_error", "bad_request"), bad,
               f"the error code is {code!r}, expected invalid_stage", about=about)
    listed, deals = _deals(run)
    stage = deals.get(str(deal.id), {}).get("stage")
    run.expect(stage == deal.record.get("stage"), listed, f"after the refused move the deal is in {stage!r}, "
               f"it was in {deal.record.get('stage')!r}", about=about, operation=move)
    good = run.call(move, fill_path(run, move, deal.id), json_body={"stage": "proposal"})
    run.expect(_ok(good), good, f"a valid stage answered {good.status}", about={"stage": "proposal"})
    create = op_of(run, "deals", "create")
    name = f"{_token(run, 'i')} invalid stage"
    refused = run.call(create, json_body={**(run.fixtures.body("deals") or {}), "name": name, "stage": "no_such_stage"})
    run.fixtures.adopt(create, refused)  # a server that wrongly accepts it made a deal the suite now owns
    code = _code(run, refused)
    created_about = {"rule": "invalid-stage-create"}
    run.expect(refused.status == 400 and code in ("invalid_stage", "validation_error", "bad_request"), refused,
               f"creating a deal in an unknown stage answered {refused.status} {code!r}, expected 400 invalid_stage",
               about=created_about)
    listed, deals = _deals(run)
    made = [d for d in deals.values() if d.get("name") == name]
    run.expect(not made, listed, f"the refused deal was made anyway: {_ids(made)}", about=created_about,
               operation=create)
    for exchange in (bad, refused):
        if _code(run, exchange) == "invalid_stage":
            run.expect(exchange.status == 400, exchange, f"invalid_stage came with {exchange.status}",
                       about={"code": "invalid_stage"})


@scenario("SEM-106", "semantics", "A created deal is listed as it was sent, in any of the six stages", "MUST",
          "002 Create Deal request body (name, contact_id, value, stage, expected_close, owner_id, products) and "
          "Deal Stages table; GET /deals is the only read (OC11); money within 0.005 (X5)")
def oc_deal_created(run: CheckRun) -> None:
    deal = create_record(run, "deals")
    sent = deal.exchange.request_body if isinstance(deal.exchange.request_body, dict) else {}
    listed, deals = _deals(run)
    item = deals.get(str(deal.id))
    if not run.expect(item is not None, listed, f"the new deal {deal.id} is not in GET /deals",
                      about={"rule": "listed"}):
        return
    assert item is not None
    for field in ("name", "contact_id", "stage", "expected_close"):
        if field in sent:
            run.expect(item.get(field) == sent[field], listed, f"{field} was sent as {sent[field]!r}, the deal is "
                       f"listed with {item.get(field)!r}", about={"field": field})
    if number(sent.get("value")) is not None:
        run.expect(number(item.get("value")) is not None and abs(float(item["value"]) - float(sent["value"])) <= 0.005,
                   listed, f"value was sent as {sent['value']!r}, listed as {item.get('value')!r}",
                   about={"field": "value"})
    if sent.get("owner_id"):
        owner = _dict(item.get("owner"))
        run.expect(owner.get("id") == sent["owner_id"], listed, f"owner_id was sent as {sent['owner_id']!r}, the "
                   f"deal's owner is {item.get('owner')!r}", about={"field": "owner_id"})
    if isinstance(sent.get("products"), list):
        quantities = sorted(str(p.get("quantity")) for p in sent["products"] if isinstance(p, dict))
        got = sorted(str(p.get("quantity")) for p in _list(item.get("products")) if isinstance(p, dict))
        run.expect(got == quantities, listed, f"products were sent with quantities {quantities}, listed with {got}",
                   about={"field": "products"})
    for stage in (s for s in DEAL_STAGES if s != sent.get("stage")):
        made = _made(run, "deals", {"field": "stage"}, stage=stage)
        if made is None:
            continue
        listed, deals = _deals(run)
        run.expect(deals.get(str(made.id), {}).get("stage") == stage, listed,
                   f"a deal created in {stage} is listed in {deals.get(str(made.id), {}).get('stage')!r}",
                   about={"field": "stage"})


@scenario("SEM-107", "semantics", "Each deal stage can be set through the stage endpoint and is stored", "MUST",
          "002 Update Deal Stage {stage, notes} and the Deal Stages table (OC10 strict: a valid stage gives 2xx; "
          "transition rules are not tested: every move here goes forward, or stays)")
def oc_stage_moves(run: CheckRun) -> None:
    move = op_of(run, "deals", "move_stage")
    forward = create_record(run, "deals", stage="lead")
    other = create_record(run, "deals", stage="lead")
    plan = [(forward, s) for s in ("qualified", "proposal", "negotiation", "closed_won")]
    plan += [(other, "lead"), (other, "closed_lost")]
    for deal, stage in plan:
        notes = f"crm-conformance moved to {stage}"
        moved = run.call(move, fill_path(run, move, deal.id), json_body={"stage": stage, "notes": notes})
        run.expect(_ok(moved), moved, f"moving a deal to {stage} with notes answered {moved.status}",
                   about={"stage": stage, "field": "notes"})
        listed, deals = _deals(run)
        shown = deals.get(str(deal.id), {}).get("stage")
        run.expect(shown == stage, listed, f"after moving to {stage} the deal is listed in {shown!r}",
                   about={"stage": stage}, operation=move)


# contacts ----------------------------------------------------------------------------------------------
@scenario("SEM-108", "pagination", "Search finds a contact by its email, and only contacts holding the term", "MUST",
          "002 GET /contacts search 'Search name/email': the email is searched too (PAG-013 searches the name)")
def oc_search_email(run: CheckRun) -> None:
    token = _token(run, "e")
    made = create_record(run, "contacts", email=f"{token}@example.org")
    exchange, found = _searched(run, token)
    about = {"parameter": "search", "field": "email"}
    run.expect(str(made.id) in _ids(found), exchange, f"searching for {token!r} did not find {made.id}, whose "
               "email holds it", about=about)
    leaked = [i for i in found if token not in f"{i.get('name')} {i.get('email')}".lower()]
    run.expect(not leaked, exchange, f"searching for {token!r} returned {_ids(leaked)[:5]}, whose name and email "
               "do not hold it", about=about)


@scenario("SEM-109", "semantics", "A contact whose email is taken is refused with 400 duplicate_contact (or 409)",
          "MUST", "002 Error Responses: 400 duplicate_contact 'Contact already exists' (OC6: 400 or 409; OC4 codes)")
def oc_duplicate(run: CheckRun) -> None:
    first = create_record(run, "contacts")
    email = str(first.exchange.request_body["email"])
    create = op_of(run, "contacts", "create")
    again = run.call(create, json_body={**(run.fixtures.body("contacts") or {}), "email": email})
    run.fixtures.adopt(create, again)
    run.expect(again.status in (400, 409), again, f"a second contact with {email} answered {again.status}, "
               "expected 400 duplicate_contact (or 409)", about={"rule": "duplicate-create"})
    second = create_record(run, "contacts")
    update = op_of(run, "contacts", "update")
    clash = run.call(update, fill_path(run, update, second.id),
                     json_body={**second.exchange.request_body, "email": email})
    run.expect(clash.status in (400, 409), clash, f"changing a contact's email to {email}, another contact's, "
               f"answered {clash.status}", level=SHOULD, about={"rule": "duplicate-update"})
    for exchange in (again, clash):
        if _code(run, exchange) == "duplicate_contact":
            run.expect(exchange.status in (400, 409), exchange, f"duplicate_contact came with {exchange.status}",
                       about={"code": "duplicate_contact"})


@scenario("SEM-110", "semantics", "A contact keeps what its create and update send", "MUST",
          "002 Create Contact body: owner_id sets the owner {id, name}; notes (OC2: the detail shows note objects, "
          "a string is accepted); OC7 fixture body name + email + type; OC12 PUT answers the changed field")
def oc_contact_writes(run: CheckRun) -> None:
    users = _users(run)
    contact = create_record(run, "contacts", owner_id=users[0]) if users else create_record(run, "contacts")
    sent = contact.exchange.request_body if isinstance(contact.exchange.request_body, dict) else {}
    create = op_of(run, "contacts", "create")
    read, record = read_record(run, "contacts", contact.id)
    if record is not None and sent.get("owner_id"):
        owner = _dict(record.get("owner"))
        run.expect(owner.get("id") == sent["owner_id"], read, f"owner_id was sent as {sent['owner_id']!r}, the "
                   f"contact's owner is {record.get('owner')!r}", about={"field": "owner_id"}, operation=create)
    if record is not None and isinstance(sent.get("notes"), str):
        notes = record.get("notes")
        kept = notes == sent["notes"] or isinstance(notes, list) and any(
            isinstance(n, dict) and n.get("content") == sent["notes"] for n in notes)
        run.expect(kept, read, f"notes were sent as {sent['notes']!r}, the contact shows {notes!r}", level=SHOULD,
                   about={"field": "notes"}, operation=create)
    token = _token(run, "m")
    minimal = run.call(create, json_body={"name": f"{token} Minimal", "email": f"{token}@example.org", "type": "lead"})
    run.fixtures.adopt(create, minimal)
    run.expect(_ok(minimal), minimal, f"a body of name, email and type answered {minimal.status}", level=SHOULD,
               about={"rule": "minimal-body"})
    update = op_of(run, "contacts", "update")
    title = f"{token} Director"
    changed = run.call(update, fill_path(run, update, contact.id), json_body={**sent, "title": title})
    answer = _answer(run, update, changed)
    if _ok(changed) and answer is not None and "title" in answer:
        run.expect(answer.get("title") == title, changed, f"the update answers title {answer.get('title')!r}, it "
                   f"sent {title!r}", about={"field": "title"})


@scenario("SEM-111", "semantics", "Bulk update sets the owner and patches the tags of exactly the listed contacts",
          "MUST", "002 Bulk Update {contact_ids, updates: {owner_id, tags: {add, remove}}} (dialects.md 1B: add/remove "
          "patch semantics)")
def oc_bulk_update(run: CheckRun) -> None:
    users = _users(run)
    if len(users) < 2:
        run.skip("the document names fewer than two users to move contacts between")
    keep = _token(run, "k")
    tags = [keep, "small_business"]
    listed = [create_record(run, "contacts", tags=tags, owner_id=users[0]) for _ in range(2)]
    bystander = create_record(run, "contacts", tags=tags, owner_id=users[0])
    bulk = op_of(run, "contacts", "bulk_update")
    exchange = run.call(bulk, json_body={"contact_ids": [c.id for c in listed], "updates": {
        "owner_id": users[1], "tags": {"add": ["enterprise"], "remove": ["small_business"]}}})
    if not run.expect(_ok(exchange), exchange, f"bulk update answered {exchange.status}", about={"rule": "accepted"}):
        return
    for contact in listed:
        read, record = read_record(run, "contacts", contact.id)
        if record is None:
            run.fail(read, f"reading {contact.id} after the bulk update answered {read.status}",
                     about={"rule": "accepted"}, operation=bulk)
            continue
        owner = _dict(record.get("owner"))
        now = [str(t) for t in record.get("tags") or []] if isinstance(record.get("tags"), list) else []
        run.expect(owner.get("id") == users[1], read, f"{contact.id}'s owner is {record.get('owner')!r}, the bulk "
                   f"update set {users[1]}", about={"field": "owner_id"}, operation=bulk)
        run.expect("enterprise" in now and keep in now, read, f"{contact.id}'s tags are {now}: tags.add gave "
                   f"'enterprise' to {tags}", about={"field": "tags.add"}, operation=bulk)
        run.expect("small_business" not in now and keep in now, read, f"{contact.id}'s tags are {now}: tags.remove "
                   f"took 'small_business' from {tags}", about={"field": "tags.remove"}, operation=bulk)
    read, record = read_record(run, "contacts", bystander.id)
    owner = _dict(_dict(record).get("owner"))
    run.expect(record is not None and sorted(record.get("tags") or []) == sorted(tags)
               and owner.get("id") == users[0], read, f"{bystander.id}, not listed, changed: tags "
               f"{(record or {}).get('tags')!r}, owner {(record or {}).get('owner')!r}",
               about={"rule": "unlisted-unchanged"}, operation=bulk)
    again = run.call(bulk, json_body={"contact_ids": [listed[0].id], "updates": {"tags": {"add": ["enterprise"]}}})
    read, record = read_record(run, "contacts", listed[0].id)
    now = [str(t) for t in (record or {}).get("tags") or []]
    run.expect(_ok(again) and now.count("enterprise") == 1, read, f"adding 'enterprise' twice answered "
               f"{again.status} and left tags {now}", level=SHOULD, about={"rule": "no-duplicate-tag"}, operation=bulk)


def _multipart(parts: dict[str, tuple[str | None, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body: name -> (file name or None, content type, content)."""
    boundary = f"crmconf{uuid.uuid4().hex}"
    out = b""
    for name, (filename, content_type, content) in parts.items():
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += (f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
                .encode() + content + b"\r\n")
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@scenario("SEM-112", "semantics", "A CSV import creates one contact per row, as mapped, without duplicates", "MUST",
          "002 Bulk Import: multipart file contacts.csv, mapping {name: 'Full Name', email: 'Email Address'}, "
          "options {skip_duplicates: true, source: csv_import} (X11: every row is the suite's own)")
def oc_import(run: CheckRun) -> None:
    existing = create_record(run, "contacts")
    existing_email = str(existing.exchange.request_body["email"])
    rows = [(f"{_token(run, 'r')}a Imported", f"{_token(run, 'r')}a@example.org"),
            (f"{_token(run, 'r')}b Imported", f"{_token(run, 'r')}b@example.org")]
    csv_text = "Full Name,Email Address\n" + "".join(f"{n},{e}\n" for n, e in rows) + f"Duplicate,{existing_email}\n"
    data, content_type = _multipart({
        "file": ("contacts.csv", "text/csv", csv_text.encode()),
        "mapping": (None, "application/json", json.dumps({"name": "Full Name", "email": "Email Address"}).encode()),
        "options": (None, "application/json", json.dumps({"skip_duplicates": True, "source": "csv_import"}).encode()),
    })
    imports = op_of(run, "contacts", "import")
    exchange = run.call(imports, data=data, headers={"Content-Type": content_type})
    found: list[tuple[str, str, Exchange, list[dict[str, Any]]]] = []
    for name, email in rows:  # whatever the answer, the rows it made are the suite's to clean up
        listed, items = _searched(run, email)
        for item in items:
            if str(item.get("email", "")).lower() == email and not run.fixtures.owns("contacts", item.get("id")):
                run.fixtures.created.append(Created("contacts", item.get("id"), item, listed))
        found.append((name, email, listed, items))
    if not run.expect(_ok(exchange), exchange, f"the import answered {exchange.status}", about={"rule": "accepted"}):
        return
    for name, email, listed, items in found:
        mine = [i for i in items if str(i.get("email", "")).lower() == email]
        if not run.expect(len(mine) == 1, listed, f"the imported row {email} is listed {len(mine)} times",
                          about={"rule": "rows-listed"}):
            continue
        run.expect(mine[0].get("name") == name, listed, f"the row's Full Name {name!r} was mapped to name, the "
                   f"contact is named {mine[0].get('name')!r}", about={"rule": "mapping"})
        run.expect(mine[0].get("source") == "csv_import", listed, f"options.source csv_import, the contact's source "
                   f"is {mine[0].get('source')!r}", about={"rule": "source"})
    listed, items = _searched(run, existing_email)
    twins = [i for i in items if str(i.get("email", "")).lower() == existing_email.lower()]
    for twin in twins:
        if not run.fixtures.owns("contacts", twin.get("id")):
            run.fixtures.created.append(Created("contacts", twin.get("id"), twin, listed))
    run.expect(len(twins) == 1, listed, f"with skip_duplicates the row {existing_email} made {len(twins) - 1} "
               "second contact(s)", about={"rule": "skip-duplicates"})
    empty, content_type = _multipart({"options": (None, "application/json", b'{"source": "csv_import"}')})
    refused = run.call(imports, data=empty, headers={"Content-Type": content_type})
    run.expect(refused.status is not None and 400 <= refused.status < 500, refused,
               f"an import without a file answered {refused.status}", level=SHOULD, about={"rule": "no-file"})


# unknown records ---------------------------------------------------------------------------------------
def _absent_deal(run: CheckRun) -> str | None:
    """A deal id the target proved it does not have: GET /deals lists every deal (OC3)."""
    candidate = f"crmconf-{run.fixtures.tag}-absent"
    listed, deals = _deals(run)
    return candidate if listed.status == 200 and candidate not in deals else None


@scenario("SEM-113", "status", "Every operation on an unknown contact or deal answers 404 with its CRM code", "MUST",
          "002 Error Responses: 404 contact_not_found, 404 deal_not_found (OC4: or NOT_FOUND; X11: only ids the "
          "target proved it does not have)")
def oc_unknown_records(run: CheckRun) -> None:
    absent = {"contacts": run.fixtures.absent_id("contacts"), "deals": _absent_deal(run)}
    bodies = {"update": run.fixtures.body("contacts"), "move_stage": {"stage": "proposal"}}
    for op in run.api.operations:
        resource = run.dialect.resources.get(op.resource)
        record_param = op.record_param()
        if resource is None or record_param is None or absent.get(op.resource) is None or op.action == "read":
            continue  # STA-006 judges the reads
        exchange = run.call(op, {record_param: absent[op.resource]}, json_body=bodies.get(op.action))
        code = resource.not_found_code or "not_found"
        if not run.expect(exchange.status == 404, exchange, f"{op} on an unknown id answered {exchange.status}, "
                          "expected 404", about={"status": "404"}):
            continue
        found = _code(run, exchange)
        run.expect(found in (code, "not_found"), exchange, f"the not-found code is {found!r}, expected {code}",
                   about={"status": "404", "code": code})
    _unknown_references(run, absent)


def _unknown_references(run: CheckRun, absent: dict[str, Any]) -> None:
    """A create naming a contact or deal the target proved it does not have is refused (404, 400 accepted;
    the page ties no code to these operations: a SHOULD). What a server wrongly makes is the suite's."""
    for resource, field in (("deals", "contact_id"), ("activities", "contact_id"), ("activities", "deal_id"),
                            ("tasks", "contact_id")):
        unknown = absent.get("contacts" if field == "contact_id" else "deals")
        create = run.api.find(resource, "create")
        good = run.fixtures.body(resource)
        if unknown is None or create is None or good is None:
            continue
        exchange = run.call(create, json_body={**good, field: unknown})
        run.fixtures.adopt(create, exchange)
        run.expect(exchange.status in (400, 404), exchange, f"a {resource} create naming the unknown {field} "
                   f"{unknown} answered {exchange.status}, expected 404 (or 400)", level=SHOULD,
                   about={"rule": "unknown-reference", "field": field})


# enrichment --------------------------------------------------------------------------------------------
@scenario("SEM-114", "semantics", "A contact can be enriched, alone and in bulk", "MUST",
          "002 Enrich Contact response {contact_id, enrichment_status, data_added, confidence 0.92, sources}; Bulk "
          "Enrich {contact_ids, fields: [company, social, email_verification]}")
def oc_enrich(run: CheckRun) -> None:
    contact, exchange, answer = _of_a_contact(run, "enrich", "enriched")
    confidence = number((answer or {}).get("confidence"))
    if confidence is not None:
        run.expect(0 <= confidence <= 1, exchange, f"confidence {confidence} is not between 0 and 1",
                   level=SHOULD, about={"field": "confidence"})
    other = create_record(run, "contacts")
    bulk = op_of(run, "contacts", "bulk_enrich")
    many = run.call(bulk, json_body={"contact_ids": [contact.id, other.id],
                                     "fields": ["company", "social", "email_verification"]})
    run.expect(_ok(many), many, f"bulk enrichment answered {many.status}", about={"rule": "bulk"})


# activities and tasks ----------------------------------------------------------------------------------
READ_BACK = ("subject", "description", "outcome", "duration_minutes", "next_steps")


def _enum(run: CheckRun, schema: str) -> list[str]:
    found = (run.api.document.get("components") or {}).get("schemas", {}).get(schema, {}).get("enum")
    return [str(v) for v in found or []]


@scenario("SEM-115", "semantics", "Activities of each documented type are logged and listed as sent", "MUST",
          "002 Log Activity body and Activity Types table (call, email, meeting, demo, note, task); the list's "
          "shape is not shown, so what it reads back is a SHOULD")
def oc_activities(run: CheckRun) -> None:
    contact = create_record(run, "contacts")
    listing = op_of(run, "activities", "list")
    made: list[Created] = []
    for kind in _enum(run, "ActivityType") or ["call"]:
        activity = _made(run, "activities", {"type": kind}, contact_id=contact.id, type=kind)
        made += [activity] if activity is not None else []
    exchange, items = list_items(run, listing, contact_id=contact.id, **{run.dialect.pagination.size_param: 100})
    by_id = {str(i.get("id")): i for i in items}
    for activity in made:
        sent = activity.exchange.request_body if isinstance(activity.exchange.request_body, dict) else {}
        item = by_id.get(str(activity.id))
        if not run.expect(item is not None, exchange, f"the activity {activity.id} is not listed for its contact",
                          level=SHOULD, about={"rule": "listed"}):
            continue
        assert item is not None
        for field in (f for f in READ_BACK if f in sent):
            run.expect(item.get(field) == sent[field], exchange, f"{field} was sent as {sent[field]!r}, listed as "
                       f"{item.get(field)!r}", level=SHOULD, about={"field": field})


@scenario("SEM-116", "semantics", "Tasks of each documented priority are created pending and listed as sent", "MUST",
          "002 Create Task body (due_date a date-time, priority low/medium/high) and List Tasks status=pending "
          "(OC14: a new task is pending; overdue is derived); the task's read shape is not shown: a SHOULD")
def oc_tasks(run: CheckRun) -> None:
    listing = op_of(run, "tasks", "list")
    for priority in _enum(run, "TaskPriority") or ["high"]:
        task = _made(run, "tasks", {"field": "priority", "rule": "accepted"}, priority=priority, due_date=FUTURE_DUE)
        if task is None:
            continue
        run.observe(task.exchange, {"field": "due_date", "rule": "accepted"})
        exchange, item = _listed(run, listing, task.id, status="pending", priority=priority)
        if not run.expect(item is not None, exchange, f"the new task {task.id} is not listed with status=pending",
                          level=SHOULD, about={"rule": "new-pending"}):
            continue
        assert item is not None
        sent = task.exchange.request_body if isinstance(task.exchange.request_body, dict) else {}
        for field in ("title", "description", "contact_id", "deal_id"):
            if field in sent:
                run.expect(item.get(field) == sent[field], exchange, f"{field} was sent as {sent[field]!r}, listed "
                           f"as {item.get(field)!r}", level=SHOULD, about={"field": field})
        run.expect(_same_instant(item.get("due_date"), FUTURE_DUE), exchange, f"due_date was sent as {FUTURE_DUE}, "
                   f"listed as {item.get('due_date')!r}", level=SHOULD,
                   about={"field": "due_date", "rule": "read-back"})


def _same_instant(got: Any, sent: str) -> bool:
    from datetime import datetime

    try:
        return isinstance(got, str) and datetime.fromisoformat(got.replace("Z", "+00:00")) == \
            datetime.fromisoformat(sent.replace("Z", "+00:00"))
    except ValueError:
        return False


@scenario("SEM-105", "semantics", "A completed task is listed as completed", "MUST",
          "002 POST /tasks/{task_id}/complete; GET /tasks status=completed (OC14 strict); no longer pending")
def oc_task_complete(run: CheckRun) -> None:
    task = create_record(run, "tasks", due_date=FUTURE_DUE)
    complete = op_of(run, "tasks", "complete")
    done = run.call(complete, fill_path(run, complete, task.id))
    if not run.expect(_ok(done), done, f"complete answered {done.status}", about={"rule": "complete"}):
        return
    listing = op_of(run, "tasks", "list")
    exchange, found = _listed(run, listing, task.id, status="completed")
    run.expect(found is not None, exchange, f"task {task.id} is not listed as completed",
               about={"rule": "listed-completed"})
    exchange, found = _listed(run, listing, task.id, status="pending")
    run.expect(found is None, exchange, f"the completed task {task.id} is still listed as pending", level=SHOULD,
               about={"rule": "not-pending"})


# pagination block and roles ----------------------------------------------------------------------------
@scenario("SEM-117", "pagination", "The contacts list's pagination block, when present, holds the page asked for",
          "MUST", "002 List Contacts pagination {page: 1, limit: 20, total: 1250} (OC3: optional; if present, page and "
          "total are integers, with limit or per_page)")
def oc_page_block(run: CheckRun) -> None:
    contacts = op_of(run, "contacts", "list")
    pag = run.dialect.pagination
    totals: list[tuple[Exchange, Any]] = []
    for page in (pag.first_page, pag.first_page + 1):
        exchange, items = list_items(run, contacts, **{pag.page_param: page, pag.size_param: 2})
        payload = body(exchange)
        if exchange.status != 200 or not isinstance(payload, dict):
            continue
        block = _dict(payload.get("pagination")) or payload
        if not {"page", "total"} & set(block):
            continue  # OC3: the block is optional (ENV-003 warns)
        size = block.get("limit", block.get("per_page"))
        wrong = [k for k, v in (("page", block.get("page")), ("total", block.get("total")), ("limit", size))
                 if not isinstance(v, int) or isinstance(v, bool)]
        run.expect(not wrong, exchange, f"the pagination block holds no integer at {', '.join(wrong)}: {block}",
                   about={"field": "pagination"})
        if isinstance(size, int):
            run.expect(size == 2, exchange, f"asked for limit 2, the block says {size}", level=SHOULD,
                       about={"field": "limit"})
        totals.append((exchange, block.get("total")))
        total = block.get("total")
        if isinstance(total, int):
            run.expect(total >= len(items), exchange, f"total {total} is less than the {len(items)} items of one "
                       "page", level=SHOULD, about={"field": "total"})
    if len(totals) == 2 and all(isinstance(t, int) for _, t in totals):
        run.expect(totals[0][1] == totals[1][1], totals[1][0], f"total is {totals[0][1]} on one page and "
                   f"{totals[1][1]} on the next", level=SHOULD, about={"field": "total"})


def _roles(credential: str, claim: str) -> list[str]:
    """The roles a JWT's payload names (read, not verified: the server verifies it)."""
    parts = credential.split(".")
    if len(parts) != 3:
        return []
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return []
    value = claims.get(claim) if isinstance(claims, dict) else None
    return [str(r) for r in (value if isinstance(value, list) else [value] if value else [])]


@scenario("SEM-118", "auth", "A token holding a CRM role is admitted to every CRM read", "MUST",
          "002 Required Roles: marketing, sales, manager, restaurant_manager, tenant_admin, platform_admin, "
          "system_admin, super_admin (OC15); judged for the roles of the tokens the suite is given")
def oc_roles_admitted(run: CheckRun) -> None:
    auth = run.dialect.auth
    if auth.scheme != "jwt":
        run.skip("the API's credential is not a JWT")
    for name in ("default", "admin"):
        credential = run.target.credentials.get(name)
        roles = _roles(str(credential or ""), auth.role_claim)
        for op in run.api.operations:
            allowed = [r for r in roles if r in (op.roles or ())]
            if not op.secured or op.method != "get" or op.path_params or not allowed:
                continue
            exchange = run.call(op, credential=name)
            run.expect(exchange.status not in (401, 403, None), exchange, f"a token with the CRM role "
                       f"{allowed[0]} got {exchange.status} from {op}", about={"role": allowed[0]})
