"""Contacts (SEM-108, SEM-109, SEM-110): found by their email, unique by it, and keeping what their writes send."""

from __future__ import annotations

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import SHOULD, create_record, op_of, read_record, succeeded, unique_word
from conformance.invariants.olympus.records import answer_object, as_dict, error_code, ids_of, search_contacts, user_ids
from conformance.registry import scenario


@scenario("SEM-108", "pagination", "Search finds a contact by its email, and only contacts holding the term", "MUST",
          "002 GET /contacts search 'Search name/email': the email is searched too (PAG-013 searches the name)")
def oc_search_email(run: CheckRun) -> None:
    token = unique_word(run, "e")
    made = create_record(run, "contacts", email=f"{token}@example.org")
    exchange, found = search_contacts(run, token)
    about = {"parameter": "search", "field": "email"}
    run.expect(str(made.id) in ids_of(found), exchange, f"searching for {token!r} did not find {made.id}, whose "
               "email holds it", about=about)
    leaked = [i for i in found if token not in f"{i.get('name')} {i.get('email')}".lower()]
    run.expect(not leaked, exchange, f"searching for {token!r} returned {ids_of(leaked)[:5]}, whose name and email "
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
        if error_code(run, exchange) == "duplicate_contact":
            run.expect(exchange.status in (400, 409), exchange, f"duplicate_contact came with {exchange.status}",
                       about={"code": "duplicate_contact"})


@scenario("SEM-110", "semantics", "A contact keeps what its create and update send", "MUST",
          "002 Create Contact body: owner_id sets the owner {id, name}; notes (OC2: the detail shows note objects, "
          "a string is accepted); OC7 fixture body name + email + type; OC12 PUT answers the changed field")
def oc_contact_writes(run: CheckRun) -> None:
    users = user_ids(run)
    contact = create_record(run, "contacts", owner_id=users[0]) if users else create_record(run, "contacts")
    sent = contact.exchange.request_body if isinstance(contact.exchange.request_body, dict) else {}
    create = op_of(run, "contacts", "create")
    read, record = read_record(run, "contacts", contact.id)
    if record is not None and sent.get("owner_id"):
        owner = as_dict(record.get("owner"))
        run.expect(owner.get("id") == sent["owner_id"], read, f"owner_id was sent as {sent['owner_id']!r}, the "
                   f"contact's owner is {record.get('owner')!r}", about={"field": "owner_id"}, operation=create)
    if record is not None and isinstance(sent.get("notes"), str):
        notes = record.get("notes")
        kept = notes == sent["notes"] or isinstance(notes, list) and any(
            isinstance(n, dict) and n.get("content") == sent["notes"] for n in notes)
        run.expect(kept, read, f"notes were sent as {sent['notes']!r}, the contact shows {notes!r}", level=SHOULD,
                   about={"field": "notes"}, operation=create)
    token = unique_word(run, "m")
    minimal = run.call(create, json_body={"name": f"{token} Minimal", "email": f"{token}@example.org", "type": "lead"})
    run.fixtures.adopt(create, minimal)
    run.expect(succeeded(minimal), minimal, f"a body of name, email and type answered {minimal.status}", level=SHOULD,
               about={"rule": "minimal-body"})
    update = op_of(run, "contacts", "update")
    title = f"{token} Director"
    changed = run.call(update, fill_path(run, update, contact.id), json_body={**sent, "title": title})
    answer = answer_object(run, update, changed)
    if succeeded(changed) and answer is not None and "title" in answer:
        run.expect(answer.get("title") == title, changed, f"the update answers title {answer.get('title')!r}, it "
                   f"sent {title!r}", about={"field": "title"})
