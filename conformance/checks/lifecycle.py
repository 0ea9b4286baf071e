"""Lifecycles: create -> read -> update -> read -> listed -> delete -> not found, on the suite's records."""

from __future__ import annotations

from typing import Any

from conformance import normalise
from conformance.checks._common import body, catalogue_level, fill_path, lifecycle_resources, named_by_requirements
from conformance.context import CheckRun
from conformance.fixtures import FixtureUnavailable, request_schema
from conformance.readback import MONEY_TOLERANCE, reads_back_as_sent
from conformance.registry import scenario
from conformance.stateful import run_lifecycles
from crmspec.model import Operation
from crmspec.schemas import declared_types

TEXT_FIELDS = ("name", "deal_name", "title", "first_name", "cstname")


def _same(sent: Any, got: Any) -> bool:
    if isinstance(sent, int | float) and isinstance(got, int | float) and not isinstance(sent, bool):
        return abs(float(sent) - float(got)) <= MONEY_TOLERANCE
    return bool(sent == got)


def _text_field(op: Operation, good: dict[str, Any]) -> str | None:
    properties = request_schema(op).get("properties", {})
    for name in TEXT_FIELDS:
        if name in good and declared_types(properties.get(name, {})) in (["string"], ["string", "null"]):
            return name
    return None


def _lifecycle(run: CheckRun, name: str) -> None:
    api, dialect = run.api, run.dialect
    create, read, update, delete = (api.find(name, a) for a in ("create", "read", "update", "delete"))
    assert create and read and update and delete
    draft = run.fixtures.draft(name)
    if draft is None:
        return
    good = draft.body
    try:
        made = run.fixtures.require(name, overrides=good)
    except FixtureUnavailable as unavailable:
        if draft.guessed:
            raise  # the body could not be made valid on this target: nothing to judge
        run.fail(made_exchange(run, create), f"a valid create was refused: {unavailable}")
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
        limit = int(request_schema(update).get("properties", {}).get(text, {}).get("maxLength", 255))
        changed = f"{good[text]} (updated)"[:limit]
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
        run.expect(isinstance(items, list) and str(made.id) in [str(i.get(dialect.resources[name].id_field))
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


def made_exchange(run: CheckRun, create: Operation) -> Any:
    """The last exchange sent to `create` (the refused one), for the evidence."""
    return next((e for e in reversed(run.target.exchanges) if e.operation == str(create)), None)


@scenario("LIF-001", "lifecycle", "Create, read, update, list, delete, then not found", "MUST",
          "001 deals CRUD; 003 deals CRUD (CC1); 004 deals CRUD (not found is 400, YS2); 002 contacts CRUD (OC2); "
          "resources only the vendors' other pages name are a SHOULD (x-source: inferred)")
def lifecycle(run: CheckRun) -> None:
    resources = lifecycle_resources(run)
    if not resources:
        run.skip("no resource the suite can create, read, update and delete")
    skipped = []
    for name in resources:
        try:
            _lifecycle(run, name)
        except FixtureUnavailable as unavailable:
            skipped.append(str(unavailable))
    if skipped and len(skipped) == len(resources):
        run.skip("; ".join(skipped))


@scenario("LIF-004", "lifecycle", "Each documented field a create sends reads back as sent", "MUST",
          "the body tables of 001, 002, 003 and 004 name what a record stores; a read of the record shows it "
          "(money within 0.005, X5; a date may come back as a date-time, X3/CC13); judged on the fields the "
          "requirements catalogue names")
def fields_read_back(run: CheckRun) -> None:
    for name in run.dialect.resources:
        create, read = run.api.find(name, "create"), run.api.find(name, "read")
        if create is None or read is None or run.fixtures.creatable(name) is None or create.path_params:
            continue
        named = named_by_requirements(run, create)
        try:
            made = run.fixtures.require(name)
        except FixtureUnavailable:
            continue
        sent = made.exchange.request_body if isinstance(made.exchange.request_body, dict) else {}
        got = run.call(read, fill_path(run, read, made.id))
        record = normalise.record(run.dialect, read, body(got)) if got.status == 200 else None
        if not isinstance(record, dict):
            continue  # LIF-001 judges a record that cannot be read back
        for field, value in sent.items():
            if named is not None and field not in named or field not in record:
                continue
            run.expect(reads_back_as_sent(value, record[field]), got, f"{field} was sent as {value!r}, reads back as "
                       f"{record[field]!r}", level=catalogue_level(run), about={"field": field}, operation=create)


@scenario("LIF-005", "lifecycle", "A deleted record is gone from the list that held it", "MUST",
          "001, 003, 004 delete; 002 'The merged contacts are deleted': a record that is gone is gone from "
          "every list, not only from reads by id")
def gone_from_lists(run: CheckRun) -> None:
    for name in lifecycle_resources(run):
        listed, delete = run.api.find(name, "list"), run.api.find(name, "delete")
        if listed is None or listed.path_params or listed.search is None or delete is None:
            continue
        field = listed.search.fields[0]
        if field not in (run.fixtures.body(name) or {}):
            continue
        token = f"crmconf{run.ctx.options.seed}g{run.fixtures.counter + 1}z"
        try:
            made = run.fixtures.require(name, overrides={field: f"Gone {token}"})
        except FixtureUnavailable:
            continue
        params = {listed.search.param: token}
        before = normalise.items(run.dialect, listed, body(run.call(listed, params=params))) or []
        resource_id = run.dialect.resources[name].id_field
        if str(made.id) not in [str(i.get(resource_id)) for i in before if isinstance(i, dict)]:
            continue  # PAG-013 judges a search that does not find a new record
        gone = run.call(delete, fill_path(run, delete, made.id))
        if gone.status is None or not 200 <= gone.status < 300:
            continue  # LIF-001 and STA-005 judge a delete that fails
        run.fixtures.forget(name, made.id)
        after = run.call(listed, params=params)
        items = normalise.items(run.dialect, listed, body(after))
        still = isinstance(items, list) and str(made.id) in [str(i.get(resource_id)) for i in items
                                                             if isinstance(i, dict)]
        run.expect(isinstance(items, list) and not still, after,
                   f"{name} {made.id} was deleted, yet the list still holds it" if still
                   else f"listing after the delete answered {after.status}", operation=delete)


@scenario("LIF-003", "lifecycle", "Any sequence of creates, reads, updates and deletes keeps records alive until "
          "deleted", "MUST", "the same CRUD pages as LIF-001, as seeded random sequences: a created record is "
          "readable (no not-found), a deleted one is gone (no 2xx)")
def stateful(run: CheckRun) -> None:
    run_lifecycles(run)
