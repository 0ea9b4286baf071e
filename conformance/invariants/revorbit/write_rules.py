"""SEM-006, SEM-007, SEM-008: what a write beside POST /deals refuses (a required field missing, a value its
page forbids) and what it accepts (null, a bound, one field alone, the path's own deal id)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.checks.validation import bound_values, invalid_values
from conformance.context import CheckRun
from conformance.invariants._common import number, succeeded
from conformance.invariants.revorbit.catalogue import abouts_of, field_kinds, kind_wanted, named_operations
from conformance.invariants.revorbit.credentials import credential_for
from conformance.invariants.revorbit.records import absent_id, body_properties, references_of, reread
from conformance.invariants.revorbit.refusals import expect_refused
from conformance.invariants.revorbit.write_targets import WriteTarget, fresh_value, send_write, write_target, written_id
from conformance.registry import scenario
from crmspec.model import Operation
from crmspec.schemas import declared_types


def _multipart(op: Operation) -> bool:
    return "multipart/form-data" in ((op.raw.get("requestBody") or {}).get("content") or {})


@scenario("SEM-006", "validation", "A write beside POST /deals refuses a body without a field its page requires",
          "MUST", "001 request bodies 'Required': PUT /deals/{id} stage_id, PUT /deals/{id}/stage stage_id, "
          "primary-quote quote_id, notes content, tasks title, pipeline-stages name, reorder order; RO20 an import "
          "without a file (4xx, 422 or 400); RO2 422 or 400 with errors naming the field")
def ro_required_fields(run: CheckRun) -> None:
    """Reports about: field."""
    for op in named_operations(run):
        fields = list(field_kinds(run, op))
        if _multipart(op):
            if credential_for(run, op) is None:
                continue
            exchange = run.target.send(op.method.upper(), op.path, operation=str(op),
                                       credential=credential_for(run, op),
                                       files={"comment": (None, "crmconf: no file part")})
            for field in fields:
                expect_refused(run, exchange, {"field": field}, f"{op} without a {field} part", name_field=False)
            continue
        target = write_target(run, op) if fields else None
        for field in fields if target is not None else ():
            assert target is not None
            exchange = send_write(run, target, {k: v for k, v in target.body.items() if k != field})
            expect_refused(run, exchange, {"field": field}, f"{op} without {field}")


def _kind_of(prop: Mapping[str, Any], value: Any) -> str:
    """What an invalid value breaks: the enum, the range, the format, or the type."""
    if prop.get("enum") and isinstance(value, str):
        return "enum"
    if number(value) is not None:
        return "range"
    if prop.get("format") in ("date", "date-time") and isinstance(value, str):
        return "format"
    return "type"


def _forbidden(run: CheckRun, op: Operation, field: str, prop: dict[str, Any],
               wanted: set[str] | None) -> list[tuple[str, str, Any]]:
    """(kind, what, value) for the values of the kinds wanted that the page forbids a field: VAL-010's, an empty
    text where a text is required to hold something, an id that names no record where the field is a reference."""
    out = [(_kind_of(prop, value), what, value) for what, value in invalid_values(prop)]
    if "string" in declared_types(prop) and int(prop.get("minLength", 0)) >= 1:
        out.append(("empty", "an empty text", ""))
    ref = references_of(run, op.resource).get(field)
    if ref is not None and kind_wanted(wanted, "dangling"):
        absent = absent_id(run, ref.resource)
        if absent is not None:
            out.append(("dangling", f"an id no {ref.resource} record has", absent))
    return [probe for probe in out if kind_wanted(wanted, probe[0])]


@scenario("SEM-007", "validation", "A write beside POST /deals refuses a value its page forbids, naming the field",
          "MUST", "001 request bodies' types, the task priority 'Values: low, medium, high', probability '(0-100)', "
          "dates 'YYYY-MM-DD' (X3), on PUT /deals/{id}, PUT /deals/{id}/stage, primary-quote, notes, tasks and "
          "pipeline stages; on POST /deals only what VAL-010 does not send (an empty name, a stage that does not "
          "exist); RO2 422 or 400 with errors naming the field")
def ro_forbidden_values(run: CheckRun) -> None:
    """Reports about: field, kind (type, enum, range, format, empty or dangling)."""
    for op in named_operations(run):
        kinds, properties = field_kinds(run, op), body_properties(op)
        probes = [(field, probe) for field, wanted in kinds.items() if field in properties
                  for probe in _forbidden(run, op, field, properties[field], wanted)]
        target = write_target(run, op) if probes else None
        for field, (kind, what, value) in probes if target is not None else ():
            assert target is not None
            exchange = send_write(run, target, {**target.body, field: value})
            expect_refused(run, exchange, {"field": field, "kind": kind}, f"{op} with {field} as {what}")


def _allowed(run: CheckRun, target: WriteTarget, field: str, prop: dict[str, Any]) -> list[tuple[str, Any]]:
    """(kind, value) for values the page allows a field: null where it is nullable, its numeric bounds, the
    path's own parent id for a body field that duplicates the path (RO15)."""
    out: list[tuple[str, Any]] = [("null", None)] if "null" in declared_types(prop) else []
    out += [("bound", value) for _, value in bound_values(prop) if number(value) is not None]
    resource = run.dialect.resources.get(target.op.resource)
    if resource is not None and resource.parent is not None and resource.parent.field == field:
        out.append(("path", target.parent_id))
    return out


@scenario("SEM-008", "validation", "A write accepts what its page allows: null for a nullable field, a number at its "
          "bound, one field alone, the path's own deal id", "MUST",
          "001 deal body 'Nullable' (partner_id, reseller_id, reseller_contact_id: X2 read back null or absent), "
          "probability '(0-100)' inclusive, pipeline-stage PUT fields all Optional (fields not sent keep their "
          "values), RO15 a task body deal_id equal to the path")
def ro_allowed_values(run: CheckRun) -> None:
    """Reports about: field, kind (null, bound, path, alone, kept)."""
    for op in named_operations(run):
        kinds, properties = field_kinds(run, op), body_properties(op)
        lone = {a.get("kind") for a in abouts_of(run, op) if "field" not in a}
        if not kinds and not lone:
            continue
        target = write_target(run, op)
        if target is None:
            continue
        for field, wanted in kinds.items():
            for kind, value in _allowed(run, target, field, properties.get(field, {})):
                if not kind_wanted(wanted, kind):
                    continue
                about = {"field": field, "kind": kind}
                exchange = send_write(run, target, {**target.body, field: value})
                if not run.expect(succeeded(exchange), exchange, f"{op} with {field} = {value!r} ({kind}) answered "
                                  f"{exchange.status}", about=about) or kind != "null":
                    continue
                read, record = reread(run, op.resource, written_id(run, target, exchange), target.parent_id)
                if record is not None:
                    run.expect(record.get(field) is None, read, f"{field} was sent as null, reads back as "
                               f"{record.get(field)!r}", about=about, operation=op)
        if lone & {"alone", "kept"} and target.record_id is not None:
            _lone_fields(run, target, properties)


def _lone_fields(run: CheckRun, target: WriteTarget, properties: dict[str, dict[str, Any]]) -> None:
    """Each field sent alone is accepted, and leaves the record's other fields as they were. A flag goes alone as
    false: two flags true at once (is_won and is_lost) would contradict each other."""
    op = target.op
    for field, prop in properties.items():
        value = False if "boolean" in declared_types(prop) else \
            fresh_value(run, op, field, prop, target.body.get(field))
        if value is None:
            continue
        _, before = reread(run, op.resource, target.record_id, target.parent_id)
        exchange = send_write(run, target, {field: value})
        if not run.expect(succeeded(exchange), exchange, f"{op} sending {field} alone answered {exchange.status}",
                          about={"field": field, "kind": "alone"}) or before is None:
            continue
        read, after = reread(run, op.resource, target.record_id, target.parent_id)
        if after is None:
            continue
        moved = sorted(k for k, v in before.items() if k != field and not k.endswith("_at") and after.get(k) != v)
        run.expect(not moved, read, f"sending {field} alone changed {', '.join(moved)}",
                   about={"field": field, "kind": "kept"}, operation=op)
