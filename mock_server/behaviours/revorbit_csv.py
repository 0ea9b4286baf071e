"""Revenue Orbit's deals as CSV (seed 001: export, import template, import; RO13, RO20): which columns, how a
file is refused and how one row becomes a deal, in the API's own words. Reading and writing CSV is
mock_server/formats/csv_files.py."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server.auth import Principal
from mock_server.engine import Engine
from mock_server.errors import INVALID_DATA, ValidationFailed
from mock_server.formats.csv_files import CsvText, UnreadableCsv, csv_download, rows_by_column, uploaded_text
from mock_server.limits import INT64_MAX
from mock_server.store import Query, Sort
from mock_server.validation import ValidRequest

# the template's columns are the importable fields; the export adds the record's own and display fields
IMPORT_COLUMNS = ("name", "value", "stage_id", "contact_id", "company_id", "probability", "expected_close_date",
                  "assigned_to", "notes", "tags")
EXPORT_COLUMNS = ("id", *IMPORT_COLUMNS, "stage_name", "contact_name", "company_name", "assigned_name", "is_won",
                  "is_lost", "closed_at", "loss_reason", "created_at", "updated_at")
REQUIRED_COLUMNS = ("name", "stage_id")
ID_COLUMNS = {"stage_id": "stages", "contact_id": "contacts", "company_id": "companies", "assigned_to": "users"}


def export(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """Every deal that passes the filters the operation declares (the list's), ordered like the list."""
    resource = engine.resource(op.resource)
    deals, _ = engine.store.query(resource.name, Query(
        where=engine.conditions(op, resource, req, principal), order=[Sort("name", text=True)]))
    return csv_download([EXPORT_COLUMNS, *([d.get(c) for c in EXPORT_COLUMNS] for d in deals)], "deals.csv")


def import_template(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    return csv_download([IMPORT_COLUMNS], "deals-import-template.csv")


def read_deals(engine: Engine, req: ValidRequest) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The uploaded file's deal bodies, and each refused row's {row, errors}; row 1 is the first after the header."""
    bodies: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for number, row in enumerate(_uploaded_rows(req), start=1):
        body, problems = deal_from_row(engine, row)
        if problems:
            failures.append({"row": number, "errors": problems})
        else:
            bodies.append(body)
    return bodies, failures


def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed(INVALID_DATA, field_errors={"file": [message]})


def _uploaded_rows(req: ValidRequest) -> list[dict[str, str]]:
    """The rows of the uploaded file by (lower-case) column, or the 422 on `file` that says why there are none."""
    try:
        text = uploaded_text(req)
    except UnreadableCsv:
        raise _file_error("The file must be a UTF-8 encoded CSV file.") from None
    if text is None:
        raise _file_error("The file field is required.")  # RO20
    if "\x00" in text:
        raise _file_error("The file must be a CSV file.")
    table = CsvText(text)
    try:
        header = [name.lower() for name in table.header()]
        if not header or any(c not in header for c in REQUIRED_COLUMNS):
            raise _file_error(f"The file must have a header row with the columns {', '.join(REQUIRED_COLUMNS)}.")
        return list(rows_by_column(header, table.rows()))
    except UnreadableCsv as exc:
        raise _file_error(f"The file is not a valid CSV file: {exc.detail}.") from None


class _Refused(ValueError):
    """A cell the column's rule refuses, with the API's message."""


def _integer(raw: str) -> int | None:
    if not re.fullmatch(r"[+-]?\d{1,19}", raw):
        return None
    value = int(raw)
    return value if abs(value) <= INT64_MAX else None


def _reference(column: str) -> Callable[[Engine, str], Any]:
    """The rule of an id column: an integer naming an existing record of its resource."""
    label = column.replace("_", " ")

    def rule(engine: Engine, raw: str) -> int:
        value = _integer(raw)
        if value is None:
            raise _Refused(f"The {label} field must be an integer.")
        if engine.store.get(ID_COLUMNS[column], value) is None:
            raise _Refused("Stage not found." if column == "stage_id" else f"The selected {label} is invalid.")
        return value

    return rule


def _value(engine: Engine, raw: str) -> int | float:
    try:
        amount = float(raw)
    except ValueError:
        amount = math.nan
    if not math.isfinite(amount):
        raise _Refused("The value field must be a number.")
    return int(amount) if amount.is_integer() and abs(amount) < 2**53 else amount


def _probability(engine: Engine, raw: str) -> int:
    probability = _integer(raw)
    if probability is None:
        raise _Refused("The probability field must be an integer.")
    if not 0 <= probability <= 100:
        raise _Refused("The probability field must be between 0 and 100.")
    return probability


def _close_date(engine: Engine, raw: str) -> str:
    try:
        valid = re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw) is not None and dt.date.fromisoformat(raw) is not None
    except ValueError:
        valid = False
    if not valid:
        raise _Refused("The expected close date field must be a date (YYYY-MM-DD).")
    return raw


def _text(engine: Engine, raw: str) -> str:
    return raw


# each importable column's rule, in the order a deal body takes its fields
CELL_RULES: dict[str, Callable[[Engine, str], Any]] = {
    "name": _text,
    **{column: _reference(column) for column in ID_COLUMNS},
    "value": _value,
    "probability": _probability,
    "expected_close_date": _close_date,
    "notes": _text,
    "tags": _text,
}


def deal_from_row(engine: Engine, row: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A deal body from one CSV row, or the row's field errors (empty cells are absent fields)."""
    cells = {c: (row.get(c) or "").strip() for c in IMPORT_COLUMNS}
    problems = {c: f"The {c.replace('_', ' ')} field is required." for c in REQUIRED_COLUMNS if not cells[c]}
    body: dict[str, Any] = {}
    for column, rule in CELL_RULES.items():
        if not cells[column]:
            continue
        try:
            body[column] = rule(engine, cells[column])
        except _Refused as refusal:
            problems[column] = str(refusal)
    return body, problems
