"""Revenue Orbit's quote PDF (GET /quotes/{id}/pdf): the lines a quote shows. The PDF itself is
mock_server/formats/pdf.py."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server import records
from mock_server.auth import Principal
from mock_server.clock import parse_time
from mock_server.engine import Engine
from mock_server.formats.pdf import text_page
from mock_server.validation import ValidRequest

MAX_ITEMS = 30  # the items a one-page quote has room for
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _quote_items(quote: dict[str, Any]) -> list[dict[str, Any]]:
    items = quote.get("items")
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _quote_total(quote: dict[str, Any]) -> float:
    total = quote.get("total")
    if isinstance(total, int | float) and not isinstance(total, bool):
        return records.amount(total)
    return sum((records.amount(i.get("quantity")) * records.amount(i.get("unit_price"))
                for i in _quote_items(quote)), 0.0)


def _number(quote: dict[str, Any]) -> str:
    return str(quote.get("quote_number") or f"Q-{quote['id']}")


def quote_lines(quote: dict[str, Any], deal: dict[str, Any] | None) -> list[tuple[int, str]]:
    """(font size, text) of each line: the number, its deal, status, validity, items and the total."""
    lines: list[tuple[int, str]] = [(20, f"Quote {_number(quote)}")]
    if deal is not None:
        lines.append((12, f"Deal: {deal.get('name') or deal['id']}"))
    lines.append((12, f"Status: {quote.get('status') or 'draft'}"))
    if quote.get("valid_until"):
        lines.append((12, f"Valid until: {quote['valid_until']}"))
    for item in _quote_items(quote)[:MAX_ITEMS]:
        qty, price = records.amount(item.get("quantity")), records.amount(item.get("unit_price"))
        lines.append((10, f"{item.get('name') or 'Item'}  {qty:g} x {price:,.2f} = {qty * price:,.2f}"))
    lines.append((14, f"Total: {_quote_total(quote):,.2f}"))
    return lines


def _written(quote: dict[str, Any]) -> dt.datetime:
    """When the quote was last written: the PDF's creation date, so that a quote gives the same bytes each time."""
    return parse_time(quote.get("updated_at")) or parse_time(quote.get("created_at")) or EPOCH


def quote_pdf(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    _, quote = engine.target(op, req)
    deal = engine.store.get("deals", quote["deal_id"]) if quote.get("deal_id") is not None else None
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", _number(quote))
    return Response(text_page(quote_lines(quote, deal), created=_written(quote)), status=200,
                    mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="quote-{safe}.pdf"'})
