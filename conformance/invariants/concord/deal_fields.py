"""What a deal stores (SEM-211) and the updates it refuses (SEM-212)."""

from __future__ import annotations

from typing import Any

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.fixtures import Created
from conformance.invariants._common import list_items, op_of, read_record, succeeded, unique_word
from conformance.invariants.concord.own_deals import deal_at, own_deal, update_body
from conformance.invariants.concord.refusals import NOT_A_CHOICE, expect_refused
from conformance.readback import reads_back_as_sent
from conformance.registry import scenario
from crmspec.model import Operation


def _other(values: list[Any], current: Any) -> Any:
    """Another value the target itself uses (a stage, an owner), else the current one."""
    return next((v for v in values if isinstance(v, int) and not isinstance(v, bool) and v != current), current)


def _created_with_status(run: CheckRun, create: Operation, status: str, reason: str) -> None:
    extra = {"status": status, **({"lost_reason": reason} if status == "lost" else {})}
    made = run.fixtures.create("deals", overrides={"contacts": [], "companies": [], **extra})
    if made is None:
        last = next((e for e in reversed(run.target.exchanges) if e.operation == str(create)), None)
        run.fail(last, f"creating a deal with status {status} was refused ({last.status if last else None})",
                 operation=create, about={"field": "status"})
        return
    read, record = read_record(run, "deals", made.id)
    got = record.get("status") if record else None
    run.expect(got == status, read, f"a deal created with status {status} reads {got!r}", operation=create,
               about={"field": "status"})
    if status == "lost":
        kept = record.get("lost_reason") if record else None
        run.expect(kept == reason, read, f"a deal created lost with lost_reason {reason!r} reads {kept!r}",
                   operation=create, about={"field": "lost_reason"})


def _stored(run: CheckRun, update: Operation, deal: Created, sent: dict[str, Any], fields: tuple[str, ...]) -> None:
    """A PUT of `sent`, then each of `fields` reads back as sent (money within 0.005, a date possibly as a
    date-time of that day: X5, CC13)."""
    put = run.call(update, fill_path(run, update, deal.id), json_body=sent)
    read, record = read_record(run, "deals", deal.id)
    for field in fields:
        got = record.get(field) if record else None
        run.expect(succeeded(put) and reads_back_as_sent(sent[field], got), read if succeeded(put) else put,
                   f"updated {field} to {sent[field]!r} (answered {put.status}), the deal reads {got!r}",
                   operation=update, about={"field": field})


@scenario("SEM-211", "semantics", "A deal stores what its create and update send, and reads back as asked", "MUST",
          "003 Create/Update Deal body: name, stage_id, amount, expected_close_date, user_id, status 'Any of "
          "[open, won, lost]', lost_reason 'Applicable when status is lost'; Retrieve Deal 'The ID of the record'")
def cc_deal_fields(run: CheckRun) -> None:
    """field: status and lost_reason on create (each status); field: id on read; field: name, stage_id,
    amount, expected_close_date, user_id, status, lost_reason on update."""
    create, update = op_of(run, "deals", "create"), op_of(run, "deals", "update")
    reason = f"{unique_word(run, 'l')} reason"
    for status in ("won", "lost", "open"):
        _created_with_status(run, create, status, reason)
    deal = own_deal(run)
    read, record = read_record(run, "deals", deal.id)
    got_id = record.get("id") if record else None
    run.expect(str(got_id) == str(deal.id), read, f"GET of deal {deal.id} answered {read.status} with id {got_id!r}",
               about={"field": "id"})
    _, others = list_items(run, op_of(run, "deals", "list"), per_page=50)
    current = record or deal.record
    sent = update_body(current, deal, name=f"{current.get('name')} (renamed)",
                       stage_id=_other([d.get("stage_id") for d in others], current.get("stage_id")),
                       amount=2345.5, expected_close_date="2027-03-04",
                       user_id=_other([d.get("user_id") for d in others], current.get("user_id")))
    _stored(run, update, deal, sent, ("name", "stage_id", "amount", "expected_close_date", "user_id"))
    base = {"name": sent["name"], "stage_id": sent["stage_id"]}
    _stored(run, update, deal, {**base, "status": "won"}, ("status",))
    _stored(run, update, deal, {**base, "status": "open"}, ("status",))
    _stored(run, update, deal, {**base, "status": "lost", "lost_reason": reason}, ("status", "lost_reason"))


@scenario("SEM-212", "semantics", "An update with an empty stage_id or an unknown status is refused", "MUST",
          "003 Update Deal: stage_id Required; status 'Any of [open, won, lost]' (CC2: a field sent empty is "
          "refused under both readings)")
def cc_update_refusals(run: CheckRun) -> None:
    """field: stage_id (sent null, then empty), status (outside open, won, lost)."""
    update, deal, path = deal_at(run, "update")
    for value in (None, ""):
        expect_refused(run, update, path, update_body(None, deal, stage_id=value), "stage_id",
                       f"an update with stage_id {value!r}", {"field": "stage_id"})
    expect_refused(run, update, path, update_body(None, deal, status=NOT_A_CHOICE), "status",
                   f"an update with status {NOT_A_CHOICE!r}", {"field": "status"})
