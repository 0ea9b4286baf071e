"""Olympus' contact import (POST /contacts/import): the uploaded file, its `mapping` and `options`, how one row
becomes a contact, in the API's own words, and the contacts stored with their webhook events. Reading CSV is
mock_server/formats/csv_files.py."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server.auth import Principal
from mock_server.behaviours.olympus_contacts import default_status
from mock_server.behaviours.olympus_records import TenantEvents, shown
from mock_server.engine import Engine
from mock_server.errors import INVALID_DATA, ValidationFailed
from mock_server.formats.csv_files import CsvText, UnreadableCsv, columns_named_like, rows_by_mapping, uploaded_text
from mock_server.store import query as q
from mock_server.validation import ValidRequest

IMPORT_FIELDS = ("name", "email", "phone", "company", "title", "source", "type", "status", "segment", "tags",
                 "notes", "owner_id")
CUSTOM = "custom_fields."  # a mapped field named custom_fields.<name> fills that custom field
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CHOICES = (("type", ("customer", "lead")), ("status", ("active", "inactive", "lead", "customer")))


def _refused(problems: dict[str, list[str]]) -> ValidationFailed:
    return ValidationFailed(INVALID_DATA, field_errors=problems)


@dataclasses.dataclass(frozen=True)
class ContactFile:
    """An upload the import accepts: its rows' mapped cells by row number (rows_by_mapping), and its options."""

    rows: list[tuple[int, dict[str, str]]]
    skip_duplicates: bool
    source: str | None


def read_contact_file(req: ValidRequest) -> ContactFile:
    """The form's file, `mapping` and `options`, or the 400 that names the first of them that is wrong."""
    header, rows = _uploaded_table(req)
    mapping = _import_mapping(req, header)
    skip_duplicates, source = _import_options(req)
    return ContactFile(list(rows_by_mapping(header, rows, mapping)), skip_duplicates, source)


def _uploaded_table(req: ValidRequest) -> tuple[list[str], list[list[str]]]:
    """The uploaded file's header and the rows after it, or the 400 on `file` that says why there are none."""
    try:
        text = uploaded_text(req)
        if text is None:
            raise _refused({"file": ["The file field is required."]})
        table = CsvText(text)
        header, rows = table.header(), table.rows()
    except UnreadableCsv as exc:
        raise _refused({"file": [f"The file is not a readable UTF-8 CSV file: {exc.detail}"]}) from None
    if not any(header):
        raise _refused({"file": ["The file has no header row."]})
    return header, rows


def _form_json(req: ValidRequest, name: str) -> dict[str, Any]:
    raw = req.form.get(name)
    if raw in (None, ""):
        return {}
    try:
        value = json.loads(str(raw))
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise _refused({name: [f"The {name} field must be a JSON object."]})
    return value


def _import_mapping(req: ValidRequest, header: list[str]) -> dict[str, str]:
    """The form's `mapping` {field: column}; without one, the columns named like the contact fields."""
    given = _form_json(req, "mapping") or columns_named_like(IMPORT_FIELDS, header)
    problems: dict[str, list[str]] = {}
    for field, col in given.items():
        if field not in IMPORT_FIELDS and not field.startswith(CUSTOM):
            problems[f"mapping.{field}"] = [f"{field} is not a contact field; use {', '.join(IMPORT_FIELDS)} "
                                            "or custom_fields.<name>."]
        elif not isinstance(col, str) or col not in header:
            problems[f"mapping.{field}"] = [f"The file has no column {col!r}."]
    for field in ("name", "email"):
        if field not in given:
            problems.setdefault(f"mapping.{field}", []).append(f"The {field} field must be mapped to a column.")
    if problems:
        raise _refused(problems)
    return {str(k): str(v) for k, v in given.items()}


def _import_options(req: ValidRequest) -> tuple[bool, str | None]:
    """The form's `options`: (skip_duplicates, source)."""
    options = _form_json(req, "options")
    skip_duplicates = options.get("skip_duplicates", False)
    source = options.get("source")
    problems: dict[str, list[str]] = {}
    if not isinstance(skip_duplicates, bool):
        problems["options.skip_duplicates"] = ["skip_duplicates must be true or false."]
    if source is not None and not isinstance(source, str):
        problems["options.source"] = ["source must be a string."]
    if problems:
        raise _refused(problems)
    return skip_duplicates, source


def _fields_of(values: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row's non-empty cells as (contact fields, custom fields); tags split on , ; or |."""
    body: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for field, value in values.items():
        if value == "":
            continue
        if field.startswith(CUSTOM):
            custom[field.removeprefix(CUSTOM)] = value
        elif field == "tags":
            body["tags"] = [t.strip() for t in re.split(r"[;,|]", value) if t.strip()]
        else:
            body[field] = value
    return body, custom


def _problem_of(body: dict[str, Any]) -> str | None:
    if not body.get("name"):
        return "name is required"
    if not body.get("email"):
        return "email is required"
    if not EMAIL.match(body["email"]):
        return f"email {body['email']!r} is not a valid address"
    for field, allowed in CHOICES:
        if field in body and body[field] not in allowed:
            return f"{field} must be one of {', '.join(allowed)}"
    return None


def contact_from_row(engine: Engine, values: dict[str, str],
                     source: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """A contact body from one row's mapped cells, or the reason it cannot be imported; `source` fills a row's
    empty source."""
    body, custom = _fields_of(values)
    problem = _problem_of(body)
    if problem is not None:
        return None, problem
    if "owner_id" in body:
        user = engine.store.get("users", body.pop("owner_id"))
        if user is None:
            return None, "owner_id is not a known user"
        body["owner"] = {"id": user["id"], "name": user.get("name")}
    if custom:
        body["custom_fields"] = custom
    if source and not body.get("source"):
        body["source"] = source
    return body, None


def import_contacts(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """The file's rows as contacts, in one transaction; a row whose email a contact has is a duplicate, skipped."""
    upload = read_contact_file(req)
    contacts = engine.resource("contacts")
    imported: list[str] = []
    errors: list[dict[str, Any]] = []
    skipped = duplicates = 0
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        for number, values in upload.rows:
            body, problem = contact_from_row(engine, values, upload.source)
            if body is None:
                skipped += 1
                errors.append({"row": number, "code": "VALIDATION_ERROR", "message": str(problem)})
                continue
            if engine.store.all(contacts.name, [q.same_text("email", body["email"])]):
                skipped += 1
                duplicates += 1
                if not upload.skip_duplicates:
                    errors.append({"row": number, "code": "duplicate_contact", "message": "Contact already exists"})
                continue
            default_status(body)
            body.setdefault("tags", [])
            created = engine.insert(contacts, engine.build(contacts, body))
            imported.append(created["id"])
            events.emit("crm.contact_created", shown(engine, "contacts", created))
    events.deliver()
    return engine.respond(op, "item", {"imported": len(imported), "skipped": skipped, "duplicates": duplicates,
                                       "skip_duplicates": upload.skip_duplicates, "errors": errors,
                                       "contact_ids": imported})
