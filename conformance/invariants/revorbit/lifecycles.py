"""SEM-010, SEM-011: a deal's notes and tasks, and the suite's own stages, live and die with their writes."""

from __future__ import annotations

import re
from typing import Any

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import create_record, op_of, succeeded
from conformance.invariants.revorbit.catalogue import DESIGNED
from conformance.invariants.revorbit.credentials import call
from conformance.invariants.revorbit.records import all_stages, create_own, read_collection
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _listed(records: list[dict[str, Any]] | None, record_id: Any) -> bool:
    return str(record_id) in [str(r.get("id")) for r in records or []]


def _not_found(run: CheckRun, exchange: Exchange, what: str, case: str) -> None:
    accepted = run.dialect.errors.accepted("not_found")
    run.expect(exchange.status in accepted, exchange, f"{what} answered {exchange.status}, expected "
               f"{' or '.join(map(str, accepted))}", about={"case": case})


def _judge_gone(run: CheckRun, drop: Operation, record_id: Any, parent_id: Any, good: dict[str, Any],
                case: str) -> None:
    """A deleted record (a deal's task, a stage) is gone from its collection, and an update or a second delete
    of it answers not found (000 '404 Not Found')."""
    run.fixtures.forget(drop.resource, record_id)
    after, left = read_collection(run, drop.resource, parent_id)
    run.expect(left is not None and not _listed(left, record_id), after, f"the deleted {drop.resource} record "
               f"{record_id} is still listed", about={"case": case}, operation=drop)
    update = op_of(run, drop.resource, "update")
    _not_found(run, call(run, update, fill_path(run, update, record_id, parent_id), json_body=good),
               f"updating a deleted {drop.resource} record", "absent")
    _not_found(run, call(run, drop, fill_path(run, drop, record_id, parent_id)),
               f"deleting a deleted {drop.resource} record", "absent")


@scenario("SEM-010", "lifecycle", "A deal's notes and tasks live and die with their writes, and belong to their deal",
          "MUST", "001 POST/DELETE /deals/{id}/notes(/{noteId}), GET/POST /deals/{id}/tasks, PUT/DELETE "
          "/deals/{id}/tasks/{taskId} (RO15: a task belongs to the path's deal); 000 '404 Not Found' for a note or "
          "task the deal does not have")
def ro_deal_children(run: CheckRun) -> None:
    """Reports about: case note returned, note deleted, note gone, task listed, task deal, task gone, other deal
    or absent."""
    deal, other = create_record(run, "deals"), create_record(run, "deals")
    notes, drop_note = op_of(run, "deal_notes", "create"), op_of(run, "deal_notes", "delete")
    content = f"crmconf-{run.fixtures.tag} note {run.fixtures.counter}"
    made = call(run, notes, fill_path(run, notes, None, deal.id), json_body={"content": content})
    note = run.fixtures.adopt(notes, made, deal.id)
    if run.expect(note is not None, made, f"adding a note answered {made.status}", about={"case": "note deleted"}):
        assert note is not None
        run.expect(note.record.get("content", content) == content, made, f"the new note's content is "
                   f"{note.record.get('content')!r}, sent {content!r}", about={"case": "note returned"},
                   level=DESIGNED)
        elsewhere = call(run, drop_note, fill_path(run, drop_note, note.id, other.id))
        _not_found(run, elsewhere, "deleting the note through another deal", "other deal")
        gone = call(run, drop_note, fill_path(run, drop_note, note.id, deal.id))
        if run.expect(succeeded(gone) or succeeded(elsewhere), gone, f"deleting the note answered {gone.status}",
                      about={"case": "note deleted"}):
            run.fixtures.forget("deal_notes", note.id)
            again = call(run, drop_note, fill_path(run, drop_note, note.id, deal.id))
            _not_found(run, again, "deleting the deleted note again", "note gone")
            _not_found(run, again, "deleting a note that is gone", "absent")
    _deal_tasks(run, deal.id, other.id)


def _deal_tasks(run: CheckRun, deal_id: Any, other_id: Any) -> None:
    update, drop = op_of(run, "deal_tasks", "update"), op_of(run, "deal_tasks", "delete")
    task = create_own(run, "deal_tasks")
    if task is None:
        return
    if str(task.parent_id) != str(deal_id):
        deal_id, other_id = task.parent_id, deal_id
    listed, tasks = read_collection(run, "deal_tasks", deal_id)
    assert listed is not None
    found = next((t for t in tasks or [] if str(t.get("id")) == str(task.id)), None)
    run.expect(found is not None, listed, f"task {task.id} is not among its deal's tasks",
               about={"case": "task listed"})
    if found is not None and "deal_id" in found:
        run.expect(str(found["deal_id"]) == str(deal_id), listed, f"task {task.id} made on deal {deal_id} has deal_id "
                   f"{found['deal_id']!r}", about={"case": "task deal"})
    elsewhere, theirs = read_collection(run, "deal_tasks", other_id)
    assert elsewhere is not None
    run.expect(theirs is not None and not _listed(theirs, task.id), elsewhere, f"task {task.id} of deal {deal_id} is "
               f"listed under deal {other_id}", about={"case": "other deal"})
    good = run.fixtures.body("deal_tasks") or {"title": "crmconf task"}
    _not_found(run, call(run, update, fill_path(run, update, task.id, other_id), json_body=good),
               "updating the task through another deal", "other deal")
    crossed = call(run, drop, fill_path(run, drop, task.id, other_id))
    _not_found(run, crossed, "deleting the task through another deal", "other deal")
    gone = call(run, drop, fill_path(run, drop, task.id, deal_id))
    if not succeeded(gone) and not succeeded(crossed):
        run.fail(gone, f"deleting the task answered {gone.status}", about={"case": "task gone"})
        return
    _judge_gone(run, drop, task.id, deal_id, good, "task gone")


@scenario("SEM-011", "lifecycle", "A stage the suite adds is listed until it is deleted; a stage deals use is not "
          "deleted; a gone stage answers 404", "MUST",
          "001 POST /pipeline-stages, DELETE /pipeline-stages/{id}, GET /deals/stages 'all pipeline stages' (one "
          "non-paginated list); 000 '404 Not Found'; a stage in use refused (SHOULD: the pages name no conflict); "
          "stage colours #rrggbb as 001 shows them (SHOULD)")
def ro_stage_lifecycle(run: CheckRun) -> None:
    """Reports about: case listed, gone, in use or absent; field color."""
    stage = create_own(run, "stages")
    if stage is None:
        run.skip("the suite could not add a stage of its own")
    drop = op_of(run, "stages", "delete")
    listed, stages = all_stages(run)
    run.expect(_listed(stages, stage.id), listed, f"the new stage {stage.id} is not in GET /deals/stages",
               about={"case": "listed"})
    for each in stages:
        colour = each.get("color")
        run.expect(colour is None or isinstance(colour, str) and bool(HEX_COLOUR.match(colour)), listed,
                   f"stage {each.get('id')} has colour {colour!r}, not #rrggbb", about={"field": "color"})
    deal = create_own(run, "deals", stage_id=stage.id)
    if deal is None:
        return
    busy = call(run, drop, fill_path(run, drop, stage.id))
    run.expect(busy.status is not None and 400 <= busy.status < 500, busy, f"deleting a stage deal {deal.id} is in "
               f"answered {busy.status}, expected a 4xx", about={"case": "in use"})
    delete_deal = op_of(run, "deals", "delete")
    if not succeeded(call(run, delete_deal, fill_path(run, delete_deal, deal.id))):
        return  # LIF-001 judges a delete that fails; the stage stays in use
    run.fixtures.forget("deals", deal.id)
    gone = busy if succeeded(busy) else call(run, drop, fill_path(run, drop, stage.id))
    if not run.expect(succeeded(gone), gone, f"deleting the stage answered {gone.status}", about={"case": "gone"}):
        return
    _judge_gone(run, drop, stage.id, None, {"name": "crmconf gone"}, "gone")
