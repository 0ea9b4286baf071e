"""SEM-111: bulk update sets the owner and patches the tags of exactly the listed contacts."""

from __future__ import annotations

from conformance.context import CheckRun
from conformance.invariants._common import SHOULD, create_record, op_of, read_record, succeeded, unique_word
from conformance.invariants.olympus.records import as_dict, user_ids
from conformance.registry import scenario


@scenario("SEM-111", "semantics", "Bulk update sets the owner and patches the tags of exactly the listed contacts",
          "MUST", "002 Bulk Update {contact_ids, updates: {owner_id, tags: {add, remove}}} (dialects.md 1B: add/remove "
          "patch semantics)")
def oc_bulk_update(run: CheckRun) -> None:
    users = user_ids(run)
    if len(users) < 2:
        run.skip("the document names fewer than two users to move contacts between")
    keep = unique_word(run, "k")
    tags = [keep, "small_business"]
    listed = [create_record(run, "contacts", tags=tags, owner_id=users[0]) for _ in range(2)]
    bystander = create_record(run, "contacts", tags=tags, owner_id=users[0])
    bulk = op_of(run, "contacts", "bulk_update")
    exchange = run.call(bulk, json_body={"contact_ids": [c.id for c in listed], "updates": {
        "owner_id": users[1], "tags": {"add": ["enterprise"], "remove": ["small_business"]}}})
    if not run.expect(succeeded(exchange), exchange, f"bulk update answered {exchange.status}",
                      about={"rule": "accepted"}):
        return
    for contact in listed:
        read, record = read_record(run, "contacts", contact.id)
        if record is None:
            run.fail(read, f"reading {contact.id} after the bulk update answered {read.status}",
                     about={"rule": "accepted"}, operation=bulk)
            continue
        owner = as_dict(record.get("owner"))
        now = [str(t) for t in record.get("tags") or []] if isinstance(record.get("tags"), list) else []
        run.expect(owner.get("id") == users[1], read, f"{contact.id}'s owner is {record.get('owner')!r}, the bulk "
                   f"update set {users[1]}", about={"field": "owner_id"}, operation=bulk)
        run.expect("enterprise" in now and keep in now, read, f"{contact.id}'s tags are {now}: tags.add gave "
                   f"'enterprise' to {tags}", about={"field": "tags.add"}, operation=bulk)
        run.expect("small_business" not in now and keep in now, read, f"{contact.id}'s tags are {now}: tags.remove "
                   f"took 'small_business' from {tags}", about={"field": "tags.remove"}, operation=bulk)
    read, record = read_record(run, "contacts", bystander.id)
    owner = as_dict(as_dict(record).get("owner"))
    run.expect(record is not None and sorted(record.get("tags") or []) == sorted(tags)
               and owner.get("id") == users[0], read, f"{bystander.id}, not listed, changed: tags "
               f"{(record or {}).get('tags')!r}, owner {(record or {}).get('owner')!r}",
               about={"rule": "unlisted-unchanged"}, operation=bulk)
    again = run.call(bulk, json_body={"contact_ids": [listed[0].id], "updates": {"tags": {"add": ["enterprise"]}}})
    read, record = read_record(run, "contacts", listed[0].id)
    now = [str(t) for t in (record or {}).get("tags") or []]
    run.expect(succeeded(again) and now.count("enterprise") == 1, read, f"adding 'enterprise' twice answered "
               f"{again.status} and left tags {now}", level=SHOULD, about={"rule": "no-duplicate-tag"}, operation=bulk)
