"""Envelopes exactly as each API's x-crm-dialect block says: success flag, where data sits, errors."""

from __future__ import annotations

from typing import Any

from conformance import normalise
from conformance.checks._common import body, expects_json, in_scope, leaf, pages_by_design_only
from conformance.context import CheckRun
from conformance.registry import response
from conformance.target import Exchange
from crmspec.model import Envelope, Operation

SINGLE = ("read", "create", "update", "item")


def _success_flag(run: CheckRun, exchange: Exchange, flag: Any, payload: dict[str, Any]) -> None:
    if flag is True:
        run.expect(payload.get("success") is True, exchange, "the body lacks success: true")
    elif flag == "optional" and "success" in payload:
        run.expect(payload["success"] is True, exchange, f"success is {payload['success']!r}, must be true if present")


@response("ENV-001", "envelope", "Single-record and collection responses use the API's envelope", "MUST",
          "000 {success:true, data}; 002 bare objects (OC2); 003 bare (CC1); 004 {success, data}, create "
          "{deal_id, deal_name} (YS7), update/delete {success, message} (YS6); RO1 for /deals/stages")
def single_envelope(run: CheckRun, exchange: Exchange) -> None:
    op = in_scope(run, exchange)
    if op is None or op.envelope is None or op.action == "list" or exchange.status not in op.envelope.statuses:
        return
    if exchange.body and not expects_json(op, exchange.status):
        return  # files (CSV export, PDF) have no envelope
    env = op.envelope
    if exchange.status == 204 or env.empty and exchange.status == env.status:
        # 204 No Content has no body whatever the envelope (RFC 9110 15.3.5; RO5/X6 allow it on deletes)
        run.expect(not exchange.body.strip(), exchange, f"{exchange.status} must have an empty body")
        return
    if exchange.status != env.status and env.empty:
        return  # the lenient alternative (e.g. 200 instead of 204 on delete) carries whatever it likes
    payload = body(exchange)
    if env.data == "" and op.action == "collection":
        run.expect(isinstance(payload, list), exchange, "the body must be a bare JSON array")
        return
    if not isinstance(payload, dict):
        run.fail(exchange, "the body is not a JSON object")
        return
    _success_flag(run, exchange, env.success, payload)
    if env.data is None or op.method == "delete":
        if env.success is None:
            run.observe(exchange)  # a JSON object is all such an envelope asks
        return
    _enveloped_record(run, exchange, op, env, payload)


def _enveloped_record(run: CheckRun, exchange: Exchange, op: Operation, env: Envelope,
                      payload: dict[str, Any]) -> None:
    """The record (or the collection) where the envelope puts it, with the fields the envelope names."""
    value = normalise.record(run.dialect, op, payload)
    if value is None and env.data_optional:
        return  # RO5: an update may answer without the record
    if op.action == "collection":
        run.expect(isinstance(value, list), exchange, f"no list at {env.data or 'the top level'}")
        return
    if op.action not in SINGLE and isinstance(value, list):
        return  # a custom action may answer a list in the same envelope (the Kanban pipeline)
    if not isinstance(value, dict):
        run.fail(exchange, f"no record object at {env.data or 'the top level'}")
        return
    for name in env.fields:
        run.expect(name in value, exchange, f"the record lacks {name}")
    if not env.fields:
        run.observe(exchange)  # the record sits where the envelope puts it: nothing more is named


def _listed(run: CheckRun, exchange: Exchange) -> tuple[Operation, Envelope, Any] | None:
    """A successful list answer's operation, its envelope and its JSON body; None for any other exchange."""
    op = in_scope(run, exchange)
    if op is None or op.action != "list" or exchange.status != 200:
        return None
    return op, run.dialect.envelope_for(op), body(exchange)


def _integer_page_fields(run: CheckRun, exchange: Exchange, listed: tuple[Operation, Envelope, Any],
                         message_end: str = "") -> None:
    """Each page field the list's envelope names holds an integer (true and false are not counts)."""
    op, env, payload = listed
    for key in env.page_fields:
        value = normalise.page_value(run.dialect, op, payload, key)
        run.expect(isinstance(value, int) and not isinstance(value, bool), exchange,
                   f"page field {env.page_fields[key]} is {value!r}{message_end}",
                   about={"field": leaf(env.page_fields[key])})


@response("ENV-002", "envelope", "Paginated lists carry their items and page fields where the API puts them", "MUST",
          "000 pagination {data, current_page, last_page, per_page, total} (RO1); 003 meta (CC1); "
          "004 data.{data, current_page, total_records, total_pages}; 002 data[] (OC3)")
def list_envelope(run: CheckRun, exchange: Exchange) -> None:
    listed = _listed(run, exchange)
    if listed is None:
        return
    op, env, payload = listed
    if not isinstance(payload, dict):
        run.fail(exchange, "the list body is not a JSON object")
        return
    _success_flag(run, exchange, env.success, payload)
    run.expect(isinstance(normalise.items(run.dialect, op, payload), list), exchange,
               f"no item array at {env.items}")
    if env.page_fields_required:
        _integer_page_fields(run, exchange, listed, ", expected an integer")


@response("ENV-003", "envelope", "Lists carry their optional pagination block", "SHOULD",
          "002 List Contacts example: pagination {page, limit, total} (OC3: optional, warn if missing)")
def optional_page_block(run: CheckRun, exchange: Exchange) -> None:
    listed = _listed(run, exchange)
    if listed is None:
        return
    op, env, payload = listed
    if env.page_fields_required or pages_by_design_only(run, op, payload):
        return
    _integer_page_fields(run, exchange, listed)


@response("ENV-004", "envelope", "Client errors carry the API's error envelope: a message, success false if present",
          "MUST", "000 'Error responses include a descriptive message' {success:false, message} (RO6); "
          "004 errors page {success:false, message} (YS1, YS2); 003 {message} or {error} (CC11); OC4")
def error_envelope(run: CheckRun, exchange: Exchange) -> None:
    op = in_scope(run, exchange)
    if op is None or exchange.status is None or not 400 <= exchange.status < 500 or exchange.status == 429:
        return
    payload = body(exchange)
    if not isinstance(payload, dict):
        run.fail(exchange, f"the {exchange.status} body is not a JSON object", about={"status": exchange.status})
        return
    error = normalise.error(run.dialect, payload)
    run.expect(isinstance(error.message, str) and bool(error.message), exchange, "the error has no message",
               about={"status": exchange.status, "field": leaf(run.dialect.errors.message)})
    if "success" in payload:
        run.expect(payload["success"] is False, exchange, f"success is {payload['success']!r} on an error",
                   about={"status": exchange.status, "field": "success"})


@response("ENV-005", "envelope", "Error bodies carry success: false where the API's errors do", "SHOULD",
          "000 error example {success:false, ...} (RO6 lenient); 004 errors page (YS1: strict)")
def error_success_flag(run: CheckRun, exchange: Exchange) -> None:
    op = in_scope(run, exchange)
    if op is None or run.dialect.errors.success is not False:
        return
    if exchange.status is None or not 400 <= exchange.status < 500 or exchange.status == 429:
        return
    payload = body(exchange)
    if isinstance(payload, dict):
        run.expect(payload.get("success") is False, exchange, "the error body lacks success: false",
                   about={"status": exchange.status, "field": "success"})


@response("ENV-006", "envelope", "Field errors are a map of field to message(s) in the API's style", "MUST",
          "000 errors {email: 'Email is required'} (RO3: string or list); 003/004 errors {field: [msg]} (YS15); "
          "not judged where the pages leave field details open (OC4, OC5)")
def field_error_shape(run: CheckRun, exchange: Exchange) -> None:
    op = in_scope(run, exchange)
    if op is None or not run.dialect.errors.field_errors_judged:
        return  # OC4/OC5: the pages leave the place and shape of field details open
    if exchange.status not in run.dialect.errors.accepted("validation"):
        return
    error = normalise.error(run.dialect, body(exchange))
    if error.field_errors is None:
        return
    if not run.expect(isinstance(error.field_errors, dict), exchange, "field errors are not an object",
                      about={"status": exchange.status}):
        return
    lenient = run.dialect.errors.field_error_style == "string"
    for name, value in error.field_errors.items():
        is_list = isinstance(value, list) and all(isinstance(m, str) for m in value)
        ok = is_list or (lenient and isinstance(value, str))
        expected = "a string or a list of strings" if lenient else "a list of strings"
        run.expect(ok, exchange, f"field error {name!r} is {value!r}, expected {expected}",
                   about={"status": exchange.status, "field": name})
