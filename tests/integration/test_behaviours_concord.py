"""Concord CRM behaviour beyond CRUD (seed 003; dialects.md 3.4), through HTTP only.

Expected values are worked out here from records the tests create or read through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from tests.conftest import Mock
from tests.integration.helpers import all_records, assert_error_envelope, assert_ordered, field_errors

MakeMock = Callable[..., Mock]


@pytest.fixture
def concord(make_mock: MakeMock) -> Mock:
    return make_mock("concord", records=10)


def new_deal(mock: Mock, **fields: Any) -> dict[str, Any]:
    response = mock.post("/deals", json={"name": "Quokka Rollout", "stage_id": 1, **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return dict(response.get_json())


def deal(mock: Mock, deal_id: int) -> dict[str, Any]:
    response = mock.get(f"/deals/{deal_id}")
    assert response.status_code == 200
    return dict(response.get_json())


def new_contact(mock: Mock, **fields: Any) -> dict[str, Any]:
    response = mock.post("/contacts", json={"first_name": "Ada", **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return dict(response.get_json())


def ids(items: list[dict[str, Any]]) -> set[int]:
    return {item["id"] for item in items}


# ------------------------------------------------------------------------------ search (CC5)
def test_search_answers_a_bare_array_of_matches(concord: Mock) -> None:
    made = {new_deal(concord, name=name)["id"] for name in ("Quokka Expansion", "Big QUOKKA renewal")}
    new_deal(concord, name="Wombat pilot")
    response = concord.get("/deals/search", query_string={"q": "quokka"})
    assert response.status_code == 200
    found = response.get_json()
    assert isinstance(found, list)
    expected = {d["id"] for d in all_records(concord, "/deals") if "quokka" in d["name"].lower()}
    assert ids(found) == expected
    assert made <= expected


def test_search_take_limits_the_count(concord: Mock) -> None:
    for n in range(3):
        new_deal(concord, name=f"Quokka {n}")
    everything = concord.get("/deals/search", query_string={"q": "quokka"}).get_json()
    assert len(everything) >= 3
    for take in (1, 2):
        found = concord.get("/deals/search", query_string={"q": "quokka", "take": take}).get_json()
        assert len(found) == take
        assert ids(found) <= ids(everything)


def test_search_with_an_empty_q_is_an_empty_array(concord: Mock) -> None:
    new_deal(concord)
    response = concord.get("/deals/search", query_string={"q": ""})
    assert response.status_code == 200
    assert response.get_json() == []
    # the page marks q Required (CC5): leaving it out is a validation error, never a 5xx
    missing = concord.get("/deals/search")
    assert_error_envelope(concord, missing, 422)
    assert "q" in field_errors(concord, missing)


def test_search_honours_order_and_select(concord: Mock) -> None:
    for amount in (300, 100, 200):
        new_deal(concord, name=f"Quokka {amount}", amount=amount)
    found = concord.get("/deals/search", query_string={"q": "quokka", "order": "amount|desc"}).get_json()
    assert_ordered([d["amount"] for d in found], descending=True)
    projected = concord.get("/deals/search", query_string={"q": "quokka", "select": "amount"}).get_json()
    assert projected and all(set(d) <= {"id", "name", "stage_id", "amount"} for d in projected)
    assert all("amount" in d and "id" in d for d in projected)
    assert ids(projected) == ids(found)


# ------------------------------------------------------------------------------ list grammar (CC6)
def test_q_searches_every_list(concord: Mock) -> None:
    contact = new_contact(concord, first_name="Zenobia", last_name="Quist", email="zenobia.quist@example.org")
    items = concord.get("/contacts", query_string={"q": "QUIST"}).get_json()["data"]
    expected = {c["id"] for c in all_records(concord, "/contacts")
                if any("quist" in str(c.get(f) or "").lower() for f in ("first_name", "last_name", "email"))}
    assert ids(items) == expected and contact["id"] in expected


@pytest.mark.parametrize(("path", "key"), [("/deals", "name"), ("/contacts", "first_name"),
                                           ("/companies", "name"), ("/activities", "title")])
def test_order_field_desc_sorts_each_list(concord: Mock, path: str, key: str) -> None:
    items = concord.get(path, query_string={"order": f"{key}|desc", "per_page": 100}).get_json()["data"]
    values = [str(i[key]).lower() for i in items]
    assert values == sorted(values, reverse=True)
    ascending = concord.get(path, query_string={"order": key, "per_page": 100}).get_json()["data"]
    assert [str(i[key]).lower() for i in ascending] == sorted(values)


def test_search_fields_restrict_the_search_and_search_match_and_requires_all(concord: Mock) -> None:
    first = new_contact(concord, first_name="Zorba", last_name="Alpha", email="zorba.alpha@example.org",
                        phones=[{"number": "+1 555 0142", "type": "work"}])
    second = new_contact(concord, first_name="Other", last_name="Zorba", email="other.beta@example.org")
    everyone = all_records(concord, "/contacts")

    def search(**params: Any) -> set[int]:
        response = concord.get("/contacts", query_string={"per_page": 100, **params})
        assert response.status_code == 200, response.get_data(as_text=True)
        return ids(response.get_json()["data"])

    def having(test: Callable[[dict[str, Any]], bool]) -> set[int]:
        return {c["id"] for c in everyone if test(c)}

    def has(c: dict[str, Any], field: str, text: str) -> bool:
        return text in str(c.get(field) or "").lower()

    # default fields (first_name, last_name, email): both
    assert search(q="zorba") == having(lambda c: any(has(c, f, "zorba") for f in ("first_name", "last_name", "email")))
    assert {first["id"], second["id"]} <= search(q="zorba")
    # restricted to first_name: only the first
    only_first = search(q="zorba", search_fields="first_name:like")
    assert only_first == having(lambda c: has(c, "first_name", "zorba")) and second["id"] not in only_first
    # or (default) vs and
    either = search(q="zorba", search_fields="first_name:like;last_name:like")
    both = search(q="zorba", search_fields="first_name:like;last_name:like", search_match="and")
    assert either == having(lambda c: has(c, "first_name", "zorba") or has(c, "last_name", "zorba"))
    assert both == having(lambda c: has(c, "first_name", "zorba") and has(c, "last_name", "zorba"))
    assert {first["id"], second["id"]} <= either and first["id"] not in both
    and_email = search(q="zorba", search_fields="first_name:like;email:like", search_match="and")
    assert and_email == having(lambda c: has(c, "first_name", "zorba") and has(c, "email", "zorba"))
    assert first["id"] in and_email and second["id"] not in and_email
    # `=` is equality, not a substring
    assert search(q="other.beta@example.org", search_fields="email:=") == {second["id"]}
    assert search(q="other.beta", search_fields="email:=") == set()
    # `in` takes a comma list; a nested array field is searched inside its elements
    assert search(q=f"{first['id']},{second['id']}", search_fields="id:in") == {first["id"], second["id"]}
    assert search(q="+1 555 0142", search_fields="phones.number:=") == having(
        lambda c: any(p.get("number") == "+1 555 0142" for p in c.get("phones") or []))


def test_an_unknown_search_operator_is_a_422_naming_the_parameter(concord: Mock) -> None:
    response = concord.get("/contacts", query_string={"q": "a", "search_fields": "email:~"})
    assert response.status_code == 422
    assert "search_fields" in field_errors(concord, response)


@pytest.mark.parametrize("query", [{"search_fields": "nickname:like;phones.colour:="}, {"select": "first_name;id"}])
def test_fields_a_resource_does_not_have_are_left_out_as_the_pages_own_examples_need(concord: Mock,
                                                                                  query: dict[str, str]) -> None:
    """003 gives `select=first_name;id` and `search_fields=email:like;phones.number:=` on the deals list,
    whose deals have neither field (CC6: both lenient): the list still answers."""
    response = concord.get("/deals", query_string={"q": "a", **query})
    assert response.status_code == 200, response.get_json()
    assert all(set(item) >= {"id", "name", "stage_id"} for item in response.get_json()["data"])


@pytest.mark.parametrize(("path", "required", "selected"), [
    ("/deals", {"id", "name", "stage_id"}, ("amount", "status")),
    ("/contacts", {"id", "first_name"}, ("email", "city")),
    ("/companies", {"id", "name"}, ("domain",)),
    ("/activities", {"id", "title"}, ("due_date",)),
])
def test_select_projects_each_item_keeping_id(concord: Mock, path: str, required: set[str],
                                              selected: tuple[str, ...]) -> None:
    full = concord.get(path).get_json()["data"]
    response = concord.get(path, query_string={"select": ";".join(selected)})
    assert response.status_code == 200
    items = response.get_json()["data"]
    assert ids(items) == ids(full)
    by_id = {i["id"]: i for i in full}
    for item in items:
        assert "id" in item
        assert set(item) <= required | set(selected)
        assert {k: by_id[item["id"]][k] for k in item} == item
    unknown = concord.get(path, query_string={"select": "id;no_such_field"})  # left out, not refused (CC6)
    assert unknown.status_code == 200 and all(set(i) == required for i in unknown.get_json()["data"])


# ------------------------------------------------------------------------------ associations (CC7, CC8)
def test_attach_detach_and_sync_associations(concord: Mock) -> None:
    contacts = [c["id"] for c in all_records(concord, "/contacts")][:3]
    company = all_records(concord, "/companies")[0]["id"]
    activity = all_records(concord, "/activities")[0]["id"]
    made = new_deal(concord)
    assert made["contacts_count"] == 0 and made["companies_count"] == 0
    path = f"/associations/deals/{made['id']}"

    attached = concord.put(path, json={"contacts": [contacts[0]], "companies": [company]})
    assert attached.status_code == 200
    body = attached.get_json()
    assert body["id"] == made["id"]
    assert body["contacts"] == [contacts[0]] and body["companies"] == [company]
    assert body["contacts_count"] == 1 and body["companies_count"] == 1

    # attaching an already associated id is a no-op
    again = concord.put(path, json={"contacts": [contacts[0], contacts[1]]}).get_json()
    assert again["contacts"] == [contacts[0], contacts[1]] and again["contacts_count"] == 2

    detached = concord.delete(path, json={"contacts": [contacts[0]]})
    assert detached.status_code == 200
    assert detached.get_json()["contacts"] == [contacts[1]]

    synced = concord.post(path, json={"contacts": [contacts[2], contacts[0]], "activities": [activity]})
    assert synced.status_code == 200
    stored = deal(concord, made["id"])
    assert stored["contacts"] == [contacts[2], contacts[0]] and stored["contacts_count"] == 2
    assert stored["activities"] == [activity]
    assert stored["companies"] == [company]  # keys not sent keep their associations


def test_unknown_association_key_is_a_conflict_and_changes_nothing(concord: Mock) -> None:
    contact = all_records(concord, "/contacts")[0]["id"]
    made = new_deal(concord, contacts=[contact])
    path = f"/associations/deals/{made['id']}"
    for method in ("put", "post", "delete"):
        response = getattr(concord, method)(path, json={"contacts": [], "tags": [1]})
        assert_error_envelope(concord, response, 409)
    assert deal(concord, made["id"])["contacts"] == [contact]


def test_associating_a_missing_record_is_a_422_naming_the_index(concord: Mock) -> None:
    contacts = [c["id"] for c in all_records(concord, "/contacts")]
    missing = max(contacts) + 1000
    made = new_deal(concord)
    response = concord.put(f"/associations/deals/{made['id']}", json={"contacts": [contacts[0], missing]})
    assert_error_envelope(concord, response, 422)
    assert "contacts.1" in field_errors(concord, response)
    assert deal(concord, made["id"])["contacts"] == []  # nothing half-written
    created = concord.post("/deals", json={"name": "Quokka", "stage_id": 1, "companies": [missing]})
    assert_error_envelope(concord, created, 422)
    assert "companies.0" in field_errors(concord, created)


def test_deal_body_associations_and_deleting_an_associated_contact(concord: Mock) -> None:
    contacts = [c["id"] for c in all_records(concord, "/contacts")][:2]
    made = new_deal(concord, contacts=contacts)
    assert made["contacts"] == contacts and made["contacts_count"] == 2
    assert concord.delete(f"/contacts/{contacts[0]}").status_code == 204
    after = deal(concord, made["id"])
    assert after["contacts"] == contacts[1:] and after["contacts_count"] == 1


# ------------------------------------------------------------------------------ status (CC9, CC10)
def status(mock: Mock, deal_id: int, value: str, **body: Any) -> Any:
    return mock.put(f"/deals/{deal_id}/status/{value}", json=body)


def test_won_deal_cannot_be_lost_without_reopening(concord: Mock) -> None:
    made = new_deal(concord)
    won = status(concord, made["id"], "won")
    assert won.status_code == 200
    body = won.get_json()
    assert body["status"] == "won" and body["won_date"] and body["lost_date"] is None

    refused = status(concord, made["id"], "lost", lost_reason="Too late")
    assert_error_envelope(concord, refused, 409)
    stored = deal(concord, made["id"])
    assert stored["status"] == "won" and stored["won_date"] == body["won_date"] and stored["lost_reason"] is None

    through_update = concord.put(f"/deals/{made['id']}", json={"name": made["name"], "stage_id": 1, "status": "lost"})
    assert_error_envelope(concord, through_update, 409)
    assert deal(concord, made["id"])["status"] == "won"


def test_reopened_deal_can_be_lost_and_the_dates_follow(concord: Mock) -> None:
    made = new_deal(concord)
    status(concord, made["id"], "won")
    reopened = status(concord, made["id"], "open").get_json()
    assert reopened["status"] == "open"
    assert reopened["won_date"] is None and reopened["lost_date"] is None and reopened["lost_reason"] is None

    lost = status(concord, made["id"], "lost", lost_reason="Chose a competitor")
    assert lost.status_code == 200
    body = lost.get_json()
    assert body["status"] == "lost" and body["lost_reason"] == "Chose a competitor"
    assert body["lost_date"] and body["won_date"] is None
    assert_error_envelope(concord, status(concord, made["id"], "won"), 409)

    via_update = concord.put(f"/deals/{made['id']}", json={"name": made["name"], "stage_id": 1, "status": "open"})
    assert via_update.status_code == 200
    assert via_update.get_json()["lost_date"] is None and via_update.get_json()["lost_reason"] is None
    won = concord.put(f"/deals/{made['id']}", json={"name": made["name"], "stage_id": 1, "status": "won"}).get_json()
    assert won["status"] == "won" and won["won_date"]


def test_invalid_status_is_a_client_error(concord: Mock) -> None:
    made = new_deal(concord)
    response = status(concord, made["id"], "archived")
    assert 400 <= response.status_code < 500
    assert deal(concord, made["id"])["status"] == "open"


def test_every_listed_deal_keeps_status_dates_consistent(concord: Mock) -> None:
    for item in all_records(concord, "/deals"):
        assert item["status"] in ("open", "won", "lost")
        assert (item["won_date"] is not None) == (item["status"] == "won")
        assert (item["lost_date"] is not None) == (item["status"] == "lost")
        if item["status"] != "lost":
            assert item["lost_reason"] is None
        assert item["path"] == f"/deals/{item['id']}"
        assert item["contacts_count"] == len(item["contacts"])


# ------------------------------------------------------------------------------ billable (CC3, CC15)
def r2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected_billable(products: list[dict[str, Any]], tax_type: str) -> dict[str, Any]:
    """The billable totals by hand: amount = price * qty - discount; tax per tax_type."""
    subtotal = discounts = taxes = Decimal(0)
    amounts = []
    for p in products:
        gross = r2(Decimal(str(p["unit_price"])) * Decimal(str(p.get("qty", 1))))
        given = Decimal(str(p.get("discount_total", 0)))
        discount = r2(gross * given / 100) if p.get("discount_type", "percent") == "percent" else r2(given)
        amount = gross - discount
        rate = Decimal(str(p.get("tax_rate", 0)))
        if tax_type == "exclusive":
            tax = r2(amount * rate / 100)
        elif tax_type == "inclusive":
            tax = r2(amount - amount / (1 + rate / 100))
        else:
            tax = Decimal(0)
        subtotal, discounts, taxes = subtotal + gross, discounts + discount, taxes + tax
        amounts.append(float(amount))
    total = subtotal - discounts + (taxes if tax_type == "exclusive" else 0)
    return {"subtotal": float(subtotal), "total_discount": float(discounts), "total_tax": float(taxes),
            "total": float(total), "amounts": amounts}


def products_for(discount_type: str) -> list[dict[str, Any]]:
    return [
        {"name": "Licence", "unit_price": 1000, "qty": 2, "discount_type": discount_type,
         "discount_total": 10 if discount_type == "percent" else 150, "tax_rate": 20, "unit": "seat"},
        {"name": "Onboarding", "unit_price": 250.55, "qty": 3, "discount_type": discount_type,
         "discount_total": 7.5 if discount_type == "percent" else 40.3, "tax_rate": 7},
    ]


def assert_billable(billable: dict[str, Any], products: list[dict[str, Any]], tax_type: str) -> None:
    want = expected_billable(products, tax_type)
    assert billable["tax_type"] == tax_type
    for key in ("subtotal", "total_discount", "total_tax", "total"):
        assert billable[key] == pytest.approx(want[key], abs=1e-9), key
    assert [p["amount"] for p in billable["products"]] == pytest.approx(want["amounts"], abs=1e-9)


@pytest.mark.parametrize("tax_type", ["exclusive", "inclusive", "no_tax"])
@pytest.mark.parametrize("discount_type", ["percent", "fixed"])
def test_billable_totals(concord: Mock, discount_type: str, tax_type: str) -> None:
    made = new_deal(concord, amount=5)
    products = products_for(discount_type)
    saved = concord.post(f"/deals/{made['id']}/billable", json={"tax_type": tax_type, "products": products})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    billable = saved.get_json()
    assert_billable(billable, products, tax_type)
    assert concord.get(f"/deals/{made['id']}/billable").get_json() == billable
    stored = deal(concord, made["id"])
    assert stored["amount"] == billable["total"]
    assert stored["billable"] == billable


def test_billable_in_the_deal_body_sets_the_amount_and_a_sent_amount_is_ignored(concord: Mock) -> None:
    products = products_for("percent")
    made = new_deal(concord, amount=5, billable={"tax_type": "no_tax", "products": products})
    want = expected_billable(products, "no_tax")
    assert made["amount"] == pytest.approx(want["total"])
    assert_billable(made["billable"], products, "no_tax")

    updated = concord.put(f"/deals/{made['id']}", json={"name": made["name"], "stage_id": 1, "amount": 1})
    assert updated.status_code == 200
    assert updated.get_json()["amount"] == pytest.approx(want["total"])
    assert deal(concord, made["id"])["amount"] == pytest.approx(want["total"])

    # a product removed and another added through the update body: the amount follows again
    first = made["billable"]["products"][0]["id"]
    extra = {"name": "Training", "unit_price": 400, "qty": 1}
    changed = concord.put(f"/deals/{made['id']}", json={
        "name": made["name"], "stage_id": 1, "amount": 2,
        "billable": {"removed_products": [first], "products": [extra]},
    }).get_json()
    remaining = [products[1], extra]
    assert [p["name"] for p in changed["billable"]["products"]] == ["Onboarding", "Training"]
    assert changed["amount"] == pytest.approx(expected_billable(remaining, "no_tax")["total"])


def test_a_deal_without_products_keeps_its_amount(concord: Mock) -> None:
    made = new_deal(concord, amount=900)
    assert made["amount"] == 900 and made["billable"] is None
    updated = concord.put(f"/deals/{made['id']}", json={"name": made["name"], "stage_id": 1, "amount": 777})
    assert updated.get_json()["amount"] == 777
    empty = concord.get(f"/deals/{made['id']}/billable").get_json()
    assert empty["products"] == [] and empty["total"] == 0


def test_billable_products_get_ids_update_by_id_and_remove(concord: Mock) -> None:
    made = new_deal(concord)
    products = products_for("fixed")
    first_save = concord.post(f"/deals/{made['id']}/billable", json={"tax_type": "exclusive", "products": products})
    saved = first_save.get_json()
    product_ids = [p["id"] for p in saved["products"]]
    assert all(isinstance(i, int) for i in product_ids) and len(set(product_ids)) == 2
    assert isinstance(saved["id"], int)
    assert all(isinstance(p["product_id"], int) for p in saved["products"])

    change = {"id": product_ids[0], "name": "Licence", "unit_price": 1000, "qty": 5}
    again = concord.post(f"/deals/{made['id']}/billable",
                         json={"products": [change], "removed_products": [product_ids[1]]}).get_json()
    assert [p["id"] for p in again["products"]] == [product_ids[0]]
    assert again["products"][0]["qty"] == 5 and again["id"] == saved["id"]
    kept = {**products[0], "qty": 5}
    assert_billable(again, [kept], "exclusive")  # tax_type kept from the first save
    assert deal(concord, made["id"])["amount"] == again["total"]

    unknown = concord.post(f"/deals/{made['id']}/billable",
                           json={"products": [{"id": max(product_ids) + 999, "name": "X", "unit_price": 1}]})
    assert_error_envelope(concord, unknown, 422)
    assert "products.0.id" in field_errors(concord, unknown)
    assert concord.get(f"/deals/{made['id']}/billable").get_json() == again  # unchanged


@pytest.mark.parametrize(("product", "field"), [
    ({"name": "X", "unit_price": -1}, "unit_price"),
    ({"name": "X", "unit_price": 10, "discount_type": "percent", "discount_total": 120}, "discount_total"),
    ({"name": "X", "unit_price": 10, "qty": 2, "discount_type": "fixed", "discount_total": 25}, "discount_total"),
    ({"name": "X", "unit_price": 10, "tax_rate": -5}, "tax_rate"),
])
def test_impossible_products_are_a_422_naming_the_field(concord: Mock, product: dict[str, Any], field: str) -> None:
    made = new_deal(concord)
    response = concord.post(f"/deals/{made['id']}/billable", json={"products": [product]})
    assert_error_envelope(concord, response, 422)
    assert f"products.0.{field}" in field_errors(concord, response)
    created = concord.post("/deals", json={"name": "Quokka", "stage_id": 1, "billable": {"products": [product]}})
    assert_error_envelope(concord, created, 422)
    assert f"billable.products.0.{field}" in field_errors(concord, created)


def test_every_listed_deal_with_products_has_the_products_total_as_amount(concord: Mock) -> None:
    for item in all_records(concord, "/deals"):
        billable = item["billable"]
        if billable and billable["products"]:
            assert item["amount"] == billable["total"]
            assert billable["total"] == pytest.approx(expected_billable(billable["products"],
                                                                        billable["tax_type"])["total"])


# ------------------------------------------------------------------------------ unique email (CC16)
@pytest.mark.parametrize(("path", "name_field"), [("/contacts", "first_name"), ("/companies", "name")])
def test_duplicate_email_is_a_422_on_email(concord: Mock, path: str, name_field: str) -> None:
    existing = [r for r in all_records(concord, path) if r.get("email")]
    taken, other = existing[0], existing[1]
    created = concord.post(path, json={name_field: "Dupe", "email": taken["email"].upper()})
    assert_error_envelope(concord, created, 422)
    assert "email" in field_errors(concord, created)
    updated = concord.put(f"{path}/{other['id']}", json={"email": taken["email"]})
    assert_error_envelope(concord, updated, 422)
    assert "email" in field_errors(concord, updated)
    assert concord.get(f"{path}/{other['id']}").get_json()["email"] == other["email"]
    same = concord.put(f"{path}/{taken['id']}", json={"email": taken["email"]})
    assert same.status_code == 200
    fresh = concord.post(path, json={name_field: "Fresh", "email": "fresh.unique@example.org"})
    assert fresh.status_code == 201
