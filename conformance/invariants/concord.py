"""Concord CRM's own invariants (003): billable amounts, the status lock, search, unique emails, statuses."""

from __future__ import annotations

from conformance import normalise
from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.invariants._common import TOLERANCE, create_record, list_items, op_of, read_record
from conformance.registry import scenario
from conformance.target import Exchange


@scenario("SEM-201", "semantics", "A deal with products has the products' total as its amount", "MUST",
          "003 'amount ... Not applicable when the deal has products because the amount is automatically updated "
          "based on the total value of the products' (CC3, CC15 under no_tax)")
def cc_amount(run: CheckRun) -> None:
    products = [{"name": "crm-conformance seat", "unit_price": 120.5, "qty": 3},
                {"name": "crm-conformance setup", "unit_price": 99.0, "qty": 1}]
    expected = 120.5 * 3 + 99.0
    deal = create_record(run, "deals", billable={"tax_type": "no_tax", "products": products})
    read, record = read_record(run, "deals", deal.id)
    amount = record.get("amount") if record else None
    run.expect(isinstance(amount, int | float) and abs(amount - expected) <= TOLERANCE, read,
               f"amount is {amount!r}, the products total {expected}")
    update = op_of(run, "deals", "update")
    good = run.fixtures.body("deals") or {}
    sent = run.call(update, fill_path(run, update, deal.id), json_body={
        "name": record.get("name") if record else good.get("name"), "stage_id": record.get("stage_id") if record
        else good.get("stage_id"), "amount": 1.0})
    if sent.status is not None and sent.status in run.dialect.errors.accepted("validation"):
        run.observe()  # CC3 lenient: rejecting the amount is allowed
    read, record = read_record(run, "deals", deal.id)
    amount = record.get("amount") if record else None
    run.expect(isinstance(amount, int | float) and abs(amount - expected) <= TOLERANCE, read,
               f"after sending amount 1.0 the stored amount is {amount!r}, the products total {expected}")


@scenario("SEM-202", "semantics", "A won deal must be reopened before it can be lost", "MUST",
          "Concord v1.5.1 (dialects.md 1C [C]): the won/lost lock; CC9 strict: the status does not change")
def cc_status_lock(run: CheckRun) -> None:
    deal = create_record(run, "deals")
    change = op_of(run, "deals", "change_status")

    def to(status: str) -> Exchange:
        return run.call(change, {**fill_path(run, change, deal.id), "status": status}, json_body={})

    won = to("won")
    if not run.expect(won.status is not None and 200 <= won.status < 300, won, f"marking won answered {won.status}"):
        return
    lost = to("lost")
    run.expect(lost.status in (409, 422), lost, f"won -> lost answered {lost.status}, expected 409 (or 422)")
    read, record = read_record(run, "deals", deal.id)
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
          "003 Search Deals 'without pagination and use the take parameter' (CC5 strict)")
def cc_search(run: CheckRun) -> None:
    search = op_of(run, "deals", "search") if run.api.find("deals", "search") else None
    if search is None:
        search = next((op for op in run.api.operations if op.path.endswith("/search")), None)
    if search is None:
        run.skip("no search operation")
    assert search is not None
    deal = create_record(run, "deals")
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
          "Concord contacts (dialects.md 1C [D][C]): email unique among contacts (CC16 strict 422)")
def cc_duplicate_email(run: CheckRun) -> None:
    first = create_record(run, "contacts")
    email = first.record.get("email")
    if not email:
        run.skip("the created contact has no email")
    create = op_of(run, "contacts", "create")
    again = run.call(create, json_body={"first_name": "crmconf duplicate", "email": email})
    run.fixtures.adopt(create, again)  # a server that took the duplicate made a record the suite must delete
    errors = normalise.error(run.dialect, body(again)).field_errors
    run.expect(again.status == 422 and isinstance(errors, dict) and "email" in errors, again,
               f"a duplicate email answered {again.status} with errors {errors!r}")


@scenario("SEM-205", "semantics", "A deal's status is open, won or lost", "MUST",
          "003 status 'Any of [open, won, lost]' (CC10 strict)")
def cc_status_values(run: CheckRun) -> None:
    exchange, deals = list_items(run, op_of(run, "deals", "list"), per_page=50)
    for deal in deals:
        run.expect(deal.get("status") in ("open", "won", "lost"), exchange,
                   f"deal {deal.get('id')} has status {deal.get('status')!r}")
