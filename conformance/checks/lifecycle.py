"""Lifecycles: create -> read -> update -> read -> listed -> delete -> not found, on the suite's records."""

from __future__ import annotations

from typing import Any

from conformance import normalise
from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.fixtures import request_schema
from conformance.registry import scenario
from crmspec.model import Operation

MONEY_TOLERANCE = 0.005  # X5


def _same(sent: Any, got: Any) -> bool:
    if isinstance(sent, int | float) and isinstance(got, int | float) and not isinstance(sent, bool):
        return abs(float(sent) - float(got)) <= MONEY_TOLERANCE
    return bool(sent == got)


def _text_field(op: Operation, good: dict[str, Any]) -> str | None:
    properties = request_schema(op).get("properties", {})
    for name in ("name", "deal_name", "title", "first_name", "cstname"):
        if name in good and properties.get(name, {}).get("type") in ("string", ["string", "null"]):
            return name
    return None


def _resources(run: CheckRun, from_pages: bool) -> list[str]:
    out = []
    for name in run.dialect.resources:
        ops = [run.api.find(name, a) for a in ("create", "read", "update", "delete")]
        create = ops[0]
        if create is None or any(op is None for op in ops) or create.path_params:
            continue
        # a resource the seed pages document (its create is theirs) must live the whole cycle
        if (create.source != "inferred") == from_pages:
            out.append(name)
    return out


def _lifecycle(run: CheckRun, name: str) -> None:
    api, dialect = run.api, run.dialect
    create, read, update, delete = (api.find(name, a) for a in ("create", "read", "update", "delete"))
    assert create and read and update and delete
    good = run.fixtures.body(name)
    if good is None:
        return
    made = run.fixtures.create(name, overrides=good)
    if made is None:
        exchange = run.call(create, json_body=good)
        run.fail(exchange, f"a valid create was refused with {exchange.status}")
        return
    path = fill_path(run, read, made.id)
    got = run.call(read, path)
    record = normalise.record(dialect, read, body(got)) if got.status == 200 else None
    if not isinstance(record, dict):
        run.fail(got, f"reading the new record answered {got.status}")
        return
    text = _text_field(create, good)
    if text is not None:
        run.expect(_same(good[text], record.get(text)), got, f"created {text}={good[text]!r}, read back "
                   f"{record.get(text)!r}")
    if text is not None:
        changed = f"{good[text]} (updated)"[: int(request_schema(update).get('properties', {}).get(text, {})
                                                 .get("maxLength", 255))]
        up = run.call(update, fill_path(run, update, made.id), json_body={**good, text: changed})
        run.expect(up.status is not None and 200 <= up.status < 300, up, f"a valid update answered {up.status}")
        again = run.call(read, path)
        record = normalise.record(dialect, read, body(again)) if again.status == 200 else None
        run.expect(isinstance(record, dict) and _same(changed, record.get(text)), again,
                   f"after the update {text} reads {record.get(text) if isinstance(record, dict) else None!r}, "
                   f"expected {changed!r}")
    listed = api.find(name, "list")
    if listed is not None and not listed.path_params and text is not None and listed.search is not None:
        found = run.call(listed, params={listed.search.param: str(good[text]).split()[0]})
        items = normalise.items(dialect, listed, body(found)) if found.status == 200 else None
        run.expect(isinstance(items, list) and made.id in [i.get(dialect.resources[name].id_field)
                                                            for i in items if isinstance(i, dict)],
                   found, f"the new record {made.id} is not listed when searched by its tag")
    gone = run.call(delete, fill_path(run, delete, made.id))
    if not run.expect(gone.status is not None and 200 <= gone.status < 300, gone,
                      f"deleting the record answered {gone.status}"):
        return
    run.fixtures.forget(name, made.id)
    after = run.call(read, path)
    accepted = dialect.errors.accepted("not_found")
    run.expect(after.status in accepted, after,
               f"reading a deleted record answered {after.status}, expected {' or '.join(map(str, accepted))}")


@scenario("LIF-001", "lifecycle", "Create, read, update, list, delete, then not found", "MUST",
          "001 deals CRUD; 003 deals CRUD (CC1); 004 deals CRUD (not found is 400, YS2); 002 contacts CRUD (OC2)")
def lifecycle(run: CheckRun) -> None:
    for name in _resources(run, from_pages=True):
        _lifecycle(run, name)


@scenario("LIF-002", "lifecycle", "Lifecycles of resources the pages only name", "SHOULD",
          "resources found on the vendors' other pages (dialects.md [D]): same conventions, less evidence")
def lifecycle_inferred(run: CheckRun) -> None:
    for name in _resources(run, from_pages=False):
        _lifecycle(run, name)


@scenario("LIF-003", "lifecycle", "Stateful chains through the documents' links keep records alive until deleted",
          "MUST", "the same CRUD pages as LIF-001, driven by Schemathesis through OpenAPI links: a created record "
          "is readable (no 404), a deleted one is gone (no 2xx)")
def stateful(run: CheckRun) -> None:
    from conformance.stateful import run_lifecycles

    run_lifecycles(run)
