"""SEM-210: attach adds, detach removes and sync replaces a deal's associations."""

from __future__ import annotations

from typing import Any

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.fixtures import Created, FixtureUnavailable
from conformance.invariants._common import create_record, number, op_of, read_record, succeeded
from conformance.invariants.concord.own_deals import own_deal, update_body
from conformance.registry import scenario
from crmspec.model import Operation

ASSOCIATIONS = ("contacts", "companies", "activities")


def linked(record: dict[str, Any] | None, key: str) -> list[Any] | None:
    """The ids of a deal's associated records, where the deal shows them (ids, or objects with an id)."""
    value = record.get(key) if record else None
    if not isinstance(value, list):
        return None
    return [item.get("id") if isinstance(item, dict) else item for item in value]


def _judge_links(run: CheckRun, deal: Created, key: str, expected: set[Any], op: Operation, about: dict[str, str],
                 what: str, exact: bool = True) -> None:
    """The deal's `key` associations after `what`: exactly `expected` (or at least it), judged on the ids the
    deal shows, else on its `<key>_count`; not judged where the deal shows neither."""
    read, record = read_record(run, "deals", deal.id)
    ids, count = linked(record, key), number(record.get(f"{key}_count")) if record else None
    wanted = sorted(map(str, expected))
    if ids is not None:
        got = sorted(map(str, ids))
        ok = got == wanted if exact else set(wanted) <= set(got) and len(got) == len(set(got))
        run.expect(ok, read, f"after {what} the deal's {key} are {got}, expected {wanted}", operation=op, about=about)
    elif count is not None:
        ok = count == len(expected) if exact else count >= len(expected)
        run.expect(ok, read, f"after {what} the deal's {key}_count is {count:g}, expected {len(expected)}",
                   operation=op, about=about)


def _associate(run: CheckRun, key: str, records: list[Created]) -> None:
    attach, detach, sync = (op_of(run, "deals", f"{mode}_associations") for mode in ("attach", "detach", "sync"))
    first, second = (r.id for r in records)
    deal = own_deal(run)
    about = {"key": key, "case": "change"}
    for op, ids, expected, what in ((attach, [first], {first}, "attaching one"),
                                    (attach, [second], {first, second}, "attaching another"),
                                    (detach, [first], {second}, "detaching the first"),
                                    (sync, [first], {first}, "syncing to the first")):
        exchange = run.call(op, fill_path(run, op, deal.id), json_body={key: ids})
        if run.expect(succeeded(exchange), exchange, f"{what} of the {key} answered {exchange.status}", about=about):
            _judge_links(run, deal, key, expected, op, about, f"{what} ({op})")
    for op in (attach, detach, sync):  # CC7: a body naming no resource changes nothing when it is accepted
        if succeeded(run.call(op, fill_path(run, op, deal.id), json_body={})):
            _judge_links(run, deal, key, {first}, op, {"case": "empty"}, f"{op} without a resource key")
    again = run.call(attach, fill_path(run, attach, deal.id), json_body={key: [first]})
    twice = {"key": key, "case": "again"}
    if run.expect(succeeded(again) or again.status in (409, 422), again,
                  f"attaching an associated record again answered {again.status}, expected 2xx, 409 or 422",
                  about=twice):
        _judge_links(run, deal, key, {first}, attach, twice, "attaching an associated record again")


def _in_deal_bodies(run: CheckRun, key: str, records: list[Created]) -> None:
    """contacts and companies sent in a deal's create and update bodies."""
    create, update = op_of(run, "deals", "create"), op_of(run, "deals", "update")
    first, second = (r.id for r in records)
    about = {"key": key, "case": "change"}
    deal = own_deal(run, **{key: [first]})
    _judge_links(run, deal, key, {first}, create, about, f"creating the deal with {key} [{first}]")
    both = update_body(None, deal, **{key: [first, second]})
    sent = run.call(update, fill_path(run, update, deal.id), json_body=both)
    if run.expect(succeeded(sent), sent, f"updating the deal with {key} answered {sent.status}", about=about):
        _judge_links(run, deal, key, {first, second}, update, about, f"updating the deal with {key} "
                     f"[{first}, {second}]", exact=False)


@scenario("SEM-210", "semantics", "Attach adds, detach removes and sync replaces a deal's associations", "MUST",
          "003 Associations: attach/detach/sync 'Array of contacts ID's to attach' (companies, activities); "
          "Create/Update Deal contacts/companies 'the deal is associated with'; CC7 no key: 2xx or 422; CC8 "
          "unknown key or already associated: 409 or 422")
def cc_associations(run: CheckRun) -> None:
    """key: contacts / companies / activities with case: change (each attach, detach, sync, and the deal
    create and update bodies), again (attaching an associated record: 2xx, 409 or 422, no duplicate);
    case: empty (no resource key: 2xx and nothing changes, or 422), unknown key (409 or 422)."""
    deal = own_deal(run)
    for mode in ("attach", "detach", "sync"):
        op = op_of(run, "deals", f"{mode}_associations")
        empty = run.call(op, fill_path(run, op, deal.id), json_body={})
        run.expect(succeeded(empty) or empty.status == 422, empty,
                   f"{mode} without a resource key answered {empty.status}, expected 2xx or 422",
                   about={"case": "empty"})
        unknown = run.call(op, fill_path(run, op, deal.id), json_body={"crmconf_things": [1]})
        run.expect(unknown.status in (409, 422), unknown,
                   f"{mode} with an unknown resource key answered {unknown.status}, expected 409 (or 422)",
                   about={"case": "unknown key"})
    for key in ASSOCIATIONS:
        try:
            records = [create_record(run, key), create_record(run, key)]
        except FixtureUnavailable:
            continue  # the API gives the suite no records of that kind to associate: not judged
        _associate(run, key, records)
        if key != "activities":  # the page's create and update bodies take contacts and companies
            _in_deal_bodies(run, key, records)
