"""SEM-001, SEM-002, SEM-005: a deal's stage moves, the flags a stage gives it, and the stages' display order."""

from __future__ import annotations

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import create_record, list_items, op_of, read_record
from conformance.invariants.revorbit.board import read_board, stages_by_deal
from conformance.invariants.revorbit.catalogue import DESIGNED
from conformance.invariants.revorbit.credentials import call
from conformance.invariants.revorbit.records import all_stages, create_own
from conformance.registry import scenario


@scenario("SEM-001", "semantics", "Moving a deal's stage changes its stage", "MUST",
          "001 PUT /deals/{id}/stage 'Move a deal to a different pipeline stage' {stage_id}: the deal reads back in "
          "the new stage and sits in that stage's group of GET /deals/pipeline")
def ro_stage_move(run: CheckRun) -> None:
    """Reports about: nothing more than the operation: the read-back on GET /deals/{id}, the board on GET
    /deals/pipeline."""
    _, stages = all_stages(run)
    if len(stages) < 2:
        run.skip("fewer than two stages")
    deal = create_record(run, "deals", stage_id=stages[0]["id"])
    target = stages[1]
    move = op_of(run, "deals", "move_stage")
    exchange = call(run, move, fill_path(run, move, deal.id), json_body={"stage_id": target["id"]})
    if not run.expect(exchange.status is not None and 200 <= exchange.status < 300, exchange,
                      f"moving to stage {target['id']} answered {exchange.status}"):
        return
    read, record = read_record(run, "deals", deal.id)
    run.expect(record is not None and record.get("stage_id") == target["id"], read,
               f"after the move the deal's stage_id is {record.get('stage_id') if record else None!r}")
    board, columns = read_board(run, {"scope": "company"})
    if columns is None:
        run.fail(board, "the board (GET /deals/pipeline) has no columns to look the deal up in", level=DESIGNED)
        return
    holding = [c.get("stage_id") for c in columns if str(deal.id) in stages_by_deal([c])]
    run.expect(holding == [target["id"]], board, f"after the move to stage {target['id']} the board shows deal "
               f"{deal.id} under {holding or 'no stage'}")


@scenario("SEM-002", "semantics", "A moved deal's stage name and won/lost flags follow the stage", "SHOULD",
          "001 deal fields stage_name, is_won, is_lost; stage list is_won/is_lost (the pages imply, not state, it)")
def ro_stage_flags(run: CheckRun) -> None:
    """Reports about: field stage_name, or case flags."""
    _, stages = all_stages(run)
    closing = [next((s for s in stages if s.get(flag) is True), None) for flag in ("is_won", "is_lost")]
    if not any(closing):
        run.skip("no won or lost stage")
    move = op_of(run, "deals", "move_stage")
    for stage in (s for s in closing if s is not None):
        deal = create_own(run, "deals", stage_id=stages[0]["id"])
        if deal is None:
            continue
        call(run, move, fill_path(run, move, deal.id), json_body={"stage_id": stage["id"]})
        read, record = read_record(run, "deals", deal.id)
        if record is None:
            run.fail(read, "cannot read the moved deal")
            continue
        run.expect(record.get("stage_name") == stage.get("name"), read, f"stage_name {record.get('stage_name')!r}, "
                   f"the stage is {stage.get('name')!r}", about={"field": "stage_name"})
        flags = (record.get("is_won"), record.get("is_lost"))
        wanted = (stage.get("is_won") is True, stage.get("is_lost") is True and stage.get("is_won") is not True)
        run.expect(flags == wanted, read, f"a deal in stage {stage.get('name')!r} has is_won={flags[0]!r}, "
                   f"is_lost={flags[1]!r}", about={"case": "flags"})


@scenario("SEM-005", "semantics", "Stages come in display order", "SHOULD",
          "001 GET /deals/stages 'Retrieve all pipeline stages with display order' (ordering implied, not stated)")
def ro_stage_order(run: CheckRun) -> None:
    """Reports about: nothing more than the operation."""
    exchange, stages = list_items(run, op_of(run, "stages", "collection"))
    orders = [s.get("display_order") for s in stages]
    run.expect(orders == sorted(o for o in orders if isinstance(o, int)) and None not in orders, exchange,
               f"display_order comes back as {orders}")
