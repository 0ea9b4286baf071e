"""The Kanban board (GET /deals/pipeline: its columns of deals are the document's design) and SEM-012: every
deal once, under its stage; the statistics add up."""

from __future__ import annotations

from typing import Any

from conformance import normalise
from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.invariants._common import create_record, number, op_of, record_of, succeeded
from conformance.invariants.revorbit.catalogue import DESIGNED
from conformance.invariants.revorbit.credentials import call
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation

BOARD_DEALS = "deals"             # the board column's deal list: the document's design (the page shows none)


def _board_op(run: CheckRun) -> Operation:
    return op_of(run, "deals", "pipeline")


def read_board(run: CheckRun, params: dict[str, Any]) -> tuple[Exchange, list[dict[str, Any]] | None]:
    """The Kanban board's columns, each with its list of deals; None when the answer holds no such columns
    (001 shows no response: the column shape is the document's design)."""
    exchange = call(run, _board_op(run), params=params)
    return exchange, board_columns(run, exchange)


def board_columns(run: CheckRun, exchange: Exchange) -> list[dict[str, Any]] | None:
    found = normalise.record(run.dialect, _board_op(run), body(exchange)) if exchange.status == 200 else None
    if not isinstance(found, list) or not all(isinstance(c, dict) and isinstance(c.get(BOARD_DEALS), list)
                                              for c in found):
        return None
    return [{**c, BOARD_DEALS: [d for d in c[BOARD_DEALS] if isinstance(d, dict)]} for c in found]


def stages_by_deal(columns: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """deal id -> the stage ids of the columns it sits in."""
    found: dict[str, list[Any]] = {}
    for column in columns:
        for deal in column[BOARD_DEALS]:
            found.setdefault(str(deal.get("id")), []).append(column.get("stage_id"))
    return found


def _all_deals(run: CheckRun) -> tuple[Exchange, list[dict[str, Any]] | None]:
    """Every deal, when one page of GET /deals (scope=company, RO14) holds them all."""
    op = op_of(run, "deals", "list")
    exchange = call(run, op, params={run.dialect.pagination.size_param: run.dialect.pagination.max_size,
                                    "scope": "company"})
    payload = body(exchange)
    items = normalise.items(run.dialect, op, payload) if exchange.status == 200 else None
    total = normalise.page_value(run.dialect, op, payload, "total")
    if not isinstance(items, list) or not isinstance(total, int) or total > len(items):
        return exchange, None
    return exchange, [i for i in items if isinstance(i, dict)]


@scenario("SEM-012", "semantics", "The board holds every deal once, under its stage; a deleted deal leaves it; the "
          "statistics add up", "MUST",
          "001 GET /deals/pipeline 'Retrieve deals grouped by pipeline stage for Kanban view' (the column shape is "
          "the document's design); DELETE /deals/{id}; GET /deals/stats 'total value, count' (SHOULD: the keys are "
          "the document's design; X5)")
def ro_board(run: CheckRun) -> None:
    """Reports about: case grouped, deleted or stats."""
    mine = create_record(run, "deals")
    board, columns = read_board(run, {"scope": "company"})
    if columns is None:
        run.fail(board, "the board has no columns of deals", level=DESIGNED, about={"case": "grouped"})
        return
    for column in columns:
        for deal in column[BOARD_DEALS]:
            run.expect(deal.get("stage_id") == column.get("stage_id"), board, f"deal {deal.get('id')} of stage "
                       f"{deal.get('stage_id')} sits under stage {column.get('stage_id')}", about={"case": "grouped"})
    placed = stages_by_deal(columns)
    twice = {k: v for k, v in placed.items() if len(v) > 1}
    run.expect(not twice, board, f"deals on more than one column: {twice}", about={"case": "grouped"})
    listed, deals = _all_deals(run)
    if deals is not None:
        missing = sorted({str(d.get("id")) for d in deals} ^ set(placed))
        run.expect(not missing, board, f"the board and GET /deals disagree on deals {missing[:5]}",
                   about={"case": "grouped"})
    delete = op_of(run, "deals", "delete")
    if succeeded(call(run, delete, fill_path(run, delete, mine.id))):
        run.fixtures.forget("deals", mine.id)
        after, left = read_board(run, {"scope": "company"})
        run.expect(left is not None and str(mine.id) not in stages_by_deal(left), after, f"the deleted deal {mine.id} "
                   "is still on the board", about={"case": "deleted"})
    _stats_add_up(run)


def _stats_add_up(run: CheckRun) -> None:
    stats = run.api.find("deals", "stats")
    listed, deals = _all_deals(run)
    if stats is None or deals is None:
        return
    exchange = call(run, stats)
    figures = record_of(run, stats, exchange) or {}
    total, count = number(figures.get("total_value")), figures.get("deal_count")
    value = sum(number(d.get("value")) or 0.0 for d in deals)
    run.expect(total is not None and abs(total - value) <= 0.005 and count == len(deals), exchange,
               f"statistics say {figures.get('total_value')!r} over {count!r} deals; GET /deals holds {len(deals)} "
               f"deals worth {value:g}", about={"case": "stats"}, level=DESIGNED)
