"""Olympus contacts (seed 002 "Contacts", "Bulk Operations"): create and update map `owner_id` to `owner {id,
name}` and refuse a duplicate email (400 duplicate_contact); the detail adds the contact's deals, activity
timeline and notes; merge moves the merged contacts' records to the primary; bulk update changes many at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server import records
from mock_server.auth import Principal
from mock_server.behaviours.olympus_records import TenantEvents, money, shown
from mock_server.behaviours.olympus_scoring import rescore, visible_score
from mock_server.engine import Engine
from mock_server.errors import INVALID_DATA, BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from mock_server.store import query as q
from mock_server.validation import ValidRequest


def _owner(engine: Engine, owner_id: Any, field: str) -> dict[str, Any] | None:
    if owner_id is None:
        return None
    user = engine.store.get("users", owner_id)
    if user is None:
        raise ValidationFailed(INVALID_DATA,
                               field_errors={field: [f"The selected {field.rsplit('.', 1)[-1].replace('_', ' ')} "
                                                     "is invalid."]})
    return {"id": user["id"], "name": user.get("name")}


def _owner_from_body(engine: Engine, body: dict[str, Any]) -> dict[str, Any]:
    """The request's `owner_id` becomes the record's `owner {id, name}` (the list shows owner objects)."""
    if "owner_id" in body:
        body["owner"] = _owner(engine, body.pop("owner_id"), "owner_id")
    return body


def duplicate_contact(field_name: str) -> BusinessRuleViolation:
    """The refusal of a contact whose email another contact has (the document declares it unique)."""
    return BusinessRuleViolation("Contact already exists.", code="duplicate_contact",
                                 field_errors={field_name: ["A contact with this email already exists."]})


def default_status(body: dict[str, Any]) -> None:
    if body.get("status") is None:
        body["status"] = "active" if body.get("type") == "customer" else "lead"


# contacts ----------------------------------------------------------------------------------------------
def create_contact(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = _owner_from_body(engine, req.fields())
    default_status(body)
    body.setdefault("tags", [])
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        response = engine.create(op, dataclasses.replace(req, body=body), principal)
        created = engine.store.get("contacts", response.get_json()["id"]) or {}
        events.emit("crm.contact_created", shown(engine, "contacts", created))
    events.deliver()
    return response


def update_contact(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    _, current = engine.target(op, req)
    body = _owner_from_body(engine, req.fields())
    before = visible_score(engine, current["id"])
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        response = engine.update(op, dataclasses.replace(req, body=body), principal)
        updated = engine.store.get("contacts", current["id"]) or {}
        events.emit("crm.contact_updated", shown(engine, "contacts", updated))
        rescore(engine, events, current["id"], before)
    events.deliver()
    return response


def read_contact(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """The detail: the contact with its deals, activity timeline and notes (seed 002 "Get Contact")."""
    _, contact = engine.target(op, req)
    where = [q.eq("contact_id", contact["id"])]
    contact["deals"] = [{"id": d["id"], "name": d.get("name"), "value": d.get("value"), "stage": d.get("stage")}
                        for d in engine.store.all("deals", where)]
    timeline = [{"type": a.get("type"), "timestamp": a.get("occurred_at") or a.get("created_at"),
                 "details": a.get("subject") or a.get("description")}
                for a in engine.store.all("activities", where)]
    contact["activities"] = sorted(timeline, key=lambda e: str(e["timestamp"] or ""), reverse=True)
    notes = engine.store.all("notes", where)
    if notes:
        contact["notes"] = notes
    return engine.respond(op, "item", contact)


MERGE_SKIP = ("id", "created_at", "updated_at", "score", "score_breakdown")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _merged(primary: dict[str, Any], merged: list[dict[str, Any]], prefs: dict[str, str],
            by_id: dict[str, dict[str, Any]], fields: Iterable[str]) -> dict[str, Any]:
    """The primary wins; its gaps are filled from the merged contacts in order; preferences override."""
    result = dict(primary)
    for field in fields:
        if field in prefs or not _empty(result.get(field)):
            continue
        for other in merged:
            if not _empty(other.get(field)):
                result[field] = other[field]
                break
    everyone = [primary, *merged]
    if "tags" not in prefs:
        result["tags"] = list(dict.fromkeys(t for c in everyone for t in (c.get("tags") or [])))
    if "custom_fields" not in prefs:
        custom: dict[str, Any] = {}
        for contact in reversed(everyone):
            custom.update(contact.get("custom_fields") or {})
        result["custom_fields"] = custom
    if "engagement" not in prefs:
        engaged = [c["engagement"] for c in everyone if isinstance(c.get("engagement"), dict)]
        if engaged:
            last = [e["last_interaction"] for e in engaged if e.get("last_interaction")]
            result["engagement"] = {
                "last_interaction": max(last) if last else None,
                "total_interactions": sum(int(e.get("total_interactions") or 0) for e in engaged),
                "lifetime_value": money(sum(records.amount(e.get("lifetime_value")) for e in engaged)),
            }
    for field, source in prefs.items():
        if field in by_id[source]:
            result[field] = by_id[source][field]
        else:
            result.pop(field, None)
    return result


def merge_contacts(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    contacts = engine.resource("contacts")
    primary_id = str(body.get("primary_contact_id"))
    merge_ids = list(dict.fromkeys(str(i) for i in body.get("merge_contact_ids") or []))
    prefs = {str(k): str(v) for k, v in (body.get("field_preferences") or {}).items()}
    if primary_id in merge_ids:
        raise Conflict("Cannot merge contacts: a contact cannot be merged into itself.", code="merge_conflict")
    primary = engine.require(contacts, primary_id)
    merged = [engine.require(contacts, i) for i in merge_ids]
    by_id = {c["id"]: c for c in [primary, *merged]}
    fields = [f for f in contacts.schema.get("properties", {}) if f not in MERGE_SKIP]
    problems: dict[str, list[str]] = {}
    for field, source in prefs.items():
        if field not in fields:
            problems[f"field_preferences.{field}"] = [f"{field} is not a contact field that a merge can choose."]
        elif source not in by_id:
            problems[f"field_preferences.{field}"] = [
                f"{source} is neither the primary contact nor one of the merged contacts."]
    if problems:
        raise ValidationFailed(INVALID_DATA, field_errors=problems)

    before = visible_score(engine, primary_id)
    result = _merged(primary, merged, prefs, by_id, fields)
    result["updated_at"] = engine.now(contacts, "updated_at")
    engine.denormalise(contacts, result)
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        for merged_id in merge_ids:
            engine.store.delete(contacts.name, merged_id)
        engine.save(contacts, result)
        # the merged contacts' deals, activities, tasks and notes now belong to the primary
        for other in engine.dialect.resources.values():
            for ref in other.references:
                if ref.resource != contacts.name:
                    continue
                for merged_id in merge_ids:
                    for row in engine.store.all(other.name, [q.eq(ref.field, merged_id)]):
                        records.set_field(row, ref.field, primary_id)
                        engine.denormalise(other, row)
                        engine.save(other, row)
        saved = engine.store.get(contacts.name, primary_id) or result
        events.emit("crm.contact_updated", shown(engine, "contacts", saved), merged_contact_ids=merge_ids)
        rescore(engine, events, primary_id, before)
        saved = engine.store.get(contacts.name, primary_id) or saved
    events.deliver()
    return engine.respond(op, "item", saved)


# bulk operations ---------------------------------------------------------------------------------------------
def bulk_update(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """Unknown ids refuse the whole request (404 contact_not_found naming them): nothing is half-applied."""
    body = req.fields()
    contacts = engine.resource("contacts")
    ids = list(dict.fromkeys(str(i) for i in body.get("contact_ids") or []))
    updates: dict[str, Any] = body["updates"] if isinstance(body.get("updates"), dict) else {}
    unknown = [i for i in ids if engine.store.get(contacts.name, i) is None]
    if unknown:
        raise NotFound("Contact not found.", code=contacts.not_found_code,
                       field_errors={"contact_ids": [f"Unknown contact id {i}." for i in unknown]})
    owner = _owner(engine, updates["owner_id"], "updates.owner_id") if "owner_id" in updates else None
    tags = updates.get("tags") if isinstance(updates.get("tags"), dict) else {}
    add, remove = list((tags or {}).get("add") or []), set((tags or {}).get("remove") or [])
    events = TenantEvents(engine, principal)
    changed: list[str] = []
    with engine.store.transaction():
        for contact_id in ids:
            current = engine.store.get(contacts.name, contact_id) or {}
            contact = dict(current)
            before = visible_score(engine, contact_id)
            if "owner_id" in updates:
                contact["owner"] = owner
            for field in ("status", "segment"):
                if field in updates:
                    contact[field] = updates[field]
            if tags:
                kept = [t for t in dict.fromkeys([*(contact.get("tags") or []), *add]) if t not in remove]
                contact["tags"] = kept
            if contact == current:
                continue
            contact["updated_at"] = engine.now(contacts, "updated_at")
            saved = engine.save(contacts, contact)
            changed.append(contact_id)
            events.emit("crm.contact_updated", shown(engine, "contacts", saved))
            rescore(engine, events, contact_id, before)
    events.deliver()
    return engine.respond(op, "item", {"updated": len(ids), "contact_ids": ids, "changed": len(changed),
                                       "changed_contact_ids": changed})
