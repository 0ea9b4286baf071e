"""Validation: invalid input gets the API's validation status with field errors naming the field."""

from __future__ import annotations

from collections.abc import Iterator

from conformance import normalise
from conformance.checks._common import body
from conformance.context import CheckRun
from conformance.fixtures import request_schema
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation


def creates(run: CheckRun, from_pages: bool) -> Iterator[Operation]:
    for op in run.api.operations:
        if op.action == "create" and not op.path_params and (op.source != "inferred") == from_pages:
            if request_schema(op).get("required"):
                yield op


def _rejected(run: CheckRun, exchange: Exchange, field: str | None, name_field: bool, what: str) -> None:
    accepted = run.dialect.errors.accepted("validation")
    if not run.expect(exchange.status in accepted, exchange,
                      f"{what}: answered {exchange.status}, expected {' or '.join(map(str, accepted))}"):
        return
    if field is None or not name_field:
        return
    errors = normalise.error(run.dialect, body(exchange)).field_errors
    named = isinstance(errors, dict) and any(k == field or k.split(".")[0] == field for k in errors)
    run.expect(named, exchange, f"{what}: the field errors do not name {field!r}: {errors!r}")


def _missing_required(run: CheckRun, from_pages: bool, name_field: bool) -> None:
    for op in creates(run, from_pages):
        good = run.fixtures.body(op.resource)
        if good is None:
            continue
        for field in request_schema(op).get("required", [])[:3]:
            bad = {k: v for k, v in good.items() if k != field}
            exchange = run.call(op, json_body=bad)
            _track(run, op, exchange)
            _rejected(run, exchange, field, name_field, f"create without {field}")


def _track(run: CheckRun, op: Operation, exchange: Exchange) -> None:
    """A server that accepted an invalid body created a record: the suite owns it and deletes it."""
    run.fixtures.adopt(op, exchange)


@scenario("VAL-001", "validation", "A create missing a required field gets the validation status", "MUST",
          "000 422 'Validation Error' (RO2: 422 or 400); 003 name/stage_id Required (422); 004 deal_name, "
          "pipeline_id, cstid required (422); 002 platform VALIDATION_ERROR 400 (OC5, OC7: any 4xx code)")
def missing_required(run: CheckRun) -> None:
    _missing_required(run, from_pages=True, name_field=False)


@scenario("VAL-002", "validation", "Validation errors name the offending field", "MUST",
          "000 errors {email: 'Email is required'}; 003 errors {field: [..]} (CC2); 004 errors {cstname: [..]} (YS15)",
          dialects=("revorbit", "concord", "ysuite"))
def field_named(run: CheckRun) -> None:
    _missing_required(run, from_pages=True, name_field=True)


@scenario("VAL-003", "validation", "Validation errors name the offending field", "SHOULD",
          "platform errors page: details carry field errors; OC5: optional", dialects=("olympus",))
def field_named_olympus(run: CheckRun) -> None:
    _missing_required(run, from_pages=True, name_field=True)


@scenario("VAL-004", "validation", "Inferred create operations refuse a missing required field", "SHOULD",
          "operations the pages only name (x-source: inferred): required fields follow the API's conventions")
def missing_required_inferred(run: CheckRun) -> None:
    _missing_required(run, from_pages=False, name_field=False)


@scenario("VAL-005", "validation", "A required text field of the wrong JSON type is refused", "MUST",
          "each create body's documented types (000/001 tables, 003 Body Parameters, 004 Request body)")
def wrong_type(run: CheckRun) -> None:
    for op in creates(run, from_pages=True):
        good = run.fixtures.body(op.resource)
        schema = request_schema(op)
        if good is None:
            continue
        field = next((f for f in schema.get("required", [])
                      if schema.get("properties", {}).get(f, {}).get("type") == "string"), None)
        if field is None:
            continue
        exchange = run.call(op, json_body={**good, field: {"not": "a string"}})
        _track(run, op, exchange)
        _rejected(run, exchange, field, False, f"{field} sent as an object")


@scenario("VAL-006", "validation", "Malformed JSON is a client error, never a success or a server error", "MUST",
          "000 '400 Bad Request - Invalid input'; 004 errors page 400; 003 Content-Type application/json required")
def malformed_json(run: CheckRun) -> None:
    for op in creates(run, from_pages=True):
        exchange = run.call(op, data=b'{"name": "unterminated', headers={"Content-Type": "application/json"})
        run.expect(exchange.status is not None and 400 <= exchange.status < 500, exchange,
                   f"malformed JSON answered {exchange.status}, expected a 4xx")


@scenario("VAL-007", "validation", "An update without a field the page requires on update is refused", "MUST",
          "004 'deal_name, pipeline_id, and cstid are required even on updates' (YS5); 001 PUT name/stage_id "
          "Required (RO10); 003 name Required on update, name '' -> 422 errors.name (CC2)",
          dialects=("revorbit", "concord", "ysuite"))
def update_required(run: CheckRun) -> None:
    for op in run.api.operations:
        if op.action != "update" or op.source == "inferred":
            continue
        schema = request_schema(op)
        made = run.fixtures.create(op.resource)
        if made is None:
            continue
        good = run.fixtures.body(op.resource) or {}
        path = {op.path_params[-1]: made.id}
        if op.required_on_update:
            for field in op.required_on_update:
                exchange = run.call(op, path, json_body={k: v for k, v in good.items() if k != field})
                _rejected(run, exchange, field, True, f"update without {field}")
            continue
        text = next((f for f in schema.get("required", [])
                     if schema.get("properties", {}).get(f, {}).get("type") == "string"), None)
        if text is not None:
            field = text
            exchange = run.call(op, path, json_body={**good, field: ""})
            _rejected(run, exchange, field, True, f"update with an empty {field}")


@scenario("VAL-008", "validation", "Text longer than the documented maximum is refused, naming the field", "MUST",
          "004 'deal_name ... (max 255 chars)' (YS14: 256 chars -> 422 errors.deal_name); documented maxima")
def too_long(run: CheckRun) -> None:
    for op in creates(run, from_pages=True):
        schema = request_schema(op)
        good = run.fixtures.body(op.resource)
        if good is None:
            continue
        for field, prop in schema.get("properties", {}).items():
            limit = prop.get("maxLength") if isinstance(prop, dict) else None
            if not isinstance(limit, int) or limit > 10_000:
                continue
            exchange = run.call(op, json_body={**good, field: "x" * (limit + 1)})
            _track(run, op, exchange)
            _rejected(run, exchange, field, True, f"{field} of {limit + 1} characters")


