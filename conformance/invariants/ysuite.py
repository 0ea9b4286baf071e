"""YSUITE's own invariants (004): not found is 400, a create reads back."""

from __future__ import annotations

from conformance.checks._common import body, fill_path
from conformance.context import CheckRun
from conformance.invariants._common import create_record, op_of, read_record
from conformance.registry import scenario


@scenario("SEM-301", "semantics", "A missing record answers 400 (or 404) with success false and a message", "MUST",
          "004 errors page: 400 for business errors including not found (YS2: 400 preferred, 404 lenient)")
def ys_not_found(run: CheckRun) -> None:
    deal = create_record(run, "deals")
    delete = op_of(run, "deals", "delete")
    run.call(delete, fill_path(run, delete, deal.id))
    run.fixtures.forget("deals", deal.id)
    exchange, _ = read_record(run, "deals", deal.id)
    payload = body(exchange)
    run.expect(exchange.status in (400, 404), exchange, f"a deleted deal answered {exchange.status}")
    shaped = isinstance(payload, dict) and payload.get("success") is False and isinstance(payload.get("message"), str)
    run.expect(shaped, exchange, f"the not-found body is {str(payload)[:120]}")


@scenario("SEM-302", "semantics", "The id a create returns reads back the same deal", "MUST",
          "004 create response data {deal_id, deal_name}; GET /v1/deals/{id} 'The deal_id' (YS7, YS8)")
def ys_create_reads_back(run: CheckRun) -> None:
    deal = create_record(run, "deals")
    exchange, record = read_record(run, "deals", deal.id)
    run.expect(record is not None and record.get("deal_id") == deal.id, exchange,
               f"GET /deals/{deal.id} answered {exchange.status} with deal_id "
               f"{record.get('deal_id') if record else None!r}")
    run.expect(record is not None and record.get("deal_name") == deal.record.get("deal_name"), exchange,
               "the deal_name read back differs from the created one")
