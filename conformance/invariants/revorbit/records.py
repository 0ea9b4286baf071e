"""The suite's own records on Revenue Orbit (X11): valid bodies, records made through the fixtures or added
beside the lookup data (stages), and records read again by id or in their collection."""

from __future__ import annotations

from typing import Any

from conformance import normalise
from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.fixtures import Created, FixtureUnavailable, request_example, request_schema
from conformance.invariants._common import create_record, list_items, op_of, read_record
from conformance.invariants.revorbit.credentials import call, credential_for
from conformance.target import Exchange
from crmspec.model import Operation, Reference
from crmspec.schemas import declared_types

COLOUR = "#1f6feb"                # 001's stage colours are #rrggbb ('#3b82f6'); the POST example shows '...'
ABSENT_ID = 9007199254740991      # an id no server hands out; used only where the suite proves it absent


def body_properties(op: Operation) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in request_schema(op).get("properties", {}).items() if isinstance(v, dict)}


def references_of(run: CheckRun, resource: str) -> dict[str, Reference]:
    found = run.dialect.resources.get(resource)
    return {ref.field: ref for ref in found.references} if found is not None else {}


def valid_body(run: CheckRun, op: Operation) -> dict[str, Any]:
    """A valid body for `op`: the fixture body of its resource (the page's example, references pointed at the
    suite's own records), cut to what the operation takes. Flags start false (the stage example sets both
    is_won and is_lost, which no stage can be) and a colour is #rrggbb."""
    properties = body_properties(op)
    draft = run.fixtures.body(op.resource) if op.action in ("create", "update") else None
    start = draft if draft is not None else request_example(op) or {}
    out = {k: v for k, v in start.items() if k in properties}
    for name, prop in properties.items():
        if "boolean" in declared_types(prop) and name in out:
            out[name] = False
        if name == "color":
            out[name] = COLOUR
    return out


def create_own(run: CheckRun, resource: str, **overrides: Any) -> Created | None:
    """A record of the suite's own: through the fixtures where they make it, else (lookup data the API lets a
    client add to, such as stages) created here and adopted, so the clean-up deletes it. None when the suite
    could not make one: the part of a check that needs it is then not exercised (raising would skip the whole
    check and hide what it already found)."""
    if run.fixtures.creatable(resource) is not None:
        try:
            return create_record(run, resource, **overrides)
        except FixtureUnavailable:
            return None
    op = run.api.find(resource, "create")
    if op is None or op.path_params or credential_for(run, op) is None:
        return None
    exchange = call(run, op, json_body={**valid_body(run, op), **overrides})
    made: Created | None = run.fixtures.adopt(op, exchange)
    return made


def all_stages(run: CheckRun) -> tuple[Exchange, list[dict[str, Any]]]:
    exchange, stages = list_items(run, op_of(run, "stages", "collection"))
    return exchange, [s for s in stages if s.get("id") is not None]


def open_stages(run: CheckRun) -> list[dict[str, Any]]:
    return [s for s in all_stages(run)[1] if not s.get("is_won") and not s.get("is_lost")]


def other_record_id(run: CheckRun, resource: str, current: Any) -> Any:
    """Another record a reference may point at: a new one of the suite's own, or an open stage; None when the
    suite knows no other (users: no endpoint lists them)."""
    if run.fixtures.creatable(resource) is not None:
        made = run.fixtures.create(resource)
        return made.id if made is not None else None
    if resource == "stages":
        return next((s["id"] for s in open_stages(run) if s["id"] != current), None)
    return None


def read_collection(run: CheckRun, resource: str,
                    parent_id: Any) -> tuple[Exchange | None, list[dict[str, Any]] | None]:
    """Every record of a resource read as a whole (stages; a deal's tasks): None when it cannot be read."""
    op = run.api.find(resource, "collection")
    if op is None:
        return None, None
    exchange = call(run, op, fill_path(run, op, None, parent_id))
    found = normalise.record(run.dialect, op, body(exchange)) if exchange.status == 200 else None
    return exchange, [i for i in found if isinstance(i, dict)] if isinstance(found, list) else None


def reread(run: CheckRun, resource: str, record_id: Any, parent_id: Any = None) -> tuple[Exchange | None,
                                                                                          dict[str, Any] | None]:
    """A record as the API shows it now: by its read, else in its collection (None: not found)."""
    read = run.api.find(resource, "read")
    if read is not None and len(read.path_params) == 1:
        return read_record(run, resource, record_id)
    exchange, records = read_collection(run, resource, parent_id)
    found = next((r for r in records or [] if str(r.get("id")) == str(record_id)), None)
    return exchange, found


def absent_id(run: CheckRun, resource: str) -> Any:
    """An id the target proved it has no record of: its read answers not found, or its collection lacks it."""
    if run.api.find(resource, "read") is not None:
        return run.fixtures.absent_id(resource)
    _, records = read_collection(run, resource, None)
    return ABSENT_ID if records is not None and ABSENT_ID not in [r.get("id") for r in records] else None
