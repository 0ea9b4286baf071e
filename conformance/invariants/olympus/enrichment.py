"""SEM-114: a contact can be enriched, alone and in bulk."""

from __future__ import annotations

from conformance.context import CheckRun
from conformance.invariants._common import SHOULD, create_record, number, op_of, succeeded
from conformance.invariants.olympus.records import contact_answer
from conformance.registry import scenario


@scenario("SEM-114", "semantics", "A contact can be enriched, alone and in bulk", "MUST",
          "002 Enrich Contact response {contact_id, enrichment_status, data_added, confidence 0.92, sources}; Bulk "
          "Enrich {contact_ids, fields: [company, social, email_verification]}")
def oc_enrich(run: CheckRun) -> None:
    contact, exchange, answer = contact_answer(run, "enrich", "enriched")
    confidence = number((answer or {}).get("confidence"))
    if confidence is not None:
        run.expect(0 <= confidence <= 1, exchange, f"confidence {confidence} is not between 0 and 1",
                   level=SHOULD, about={"field": "confidence"})
    other = create_record(run, "contacts")
    bulk = op_of(run, "contacts", "bulk_enrich")
    many = run.call(bulk, json_body={"contact_ids": [contact.id, other.id],
                                     "fields": ["company", "social", "email_verification"]})
    run.expect(succeeded(many), many, f"bulk enrichment answered {many.status}", about={"rule": "bulk"})
