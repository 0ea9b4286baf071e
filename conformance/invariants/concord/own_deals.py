"""The deals these checks change: the suite's own, naming no contact or company it did not create (X11)."""

from __future__ import annotations

from typing import Any

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.fixtures import Created
from conformance.invariants._common import create_record, op_of
from crmspec.model import Operation


def own_deal(run: CheckRun, **overrides: Any) -> Created:
    """A new deal of the suite's own that names no contact or company it did not create (the page's example
    body names contact 1 and company 1)."""
    return create_record(run, "deals", **{"contacts": [], "companies": [], **overrides})


def deal_at(run: CheckRun, action: str) -> tuple[Operation, Created, dict[str, Any]]:
    """A deal operation, a new deal of the suite's own and that operation's path to it."""
    op = op_of(run, "deals", action)
    deal = own_deal(run)
    return op, deal, fill_path(run, op, deal.id)


def update_body(record: dict[str, Any] | None, made: Created, **fields: Any) -> dict[str, Any]:
    """A deal update always sends name and stage_id (CC2), as the deal has them."""
    source = record or made.record
    return {"name": source.get("name"), "stage_id": source.get("stage_id"), **fields}
