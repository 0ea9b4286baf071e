"""Each equivalent really changes what the mock answers, in the way its name says (a variant that changes
nothing would certify nothing).

Every variant has a probe: a few requests through the Flask test client and assertions on the answers that
describe the variant's behaviour. The probe must FAIL on the unmodified mock (AssertionError: the mock
answers otherwise), PASS on the variant alone, and PASS on all of the API's variants at once (no variant
applied later undoes it), unless another variant makes it moot (SHADOWED, with the reason). Expected
values come from the pages' shapes and the variants' descriptions, never from the variant's code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from crmspec.model import Api
from tests.conftest import auth_headers, load_api
from tests.equivalents.zoo import BY_NAME, COMBINED, EXTRA_FIELD, ZOO, Variant
from tests.mutants.run import build

NAIVE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?")
WHOLE_SECONDS_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
MICROSECONDS_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Client:
    app: Flask
    api: Api
    credential: str

    def call(self, method: str, path: str, json: Any = None, auth: bool = True, absolute: bool = False,
             **query: Any) -> Answer:
        headers = auth_headers(self.api, self.credential) if auth else {}
        url = path if absolute else self.api.dialect.base_path + path
        response = self.app.test_client().open(url, method=method, json=json, headers=headers,
                                               query_string=query or None)
        return Answer(response.status_code, response.get_json(silent=True), dict(response.headers))


Probe = Callable[[Client], None]
PROBES: dict[str, Probe] = {}


def probe(name: str) -> Callable[[Probe], Probe]:
    def register(function: Probe) -> Probe:
        PROBES[name] = function
        return function

    return register


def record(body: Any) -> dict[str, Any]:
    """A single-record body, bare or in a {data: {...}} wrapper (OC2/CC1 allow both)."""
    if isinstance(body, dict) and set(body) == {"data"} and isinstance(body["data"], dict):
        return dict(body["data"])
    assert isinstance(body, dict), body
    return body


def deal_created_at(client: Client) -> str:
    """Deal 1's created_at: in {success, data} (Revenue Orbit, YSUITE) or bare / wrapped (Concord)."""
    body = client.call("GET", "/deals/1").body
    found = record(body["data"] if isinstance(body, dict) and "success" in body else body).get("created_at")
    assert isinstance(found, str), body
    return found


def error_part(body: Any, key: str) -> Any:
    """An error field, flat or inside a nested {error: {...}} (OC4)."""
    assert isinstance(body, dict), body
    nested = body.get("error")
    return nested.get(key) if isinstance(nested, dict) and key in nested else body.get(key)


# every API: operations the pages never define -----------------------------------------------------
def filled(path: str, dialect: str) -> str:
    return re.sub(r"\{[^}]+\}", "contact_001" if dialect == "olympus" else "1", path)


def inferred_not_implemented(client: Client) -> None:
    """Read from the document: every path whose operations are all x-source: inferred answers 404, an
    inferred method beside page-sourced ones 405 with an Allow of the page-sourced methods, the login and
    the page-sourced reads still answer."""
    api = client.api
    login = api.dialect.auth.login_operation
    by_path: dict[str, list[Any]] = {}
    for op in api.operations:
        by_path.setdefault(op.full_path, []).append(op)
    judged = 0
    for path, ops in by_path.items():
        if any(op.action == login for op in ops):
            continue
        documented = sorted(op.method.upper() for op in ops if op.source != "inferred")
        url = filled(path, api.dialect.id)
        for op in ops:
            if op.source != "inferred":
                continue
            answer = client.call(op.method.upper(), url, json={}, absolute=True)
            judged += 1
            if documented:
                assert answer.status == 405 and answer.headers.get("Allow") == ", ".join(documented), (str(op), answer)
            else:
                assert answer.status == 404, (str(op), answer.status)
        if "GET" in documented and "{" not in path:
            kept = client.call("GET", url, absolute=True).status
            assert kept not in (404, 405), f"GET {path} is from the pages: it stays ({kept})"
    assert judged, "the document marks no operation x-source: inferred: the variant changes nothing"
    if login is not None:
        op = next(o for o in api.operations if o.action == login)
        answer = client.call("POST", op.full_path, json={"email": "admin@example.com", "password": "mock-password"},
                             auth=False, absolute=True)
        assert answer.status == 200, "the login the suite signs in with stays"


for _name in ("ro_inferred_not_implemented", "cc_inferred_not_implemented",
              "ys_inferred_not_implemented"):
    PROBES[_name] = inferred_not_implemented


# Revenue Orbit -----------------------------------------------------------------------------------
def ro_deal(client: Client, name: str, **fields: Any) -> Answer:
    return client.call("POST", "/deals", json={"name": name, "stage_id": 1, **fields})


def ro_names_sorted(client: Client, tag: str, sort_by: str, direction: str) -> list[str]:
    answer = client.call("GET", "/deals", search=tag, sort_by=sort_by, sort_dir=direction, per_page=100)
    assert answer.status == 200, answer.body
    return [d["name"] for d in answer.body["data"]]


@probe("ro_sort_by_code_point")
def _(client: Client) -> None:
    for name in ("alpha zooprobe", "Beta zooprobe", "Émile zooprobe"):
        assert ro_deal(client, name).status in (200, 201)
    # code points: 'B' (66) < 'a' (97) < 'É' (201)
    assert ro_names_sorted(client, "zooprobe", "title", "ASC") == ["Beta zooprobe", "alpha zooprobe", "Émile zooprobe"]


@probe("ro_nulls_sorted_last")
def _(client: Client) -> None:
    assert ro_deal(client, "valued nullprobe", value=10).status in (200, 201)
    assert ro_deal(client, "unvalued nullprobe").status in (200, 201)
    assert ro_names_sorted(client, "nullprobe", "value", "ASC") == ["valued nullprobe", "unvalued nullprobe"]
    assert ro_names_sorted(client, "nullprobe", "value", "DESC") == ["unvalued nullprobe", "valued nullprobe"]


@probe("ro_per_page_clamped")
def _(client: Client) -> None:
    answer = client.call("GET", "/deals", per_page=150)
    assert answer.status == 200 and answer.body["per_page"] == 100, (answer.status, answer.body)


@probe("ro_create_200")
def _(client: Client) -> None:
    answer = ro_deal(client, "created with 200")
    assert answer.status == 200 and answer.body["success"] is True, answer.status


@probe("ro_validation_400")
def _(client: Client) -> None:
    answer = client.call("POST", "/deals", json={})
    assert answer.status == 400 and answer.body["success"] is False and "name" in answer.body["errors"], answer.status


@probe("ro_timestamps_without_fraction")
def _(client: Client) -> None:
    created = deal_created_at(client)
    assert WHOLE_SECONDS_UTC.fullmatch(created), created


@probe("ro_risk_weight_as_text")
def _(client: Client) -> None:
    deals = client.call("GET", "/deals", per_page=100).body["data"]
    weights = [f["weight"] for d in deals for f in (d.get("risk") or {}).get("risk_factors") or []]
    assert weights and all(isinstance(w, str) and float(w) >= 0 for w in weights), weights[:5]


@probe("ro_field_errors_as_lists")
def _(client: Client) -> None:
    errors = client.call("POST", "/deals", json={}).body["errors"]
    assert isinstance(errors["name"], list) and all(isinstance(m, str) for m in errors["name"]), errors


@probe("ro_absent_for_nulls")
def _(client: Client) -> None:
    data = ro_deal(client, "no value sent").body["data"]
    assert "contact_id" not in data and "value" not in data, sorted(data)


@probe("ro_extra_fields")
def _(client: Client) -> None:
    single = client.call("GET", "/deals/1").body
    listed = client.call("GET", "/deals").body
    assert EXTRA_FIELD in single and EXTRA_FIELD in single["data"], sorted(single)
    assert EXTRA_FIELD in listed and all(EXTRA_FIELD in d for d in listed["data"]), sorted(listed)


@probe("ro_success_on_lists")
def _(client: Client) -> None:
    assert client.call("GET", "/deals").body.get("success") is True


@probe("ro_update_without_data")
def _(client: Client) -> None:
    answer = client.call("PUT", "/deals/1", json={"name": "renamed", "stage_id": 1})
    assert answer.status == 200 and answer.body["success"] is True and "data" not in answer.body, answer.body


@probe("ro_delete_204")
def _(client: Client) -> None:
    made = ro_deal(client, "to delete").body["data"]["id"]
    answer = client.call("DELETE", f"/deals/{made}")
    assert answer.status == 204 and answer.body is None, answer.status


@probe("ro_past_end_404")
def _(client: Client) -> None:
    answer = client.call("GET", "/deals", page=99)
    assert answer.status == 404 and answer.body["success"] is False and answer.body["message"], answer.status


# Olympus -----------------------------------------------------------------------------------------
def oc_contact(client: Client, email: str, **fields: Any) -> Answer:
    return client.call("POST", "/contacts", json={"name": "Zoo Probe", "email": email, "type": "lead", **fields})


@probe("oc_contact_without_email_accepted")
def _(client: Client) -> None:
    answer = client.call("POST", "/contacts", json={"name": "No Email", "type": "lead"})
    assert answer.status in (200, 201) and "id" in record(answer.body), answer.status
    assert client.call("POST", "/contacts", json={}).status in (400, 422), "an empty body is still refused (OC7)"


@probe("oc_unpaginated_activities_and_tasks")
def _(client: Client) -> None:
    for path in ("/activities", "/tasks"):
        answer = client.call("GET", path, limit=2, page=2)
        assert answer.status == 200 and len(answer.body["data"]) > 2, (path, answer.body.get("pagination"))
        assert "pagination" not in answer.body
    assert len(client.call("GET", "/contacts", limit=2).body["data"]) == 2, "contacts still page (002)"


@probe("oc_validation_422")
def _(client: Client) -> None:
    answer = client.call("POST", "/contacts", json={})
    assert answer.status == 422 and error_part(answer.body, "message"), answer.status
    stage = client.call("PATCH", "/deals/deal_001/stage", json={"stage": "no_such_stage"})
    assert stage.status == 400, "an invalid stage stays 400 (OC4, OC10 strict)"


@probe("oc_duplicate_contact_409")
def _(client: Client) -> None:
    assert oc_contact(client, "twice@example.org").status in (200, 201)
    assert oc_contact(client, "twice@example.org").status == 409


@probe("oc_merge_into_itself_400")
def _(client: Client) -> None:
    made = record(oc_contact(client, "merge-self@example.org").body)["id"]
    answer = client.call("POST", "/contacts/merge", json={"primary_contact_id": made, "merge_contact_ids": [made]})
    assert answer.status == 400, answer.status


@probe("oc_create_200")
def _(client: Client) -> None:
    assert oc_contact(client, "created-200@example.org").status == 200


@probe("oc_details_as_text")
def _(client: Client) -> None:
    details = error_part(client.call("POST", "/contacts", json={}).body, "details")
    assert isinstance(details, dict) and isinstance(details.get("name"), str), details


@probe("oc_platform_error_codes")
def _(client: Client) -> None:
    assert error_part(client.call("GET", "/contacts/contact_999").body, "code") == "NOT_FOUND"


@probe("oc_absent_for_nulls")
def _(client: Client) -> None:
    made = record(oc_contact(client, "nulls@example.org").body)
    assert "phone" not in made, sorted(made)


@probe("oc_extra_fields")
def _(client: Client) -> None:
    listed = client.call("GET", "/contacts", limit=2).body
    assert EXTRA_FIELD in listed and all(EXTRA_FIELD in c for c in listed["data"]), sorted(listed)
    assert EXTRA_FIELD in listed.get("pagination", listed)
    assert EXTRA_FIELD in record(client.call("GET", "/contacts/contact_001").body)


@probe("oc_data_wrapper")
def _(client: Client) -> None:
    body = client.call("GET", "/contacts/contact_001").body
    assert set(body) == {"data"} and body["data"]["id"] == "contact_001", sorted(body)


@probe("oc_pagination_per_page")
def _(client: Client) -> None:
    body = client.call("GET", "/contacts", limit=2).body
    block = body.get("pagination", body)
    assert block.get("per_page") == 2 and "limit" not in block and isinstance(block.get("total_pages"), int), block


@probe("oc_page_fields_at_top_level")
def _(client: Client) -> None:
    body = client.call("GET", "/contacts", limit=2, page=2).body
    assert "pagination" not in body and body.get("page") == 2 and isinstance(body.get("total"), int), sorted(body)


@probe("oc_nested_error")
def _(client: Client) -> None:
    body = client.call("GET", "/contacts/contact_999").body
    assert isinstance(body.get("error"), dict) and body["error"].get("message") and "message" not in body, body


@probe("oc_delete_200")
def _(client: Client) -> None:
    made = record(oc_contact(client, "deleted-200@example.org").body)["id"]
    answer = client.call("DELETE", f"/contacts/{made}")
    assert answer.status == 200 and answer.body == {"id": made, "deleted": True}, answer.status
    assert client.call("GET", f"/contacts/{made}").status == 404


# Concord -----------------------------------------------------------------------------------------
def cc_deal(client: Client, name: str, **fields: Any) -> dict[str, Any]:
    answer = client.call("POST", "/deals", json={"name": name, "stage_id": 1, **fields})
    assert answer.status == 201, answer.status
    return record(answer.body)


@probe("cc_sort_accent_and_case_insensitive")
def _(client: Client) -> None:
    for name in ("Zed ccprobe", "émile ccprobe", "Anna ccprobe"):
        cc_deal(client, name)
    answer = client.call("GET", "/deals", q="ccprobe", order="name", per_page=100)
    # utf8mb4_0900_ai_ci: 'é' sorts as 'e'; SQLite NOCASE puts it after every ASCII letter
    assert [d["name"] for d in answer.body["data"]] == ["Anna ccprobe", "émile ccprobe", "Zed ccprobe"]


@probe("cc_per_page_not_clamped")
def _(client: Client) -> None:
    answer = client.call("GET", "/deals", per_page=150)
    assert answer.status == 200 and answer.body["meta"]["per_page"] == 150, answer.status


@probe("cc_omitted_name_kept")
def _(client: Client) -> None:
    made = cc_deal(client, "keeps its name")
    answer = client.call("PUT", f"/deals/{made['id']}", json={"expected_close_date": "2027-03-01"})
    assert answer.status == 200 and record(answer.body)["name"] == "keeps its name", answer.status
    assert client.call("PUT", f"/deals/{made['id']}", json={"name": "", "stage_id": 1}).status == 422, "CC2 strict"


@probe("cc_amount_with_products_422")
def _(client: Client) -> None:
    products = [{"name": "probe seat", "unit_price": 100, "qty": 2}]
    made = cc_deal(client, "with products", billable={"tax_type": "no_tax", "products": products})
    answer = client.call("PUT", f"/deals/{made['id']}", json={"name": "with products", "stage_id": 1, "amount": 1})
    assert answer.status == 422 and "amount" in answer.body["errors"], answer.status
    assert record(client.call("GET", f"/deals/{made['id']}").body)["amount"] == 200


@probe("cc_status_lock_422")
def _(client: Client) -> None:
    made = cc_deal(client, "won then lost")
    assert client.call("PUT", f"/deals/{made['id']}/status/won", json={}).status == 200
    answer = client.call("PUT", f"/deals/{made['id']}/status/lost", json={})
    assert answer.status == 422 and "status" in answer.body["errors"], answer.status
    assert record(client.call("GET", f"/deals/{made['id']}").body)["status"] == "won"


@probe("cc_associations_without_keys_422")
def _(client: Client) -> None:
    answer = client.call("PUT", "/associations/deals/1", json={})
    assert answer.status == 422 and answer.body["errors"], answer.status
    assert client.call("PUT", "/associations/deals/1", json={}, auth=False).status == 401, "auth comes first"
    assert client.call("PUT", "/associations/deals/1", json={"contacts": []}).status == 200


@probe("cc_timestamps_with_microseconds")
def _(client: Client) -> None:
    created = deal_created_at(client)
    assert MICROSECONDS_UTC.fullmatch(created), created


@probe("cc_message_in_error")
def _(client: Client) -> None:
    body = client.call("GET", "/deals", auth=False).body
    assert isinstance(body.get("error"), str) and "message" not in body, body


@probe("cc_absent_for_nulls")
def _(client: Client) -> None:
    made = cc_deal(client, "nothing optional")
    assert "expected_close_date" not in made, sorted(made)


@probe("cc_select_projection")
def _(client: Client) -> None:
    items = client.call("GET", "/deals", select="name", per_page=3).body["data"]
    assert items and all(set(i) - {EXTRA_FIELD} == {"name"} for i in items), items[:1]


@probe("cc_extra_fields")
def _(client: Client) -> None:
    listed = client.call("GET", "/deals", per_page=2).body
    assert all(EXTRA_FIELD in d for d in listed["data"]) and EXTRA_FIELD in listed["meta"], listed["meta"]
    assert EXTRA_FIELD in record(client.call("GET", "/deals/1").body)


@probe("cc_data_wrapper")
def _(client: Client) -> None:
    body = client.call("GET", "/deals/1").body
    assert set(body) == {"data"} and body["data"]["id"] == 1, sorted(body)
    assert isinstance(client.call("GET", "/deals/search", q="a").body, list), "search stays a bare array (CC5)"


@probe("cc_delete_200")
def _(client: Client) -> None:
    made = cc_deal(client, "deleted with 200")
    answer = client.call("DELETE", f"/deals/{made['id']}")
    assert answer.status == 200 and isinstance(answer.body.get("message"), str), answer.status
    assert client.call("GET", f"/deals/{made['id']}").status == 404


# YSUITE ------------------------------------------------------------------------------------------
def ys_deals(client: Client, **query: Any) -> list[dict[str, Any]]:
    answer = client.call("GET", "/deals", pageSize=100, **query)
    assert answer.status == 200, answer.status
    return list(answer.body["data"]["data"])


def ys_create(client: Client) -> Answer:
    cstid = ys_deals(client)[0]["cstid"]   # a company contact a deal already uses (contacts may be absent)
    return client.call("POST", "/deals", json={"deal_name": "zoo probe", "pipeline_id": 1, "cstid": cstid})


@probe("ys_not_found_404")
def _(client: Client) -> None:
    answer = client.call("GET", "/deals/999")
    assert answer.status == 404 and answer.body["success"] is False and answer.body["message"], answer.status


@probe("ys_page_window_clamped")
def _(client: Client) -> None:
    big = client.call("GET", "/deals", pageSize=150)
    assert big.status == 200 and len(big.body["data"]["data"]) <= 100, big.status
    negative = client.call("GET", "/deals", pageIndex=-1, pageSize=2)
    assert negative.status == 200 and negative.body["data"]["current_page"] == 1, negative.status


@probe("ys_sort_by_ignored")
def _(client: Client) -> None:
    default = [d["deal_id"] for d in ys_deals(client)]
    asked = [d["deal_id"] for d in ys_deals(client, sortBy="deal_name", sortOrder="desc")]
    assert asked == default


@probe("ys_create_201")
def _(client: Client) -> None:
    answer = ys_create(client)
    assert answer.status == 201 and answer.body["success"] is True and answer.body["data"]["deal_id"], answer.status


@probe("ys_naive_timestamps")
def _(client: Client) -> None:
    created = deal_created_at(client)
    assert NAIVE.fullmatch(created), created


@probe("ys_nulls_for_absent")
def _(client: Client) -> None:
    data = ys_create(client).body["data"]
    assert "deal_amount" in data and data["deal_amount"] is None, sorted(data)


@probe("ys_extra_fields")
def _(client: Client) -> None:
    body = client.call("GET", "/deals", pageSize=2).body
    assert EXTRA_FIELD in body and EXTRA_FIELD in body["data"], sorted(body)
    assert all(EXTRA_FIELD in d for d in body["data"]["data"])


# the tests ---------------------------------------------------------------------------------------
# A probe that works on an operation the document marks x-source: inferred cannot pass when all variants run
# at once: the API's *_inferred_not_implemented answers 404/405 first. Read from the document, so the probe
# runs again the day the mark changes.
PROBED_OPERATION = {"ro_delete_204": ("deals", "delete"), "oc_delete_200": ("contacts", "delete")}


def shadowed(variant: Variant) -> str | None:
    if variant.name not in PROBED_OPERATION:
        return None
    resource, verb = PROBED_OPERATION[variant.name]
    op = load_api(variant.dialect).find(resource, verb)
    if op is None or op.source != "inferred":
        return None
    return f"{op} is x-source: inferred: the API's *_inferred_not_implemented variant answers it first"


def unmodified(dialect: str) -> Variant:
    return Variant(f"{dialect}_unmodified", dialect, "none: the mock as it is", lambda app: None)


def client_for(variant: Variant, workdir: Path) -> Client:
    app, api, credentials = build(variant, workdir)
    return Client(app, api, credentials.issue())


def test_every_variant_has_a_probe() -> None:
    assert sorted(PROBES) == sorted(BY_NAME)
    assert set(PROBED_OPERATION) <= set(BY_NAME)


@pytest.mark.parametrize("variant", ZOO, ids=lambda v: v.name)
def test_the_unmodified_mock_fails_the_probe(variant: Variant, tmp_path: Path) -> None:
    with pytest.raises(AssertionError):
        PROBES[variant.name](client_for(unmodified(variant.dialect), tmp_path))


@pytest.mark.parametrize("variant", ZOO, ids=lambda v: v.name)
def test_the_variant_alone_passes_its_probe(variant: Variant, tmp_path: Path) -> None:
    PROBES[variant.name](client_for(variant, tmp_path))


@pytest.mark.parametrize("variant", ZOO, ids=lambda v: v.name)
def test_all_variants_at_once_keep_the_probe(variant: Variant, tmp_path: Path) -> None:
    reason = shadowed(variant)
    if reason is not None:
        pytest.skip(reason)
    PROBES[variant.name](client_for(COMBINED[variant.dialect], tmp_path))
