"""What the API-specific invariants modules share: reading, listing and creating records through the
document's operations (X11: only the suite's own records are created, changed or deleted)."""

from __future__ import annotations

from typing import Any

from conformance import normalise
from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.fixtures import Created
from conformance.model import Severity
from conformance.target import Exchange
from crmspec.model import Operation

TOLERANCE = 0.01  # X5: money compared with a tolerance
SHOULD: Severity = "SHOULD"


def succeeded(exchange: Exchange) -> bool:
    return exchange.status is not None and 200 <= exchange.status < 300


def unique_word(run: CheckRun, kind: str) -> str:
    """A word no record but the suite's own can hold (as PAG-013 makes them), whatever a server's search matches."""
    return f"crmconf{run.ctx.options.seed}{kind}{run.fixtures.counter + 1}z"


def op_of(run: CheckRun, resource: str, action: str) -> Operation:
    op = run.api.find(resource, action)
    if op is None:
        run.skip(f"the document has no {resource} {action} operation")
    assert op is not None
    return op


def read_record(run: CheckRun, resource: str, record_id: Any) -> tuple[Exchange, dict[str, Any] | None]:
    op = op_of(run, resource, "read")
    exchange = run.call(op, fill_path(run, op, record_id))
    record = normalise.record(run.dialect, op, body(exchange)) if exchange.status == 200 else None
    return exchange, record if isinstance(record, dict) else None


def record_of(run: CheckRun, op: Operation, exchange: Exchange) -> dict[str, Any] | None:
    """The one record (or object) a 2xx answer carries, as the dialect's envelope holds it."""
    found = normalise.record(run.dialect, op, body(exchange)) if succeeded(exchange) else None
    return found if isinstance(found, dict) else None


def list_items(run: CheckRun, op: Operation, **params: Any) -> tuple[Exchange, list[dict[str, Any]]]:
    exchange = run.call(op, params=params or None)
    payload = body(exchange)
    if op.action == "list":
        found = normalise.items(run.dialect, op, payload)
    else:
        found = normalise.record(run.dialect, op, payload)
    return exchange, [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def create_record(run: CheckRun, resource: str, **overrides: Any) -> Created:
    made: Created = run.fixtures.require(resource, overrides=overrides or None)
    return made


def number(value: Any) -> float | None:
    """A JSON number as a float; None for anything else (booleans, strings, null)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
