"""SEM-009: each documented field a deal update, a deal task or a stage write sends reads back as sent."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from conformance.context import CheckRun
from conformance.invariants._common import succeeded
from conformance.invariants.revorbit.catalogue import DESIGNED, field_kinds, named_operations
from conformance.invariants.revorbit.records import body_properties, references_of, reread
from conformance.invariants.revorbit.write_targets import WriteTarget, fresh_value, send_write, write_target, written_id
from conformance.readback import reads_back_as_sent
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation, Reference
from crmspec.schemas import declared_types


def _writes(run: CheckRun, target: WriteTarget, fields: set[str],
            properties: dict[str, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The bodies a read-back check writes: the valid body (an update's with a new value in every field), then
    once more for every other value of each enum and flag field, one field at a time."""
    first = dict(target.body)
    for field in sorted(fields) if target.op.action != "create" else ():
        prop = properties.get(field)
        if prop is None or prop.get("enum") or "boolean" in declared_types(prop):
            continue
        value = fresh_value(run, target.op, field, prop, first.get(field))
        if value is not None:
            first[field] = value
    yield first
    for field in sorted(fields):
        prop = properties.get(field, {})
        others = [not bool(first.get(field))] if "boolean" in declared_types(prop) else \
            [v for v in prop.get("enum") or [] if v is not None and v != first.get(field)]
        for value in others:
            yield {**first, field: value}


def _judge_names(run: CheckRun, op: Operation, read: Exchange | None, record: Mapping[str, Any], ref: Reference,
                 value: Any) -> None:
    """A deal's display names (contact_name, stage_name, ...) name the records its ids point at."""
    shown = {name: source for name, source in ref.names.items() if source == "name" and name in record}
    if not shown or value is None:
        return
    _, pointed = reread(run, ref.resource, value)
    if pointed is None:
        return
    for name, source in shown.items():
        run.expect(record[name] == pointed.get(source), read, f"{name} is {record[name]!r}, the {ref.resource} record "
                   f"{value} is named {pointed.get(source)!r}", about={"field": ref.field}, operation=op)


@scenario("SEM-009", "lifecycle", "Each documented field a deal update, a deal task or a stage write sends reads back "
          "as sent", "MUST", "001 request bodies of PUT /deals/{id}, POST and PUT /deals/{id}/tasks, POST and PUT "
          "/pipeline-stages (every priority value, every flag): GET /deals/{id}, GET /deals/{id}/tasks and GET "
          "/deals/stages show what was written (X5 money within 0.005, X3 dates, X2: a field the server leaves out "
          "is not judged); a deal's display names name the records its ids point at")
def ro_writes_read_back(run: CheckRun) -> None:
    """Reports about: field (reported on the write)."""
    for op in named_operations(run):
        fields = set(field_kinds(run, op))
        target = write_target(run, op) if fields and op.action in ("create", "update") else None
        if target is None:
            continue
        properties, references = body_properties(op), references_of(run, op.resource)
        for sent in list(_writes(run, target, fields, properties)):
            exchange = send_write(run, target, sent)
            if not run.expect(succeeded(exchange), exchange, f"a valid {op} answered {exchange.status}"):
                continue
            read, record = reread(run, op.resource, written_id(run, target, exchange), target.parent_id)
            if record is None:
                run.fail(read or exchange, f"the record {op} wrote cannot be read back", operation=op, level=DESIGNED)
                continue
            for field in sorted(fields & set(sent)):
                if field in record:
                    run.expect(reads_back_as_sent(sent[field], record[field]), read, f"{field} was written as "
                               f"{sent[field]!r}, reads back as {record[field]!r}", about={"field": field},
                               operation=op)
                if field in references:
                    _judge_names(run, op, read, record, references[field], sent[field])
