"""Response bodies valid against the document; ids of the API's type."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jsonschema
import jsonschema_rs

from conformance import normalise
from conformance.checks._common import body, in_scope, json_schema_for, query_of
from conformance.context import CheckRun
from conformance.model import Severity
from conformance.registry import response
from conformance.target import Exchange
from crmspec.model import Operation


def without_required(schema: Any) -> Any:
    """The schema with every `required` list dropped: the types of what is present still hold."""
    if isinstance(schema, dict):
        return {k: without_required(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [without_required(v) for v in schema]
    return schema


def optional_nullable(schema: Any) -> Any:
    """The schema with every property that is not required also allowing null: X2 'treat null and absent
    alike' (none of the pages says which optional fields a server leaves out and which it sends as null)."""
    if isinstance(schema, list):
        return [optional_nullable(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: optional_nullable(v) for k, v in schema.items() if k != "properties"}
    properties = schema.get("properties")
    if isinstance(properties, dict):
        required = set(schema.get("required") or ())
        out["properties"] = {name: optional_nullable(prop) if name in required
                             else {"anyOf": [{"type": "null"}, optional_nullable(prop)]}
                             for name, prop in properties.items()}
    return out


@lru_cache(maxsize=512)
def _validator(op: Operation, status: int, projected: bool) -> jsonschema.Draft202012Validator | None:
    schema = json_schema_for(op, status)
    if not schema:
        return None
    schema = optional_nullable(schema)
    if projected:
        schema = without_required(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


@lru_cache(maxsize=512)
def _quick(op: Operation, status: int, projected: bool) -> jsonschema_rs.Validator | None:
    """The same schema compiled by jsonschema-rs, which tells a valid body (nearly every one) in microseconds
    where jsonschema takes milliseconds (the proxy judges every exchange on its way); it checks every format
    it knows, so it is never more lenient than jsonschema's FORMAT_CHECKER. An invalid body is judged again
    by jsonschema, whose best_match names the error. None: the schema does not compile there."""
    validator = _validator(op, status, projected)
    if validator is None:
        return None
    try:
        return jsonschema_rs.Draft202012Validator(validator.schema, validate_formats=True)
    except (ValueError, jsonschema_rs.ReferencingError):
        return None


def _problem(validator: jsonschema.Draft202012Validator, payload: Any,
             fields: set[str], quick: jsonschema_rs.Validator | None = None) -> tuple[str, str | None] | None:
    """The best error, and the field it is about: the first name on its path that the answer's records hold
    at their top level (a nested value belongs to the field holding it, not to a deeper name that happens
    to match a record field: a score's `breakdown.demographic.score` is about `breakdown`), else the last
    name on the path."""
    if quick is not None and quick.is_valid(payload):
        return None
    error = jsonschema.exceptions.best_match(validator.iter_errors(payload))
    if error is None:
        return None
    names = [str(p) for p in error.absolute_path if isinstance(p, str)]
    where = "/".join(str(p) for p in error.absolute_path) or "(body)"
    field = next((n for n in names if n in fields), names[-1] if names else None)
    return f"at {where}: {error.message[:300]}", field


def _fields(run: CheckRun, op: Operation, payload: Any) -> set[str]:
    """The record fields an answer holds: a page's items, or the one record."""
    if op.action == "list":
        items = normalise.items(run.dialect, op, payload)
        records = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    else:
        found = normalise.record(run.dialect, op, payload) if op.envelope is not None else payload
        records = found if isinstance(found, list) else [found]
    return {name for record in records if isinstance(record, dict) for name in record}


def _judge(run: CheckRun, exchange: Exchange, low: int, what: str) -> None:
    """Validate a JSON body whose status is in [low, low + 100) against the operation's schema for it.
    A response shape the project designed (`x-designed`) is judged at the SHOULD level; a projection the
    client asked for (`select=`, 003 'Select only the provided fields') may leave fields out.
    Each valid field is one observation (once per operation), so a requirement on it is met."""
    op = in_scope(run, exchange)
    if op is None or exchange.status is None or not low <= exchange.status < low + 100 or not exchange.body:
        return
    projected = op.projection is not None and bool(query_of(exchange).get(op.projection))
    validator = _validator(op, exchange.status, projected)
    payload = normalise.unwrapped(run.dialect, op, body(exchange))
    if validator is None or payload is None:
        return
    problem = _problem(validator, payload, _fields(run, op, payload), _quick(op, exchange.status, projected))
    level: Severity | None = "SHOULD" if op.designed.response(exchange.status) else None
    if problem is not None:
        message, field = problem
        run.fail(exchange, f"the {exchange.status} body breaks the {what} {message}", level=level,
                 about={"status": exchange.status, "field": field} if field else {"status": exchange.status})
        return
    for name in sorted(_fields(run, op, payload) | {""}):
        if (str(op), exchange.status, name) not in run.noted:
            run.noted.add((str(op), exchange.status, name))
            run.observe(exchange, {"status": exchange.status, "field": name} if name else {"status": exchange.status})


@response("SCH-001", "schema", "Success bodies are valid against the documented schema", "MUST",
          "the documents transcribe the pages' fields and types (X1: extra fields allowed, types strict); "
          "shapes the project designed (x-designed) are a SHOULD")
def success_schema(run: CheckRun, exchange: Exchange) -> None:
    _judge(run, exchange, 200, "schema")


@response("SCH-002", "schema", "Error bodies are valid against the documented error schema", "SHOULD",
          "error shapes are researched across sources that disagree (CC11): a deviation is a warning; not judged "
          "where the sources' error bodies disagree outright (OC4: 'body shapes don't')")
def error_schema(run: CheckRun, exchange: Exchange) -> None:
    if run.dialect.errors.schema_judged:
        _judge(run, exchange, 400, "error schema")


@response("SCH-003", "schema", "Record ids have the API's id type", "MUST",
          "X4: JSON integers where the pages show integers (000, 003, 004); non-empty strings where they show "
          "string ids (002 'contact_001'); numeric strings are not integers")
def id_type(run: CheckRun, exchange: Exchange) -> None:
    op = in_scope(run, exchange)
    if op is None or op.envelope is None or exchange.status not in op.envelope.statuses:
        return
    if op.action not in ("read", "create", "update") or op.resource not in run.dialect.resources:
        return
    record = normalise.record(run.dialect, op, body(exchange))
    if not isinstance(record, dict):
        return
    value = normalise.record_id(run.dialect, op, record)
    if run.dialect.id_type == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, str) and bool(value)
    run.expect(ok, exchange, f"id {value!r} is not a {run.dialect.id_type}",
               about={"field": run.dialect.resources[op.resource].id_field})
