"""SEM-003, SEM-004: the risk score of open deals (RO7, RO21), and none on won or lost ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.context import CheckRun
from conformance.invariants._common import list_items, number, op_of, read_record
from conformance.invariants.revorbit.board import BOARD_DEALS, read_board
from conformance.invariants.revorbit.records import create_own, open_stages
from conformance.registry import scenario
from conformance.target import Exchange


def _deals(run: CheckRun) -> tuple[Exchange, list[dict[str, Any]]]:
    return list_items(run, op_of(run, "deals", "list"), per_page=100, scope="company")


def _open(deal: Mapping[str, Any]) -> bool:
    return not deal.get("is_won") and not deal.get("is_lost")


def _judge_risk(run: CheckRun, exchange: Exchange, deal: Mapping[str, Any]) -> None:
    """RO7/RO21 on one open deal: an object with a string level, a numeric score and labelled factors."""
    risk, name = deal.get("risk"), f"open deal {deal.get('id')}"
    if not run.expect(isinstance(risk, dict), exchange, f"{name} has risk {risk!r}", about={"field": "risk"}):
        return
    assert isinstance(risk, dict)
    run.expect(isinstance(risk.get("risk_level"), str), exchange, f"{name}: risk_level {risk.get('risk_level')!r}",
               about={"field": "risk_level"})
    run.expect(number(risk.get("risk_score")) is not None, exchange, f"{name}: risk_score {risk.get('risk_score')!r}",
               about={"field": "risk_score"})
    factors = risk.get("risk_factors", [])
    if not run.expect(isinstance(factors, list), exchange, f"{name}: risk_factors {factors!r}",
                      about={"field": "risk_factors"}):
        return
    for factor in factors:
        factor = factor if isinstance(factor, dict) else {"label": factor}
        run.expect(isinstance(factor.get("label"), str), exchange, f"{name}: risk factor {factor!r} has no label",
                   about={"field": "risk_factors"})
        if factor.get("detail") is not None:
            run.expect(isinstance(factor["detail"], str), exchange, f"{name}: detail {factor['detail']!r}",
                       about={"field": "detail"})
        weight = factor.get("weight")
        if weight is not None:
            run.expect(number(weight) is not None or isinstance(weight, str) and _numeric(weight), exchange,
                       f"{name}: weight {weight!r} is neither a number nor a numeric string", about={"field": "weight"})


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@scenario("SEM-003", "semantics", "Open deals carry a risk score", "MUST",
          "001 GET /deals 'Includes risk scoring for open deals'; GET /deals/{id} 'with full details including "
          "risk score'; GET /deals/pipeline 'Includes risk scoring' (RO7: required on open deals, a string level, "
          "a numeric score, weights numbers or numeric strings; RO21: factors have a label)")
def ro_risk_on_open(run: CheckRun) -> None:
    """Reports about: field risk, risk_level, risk_score, risk_factors, detail or weight."""
    exchange, deals = _deals(run)
    for deal in (d for d in deals if _open(d)):
        _judge_risk(run, exchange, deal)
    own = create_own(run, "deals", stage_id=(open_stages(run) or [{"id": None}])[0]["id"])
    read, record = read_record(run, "deals", own.id) if own is not None else (None, None)
    if read is not None and record is not None and _open(record):
        _judge_risk(run, read, record)
    board, columns = read_board(run, {"scope": "company"})
    for deal in (d for column in columns or [] for d in column[BOARD_DEALS] if _open(d)):
        _judge_risk(run, board, deal)


@scenario("SEM-004", "semantics", "Won and lost deals carry no risk; levels, scores and weights are as shown", "SHOULD",
          "001 'risk scoring for open deals' (RO7: null/absent on won/lost; level in {low, medium, high, critical}, "
          "score 0-100 and weight a number, as warnings)")
def ro_risk_closed(run: CheckRun) -> None:
    """Reports about: field risk, risk_level, risk_score or weight."""
    exchange, deals = _deals(run)
    for deal in deals:
        risk = deal.get("risk")
        if not _open(deal):
            run.expect(risk is None, exchange, f"closed deal {deal.get('id')} carries risk {risk!r}",
                       about={"field": "risk"})
        elif isinstance(risk, dict):
            run.expect(risk.get("risk_level") in ("low", "medium", "high", "critical"), exchange,
                       f"deal {deal.get('id')}: risk_level {risk.get('risk_level')!r}", about={"field": "risk_level"})
            score = number(risk.get("risk_score"))
            run.expect(score is not None and 0 <= score <= 100, exchange,
                       f"deal {deal.get('id')}: risk_score {risk.get('risk_score')!r} outside 0-100",
                       about={"field": "risk_score"})
            for factor in (f for f in risk.get("risk_factors") or [] if isinstance(f, dict) and "weight" in f):
                run.expect(number(factor["weight"]) is not None, exchange,
                           f"deal {deal.get('id')}: weight {factor['weight']!r} is not a JSON number",
                           about={"field": "weight"})
