"""SEM-101: merged contacts are gone, the primary stays, and their records move to it."""

from __future__ import annotations

from conformance.context import CheckRun
from conformance.invariants._common import SHOULD, create_record, op_of, read_record, succeeded
from conformance.invariants.olympus.records import as_list, deals_by_id, ids_of, search_contacts
from conformance.registry import scenario


@scenario("SEM-101", "semantics", "Merged contacts are gone, the primary stays", "MUST",
          "002 'The merged contacts are deleted and cannot be recovered'; field_preferences picks the winning "
          "value (OC13 strict: 404 and 200; into itself or an unknown id: 409/400/404)")
def oc_merge(run: CheckRun) -> None:
    primary = create_record(run, "contacts", phone="+15550000001")
    merged = create_record(run, "contacts", phone="+15550000002")
    deal = create_record(run, "deals", contact_id=merged.id)
    detail, record = read_record(run, "contacts", merged.id)
    if record is not None:
        run.expect(str(deal.id) in ids_of([d for d in as_list(record.get("deals")) if isinstance(d, dict)]), detail,
                   f"the deal {deal.id} made for {merged.id} is not in its detail's deals", level=SHOULD,
                   about={"rule": "detail-deals"})
    merge = op_of(run, "contacts", "merge")
    exchange = run.call(merge, json_body={"primary_contact_id": primary.id, "merge_contact_ids": [merged.id],
                                          "field_preferences": {"phone": merged.id}})
    if not run.expect(succeeded(exchange), exchange, f"merging answered {exchange.status}", about={"rule": "accepted"}):
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
        listed, found = search_contacts(run, str(contact.exchange.request_body["email"]))
        wrong = "lacks the primary" if present else "still lists the merged contact"
        run.expect((str(contact.id) in ids_of(found)) == present, listed, f"after the merge GET /contacts {wrong} "
                   f"{contact.id}", about={"rule": "listed"})
    deals_listed, deals = deals_by_id(run)
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
