"""The status endpoint and its lock (SEM-202, SEM-206), and the status values a deal holds (SEM-205)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.fixtures import Created
from conformance.invariants._common import list_items, op_of, read_record, succeeded, unique_word
from conformance.invariants.concord.own_deals import own_deal
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation


def _status_changer(run: CheckRun, deal: Created) -> tuple[Operation, Callable[..., Exchange]]:
    change = op_of(run, "deals", "change_status")

    def to(status: str, **fields: Any) -> Exchange:
        return run.call(change, {**fill_path(run, change, deal.id), "status": status}, json_body=fields)

    return change, to


def _status_after(run: CheckRun, deal: Created, change: Operation, exchange: Exchange, wanted: str,
                  about: dict[str, str], what: str) -> None:
    """The change answered 2xx and the deal then reads `wanted`."""
    if not run.expect(succeeded(exchange), exchange, f"{what} answered {exchange.status}", about=about):
        return
    read, record = read_record(run, "deals", deal.id)
    status = record.get("status") if record else None
    run.expect(status == wanted, read, f"after {what} the deal's status is {status!r}, expected {wanted!r}",
               operation=change, about=about)


def _locked(run: CheckRun, deal: Created, change: Operation, exchange: Exchange, kept: str,
            about: dict[str, str]) -> None:
    """A change the lock forbids is refused (409, or 422: CC9) and leaves the status as it was."""
    run.expect(exchange.status in (409, 422), exchange,
               f"{kept} -> {about['to']} without reopening answered {exchange.status}, expected 409 (or 422)",
               about=about)
    read, record = read_record(run, "deals", deal.id)
    status = record.get("status") if record else None
    run.expect(status == kept, read, f"after the refused change the status is {status!r}, expected {kept!r}",
               operation=change, about=about)


@scenario("SEM-202", "semantics", "A won or lost deal must be reopened before it takes the other end status",
          "MUST", "Concord v1.5.1 (dialects.md 1C [C]): the won/lost lock; CC9 strict: the status does not "
                  "change (409, or 422)")
def cc_status_lock(run: CheckRun) -> None:
    """from/to: won/lost and lost/won, each refused and leaving the status as it was."""
    deal = own_deal(run)
    change, to = _status_changer(run, deal)
    if not succeeded(to("won")):
        return  # SEM-206 judges a deal that cannot be marked won
    _locked(run, deal, change, to("lost"), "won", {"from": "won", "to": "lost"})
    if not (succeeded(to("open")) and succeeded(to("lost"))):
        return  # SEM-206 judges reopening and marking lost
    _locked(run, deal, change, to("won"), "lost", {"from": "lost", "to": "won"})


@scenario("SEM-206", "semantics", "PUT /deals/{id}/status/{status} marks a deal won, lost or open again", "MUST",
          "003 Change deal status: status 'Any of [open, won, lost]', lost_reason 'Deal lost reason when "
          "marking the deal as lost'; CC9 'Invalid {status} -> expect 4xx, and flag 500 as a defect'; CC10")
def cc_status_changes(run: CheckRun) -> None:
    """from/to: open/won, open/lost, and to: open (reopening won and lost deals), to: invalid (refused with
    a 4xx); field: lost_reason (stored when marking lost)."""
    deal = own_deal(run)
    change, to = _status_changer(run, deal)
    _status_after(run, deal, change, to("won"), "won", {"from": "open", "to": "won"}, "marking an open deal won")
    _status_after(run, deal, change, to("open"), "open", {"to": "open"}, "reopening a won deal")
    reason = f"{unique_word(run, 'r')} lost reason"
    lost = to("lost", lost_reason=reason)
    _status_after(run, deal, change, lost, "lost", {"from": "open", "to": "lost"}, "marking an open deal lost")
    if succeeded(lost):
        read, record = read_record(run, "deals", deal.id)
        got = record.get("lost_reason") if record else None
        run.expect(got == reason, read, f"marked lost with lost_reason {reason!r}, the deal reads {got!r}",
                   operation=change, about={"field": "lost_reason"})
    _status_after(run, deal, change, to("open"), "open", {"to": "open"}, "reopening a lost deal")
    bad = to("nonsense")
    run.expect(bad.status is not None and 400 <= bad.status < 500, bad,
               f"an invalid status answered {bad.status}, expected a 4xx (CC9 flags 500)", about={"to": "invalid"})


@scenario("SEM-205", "semantics", "A deal's status is open, won or lost", "MUST",
          "003 status 'Any of [open, won, lost]' (CC10 strict)")
def cc_status_values(run: CheckRun) -> None:
    """field: status."""
    exchange, deals = list_items(run, op_of(run, "deals", "list"), per_page=50)
    for deal in deals:
        run.expect(deal.get("status") in ("open", "won", "lost"), exchange,
                   f"deal {deal.get('id')} has status {deal.get('status')!r}", about={"field": "status"})
