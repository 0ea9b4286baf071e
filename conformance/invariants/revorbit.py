"""Revenue Orbit's own invariants (001): stage moves, stage flags, risk scoring, stage order."""

from __future__ import annotations

from typing import Any

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import create_record, list_items, op_of, read_record
from conformance.registry import scenario
from conformance.target import Exchange


def _stages(run: CheckRun) -> tuple[Exchange, list[dict[str, Any]]]:
    return list_items(run, op_of(run, "stages", "collection"))


@scenario("SEM-001", "semantics", "Moving a deal's stage changes its stage", "MUST",
          "001 PUT /deals/{id}/stage 'Move a deal to a different pipeline stage' {stage_id}")
def ro_stage_move(run: CheckRun) -> None:
    _, stages = _stages(run)
    stages = [s for s in stages if s.get("id") is not None]
    if len(stages) < 2:
        run.skip("fewer than two stages")
    deal = create_record(run, "deals", stage_id=stages[0]["id"])
    target = stages[1]
    move = op_of(run, "deals", "move_stage")
    exchange = run.call(move, fill_path(run, move, deal.id), json_body={"stage_id": target["id"]})
    if not run.expect(exchange.status is not None and 200 <= exchange.status < 300, exchange,
                      f"moving to stage {target['id']} answered {exchange.status}"):
        return
    read, record = read_record(run, "deals", deal.id)
    run.expect(record is not None and record.get("stage_id") == target["id"], read,
               f"after the move the deal's stage_id is {record.get('stage_id') if record else None!r}")


@scenario("SEM-002", "semantics", "A moved deal's stage name and won/lost flags follow the stage", "SHOULD",
          "001 deal fields stage_name, is_won, is_lost; stage list is_won/is_lost (the pages imply, not state, it)")
def ro_stage_flags(run: CheckRun) -> None:
    _, stages = _stages(run)
    stages = [s for s in stages if s.get("id") is not None]
    won = next((s for s in stages if s.get("is_won") is True), None)
    if won is None:
        run.skip("no won stage")
    deal = create_record(run, "deals", stage_id=stages[0]["id"])
    move = op_of(run, "deals", "move_stage")
    run.call(move, fill_path(run, move, deal.id), json_body={"stage_id": won["id"]})
    read, record = read_record(run, "deals", deal.id)
    if record is None:
        run.fail(read, "cannot read the moved deal")
        return
    run.expect(record.get("stage_name") == won.get("name"), read, f"stage_name {record.get('stage_name')!r}, "
               f"the stage is {won.get('name')!r}")
    run.expect(record.get("is_won") is True and record.get("is_lost") is not True, read,
               f"a deal in a won stage has is_won={record.get('is_won')!r}, is_lost={record.get('is_lost')!r}")


def _deals(run: CheckRun) -> tuple[Exchange, list[dict[str, Any]]]:
    return list_items(run, op_of(run, "deals", "list"), per_page=100, scope="company")


@scenario("SEM-003", "semantics", "Open deals carry a risk score", "MUST",
          "001 GET /deals 'Includes risk scoring for open deals'; GET /deals/{id} 'with full details including "
          "risk score' (RO7: required on open deals; RO21: factors have a label)")
def ro_risk_on_open(run: CheckRun) -> None:
    exchange, deals = _deals(run)
    for deal in deals:
        if deal.get("is_won") or deal.get("is_lost"):
            continue
        risk = deal.get("risk")
        if not isinstance(risk, dict) or not isinstance(risk.get("risk_score"), int | float):
            run.fail(exchange, f"open deal {deal.get('id')} has risk {risk!r}")
            continue
        run.observe()
        for factor in risk.get("risk_factors") or []:
            run.expect(isinstance(factor, dict) and isinstance(factor.get("label"), str), exchange,
                       f"deal {deal.get('id')}: risk factor {factor!r} has no label")


@scenario("SEM-004", "semantics", "Won and lost deals carry no risk; levels and scores are in range", "SHOULD",
          "001 'risk scoring for open deals' (RO7: null/absent on won/lost; level in {low, medium, high, "
          "critical} and score 0-100 as warnings)")
def ro_risk_closed(run: CheckRun) -> None:
    exchange, deals = _deals(run)
    for deal in deals:
        risk = deal.get("risk")
        if deal.get("is_won") or deal.get("is_lost"):
            run.expect(risk is None, exchange, f"closed deal {deal.get('id')} carries risk {risk!r}")
        elif isinstance(risk, dict):
            run.expect(risk.get("risk_level") in ("low", "medium", "high", "critical"), exchange,
                       f"deal {deal.get('id')}: risk_level {risk.get('risk_level')!r}")
            score = risk.get("risk_score")
            run.expect(isinstance(score, int | float) and 0 <= score <= 100, exchange,
                       f"deal {deal.get('id')}: risk_score {score!r} outside 0-100")


@scenario("SEM-005", "semantics", "Stages come in display order", "SHOULD",
          "001 GET /deals/stages 'Retrieve all pipeline stages with display order' (ordering implied, not stated)")
def ro_stage_order(run: CheckRun) -> None:
    exchange, stages = _stages(run)
    orders = [s.get("display_order") for s in stages]
    run.expect(orders == sorted(o for o in orders if isinstance(o, int)) and None not in orders, exchange,
               f"display_order comes back as {orders}")
