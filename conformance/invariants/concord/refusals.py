"""How Concord refuses what its page forbids: the validation status with a field error naming the field (CC16)."""

from __future__ import annotations

from typing import Any

from conformance import normalise
from conformance.checks._common import body
from conformance.context import CheckRun
from conformance.target import Exchange
from crmspec.model import Operation

NOT_A_CHOICE = "crmconf-not-a-choice"


def refused(run: CheckRun, exchange: Exchange, field: str) -> bool:
    """The API's validation status, with a field error whose key is the field or ends with it
    (`products.0.name`, `billable.tax_type`)."""
    errors = normalise.error(run.dialect, body(exchange)).field_errors
    named = isinstance(errors, dict) and any(k == field or str(k).endswith("." + field) for k in errors)
    return exchange.status in run.dialect.errors.accepted("validation") and named


def expect_refused(run: CheckRun, op: Operation, path: dict[str, Any], sent: Any, field: str, what: str,
                   about: dict[str, str] | None = None) -> None:
    """Send `sent`; the answer must be the validation status with a field error naming `field`. A create a
    server wrongly accepted made a record the suite owns and deletes."""
    exchange = run.call(op, path, json_body=sent)
    if op.action == "create":
        run.fixtures.adopt(op, exchange)
    errors = normalise.error(run.dialect, body(exchange)).field_errors
    run.expect(refused(run, exchange, field), exchange, f"{what} answered {exchange.status} with errors {errors!r}, "
               f"expected 422 naming {field}", about=about)
