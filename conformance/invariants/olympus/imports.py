"""SEM-112: a CSV import creates one contact per row, as mapped, without duplicates."""

from __future__ import annotations

import json
import uuid
from typing import Any

from conformance.context import CheckRun
from conformance.fixtures import Created
from conformance.invariants._common import SHOULD, create_record, op_of, succeeded, unique_word
from conformance.invariants.olympus.records import search_contacts
from conformance.registry import scenario
from conformance.target import Exchange


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
    rows = [(f"{unique_word(run, 'r')}a Imported", f"{unique_word(run, 'r')}a@example.org"),
            (f"{unique_word(run, 'r')}b Imported", f"{unique_word(run, 'r')}b@example.org")]
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
        listed, items = search_contacts(run, email)
        for item in items:
            if str(item.get("email", "")).lower() == email and not run.fixtures.owns("contacts", item.get("id")):
                run.fixtures.created.append(Created("contacts", item.get("id"), item, listed))
        found.append((name, email, listed, items))
    if not run.expect(succeeded(exchange), exchange, f"the import answered {exchange.status}",
                      about={"rule": "accepted"}):
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
    listed, items = search_contacts(run, existing_email)
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
