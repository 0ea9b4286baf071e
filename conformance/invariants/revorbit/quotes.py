"""SEM-019: the quote set as a deal's primary quote is stored on the deal."""

from __future__ import annotations

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import create_record, op_of, read_record, succeeded
from conformance.invariants.revorbit.credentials import call
from conformance.invariants.revorbit.records import absent_id, create_own
from conformance.registry import scenario


@scenario("SEM-019", "semantics", "The quote set as a deal's primary quote is stored on the deal", "MUST",
          "001 PUT /deals/{id}/primary-quote 'Set which quote is the primary quote for this deal' {quote_id}; a quote "
          "that does not exist or belongs to another deal is refused (SHOULD)")
def ro_primary_quote(run: CheckRun) -> None:
    """Reports about: case stored or refused."""
    primary = op_of(run, "deals", "set_primary_quote")
    deal = create_record(run, "deals")
    quote = create_record(run, "quotes", deal_id=deal.id)
    exchange = call(run, primary, fill_path(run, primary, deal.id), json_body={"quote_id": quote.id})
    if run.expect(succeeded(exchange), exchange, f"setting quote {quote.id} as primary answered {exchange.status}",
                  about={"case": "stored"}):
        read, record = read_record(run, "deals", deal.id)
        if record is not None and "primary_quote_id" in record:
            run.expect(str(record["primary_quote_id"]) == str(quote.id), read, f"primary_quote_id reads "
                       f"{record['primary_quote_id']!r}, set to {quote.id}", about={"case": "stored"})
    other = create_own(run, "deals")
    for quote_id, what in ((quote.id, "another deal's quote"),
                           (absent_id(run, "quotes"), "a quote that does not exist")):
        if quote_id is None or other is None:
            continue
        refused = call(run, primary, fill_path(run, primary, other.id), json_body={"quote_id": quote_id})
        run.expect(refused.status is not None and 400 <= refused.status < 500, refused, f"setting {what} as primary "
                   f"answered {refused.status}, expected a 4xx", about={"case": "refused"})
