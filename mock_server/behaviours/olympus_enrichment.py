"""Olympus data enrichment (seed 002 "Data Enrichment"): company, social and contact data made up for a contact,
the same for the same contact every time, stored on the contact (which rescores it)."""

from __future__ import annotations

import random
import re
from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server.auth import Principal
from mock_server.behaviours.olympus_records import TenantEvents, shown
from mock_server.behaviours.olympus_scoring import rescore, visible_score
from mock_server.clock import stamp, utcnow
from mock_server.engine import Engine
from mock_server.errors import INVALID_DATA, ValidationFailed
from mock_server.validation import ValidRequest
from mock_server.webhooks import Events

ENRICH_GROUPS = {"company": "company", "social": "social", "email_verification": "contact", "contact": "contact"}
GROUP_SOURCES = {"company": "clearbit", "social": "linkedin", "contact": "email_verification"}
INDUSTRIES = ("Technology", "Healthcare", "Financial Services", "Retail", "Hospitality", "Manufacturing",
              "Education", "Logistics", "Media", "Real Estate")
FREE_MAIL = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "example.com", "example.org")


def slug(text: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text or "").lower()).strip("-")


def _revenue_band(employees: int) -> str:
    for limit, band in ((10, "<$1M"), (50, "$1M-$10M"), (200, "$10M-$50M"), (1000, "$50M-$100M"),
                        (5000, "$100M-$500M")):
        if employees < limit:
            return band
    return "$500M+"


def enrichment_of(contact: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Every data group for one contact, the same each time: a Random seeded by the contact id."""
    rng = random.Random(f"olympus-enrichment:{contact.get('id')}")
    low, high = rng.choice(((5, 49), (50, 199), (200, 999), (1000, 9999)))
    employees = rng.randint(low, high)
    industry = rng.choice(INDUSTRIES)
    founded = rng.randint(1950, 2022)
    connections = rng.randint(50, 3000)
    verified = rng.random() < 0.9
    phone_type = rng.choice(("mobile", "mobile", "landline", "voip"))
    confidence = round(rng.uniform(0.6, 0.99), 2)

    custom = contact.get("custom_fields") if isinstance(contact.get("custom_fields"), dict) else {}
    if (custom or {}).get("industry"):
        industry = str((custom or {})["industry"]).title()
    email = str(contact.get("email") or "")
    domain = email.rsplit("@", 1)[-1].lower() if "@" in email else ""
    company_slug = slug(contact.get("company"))
    if domain and domain not in FREE_MAIL and re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", domain):
        website = f"https://{domain}"
    else:
        website = f"https://{company_slug or slug(contact.get('name')) or 'company'}.com"
    social = contact.get("social") if isinstance(contact.get("social"), dict) else {}
    linkedin = (social or {}).get("linkedin") or f"https://linkedin.com/in/{slug(contact.get('name')) or 'profile'}"
    data = {
        "company": {"employees": employees, "revenue": _revenue_band(employees), "industry": industry,
                    "founded": founded, "website": website},
        "social": {"linkedin": linkedin, "linkedin_connections": connections},
        "contact": {"verified_email": bool(email) and verified,
                    "phone_type": phone_type if contact.get("phone") else "unknown"},
    }
    return data, confidence


def _enrich(engine: Engine, events: Events, contact: dict[str, Any], groups: list[str]) -> dict[str, Any]:
    contacts = engine.resource("contacts")
    before = visible_score(engine, contact["id"])
    data, confidence = enrichment_of(contact)
    added = {group: data[group] for group in groups}
    sources = [GROUP_SOURCES[group] for group in groups]
    now = stamp(utcnow())
    previous = contact.get("enrichment") if isinstance(contact.get("enrichment"), dict) else {}
    contact = dict(contact)
    contact["enrichment"] = {
        "status": "completed",
        "data": {**((previous or {}).get("data") or {}), **added},
        "confidence": confidence,
        "sources": list(dict.fromkeys([*((previous or {}).get("sources") or []), *sources])),
        "enriched_at": now,
    }
    contact["updated_at"] = engine.now(contacts, "updated_at")
    saved = engine.save(contacts, contact)
    events.emit("crm.contact_updated", shown(engine, "contacts", saved))
    rescore(engine, events, contact["id"], before)
    return {"contact_id": contact["id"], "enrichment_status": "completed", "data_added": added,
            "confidence": confidence, "sources": sources, "enriched_at": now}


def enrich_contact(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    _, contact = engine.target(op, req)
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        result = _enrich(engine, events, contact, ["company", "social", "contact"])
    events.deliver()
    return engine.respond(op, "item", result)


def bulk_enrich(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    ids = list(dict.fromkeys(str(i) for i in body.get("contact_ids") or []))
    asked = body.get("fields")
    unknown = [f for f in asked or [] if f not in ENRICH_GROUPS]
    if unknown:
        raise ValidationFailed(INVALID_DATA, field_errors={"fields": [
            f"Unknown data group {f}; use {', '.join(ENRICH_GROUPS)}." for f in unknown]})
    groups = list(dict.fromkeys(ENRICH_GROUPS[f] for f in asked)) if asked else ["company", "social", "contact"]
    results: list[dict[str, Any]] = []
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        for contact_id in ids:
            contact = engine.store.get("contacts", contact_id)
            if contact is None:
                results.append({"contact_id": contact_id, "enrichment_status": "not_found",
                                "error": {"code": "contact_not_found", "message": "Contact not found."}})
            else:
                results.append(_enrich(engine, events, contact, groups))
    events.deliver()
    done = sum(1 for r in results if r["enrichment_status"] == "completed")
    return engine.respond(op, "item", {"requested": len(ids), "completed": done,
                                       "not_found": [r["contact_id"] for r in results
                                                     if r["enrichment_status"] == "not_found"],
                                       "results": results})
