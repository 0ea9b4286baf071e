"""Status codes: no server errors, only documented codes, and each API's success codes."""

from __future__ import annotations

from conformance import normalise
from conformance.checks._common import body, expects_json, fill_path, in_scope, is_documented
from conformance.context import CheckRun
from conformance.registry import response, scenario
from conformance.target import Exchange


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
