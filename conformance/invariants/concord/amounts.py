"""SEM-201: a deal with products has the products' total as its amount (CC3, CC15)."""

from __future__ import annotations

from typing import Any

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import TOLERANCE, number, op_of, read_record, succeeded
from conformance.invariants.concord.own_deals import own_deal, update_body
from conformance.registry import scenario
from crmspec.model import Operation


def _amount_is(run: CheckRun, deal_id: Any, expected: float, op: Operation, about: dict[str, str],
               what: str) -> None:
    read, record = read_record(run, "deals", deal_id)
    amount = number(record.get("amount")) if record else None
    run.expect(amount is not None and abs(amount - expected) <= TOLERANCE, read,
               f"{what}: the deal's amount is {record.get('amount') if record else None!r}, the products total "
               f"{expected}", operation=op, about=about)


@scenario("SEM-201", "semantics", "A deal with products has the products' total as its amount", "MUST",
          "003 'amount ... Not applicable when the deal has products because the amount is automatically updated "
          "based on the total value of the products' (CC3, CC15 under no_tax); discount_total 'Percentage if "
          "discount_type is percent or total discount amount if discount_type is fixed'")
def cc_amount(run: CheckRun) -> None:
    """case: total (created with products), amount ignored / answer (a PUT sending another amount: the
    stored amount, and the answer 2xx or 422, CC3), products changed (a PUT or a billable save adding a
    product); discount_type: percent / fixed (a discounted line in the total)."""
    create, update = op_of(run, "deals", "create"), op_of(run, "deals", "update")
    products = [{"name": "crm-conformance seat", "unit_price": 120.5, "qty": 3},
                {"name": "crm-conformance setup", "unit_price": 99.0, "qty": 1}]
    expected = 120.5 * 3 + 99.0
    deal = own_deal(run, billable={"tax_type": "no_tax", "products": products})
    _amount_is(run, deal.id, expected, create, {"case": "total"}, "created with products")
    sent = run.call(update, fill_path(run, update, deal.id), json_body=update_body(None, deal, amount=1.0))
    run.expect(succeeded(sent) or sent.status in run.dialect.errors.accepted("validation"), sent,
               f"sending another amount to a deal with products answered {sent.status}, expected 2xx or 422",
               about={"case": "answer"})
    _amount_is(run, deal.id, expected, update, {"case": "amount ignored"}, "after a PUT sending amount 1.0")
    added = run.call(update, fill_path(run, update, deal.id), json_body=update_body(None, deal, billable={
        "tax_type": "no_tax", "products": [{"name": "crm-conformance extra", "unit_price": 40, "qty": 2}]}))
    if succeeded(added):
        expected += 80
    _amount_is(run, deal.id, expected, update, {"case": "products changed"}, "after a PUT adding a product")
    save = op_of(run, "deals", "save_billable")
    saved = run.call(save, fill_path(run, save, deal.id), json_body={
        "tax_type": "no_tax", "products": [{"name": "crm-conformance support", "unit_price": 10.25, "qty": 4}]})
    if succeeded(saved):
        expected += 41
    _amount_is(run, deal.id, expected, save, {"case": "products changed"}, "after saving another product")
    for kind, line, total in (("percent", {"unit_price": 200, "qty": 3, "discount_total": 10}, 540.0),
                              ("fixed", {"unit_price": 100, "qty": 2, "discount_total": 30}, 170.0)):
        product = {"name": f"crm-conformance {kind} discount", "discount_type": kind, **line}
        discounted = own_deal(run, billable={"tax_type": "no_tax", "products": [product]})
        _amount_is(run, discounted.id, total, create, {"discount_type": kind}, f"a {kind} discount line")
