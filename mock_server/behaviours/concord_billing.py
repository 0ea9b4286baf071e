"""Concord's billable products (CC3, CC15): each product's amount and the totals worked out from the products,
money rounded half-up to cents, and the ids and product catalogue a saved billable takes."""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from mock_server import records
from mock_server.engine import Engine
from mock_server.errors import INVALID_DATA, ValidationFailed

TAX_TYPES = ("exclusive", "inclusive", "no_tax")
DEFAULT_TAX_TYPE = "exclusive"  # Concord's Settings -> Products default (CC15)
DISCOUNT_TYPES = ("percent", "fixed")
PRODUCT_FIELDS = ("product_id", "name", "description", "unit_price", "qty", "unit", "discount_type",
                  "discount_total", "tax_label", "tax_rate")
MONEY_LIMIT = Decimal("1000000000000")  # 1e12: larger prices or quantities are refused, never overflow
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
BILLING_STATE = "concord.billing"  # meta key: id sequences and the product catalogue (name -> product_id)


def _decimal(value: Any, default: str = "0") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Decimal(default)
    if isinstance(value, float) and not math.isfinite(value):
        return Decimal(default)
    return Decimal(str(value))


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(value: Decimal) -> int | float:
    """A JSON number: an int when whole (1800, not 1800.0)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _tamed(value: Decimal, ceiling: Decimal) -> Decimal:
    """A stored (seeded) figure brought into range deterministically: 1761 % -> 17.61 %."""
    if value < 0:
        return Decimal(0)
    while value > ceiling and value > 0:
        value = value / 10 if ceiling > 0 else Decimal(0)
    return _cents(value) if value != value.to_integral_value() else value


def _product_line(raw: dict[str, Any], tax_type: str) -> tuple[dict[str, Any], Decimal, Decimal, Decimal]:
    """One billable product with its `amount`, and its (gross, discount, tax) in money."""
    unit_price = _tamed(_decimal(raw.get("unit_price")), MONEY_LIMIT)
    qty = _tamed(_decimal(raw.get("qty"), "1"), MONEY_LIMIT)
    gross = _cents(unit_price * qty)
    discount_type = raw.get("discount_type") if raw.get("discount_type") in DISCOUNT_TYPES else "percent"
    discount_total = _tamed(_decimal(raw.get("discount_total")), HUNDRED if discount_type == "percent" else gross)
    rate = _tamed(_decimal(raw.get("tax_rate")), HUNDRED)
    if discount_type == "percent":
        discount = _cents(gross * discount_total / HUNDRED)
    else:
        discount = _cents(discount_total)
    amount = gross - discount
    if tax_type == "exclusive":
        tax = _cents(amount * rate / HUNDRED)  # added on top
    elif tax_type == "inclusive":
        tax = _cents(amount - amount / (1 + rate / HUNDRED))  # contained in the amount
    else:
        tax = Decimal(0)
    name = raw.get("name")
    product = {
        "id": raw.get("id"),
        "product_id": raw.get("product_id") if records.is_int(raw.get("product_id")) else None,
        "name": name if isinstance(name, str) and name else "Product",
        "description": raw.get("description") if isinstance(raw.get("description"), str) else None,
        "unit_price": _number(unit_price),
        "qty": _number(qty),
        "unit": raw.get("unit") if isinstance(raw.get("unit"), str) else None,
        "discount_type": discount_type,
        "discount_total": _number(discount_total),
        "tax_label": raw.get("tax_label") if isinstance(raw.get("tax_label"), str) else None,
        "tax_rate": _number(rate),
        "amount": _number(amount),
    }
    return product, gross, discount, tax


def computed_billable(raw: dict[str, Any]) -> dict[str, Any]:
    """The billable object with every product amount and every total worked out from its products.

    amount = unit_price * qty - discount (percent: % of unit_price * qty; fixed: discount_total);
    tax: exclusive amount * rate / 100, inclusive amount - amount / (1 + rate / 100), no_tax 0;
    total = subtotal - total_discount (+ total_tax when exclusive). Money rounds half-up to cents.
    """
    tax_type = str(raw["tax_type"]) if raw.get("tax_type") in TAX_TYPES else DEFAULT_TAX_TYPE
    given = [p for p in raw.get("products") or [] if isinstance(p, dict)]
    next_free = max([p["id"] for p in given if records.is_int(p.get("id"))] + [0]) + 1
    products: list[dict[str, Any]] = []
    seen: set[int] = set()
    subtotal = total_discount = total_tax = Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 80
        for item in given:
            product, gross, discount, tax = _product_line(item, tax_type)
            if not records.is_int(product["id"]) or product["id"] in seen:
                product["id"], next_free = next_free, next_free + 1
            seen.add(product["id"])
            products.append(product)
            subtotal, total_discount, total_tax = subtotal + gross, total_discount + discount, total_tax + tax
        total = subtotal - total_discount + (total_tax if tax_type == "exclusive" else 0)
    billable: dict[str, Any] = {"id": raw["id"]} if records.is_int(raw.get("id")) else {}
    billable.update({
        "tax_type": tax_type,
        "subtotal": _number(subtotal),
        "total_discount": _number(total_discount),
        "total_tax": _number(total_tax),
        "total": _number(total),
        "products": products,
    })
    return billable


def empty_billable() -> dict[str, Any]:
    return {"tax_type": DEFAULT_TAX_TYPE, "subtotal": 0, "total_discount": 0, "total_tax": 0, "total": 0,
            "products": []}


class _Billing:
    """Id sequences for billables and billable products, and the products catalogue (CC15).

    Kept in the store's meta table, so ids stay unique across worker processes; built on first use
    from the seeded deals, then saved with the unit of work that used it.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        raw = engine.store.meta(BILLING_STATE)
        state: dict[str, Any] = json.loads(raw) if raw else self._scan()
        self.next_billable = int(state["next_billable"])
        self.next_product = int(state["next_product"])
        self.next_catalogue = int(state["next_catalogue"])
        self.catalogue: dict[str, int] = dict(state["catalogue"])

    def _scan(self) -> dict[str, Any]:
        billables, products, catalogue_ids = [0], [0], [0]
        catalogue: dict[str, int] = {}
        for deal in self.engine.store.all("deals"):
            billable = deal.get("billable")
            if not isinstance(billable, dict):
                continue
            if records.is_int(billable.get("id")):
                billables.append(billable["id"])
            for product in billable.get("products") or []:
                if not isinstance(product, dict):
                    continue
                if records.is_int(product.get("id")):
                    products.append(product["id"])
                if records.is_int(product.get("product_id")):
                    catalogue_ids.append(product["product_id"])
                    if isinstance(product.get("name"), str):
                        catalogue.setdefault(product["name"].strip().lower(), product["product_id"])
        return {"next_billable": max(billables) + 1, "next_product": max(products) + 1,
                "next_catalogue": max(catalogue_ids) + 1, "catalogue": catalogue}

    def billable_id(self) -> int:
        self.next_billable += 1
        return self.next_billable - 1

    def product_id(self) -> int:
        self.next_product += 1
        return self.next_product - 1

    def catalogue_id(self, name: str) -> int:
        """The catalogue product of that name, created when there is none (CC15)."""
        key = name.strip().lower()
        if key not in self.catalogue:
            self.catalogue[key] = self.next_catalogue
            self.next_catalogue += 1
        return self.catalogue[key]

    def save(self) -> None:
        self.engine.store.set_meta(BILLING_STATE, json.dumps({
            "next_billable": self.next_billable, "next_product": self.next_product,
            "next_catalogue": self.next_catalogue, "catalogue": self.catalogue,
        }))


def _check_product(item: dict[str, Any], merged: dict[str, Any], key: str, problems: dict[str, list[str]]) -> None:
    """Laravel-style rules for one product input: no negative money, percent <= 100, fixed <= line total."""
    for field in ("unit_price", "qty", "discount_total", "tax_rate"):
        value = item.get(field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            problems[f"{key}.{field}"] = [f"The {key}.{field} field must be a number."]
        elif value < 0:
            problems[f"{key}.{field}"] = [f"The {key}.{field} field must be at least 0."]
        elif Decimal(str(value)) > MONEY_LIMIT:
            problems[f"{key}.{field}"] = [f"The {key}.{field} field must not be greater than {MONEY_LIMIT}."]
    if any(f"{key}.{f}" in problems for f in ("unit_price", "qty", "discount_total")):
        return
    rate = merged.get("tax_rate")
    if f"{key}.tax_rate" not in problems and isinstance(rate, int | float) and rate > 100:
        problems[f"{key}.tax_rate"] = [f"The {key}.tax_rate field must not be greater than 100."]
    discount = _decimal(merged.get("discount_total"))
    if merged.get("discount_type", "percent") == "fixed":
        gross = _cents(_decimal(merged.get("unit_price")) * _decimal(merged.get("qty"), "1"))
        if discount > gross:
            problems[f"{key}.discount_total"] = [
                f"The {key}.discount_total field must not be greater than the line total {_number(gross)}."]
    elif discount > HUNDRED:
        problems[f"{key}.discount_total"] = [f"The {key}.discount_total field must not be greater than 100."]


def apply_billable(engine: Engine, current: Any, data: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The deal's billable after a save: products with `id` update, others are added, removed go.

    `prefix` names the input in field errors: "" for POST /deals/{id}/billable, "billable." in a deal body.
    """
    base = current if isinstance(current, dict) else {}
    products = [dict(p) for p in base.get("products") or [] if isinstance(p, dict)]
    by_id = {p["id"]: p for p in products if records.is_int(p.get("id"))}
    problems: dict[str, list[str]] = {}
    inputs = [p for p in data.get("products") or [] if isinstance(p, dict)]
    for index, item in enumerate(inputs):
        key = f"{prefix}products.{index}"
        existing = by_id.get(item["id"]) if records.is_int(item.get("id")) else None
        if "id" in item and existing is None:
            problems[f"{key}.id"] = [f"The selected {key}.id is invalid."]
            continue
        _check_product(item, {**(existing or {}), **item}, key, problems)
    if problems:
        raise ValidationFailed(INVALID_DATA, field_errors=problems)

    billing = _Billing(engine)
    for item in inputs:
        fields = {f: item[f] for f in PRODUCT_FIELDS if f in item}
        if "id" in item:
            target = by_id[item["id"]]
            target.update(fields)
            if "product_id" not in item and "name" in item and not records.is_int(target.get("product_id")):
                target["product_id"] = billing.catalogue_id(str(item["name"]))
            continue
        product = {"id": billing.product_id(), "product_id": None, "description": None, "qty": 1, "unit": None,
                   "discount_type": "percent", "discount_total": 0, "tax_label": None, "tax_rate": 0, **fields}
        if not records.is_int(product.get("product_id")):
            product["product_id"] = billing.catalogue_id(str(product["name"]))
        products.append(product)
        by_id[product["id"]] = product
    removed = _ids(data.get("removed_products"))
    products = [p for p in products if p.get("id") not in removed]
    tax_type = data.get("tax_type") if data.get("tax_type") in TAX_TYPES else base.get("tax_type")
    billable_id = base.get("id") if records.is_int(base.get("id")) else billing.billable_id()
    billing.save()
    return computed_billable({"id": billable_id, "tax_type": tax_type, "products": products})


def _ids(value: Any) -> set[int]:
    """The integer ids a list holds (removed_products)."""
    return {item for item in value if records.is_int(item)} if isinstance(value, list) else set()
