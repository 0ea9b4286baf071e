"""Billable products (SEM-207, SEM-208, SEM-209): saved, changed and removed through the billable endpoint and
the deal body; invalid product metadata refused."""

from __future__ import annotations

from typing import Any

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import number, op_of, read_record, record_of, succeeded, unique_word
from conformance.invariants.concord.own_deals import deal_at, own_deal, update_body
from conformance.invariants.concord.refusals import NOT_A_CHOICE, expect_refused
from conformance.readback import reads_back_as_sent
from conformance.registry import scenario
from conformance.target import Exchange


def products_of(billable: Any) -> list[dict[str, Any]]:
    products = billable.get("products") if isinstance(billable, dict) else None
    return [p for p in products if isinstance(p, dict)] if isinstance(products, list) else []


def line_named(billable: Any, name: str) -> dict[str, Any] | None:
    return next((p for p in products_of(billable) if p.get("name") == name), None)


@scenario("SEM-207", "semantics", "POST /deals/{id}/billable adds, updates and removes the deal's products", "MUST",
          "003 Billable: 'you can add new and update existing products'; id 'used to update an existing "
          "billable product'; removed_products; tax_type 'Any of [exclusive, inclusive, no_tax]'; the Product "
          "metadata (name, description, unit_price, qty 'default 1', discount_type, tax_label, tax_rate, unit)")
def cc_billable(run: CheckRun) -> None:
    """case: added, billable (the billable object holds the products and a tax_type), updated (a product sent
    with its billable id), removed, tax_type (each of the three is kept); product_field: <field> with case:
    sent (each field sent reads back) or default (qty 1); product_field: product_id (kept). A GET of
    /deals/{id}/billable (inferred) shows the saved products."""
    save, deal, path = deal_at(run, "save_billable")
    word = unique_word(run, "b")
    full: dict[str, Any] = {"name": f"{word} seat", "description": "crm-conformance description",
                            "unit_price": 200, "qty": 3, "unit": "seat", "tax_label": "crmconf tax", "tax_rate": 10,
                            "discount_type": "percent", "discount_total": 10}
    fixed: dict[str, Any] = {"name": f"{word} fixed", "unit_price": 100, "qty": 2, "discount_type": "fixed",
                             "discount_total": 30}
    bare: dict[str, Any] = {"name": f"{word} setup", "unit_price": 99}
    first = run.call(save, path, json_body={"tax_type": "no_tax", "products": [full, fixed, bare]})
    billable = record_of(run, save, first)
    lines = {p["name"]: line_named(billable, p["name"]) for p in (full, fixed, bare)}
    absent = [name for name, line in lines.items() if line is None]
    if not run.expect(billable is not None and not absent, first, f"saving three products answered {first.status}"
                      + (f"; the billable lacks {absent}" if billable is not None else ""), about={"case": "added"}):
        return
    assert billable is not None
    run.expect(billable.get("tax_type") == "no_tax", first, f"the billable's tax_type is "
               f"{billable.get('tax_type')!r} after saving no_tax", about={"case": "billable"})
    read, record = read_record(run, "deals", deal.id)
    embedded = record.get("billable") if record else None
    if isinstance(embedded, dict):  # the deal shows its billable object (the document's Deal has one)
        shown = [name for name in lines if line_named(embedded, name) is None]
        run.expect(not shown, read, f"the deal's billable lacks the saved products {shown}", operation=save,
                   about={"case": "billable"})
    for sent in (full, fixed):
        line = lines[sent["name"]] or {}
        for name, value in sent.items():
            if name in line:
                run.expect(reads_back_as_sent(value, line[name]), first, f"product {name} was sent as {value!r}, the "
                           f"billable says {line[name]!r}", about={"product_field": name, "case": "sent"})
    setup = lines[bare["name"]] or {}
    if "qty" in setup:
        run.expect(number(setup["qty"]) == 1, first, f"a product sent without qty has qty {setup['qty']!r}",
                   about={"product_field": "qty", "case": "default"})
    seat = lines[full["name"]] or {}
    count = len(products_of(billable))
    changed = run.call(save, path, json_body={"products": [{"id": seat.get("id"), "name": full["name"],
                                                            "unit_price": 200, "qty": 5}]})
    after = record_of(run, save, changed)
    updated = next((p for p in products_of(after) if p.get("id") == seat.get("id")), None)
    run.expect(after is not None and len(products_of(after)) == count and updated is not None
               and number(updated.get("qty")) == 5, changed,
               f"sending product {seat.get('id')} with qty 5 answered {changed.status}: "
               f"{len(products_of(after))} products (was {count}), its qty {(updated or {}).get('qty')!r}",
               about={"case": "updated"})
    product_id = seat.get("product_id")
    if isinstance(product_id, int) and not isinstance(product_id, bool):
        linked: dict[str, Any] = {"name": f"{word} linked", "unit_price": 1, "product_id": product_id}
        kept = run.call(save, path, json_body={"products": [linked]})
        line = line_named(record_of(run, save, kept), linked["name"]) or {}
        run.expect(line.get("product_id") == product_id, kept, f"a product sent with product_id {product_id} "
                   f"answered {kept.status}, its product_id {line.get('product_id')!r}",
                   about={"product_field": "product_id"})
    setup_id = setup.get("id")
    removed = run.call(save, path, json_body={"removed_products": [setup_id]})
    left = record_of(run, save, removed)
    still = [p.get("id") for p in products_of(left) if p.get("id") == setup_id]
    run.expect(left is not None and not still and line_named(left, full["name"]) is not None, removed,
               f"removing product {setup_id} answered {removed.status}; products now "
               f"{[p.get('id') for p in products_of(left)]}", about={"case": "removed"})
    for tax_type in ("exclusive", "inclusive", "no_tax"):
        taxed = run.call(save, path, json_body={"tax_type": tax_type})
        got = (record_of(run, save, taxed) or {}).get("tax_type")
        run.expect(got == tax_type, taxed, f"saving tax_type {tax_type} answered {taxed.status}, tax_type {got!r}",
                   about={"case": "tax_type"})
    reader = run.api.find("deals", "read_billable")
    if reader is not None and left is not None:
        shown_read = run.call(reader, fill_path(run, reader, deal.id))
        expected = sorted(str(p.get("id")) for p in products_of(left))
        got_ids = sorted(str(p.get("id")) for p in products_of(record_of(run, reader, shown_read)))
        run.expect(got_ids == expected, shown_read, f"GET billable answered {shown_read.status} with products "
                   f"{got_ids}, the last save {expected}")


def _deal_lines(run: CheckRun, deal_id: Any) -> tuple[Exchange, list[dict[str, Any]] | None]:
    """The deal's billable products: from the deal, or from GET /deals/{id}/billable when the deal does
    not show its billable object."""
    read, record = read_record(run, "deals", deal_id)
    if record is not None and isinstance(record.get("billable"), dict):
        return read, products_of(record["billable"])
    reader = run.api.find("deals", "read_billable")
    if reader is None:
        return read, None
    shown = run.call(reader, fill_path(run, reader, deal_id))
    found = record_of(run, reader, shown)
    return shown, products_of(found) if found is not None else None


@scenario("SEM-208", "semantics", "A deal body's billable adds products on create and update, and removes them",
          "MUST", "003 Create/Update Deal: billable products 'Array of products to be attached to the billable "
                  "object'; removed_products 'An array of billable product id's to remove from the record'")
def cc_billable_in_deal(run: CheckRun) -> None:
    """case: added (on POST /deals and PUT /deals/{id}), removed (PUT)."""
    create, update = op_of(run, "deals", "create"), op_of(run, "deals", "update")
    word = unique_word(run, "p")
    first, second = f"{word} on create", f"{word} on update"
    deal = own_deal(run, billable={"tax_type": "no_tax", "products": [{"name": first, "unit_price": 10}]})
    shown, lines = _deal_lines(run, deal.id)
    if lines is None:
        return  # neither the deal nor GET billable shows the products: nothing to observe
    names = [p.get("name") for p in lines]
    run.expect(first in names, shown, f"a deal created with product {first!r} has products {names}",
               operation=create, about={"case": "added"})
    path = fill_path(run, update, deal.id)
    added = run.call(update, path, json_body=update_body(None, deal, billable={
        "tax_type": "no_tax", "products": [{"name": second, "unit_price": 20}]}))
    shown, lines = _deal_lines(run, deal.id)
    names = [p.get("name") for p in lines or []]
    run.expect(succeeded(added) and first in names and second in names, shown,
               f"after a PUT adding {second!r} (answered {added.status}) the deal has products {names}",
               operation=update, about={"case": "added"})
    line = next((p for p in lines or [] if p.get("name") == first), None)
    if line is None:
        return
    removed = run.call(update, path, json_body=update_body(None, deal, billable={"removed_products": [line.get("id")]}))
    shown, lines = _deal_lines(run, deal.id)
    names = [p.get("name") for p in lines or []]
    run.expect(succeeded(removed) and first not in names and second in names, shown,
               f"after a PUT removing product {line.get('id')} (answered {removed.status}) the deal has "
               f"products {names}", operation=update, about={"case": "removed"})


@scenario("SEM-209", "semantics", "Invalid product metadata is refused with 422 naming the field", "MUST",
          "003 Product metadata: name (Required), unit_price (Required), discount_type 'Any of [percent, "
          "fixed]'; tax_type 'Any of [exclusive, inclusive, no_tax]'")
def cc_billable_refusals(run: CheckRun) -> None:
    """product_field: name / unit_price (missing), discount_type (outside its choices); field: tax_type."""
    save, deal, path = deal_at(run, "save_billable")
    cases = (
        ("name", {"products": [{"unit_price": 10}]}, "a product without name", "product_field"),
        ("unit_price", {"products": [{"name": "crmconf no price"}]}, "a product without unit_price",
         "product_field"),
        ("discount_type", {"products": [{"name": "crmconf bad discount", "unit_price": 1,
                                         "discount_type": NOT_A_CHOICE}]}, "discount_type outside its choices",
         "product_field"),
        ("tax_type", {"tax_type": NOT_A_CHOICE}, "tax_type outside its choices", "field"),
    )
    for field, sent, what, key in cases:
        expect_refused(run, save, path, sent, field, what, {key: field})
