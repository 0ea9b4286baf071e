"""Status codes: no server errors, only documented codes, and each API's success codes."""

from __future__ import annotations

from conformance import normalise
from conformance.checks._common import body, catalogue_level, expects_json, fill_path, in_scope, is_documented
from conformance.context import CheckRun
from conformance.registry import response, scenario
from conformance.target import Exchange
from crmspec.model import Operation
from crmspec.schemas import field_types


@response("STA-001", "status", "No request the suite sends gets a server error (5xx)", "MUST",
          "000 status table: 500 is 'Internal Server Error', a fault, never an answer to a client (also CC9)")
def no_server_errors(run: CheckRun, exchange: Exchange) -> None:
    if in_scope(run, exchange) is None:
        return
    run.expect(exchange.status is not None and exchange.status < 500, exchange,
               f"answered {exchange.status} to a request a conformant server must handle")


@response("STA-002", "status", "Every status code is one the API documents for the operation", "MUST",
          "status tables of 000 (RO, for every endpoint), the 002 error table + platform errors (OC), 003 + CC1 "
          "(CC), 004 + errors page (YS); the statuses section 3 allows (RO2, RO12, OC5, OC6, YS2, YS3, X6)")
def documented_status(run: CheckRun, exchange: Exchange) -> None:
    op = in_scope(run, exchange)
    if op is None or exchange.status is None or exchange.status >= 500:
        return  # 5xx is STA-001's finding
    run.expect(is_documented(op, exchange.status, run.dialect), exchange,
               f"{exchange.status} is not a status {op} documents", about={"status": exchange.status})


@response("STA-003", "status", "JSON bodies are sent as application/json", "MUST",
          "dialects.md X7: all four APIs are JSON APIs (000 'All responses return JSON'); files are exempt")
def json_content_type(run: CheckRun, exchange: Exchange) -> None:
    op = in_scope(run, exchange)
    if op is None or exchange.status is None or exchange.status == 204 or not exchange.body:
        return
    if exchange.status >= 500 or not expects_json(op, exchange.status):
        return
    run.expect(exchange.is_json, exchange,
               f"Content-Type is {exchange.content_type or 'missing'}, expected application/json")


@scenario("STA-004", "status", "Create answers the API's create status", "MUST",
          "000: 201 Created (RO4 also 200); 003/CC1: 201; 004: 200 'including creates' (YS3 also 201); OC: X6")
def create_status(run: CheckRun) -> None:
    for name in run.dialect.resources:
        op = run.fixtures.creatable(name)
        if op is None or op.path_params:
            continue
        made = run.fixtures.create(name)
        if made is None:
            continue
        envelope = run.dialect.envelope_for(op, "create")
        run.expect(made.exchange.status in envelope.statuses, made.exchange,
                   f"create answered {made.exchange.status}, expected {' or '.join(map(str, envelope.statuses))}")


@scenario("STA-005", "status", "Delete answers the API's delete status", "MUST",
          "003/CC1: 204 (200 lenient); 004: 200 {success, message}; RO5 / X6: 200 or 204")
def delete_status(run: CheckRun) -> None:
    for name in run.dialect.resources:
        op = run.api.find(name, "delete")
        if op is None or run.fixtures.creatable(name) is None:
            continue
        made = run.fixtures.create(name)
        if made is None:
            continue
        exchange = run.call(op, fill_path(run, op, made.id, made.parent_id))
        envelope = run.dialect.envelope_for(op, "delete")
        if exchange.status is not None and 200 <= exchange.status < 300:
            run.fixtures.forget(name, made.id)
        run.expect(exchange.status in envelope.statuses, exchange,
                   f"delete answered {exchange.status}, expected {' or '.join(map(str, envelope.statuses))}")
        if exchange.status == 204:
            run.expect(not exchange.body.strip() and body(exchange) is None, exchange,
                       "204 No Content carries a body")


@scenario("STA-006", "status", "A record that is not there answers the API's not-found status and code", "MUST",
          "000 404 'Not Found'; 002 Error Responses 404 contact_not_found / deal_not_found (OC4: or NOT_FOUND); "
          "004 errors page 400 for not found (YS2: or 404); 003 404 (CC1)")
def not_found(run: CheckRun) -> None:
    """Judged on a record the suite created and deleted: proven to have existed, so a 2xx is no accident
    of a shared id space."""
    for name, resource in run.dialect.resources.items():
        read, delete = run.api.find(name, "read"), run.api.find(name, "delete")
        if read is None or delete is None or len(read.path_params) != 1 or run.fixtures.creatable(name) is None:
            continue
        made = run.fixtures.create(name)
        if made is None:
            continue
        gone = run.call(delete, fill_path(run, delete, made.id))
        if gone.status is None or not 200 <= gone.status < 300:
            continue  # STA-005 judges the delete
        run.fixtures.forget(name, made.id)
        exchange = run.call(read, {read.path_params[0]: made.id})
        accepted = run.dialect.errors.accepted("not_found")
        if not run.expect(exchange.status in accepted, exchange, f"a deleted {name} record answered "
                          f"{exchange.status}, expected {' or '.join(map(str, accepted))}",
                          about={"status": exchange.status}):
            continue
        if resource.not_found_code:
            code = normalise.error(run.dialect, body(exchange)).code
            codes = {resource.not_found_code, run.dialect.errors.codes.get("not_found")}
            run.expect(code in codes, exchange, f"the not-found code is {code!r}, expected "
                       f"{resource.not_found_code} (or {run.dialect.errors.codes.get('not_found')})",
                       about={"status": exchange.status, "code": resource.not_found_code})


NOT_AN_ID = "crmconf-not-an-id"


def _wrong_type_path(run: CheckRun, op: Operation) -> dict[str, str] | None:
    """A word for every path parameter of a read, when each one is documented an integer; None otherwise."""
    if op.method != "get" or not op.path_params:
        return None
    catalogue = run.api.requirements
    if catalogue is not None and not any(r.concerns(str(op)) for r in catalogue.verified_by(run.check.id)):
        return None  # judged where a requirement names the read
    kinds = {str(p.get("name")): field_types(dict(p.get("schema") or {})) for p in op.raw.get("parameters") or []
             if isinstance(p, dict) and p.get("in") == "path"}
    if not all(kinds.get(name) == {"integer"} for name in op.path_params):
        return None
    return dict.fromkeys(op.path_params, NOT_AN_ID)


@scenario("STA-007", "status", "A read naming a record by a word where its id is an integer is a client error",
          "SHOULD", "the path parameter tables (001 '| id | integer | Required | Resource ID |'; 003 'id (Required) "
          "integer The ID of the record'): a word names no record, so 404, 400 or 422 say so; reads only (X11: a "
          "server reading a word leniently as some id would apply a write to a record the suite does not own)")
def word_as_id(run: CheckRun) -> None:
    for op in run.api.operations:
        path = _wrong_type_path(run, op)
        if path is None:
            continue
        exchange = run.call(op, path)
        run.expect(exchange.status is not None and 400 <= exchange.status < 500, exchange,
                   f"{op} with the id {NOT_AN_ID!r} answered {exchange.status}, expected a 4xx",
                   level=catalogue_level(run))
