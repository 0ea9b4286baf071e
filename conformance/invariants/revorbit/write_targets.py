"""Where a probe of a write goes (a path of the suite's own and a valid body), the writes sent there, and
the new values an update can send."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance import normalise
from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import number, record_of
from conformance.invariants.revorbit.credentials import call, credential_for
from conformance.invariants.revorbit.records import create_own, other_record_id, references_of, valid_body
from conformance.target import Exchange
from crmspec.model import Operation
from crmspec.schemas import declared_types


def fresh_value(run: CheckRun, op: Operation, field: str, prop: dict[str, Any], current: Any) -> Any:
    """A valid value for `field` that differs from `current`; None when the suite cannot make one."""
    ref = references_of(run, op.resource).get(field)
    if ref is not None:
        return other_record_id(run, ref.resource, current)
    kinds = declared_types(prop)
    if prop.get("enum"):
        return next((v for v in prop["enum"] if v is not None and v != current), None)
    if "boolean" in kinds:
        return not bool(current)
    if "integer" in kinds:
        low, high = int(prop.get("minimum", 0)), int(prop.get("maximum", 1000))
        middle = (low + high) // 2 + 7
        return middle if middle != current else middle - 1
    if "number" in kinds:
        return round((number(current) or 0.0) + 1234.5, 2)
    if prop.get("format") == "date":
        return "2027-06-30" if current != "2027-06-30" else "2027-07-01"
    if field == "color":
        return "#2ea043" if current != "#2ea043" else "#d29922"
    text = f"crmconf-{run.fixtures.tag}-{run.fixtures.counter}-{field}"
    run.fixtures.counter += 1
    return text[: int(prop.get("maxLength", 255))]


@dataclass
class WriteTarget:
    """Where a probe of a write goes: its path, a valid body, and the record (or parent) it concerns."""

    op: Operation
    path: dict[str, Any]
    body: dict[str, Any]
    record_id: Any = None
    parent_id: Any = None


def write_target(run: CheckRun, op: Operation) -> WriteTarget | None:
    """A path of the suite's own and a valid body for a write (None: the suite cannot make the record, or holds
    no credential the operation allows)."""
    if credential_for(run, op) is None:
        return None
    body_ = valid_body(run, op)
    if op.action == "create":
        parent_id = run.fixtures.parent_of(op.resource) if op.path_params else None
        if op.path_params and parent_id is None:
            return None
        return WriteTarget(op, fill_path(run, op, None, parent_id), body_, None, parent_id)
    if not op.path_params:
        return WriteTarget(op, {}, body_)
    made = create_own(run, op.resource)
    if made is None:
        return None
    if op.action == "move_stage":
        body_["stage_id"] = other_record_id(run, "stages", made.record.get("stage_id"))
    return WriteTarget(op, fill_path(run, op, made.id, made.parent_id), body_, made.id, made.parent_id)


def send_write(run: CheckRun, target: WriteTarget, json_body: Any) -> Exchange:
    """One write to a target; a create the server accepted is the suite's own from then on."""
    exchange = call(run, target.op, target.path, json_body=json_body)
    if target.op.action == "create":
        run.fixtures.adopt(target.op, exchange, target.parent_id)
    return exchange


def written_id(run: CheckRun, target: WriteTarget, exchange: Exchange) -> Any:
    if target.op.action != "create":
        return target.record_id
    return normalise.record_id(run.dialect, target.op, record_of(run, target.op, exchange))
