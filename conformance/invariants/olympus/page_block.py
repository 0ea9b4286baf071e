"""SEM-117: the contacts list's pagination block, when present, holds the page asked for."""

from __future__ import annotations

from typing import Any

from conformance.checks._common import body
from conformance.context import CheckRun
from conformance.invariants._common import SHOULD, list_items, op_of
from conformance.invariants.olympus.records import as_dict
from conformance.registry import scenario
from conformance.target import Exchange


@scenario("SEM-117", "pagination", "The contacts list's pagination block, when present, holds the page asked for",
          "MUST", "002 List Contacts pagination {page: 1, limit: 20, total: 1250} (OC3: optional; if present, page and "
          "total are integers, with limit or per_page)")
def oc_page_block(run: CheckRun) -> None:
    contacts = op_of(run, "contacts", "list")
    pag = run.dialect.pagination
    totals: list[tuple[Exchange, Any]] = []
    for page in (pag.first_page, pag.first_page + 1):
        exchange, items = list_items(run, contacts, **{pag.page_param: page, pag.size_param: 2})
        payload = body(exchange)
        if exchange.status != 200 or not isinstance(payload, dict):
            continue
        block = as_dict(payload.get("pagination")) or payload
        if not {"page", "total"} & set(block):
            continue  # OC3: the block is optional (ENV-003 warns)
        size = block.get("limit", block.get("per_page"))
        wrong = [k for k, v in (("page", block.get("page")), ("total", block.get("total")), ("limit", size))
                 if not isinstance(v, int) or isinstance(v, bool)]
        run.expect(not wrong, exchange, f"the pagination block holds no integer at {', '.join(wrong)}: {block}",
                   about={"field": "pagination"})
        if isinstance(size, int):
            run.expect(size == 2, exchange, f"asked for limit 2, the block says {size}", level=SHOULD,
                       about={"field": "limit"})
        totals.append((exchange, block.get("total")))
        total = block.get("total")
        if isinstance(total, int):
            run.expect(total >= len(items), exchange, f"total {total} is less than the {len(items)} items of one "
                       "page", level=SHOULD, about={"field": "total"})
    if len(totals) == 2 and all(isinstance(t, int) for _, t in totals):
        run.expect(totals[0][1] == totals[1][1], totals[1][0], f"total is {totals[0][1]} on one page and "
                   f"{totals[1][1]} on the next", level=SHOULD, about={"field": "total"})
