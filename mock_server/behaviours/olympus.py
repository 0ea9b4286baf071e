"""Olympus Cloud CRM behaviour beyond CRUD (seed 002, the platform authentication guide, dialects.md 1B / 3.3).

Each job lives in its own module beside this one, and BEHAVIOUR below maps the document's actions onto them:

* olympus_contacts: create/update (owner, duplicate email), the detail, merge, bulk update.
* olympus_scoring: lead scores and scoring rules; every change that moves a score rescores its contact.
* olympus_enrichment: single and bulk enrichment.
* olympus_pipeline: deals, stage changes, pipeline_summary, pipeline analytics.
* olympus_activities: activities and tasks (the derived `overdue` status, Decision OC14).
* olympus_records: what those modules share (a record as shown, references, the request's events).
* mock_server.webhooks: every state change records its event `{id, event, occurred_at, tenant_id, data}` in
  the `webhook_events` table, in the same transaction as the change, and POSTs it to --webhook-url.

Here: login, and the CSV import of contacts (until it moves to mock_server/formats/).
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server.auth import Principal
from mock_server.behaviours.olympus_activities import (
    complete_task,
    create_activity,
    create_task,
    task_list_where,
    task_on_write,
    task_present,
)
from mock_server.behaviours.olympus_contacts import (
    bulk_update,
    create_contact,
    duplicate_contact,
    merge_contacts,
    read_contact,
    update_contact,
)
from mock_server.behaviours.olympus_contacts import default_status as _default_status
from mock_server.behaviours.olympus_enrichment import bulk_enrich, enrich_contact
from mock_server.behaviours.olympus_enrichment import slug as _slug
from mock_server.behaviours.olympus_pipeline import (
    create_deal,
    deal_on_write,
    move_stage,
    pipeline_analytics,
    pipeline_summary,
)
from mock_server.behaviours.olympus_records import TenantEvents as Events
from mock_server.behaviours.olympus_records import shown
from mock_server.behaviours.olympus_scoring import configure_scoring, contact_score, with_score
from mock_server.engine import Behaviour, Engine, each
from mock_server.errors import ValidationFailed
from mock_server.responses import json_response
from mock_server.store import query as q
from mock_server.validation import ValidRequest

# CSV import of contacts -------------------------------------------------------------------------------------
# On its way to mock_server/formats/ as it is, so it still calls _default_status, _slug and Events by the names
# they had before olympus.py was split (imported above under those names).
IMPORT_FIELDS = ("name", "email", "phone", "company", "title", "source", "type", "status", "segment", "tags",
                 "notes", "owner_id")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _form_json(req: ValidRequest, name: str) -> dict[str, Any]:
    raw = req.form.get(name)
    if raw in (None, ""):
        return {}
    try:
        value = json.loads(str(raw))
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ValidationFailed("The given data was invalid.",
                               field_errors={name: [f"The {name} field must be a JSON object."]})
    return value


def _import_mapping(req: ValidRequest, header: list[str]) -> dict[str, str]:
    given = _form_json(req, "mapping")
    if not given:  # no mapping: columns named like the contact fields ("Email", "owner id")
        by_name = {_slug(h).replace("-", "_"): h for h in header}
        given = {f: by_name[f] for f in IMPORT_FIELDS if f in by_name}
    problems: dict[str, list[str]] = {}
    for field, col in given.items():
        if field not in IMPORT_FIELDS and not field.startswith("custom_fields."):
            problems[f"mapping.{field}"] = [f"{field} is not a contact field; use {', '.join(IMPORT_FIELDS)} "
                                            "or custom_fields.<name>."]
        elif not isinstance(col, str) or col not in header:
            problems[f"mapping.{field}"] = [f"The file has no column {col!r}."]
    for field in ("name", "email"):
        if field not in given:
            problems.setdefault(f"mapping.{field}", []).append(f"The {field} field must be mapped to a column.")
    if problems:
        raise ValidationFailed("The given data was invalid.", field_errors=problems)
    return {str(k): str(v) for k, v in given.items()}


def _import_row(engine: Engine, values: dict[str, str], source: Any) -> tuple[dict[str, Any] | None, str | None]:
    """A contact body from one CSV row, or the reason it cannot be imported."""
    body: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for field, value in values.items():
        if value == "":
            continue
        if field.startswith("custom_fields."):
            custom[field.split(".", 1)[1]] = value
        elif field == "tags":
            body["tags"] = [t.strip() for t in re.split(r"[;,|]", value) if t.strip()]
        else:
            body[field] = value
    if not body.get("name"):
        return None, "name is required"
    if not body.get("email"):
        return None, "email is required"
    if not EMAIL.match(body["email"]):
        return None, f"email {body['email']!r} is not a valid address"
    for field, allowed in (("type", ("customer", "lead")), ("status", ("active", "inactive", "lead", "customer"))):
        if field in body and body[field] not in allowed:
            return None, f"{field} must be one of {', '.join(allowed)}"
    if "owner_id" in body:
        user = engine.store.get("users", body.pop("owner_id"))
        if user is None:
            return None, "owner_id is not a known user"
        body["owner"] = {"id": user["id"], "name": user.get("name")}
    if custom:
        body["custom_fields"] = custom
    if source and not body.get("source"):
        body["source"] = source
    _default_status(body)
    body.setdefault("tags", [])
    return body, None


def import_contacts(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    upload = req.files.get("file")
    if upload is None:
        raise ValidationFailed("The given data was invalid.", field_errors={"file": ["The file field is required."]})
    try:
        text = upload.read().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationFailed("The given data was invalid.",
                               field_errors={"file": [f"The file is not a readable UTF-8 CSV file: {exc}"]}) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise ValidationFailed("The given data was invalid.", field_errors={"file": ["The file has no header row."]})
    header = [cell.strip() for cell in rows[0]]
    mapping = _import_mapping(req, header)
    options = _form_json(req, "options")
    skip_duplicates = options.get("skip_duplicates", False)
    source = options.get("source")
    problems: dict[str, list[str]] = {}
    if not isinstance(skip_duplicates, bool):
        problems["options.skip_duplicates"] = ["skip_duplicates must be true or false."]
    if source is not None and not isinstance(source, str):
        problems["options.source"] = ["source must be a string."]
    if problems:
        raise ValidationFailed("The given data was invalid.", field_errors=problems)

    contacts = engine.resource("contacts")
    position = {col: i for i, col in reversed(list(enumerate(header)))}
    imported: list[str] = []
    errors: list[dict[str, Any]] = []
    skipped = duplicates = 0
    events = Events(engine, principal)
    with engine.store.transaction():
        for number, row in enumerate(rows[1:], start=1):  # `row` counts data rows: 1 is the line after the header
            if not any(cell.strip() for cell in row):
                continue
            values = {f: (row[position[c]].strip() if position[c] < len(row) else "") for f, c in mapping.items()}
            body, problem = _import_row(engine, values, source)
            if body is None:
                skipped += 1
                errors.append({"row": number, "code": "VALIDATION_ERROR", "message": str(problem)})
                continue
            if engine.store.all(contacts.name, [q.same_text("email", body["email"])]):
                skipped += 1
                duplicates += 1
                if not skip_duplicates:
                    errors.append({"row": number, "code": "duplicate_contact", "message": "Contact already exists"})
                continue
            created = engine.insert(contacts, engine.build(contacts, body))
            imported.append(created["id"])
            events.emit("crm.contact_created", shown(engine, "contacts", created))
    events.deliver()
    return engine.respond(op, "item", {"imported": len(imported), "skipped": skipped, "duplicates": duplicates,
                                       "skip_duplicates": skip_duplicates, "errors": errors,
                                       "contact_ids": imported})


# authentication ---------------------------------------------------------------------------------------------
def login(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    user = engine.user_by_login(req.body)
    roles = list(user.get("roles") or [engine.dialect.auth.default_role])
    token = engine.credentials.issue(roles=roles, subject=str(user["id"]), user_id=user["id"])
    return json_response(200, {"status": {
        "type": "success",
        "access_token": token,
        "refresh_token": f"rt_{secrets.token_urlsafe(24)}",
        "token_type": "Bearer",
        "expires_in": engine.dialect.auth.lifetime_seconds,
        "user": {"id": user["id"], "tenant_id": user.get("tenant_id"), "email": user["email"], "roles": roles},
    }})


BEHAVIOUR = Behaviour(
    handlers={
        ("auth", "login"): login,
        ("contacts", "create"): create_contact,
        ("contacts", "update"): update_contact,
        ("contacts", "read"): read_contact,
        ("contacts", "merge"): merge_contacts,
        ("contacts", "score"): contact_score,
        ("scoring_rules", "configure"): configure_scoring,
        ("contacts", "enrich"): enrich_contact,
        ("contacts", "bulk_enrich"): bulk_enrich,
        ("contacts", "bulk_update"): bulk_update,
        ("contacts", "import"): import_contacts,
        ("deals", "create"): create_deal,
        ("deals", "move_stage"): move_stage,
        ("deals", "pipeline_analytics"): pipeline_analytics,
        ("activities", "create"): create_activity,
        ("tasks", "create"): create_task,
        ("tasks", "complete"): complete_task,
    },
    on_write={"contacts": with_score, "deals": deal_on_write, "tasks": task_on_write},
    present={"contacts": each(with_score), "tasks": each(task_present)},
    duplicate={"contacts": duplicate_contact},
    list_where={"tasks": task_list_where},
    list_extras={"deals": pipeline_summary},
)
