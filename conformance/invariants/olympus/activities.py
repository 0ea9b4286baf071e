"""SEM-115: activities of each documented type are logged and listed as sent."""

from __future__ import annotations

from conformance.context import CheckRun
from conformance.fixtures import Created
from conformance.invariants._common import SHOULD, create_record, list_items, op_of
from conformance.invariants.olympus.records import document_enum, made_with
from conformance.registry import scenario

READ_BACK = ("subject", "description", "outcome", "duration_minutes", "next_steps")


@scenario("SEM-115", "semantics", "Activities of each documented type are logged and listed as sent", "MUST",
          "002 Log Activity body and Activity Types table (call, email, meeting, demo, note, task); the list's "
          "shape is not shown, so what it reads back is a SHOULD")
def oc_activities(run: CheckRun) -> None:
    contact = create_record(run, "contacts")
    listing = op_of(run, "activities", "list")
    made: list[Created] = []
    for kind in document_enum(run, "ActivityType") or ["call"]:
        activity = made_with(run, "activities", {"type": kind}, contact_id=contact.id, type=kind)
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
