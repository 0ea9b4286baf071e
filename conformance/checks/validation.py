"""Validation: invalid input gets the API's validation status with field errors naming the field."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from conformance import normalise
from conformance.checks._common import body, catalogue_level, named_by_requirements
from conformance.context import CheckRun
from conformance.fixtures import request_schema
from conformance.model import Severity
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation
from crmspec.schemas import declared_types


def creates(run: CheckRun) -> Iterator[Operation]:
    """Every create of a record the suite can make and delete, whose body has required fields."""
    for op in run.api.operations:
        if op.action == "create" and not op.path_params and request_schema(op).get("required") \
                and run.fixtures.creatable(op.resource) is not None:
            yield op


def required_fields(op: Operation) -> list[str]:
    """The required fields the pages state (none where the required list is the project's design: OC7)."""
    if op.designed.request & {"required", "body"}:
        return []
    return list(request_schema(op).get("required", []))


def _rejected(run: CheckRun, exchange: Exchange, field: str | None, name_field: bool, what: str,
              level: Severity | None = None, judge_status: bool = True) -> None:
    """The validation status (unless `judge_status` is off: VAL-002 judges only how a refusal names the
    field, VAL-001 the refusal itself) and, with `name_field`, field errors that name the field."""
    accepted = run.dialect.errors.accepted("validation")
    about = {"field": field} if field else None
    refused = exchange.status in accepted
    if judge_status:
        run.expect(refused, exchange, f"{what}: answered {exchange.status}, expected "
                   f"{' or '.join(map(str, accepted))}", level=level, about=about)
    if field is None or not name_field or not refused:
        return
    errors = normalise.error(run.dialect, body(exchange)).field_errors
    named = isinstance(errors, dict) and any(k == field or k.split(".")[0] == field for k in errors)
    run.expect(named, exchange, f"{what}: the field errors do not name {field!r}: {errors!r}", level=level,
               about=about)


def _track(run: CheckRun, op: Operation, exchange: Exchange) -> None:
    """A server that accepted an invalid body created a record: the suite owns it and deletes it."""
    run.fixtures.adopt(op, exchange)


def _missing_required(run: CheckRun, name_field: bool) -> None:
    for op in creates(run):
        good = run.fixtures.body(op.resource)
        if good is None:
            continue
        for field in required_fields(op)[:3]:
            bad = {k: v for k, v in good.items() if k != field}
            exchange = run.call(op, json_body=bad)
            _track(run, op, exchange)
            _rejected(run, exchange, field, name_field, f"create without {field}", judge_status=not name_field)


@scenario("VAL-001", "validation", "A create missing a required field gets the validation status", "MUST",
          "000 422 'Validation Error' (RO2: 422 or 400); 001 name/stage_id Required; 003 name/stage_id Required "
          "(422); 004 deal_name, pipeline_id, cstid required (422); required lists the project designed (OC7) "
          "are judged by VAL-009 instead")
def missing_required(run: CheckRun) -> None:
    _missing_required(run, name_field=False)


@scenario("VAL-002", "validation", "Validation errors name the offending field", "MUST",
          "000 errors {email: 'Email is required'}; 003 errors {field: [..]} (CC2); 004 errors {cstname: [..]} "
          "(YS15); not judged where the pages leave field details open (OC4, OC5)")
def field_named(run: CheckRun) -> None:
    if not run.dialect.errors.field_errors_judged:
        run.skip("the pages leave where field errors sit, and their shape, open for this API (OC4, OC5)")
    _missing_required(run, name_field=True)


@scenario("VAL-005", "validation", "A required text field of the wrong JSON type is refused", "MUST",
          "each create body's documented types (000/001 tables, 003 Body Parameters, 004 Request body)")
def wrong_type(run: CheckRun) -> None:
    for op in creates(run):
        good = run.fixtures.body(op.resource)
        schema = request_schema(op)
        if good is None:
            continue
        field = next((f for f in required_fields(op)
                      if declared_types(schema.get("properties", {}).get(f, {})) == ["string"]), None)
        if field is None:
            continue
        exchange = run.call(op, json_body={**good, field: {"not": "a string"}})
        _track(run, op, exchange)
        _rejected(run, exchange, field, False, f"{field} sent as an object")


@scenario("VAL-006", "validation", "Malformed JSON is a client error, never a success or a server error", "MUST",
          "000 '400 Bad Request - Invalid input'; 004 errors page 400; 003 Content-Type application/json required")
def malformed_json(run: CheckRun) -> None:
    for op in creates(run):
        exchange = run.call(op, data=b'{"name": "unterminated', headers={"Content-Type": "application/json"})
        run.expect(exchange.status is not None and 400 <= exchange.status < 500, exchange,
                   f"malformed JSON answered {exchange.status}, expected a 4xx")


@scenario("VAL-007", "validation", "An update without (or with an empty) field the page requires on update is refused",
          "MUST", "004 'deal_name, pipeline_id, and cstid are required even on updates' (YS5: omitted -> 422 with "
          "that key); 001 PUT name Required (RO10: omitted -> 422/400); 003 (CC2: name '' -> 422 errors.name, an "
          "omitted name is not judged)")
def update_required(run: CheckRun) -> None:
    for op in run.api.operations:
        refused = op.refused_on_update
        if op.action != "update" or not (refused.omitted or refused.empty):
            continue
        made = run.fixtures.create(op.resource)
        if made is None:
            continue
        good = run.fixtures.body(op.resource) or {}
        path = {op.path_params[-1]: made.id}
        for field in refused.omitted:
            exchange = run.call(op, path, json_body={k: v for k, v in good.items() if k != field})
            _rejected(run, exchange, field, run.dialect.errors.field_errors_judged, f"update without {field}")
        for field in refused.empty:
            exchange = run.call(op, path, json_body={**good, field: ""})
            _rejected(run, exchange, field, run.dialect.errors.field_errors_judged, f"update with an empty {field}")


@scenario("VAL-008", "validation", "Text longer than the documented maximum is refused, naming the field", "MUST",
          "004 'deal_name ... (max 255 chars)' (YS14: 256 chars -> 422 errors.deal_name); documented maxima")
def too_long(run: CheckRun) -> None:
    for op in creates(run):
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
            _rejected(run, exchange, field, run.dialect.errors.field_errors_judged,
                      f"{field} of {limit + 1} characters")


@scenario("VAL-009", "validation", "An empty create body is refused with a client error", "MUST",
          "OC7: 'empty body -> 400/422 (lenient code, strict 4xx)'; every page marks some create field required "
          "(001, 003, 004) or shows a body (002)")
def empty_body(run: CheckRun) -> None:
    for op in creates(run):
        exchange = run.call(op, json_body={})
        _track(run, op, exchange)
        run.expect(exchange.status is not None and 400 <= exchange.status < 500, exchange,
                   f"an empty body answered {exchange.status}, expected a 4xx")


def invalid_query_values(schema: dict[str, Any]) -> list[tuple[str, str]]:
    """Values a documented query parameter's schema forbids, as a client would type them: (what, value).
    Never a value past a maximum: a server may clamp it (RO11, X5) instead of refusing."""
    kinds = declared_types(schema)
    if schema.get("enum"):
        return [("a value outside its enum", "crmconf-not-a-choice")]
    if "integer" in kinds or "number" in kinds:
        return [("text where a number belongs", "not-a-number")]
    if "string" in kinds and schema.get("format") in ("date", "date-time"):
        return [(f"text that is not a {schema['format']}", "not-a-date")]
    return []


def _judged_query_parameters(run: CheckRun, op: Operation) -> list[tuple[str, dict[str, Any]]]:
    """The operation's query parameters the catalogue's requirements for this check name (all the page's
    own where a requirement names none, or where the API has no catalogue)."""
    named = named_by_requirements(run, op, key="parameter")
    catalogue = run.api.requirements
    every = catalogue is None or any(r.concerns(str(op)) and "parameter" not in r.about
                                     for r in catalogue.verified_by(run.check.id))
    out: list[tuple[str, dict[str, Any]]] = []
    for parameter in op.raw.get("parameters") or []:
        if not isinstance(parameter, dict) or parameter.get("in") != "query":
            continue
        name = str(parameter.get("name"))
        if name in op.designed.parameters or not (every or (named is not None and name in named)):
            continue
        out.append((name, dict(parameter.get("schema") or {})))
    return out


@scenario("VAL-012", "validation", "A query parameter sent with a value its page forbids is refused", "SHOULD",
          "the query parameter tables give each parameter's type and values (002 'status | string | active, "
          "inactive, lead, customer', 'page | integer'); a value outside them is a client error (OC5: 400 or "
          "422), never a silently different list; judged on the parameters the requirements catalogue names")
def invalid_query_parameters(run: CheckRun) -> None:
    accepted = {400, *run.dialect.errors.accepted("validation")}
    for op in run.api.operations:
        if op.method != "get" or op.action not in ("list", "collection") or op.path_params:
            continue
        for name, schema in _judged_query_parameters(run, op):
            for what, value in invalid_query_values(schema):
                exchange = run.call(op, params={name: value})
                run.expect(exchange.status in accepted, exchange,
                           f"{name} as {what} ({value!r}) answered {exchange.status}, expected "
                           f"{' or '.join(map(str, sorted(accepted)))}",
                           level=catalogue_level(run), about={"parameter": name})


def invalid_values(prop: dict[str, Any]) -> list[tuple[str, Any]]:
    """Values a documented field's schema forbids: (what is wrong, the value)."""
    kinds = declared_types(prop)
    out: list[tuple[str, Any]] = []
    if prop.get("enum"):
        out.append(("a value outside its enum", "crmconf-not-a-choice"))
    if "integer" in kinds or "number" in kinds:
        out.append(("a string where a number belongs", "not-a-number"))
        if isinstance(prop.get("minimum"), int | float):
            out.append(("a number below its minimum", prop["minimum"] - 1))
        if isinstance(prop.get("maximum"), int | float):
            out.append(("a number above its maximum", prop["maximum"] + 1))
    elif "string" in kinds:
        out.append(("an object where text belongs", {"not": "text"}))
        if prop.get("format") == "date":
            out.append(("text that is not a YYYY-MM-DD date", "not-a-date"))
        if prop.get("format") == "date-time":
            out.append(("text that is not a date-time", "not-a-date-time"))
    elif "boolean" in kinds:
        out.append(("text where a boolean belongs", "not-a-boolean"))
    elif "array" in kinds:
        out.append(("text where a list belongs", "not-a-list"))
    return out


def bound_values(prop: dict[str, Any]) -> list[tuple[str, Any]]:
    """Values exactly at a documented field's bounds: (which bound, the value)."""
    out: list[tuple[str, Any]] = []
    for key in ("minimum", "maximum"):
        if isinstance(prop.get(key), int | float) and not isinstance(prop.get(key), bool):
            out.append((key, prop[key]))
    if isinstance(prop.get("maxLength"), int) and prop["maxLength"] <= 10_000:
        out.append(("maxLength", "x" * prop["maxLength"]))
    return out


def _constrained(run: CheckRun, op: Operation) -> list[tuple[str, dict[str, Any]]]:
    """The create body's fields the catalogue names for this check (every field without a catalogue)."""
    named = named_by_requirements(run, op)
    properties = request_schema(op).get("properties", {})
    return [(name, prop) for name, prop in properties.items() if isinstance(prop, dict)
            and (named is None or name in named) and not prop.get("readOnly")]


def _each_value_sent(run: CheckRun, values_of: Callable[[dict[str, Any]], list[tuple[str, Any]]]
                     ) -> Iterator[tuple[str, str, Any, Exchange]]:
    """Sends a valid create once for each value `values_of` gives each constrained field (those VAL-010 and VAL-011
    judge, on creates whose body the pages define, not the project's design, and the suite can send); yields
    (field, what the value is, the value, the answer). A record an answer made is the suite's to delete."""
    for op in creates(run):
        good = run.fixtures.body(op.resource)
        if good is None or op.designed.request & {"body"}:
            continue
        for field, prop in _constrained(run, op):
            for what, value in values_of(prop):
                exchange = run.call(op, json_body={**good, field: value})
                _track(run, op, exchange)
                yield field, what, value, exchange


@scenario("VAL-010", "validation", "A documented field sent with a value its page forbids is refused, naming it",
          "MUST", "each body table's types, enums, ranges and formats (001 deal body, 003 Body Parameters 'Any of "
          "[open, won, lost]', 004 Request body types); X3 'YYYY-MM-DD for date-only fields'; judged on the "
          "fields the requirements catalogue names")
def invalid_field_values(run: CheckRun) -> None:
    for field, what, _, exchange in _each_value_sent(run, invalid_values):
        _rejected(run, exchange, field, run.dialect.errors.field_errors_judged, f"{field} as {what}",
                  level=catalogue_level(run))


@scenario("VAL-011", "validation", "A documented field sent exactly at a documented bound is accepted", "MUST",
          "the ranges and lengths the pages state are inclusive ('max 255 chars', 'max 100', 0-100): a value at "
          "the bound is valid; judged on the fields the requirements catalogue names")
def values_at_bounds(run: CheckRun) -> None:
    for field, bound, value, exchange in _each_value_sent(run, bound_values):
        run.expect(exchange.status is not None and 200 <= exchange.status < 300, exchange,
                   f"{field} at its {bound} ({str(value)[:20]}{'...' if len(str(value)) > 20 else ''}) "
                   f"answered {exchange.status}", level=catalogue_level(run), about={"field": field})
