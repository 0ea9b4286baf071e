"""YSUITE behaviour (seed 004, the vendor's contacts and tasks pages via dialects.md 1D, decisions 3.5).

Every expected value is computed here from records the test created or read through the API, or from
the fixtures of the document the mock serves at /openapi.json (users, pipelines, stages).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Mock
from tests.integration.helpers import all_records, assert_error_envelope, field_errors

Make = Callable[..., Mock]
START = "2026-07-15T10:00:00"
UPDATE_BODIES: dict[str, dict[str, Any]] = {
    "/deals": {"deal_name": "Renamed", "pipeline_id": 1, "cstid": 0},  # cstid filled in per test
    "/contacts": {"cstnotes": "Prefers email."},
    "/tasks": {"status": 4},
}
ID_FIELDS = {"/deals": "deal_id", "/contacts": "cstid", "/tasks": "activity_id"}


# helpers -------------------------------------------------------------------------------------------
@pytest.fixture
def ys(make_mock: Make) -> Mock:
    return make_mock("ysuite", records=10)


def fixtures(mock: Mock, resource: str) -> list[dict[str, Any]]:
    """The fixture records the served document declares (resources without endpoints)."""
    document = mock.client.get("/openapi.json").get_json()
    return list(document["x-crm-dialect"]["resources"][resource]["fixtures"])


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert body["success"] is True, body
    return dict(body)


def read(mock: Mock, path: str) -> dict[str, Any]:
    return dict(ok(mock.get(path))["data"])


def new_contact(mock: Mock, contact_type: int, **extra: Any) -> int:
    body = ok(mock.post("/contacts", json={"cstname": f"Contact type {contact_type}", "contact_type": contact_type,
                                           **extra}))
    return int(body["data"]["cstid"])


def new_deal(mock: Mock, cstid: int, **extra: Any) -> int:
    body = ok(mock.post("/deals", json={"deal_name": "Globex — Pilot", "pipeline_id": 1, "cstid": cstid, **extra}))
    return int(body["data"]["deal_id"])


def new_task(mock: Mock, **links: Any) -> int:
    body = ok(mock.post("/tasks", json={"title": "Call back", "start_datetime": START, **links}))
    return int(body["data"]["activity_id"])


def missing_id(mock: Mock, path: str) -> int:
    return max((r[ID_FIELDS[path]] for r in all_records(mock, path)), default=0) + 1000


def gone(mock: Mock, path: str) -> bool:
    return mock.get(path).status_code == 400


def assert_names(mock: Mock, response: Any, *fields: str) -> dict[str, Any]:
    assert_error_envelope(mock, response, 422)
    errors = field_errors(mock, response)
    for field in fields:
        assert field in errors, errors
        assert isinstance(errors[field], list) and errors[field], errors
        assert all(isinstance(m, str) and m for m in errors[field]), errors
    return errors


# deals: envelopes ----------------------------------------------------------------------------------
def test_create_deal_answers_200_with_the_partial_record(ys: Mock) -> None:
    business = new_contact(ys, 2)
    body = {"deal_name": "Acme Corp — Enterprise License", "pipeline_id": 1, "cstid": business,
            "deal_amount": 15000.0, "deal_source": "Referral", "deal_expected_close_date": "2026-09-30"}
    response = ys.post("/deals", json=body)
    created = ok(response, 200)  # YS3: 200, not 201
    assert created["message"] == "Deal created successfully!"
    assert set(created["data"]) == {"deal_id", "deal_name"}  # YS7: partial record
    assert isinstance(created["data"]["deal_id"], int)
    assert created["data"]["deal_name"] == body["deal_name"]
    stored = read(ys, f"/deals/{created['data']['deal_id']}")  # YS8
    assert stored["deal_id"] == created["data"]["deal_id"]
    for key, value in body.items():
        assert stored[key] == value


def test_contact_and_task_creates_use_their_own_fields_and_messages(ys: Mock) -> None:
    contact = ok(ys.post("/contacts", json={"cstname": "Sarah Johnson", "contact_type": 1}))
    assert contact["message"] == "New contact has been created successfully."
    assert set(contact["data"]) == {"cstid", "cstname"} and contact["data"]["cstname"] == "Sarah Johnson"
    task = ok(ys.post("/tasks", json={"title": "Send the proposal", "start_datetime": START,
                                      "cstid": contact["data"]["cstid"]}))
    assert task["message"] == "Task created successfully!"
    assert set(task["data"]) == {"activity_id", "title"} and task["data"]["title"] == "Send the proposal"


@pytest.mark.parametrize("omitted", [("deal_name",), ("pipeline_id",), ("cstid",), ("deal_name", "cstid"),
                                     ("deal_name", "pipeline_id", "cstid")])
def test_update_names_each_missing_required_field(ys: Mock, omitted: tuple[str, ...]) -> None:
    deal_id = new_deal(ys, new_contact(ys, 2))
    before = read(ys, f"/deals/{deal_id}")
    body = {"deal_name": "Renamed", "pipeline_id": 1, "cstid": before["cstid"], "deal_amount": 99.0}
    for field in omitted:
        body.pop(field)
    errors = assert_names(ys, ys.put(f"/deals/{deal_id}", json=body), *omitted)  # YS5
    assert not {"deal_name", "pipeline_id", "cstid"} - set(omitted) & set(errors)
    assert read(ys, f"/deals/{deal_id}") == before  # nothing half-written


@pytest.mark.parametrize("path", ["/deals", "/contacts", "/tasks"])
def test_update_and_delete_answer_a_message_without_data(ys: Mock, path: str) -> None:
    business = new_contact(ys, 2)
    record_id = {"/deals": lambda: new_deal(ys, business), "/contacts": lambda: new_contact(ys, 1),
                 "/tasks": lambda: new_task(ys, cstid=business)}[path]()
    body = {**UPDATE_BODIES[path], **({"cstid": business} if path == "/deals" else {})}
    updated = ok(ys.put(f"{path}/{record_id}", json=body))  # YS6
    assert isinstance(updated["message"], str) and updated["message"]
    assert updated.get("data") is None
    stored = read(ys, f"{path}/{record_id}")
    for key, value in body.items():
        assert stored[key] == value
    deleted = ok(ys.delete(f"{path}/{record_id}"))
    assert isinstance(deleted["message"], str) and deleted["message"]
    assert deleted.get("data") is None
    assert gone(ys, f"{path}/{record_id}")


@pytest.mark.parametrize("path", ["/deals", "/contacts", "/tasks"])
@pytest.mark.parametrize("action", ["read", "update", "delete"])
def test_not_found_is_a_400_business_error(ys: Mock, path: str, action: str) -> None:
    unknown = missing_id(ys, path)
    body = {**UPDATE_BODIES[path], **({"cstid": new_contact(ys, 2)} if path == "/deals" else {})}
    count = len(all_records(ys, path))
    response = {"read": lambda: ys.get(f"{path}/{unknown}"),
                "update": lambda: ys.put(f"{path}/{unknown}", json=body),
                "delete": lambda: ys.delete(f"{path}/{unknown}")}[action]()
    error = assert_error_envelope(ys, response, 400)  # YS2: success false + message
    assert "data" not in error
    assert len(all_records(ys, path)) == count


# pagination (YS4) ------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/deals", "/contacts", "/tasks"])
@pytest.mark.parametrize("size", [1, 3, 4, 100])
def test_pages_are_zero_based_and_cover_every_record(ys: Mock, path: str, size: int) -> None:
    seen: list[int] = []
    index = 0
    while True:
        response = ys.get(path, query_string={"pageIndex": index, "pageSize": size})
        page = ok(response)["data"]
        total = page["total_records"]
        assert page["current_page"] == index + 1
        assert page["total_pages"] == math.ceil(total / size)
        assert len(page["data"]) <= size
        if index < page["total_pages"]:
            assert len(page["data"]) == min(size, total - index * size)
        else:
            assert page["data"] == []  # past the end: 200, empty
            break
        seen.extend(r[ID_FIELDS[path]] for r in page["data"])
        index += 1
    assert len(seen) == len(set(seen)) == total


def test_page_defaults_and_limits(ys: Mock) -> None:
    page = ok(ys.get("/deals"))["data"]
    assert page["current_page"] == 1
    assert len(page["data"]) == min(10, page["total_records"])  # default pageSize 10
    assert page["total_pages"] == math.ceil(page["total_records"] / 10)
    assert_names(ys, ys.get("/deals", query_string={"pageSize": 101}), "pageSize")
    assert_names(ys, ys.get("/deals", query_string={"pageIndex": -1}), "pageIndex")


# deals: business rules (YS11 and the references) -----------------------------------------------------
def test_cstid_must_be_a_business_contact(ys: Mock) -> None:
    individual, business = new_contact(ys, 1), new_contact(ys, 2)
    count = len(all_records(ys, "/deals"))
    errors = assert_names(ys, ys.post("/deals", json={"deal_name": "X", "pipeline_id": 1, "cstid": individual}),
                          "cstid")
    assert set(errors) == {"cstid"}
    assert len(all_records(ys, "/deals")) == count
    deal_id = new_deal(ys, business, deal_contact_id=individual)  # an Individual belongs in deal_contact_id
    before = read(ys, f"/deals/{deal_id}")
    assert before["cstid"] == business and before["deal_contact_id"] == individual
    response = ys.put(f"/deals/{deal_id}", json={"deal_name": "X", "pipeline_id": 1, "cstid": individual})
    assert_names(ys, response, "cstid")
    assert read(ys, f"/deals/{deal_id}") == before


@pytest.mark.parametrize(("field", "target"), [("cstid", "/contacts"), ("deal_contact_id", "/contacts"),
                                               ("deal_owner_id", "users"), ("deal_assignedto", "users"),
                                               ("pipeline_id", "pipelines")])
def test_deal_references_must_exist(ys: Mock, field: str, target: str) -> None:
    business = new_contact(ys, 2)
    if target.startswith("/"):
        unknown = missing_id(ys, target)
    else:  # no endpoint: the document's fixtures are every record there is
        id_field = {"users": "user_id", "pipelines": "pipeline_id"}[target]
        unknown = max(r[id_field] for r in fixtures(ys, target)) + 1000
    deal_id = new_deal(ys, business)
    before = read(ys, f"/deals/{deal_id}")
    count = len(all_records(ys, "/deals"))
    body = {"deal_name": "X", "pipeline_id": 1, "cstid": business, field: unknown}
    assert_names(ys, ys.post("/deals", json=body), field)
    assert_names(ys, ys.put(f"/deals/{deal_id}", json=body), field)
    assert len(all_records(ys, "/deals")) == count
    assert read(ys, f"/deals/{deal_id}") == before


def test_owner_is_the_display_name_of_deal_owner_id(ys: Mock) -> None:
    names = {u["user_id"]: u["name"] for u in fixtures(ys, "users")}
    first, second = sorted(names)[:2]
    deal_id = new_deal(ys, new_contact(ys, 2), deal_owner_id=first, deal_assignedto=second)
    deal = read(ys, f"/deals/{deal_id}")
    assert (deal["owner"], deal["deal_owner_id"], deal["deal_assignedto"]) == (names[first], first, second)
    ok(ys.put(f"/deals/{deal_id}", json={"deal_name": deal["deal_name"], "pipeline_id": 1, "cstid": deal["cstid"],
                                         "deal_owner_id": second}))
    assert read(ys, f"/deals/{deal_id}")["owner"] == names[second]
    listed = {d["deal_id"]: d for d in all_records(ys, "/deals")}
    assert listed[deal_id]["owner"] == names[second]  # YS10: the list item carries the name too


def test_stage_belongs_to_the_deals_pipeline(ys: Mock) -> None:
    stages = fixtures(ys, "stages")
    pipelines = sorted({p["pipeline_id"] for p in fixtures(ys, "pipelines")})
    staged = sorted({s["pipeline_id"] for s in stages})
    with_stages, without = staged[0], next((p for p in pipelines if p not in staged), None)
    own = sorted(s["stage_id"] for s in stages if s["pipeline_id"] == with_stages)
    business = new_contact(ys, 2)

    deal_id = new_deal(ys, business, pipeline_id=with_stages)  # YS9: no stage on create -> first stage
    assert read(ys, f"/deals/{deal_id}")["deal_current_stage"] == own[0]
    base = {"deal_name": "Staged", "pipeline_id": with_stages, "cstid": business}
    ok(ys.put(f"/deals/{deal_id}", json={**base, "deal_current_stage": own[-1]}))
    assert read(ys, f"/deals/{deal_id}")["deal_current_stage"] == own[-1]
    by_stage = all_records(ys, "/deals", deal_current_stage=own[-1])  # YS9 filter
    assert deal_id in {d["deal_id"] for d in by_stage}
    assert all(d["deal_current_stage"] == own[-1] for d in by_stage)

    if without is not None:
        before = read(ys, f"/deals/{deal_id}")
        response = ys.put(f"/deals/{deal_id}", json={**base, "pipeline_id": without, "deal_current_stage": own[0]})
        assert_names(ys, response, "deal_current_stage")
        assert read(ys, f"/deals/{deal_id}") == before
        ok(ys.put(f"/deals/{deal_id}", json={**base, "pipeline_id": without}))  # stored stage no longer fits
        moved = read(ys, f"/deals/{deal_id}")
        assert moved["pipeline_id"] == without and moved["deal_current_stage"] is None
        assert new_deal(ys, business, pipeline_id=without)
        assert all_records(ys, "/deals", deal_current_stage=own[0]) == [
            d for d in all_records(ys, "/deals") if d["deal_current_stage"] == own[0]]


@pytest.mark.parametrize(("seed", "records"), [(1, 10), (7, 25), (42, 1), (99, 3)])
def test_seeded_deals_keep_the_rules(make_mock: Make, seed: int, records: int) -> None:
    mock = make_mock("ysuite", seed=seed, records=records)
    contacts = {c["cstid"]: c for c in all_records(mock, "/contacts")}
    names = {u["user_id"]: u["name"] for u in fixtures(mock, "users")}
    stage_pipeline = {s["stage_id"]: s["pipeline_id"] for s in fixtures(mock, "stages")}
    deals = all_records(mock, "/deals")
    assert len(deals) == records
    for deal in deals:
        assert contacts[deal["cstid"]]["contact_type"] == 2, deal  # YS11
        assert deal.get("deal_contact_id") is None or deal["deal_contact_id"] in contacts, deal
        for field in ("deal_owner_id", "deal_assignedto"):
            assert deal.get(field) is None or deal[field] in names, deal
        assert deal.get("owner") == (names[deal["deal_owner_id"]] if deal.get("deal_owner_id") else None), deal
        if deal.get("deal_current_stage") is not None:
            assert stage_pipeline[deal["deal_current_stage"]] == deal["pipeline_id"], deal
    deal_ids = {d["deal_id"] for d in deals}
    for task in all_records(mock, "/tasks"):
        assert task["activity_type"] == "Task"
        assert task.get("deal_id") is not None or task.get("cstid") is not None, task
        assert task.get("deal_id") is None or task["deal_id"] in deal_ids, task
        assert task.get("cstid") is None or task["cstid"] in contacts, task


def test_seeded_data_is_deterministic_per_seed(make_mock: Make) -> None:
    first, again = make_mock("ysuite", seed=5, records=10), make_mock("ysuite", seed=5, records=10)
    for path in ("/deals", "/contacts", "/tasks"):
        assert all_records(first, path) == all_records(again, path)


# contacts ----------------------------------------------------------------------------------------------
def test_contact_create_requires_name_and_type(ys: Mock) -> None:
    count = len(all_records(ys, "/contacts"))
    assert_names(ys, ys.post("/contacts", json={}), "cstname", "contact_type")
    assert_names(ys, ys.post("/contacts", json={"cstname": "x" * 101, "contact_type": 1}), "cstname")
    assert_names(ys, ys.post("/contacts", json={"cstname": "A", "contact_type": 3}), "contact_type")
    assert_names(ys, ys.post("/contacts", json={"cstname": "", "contact_type": 2}), "cstname")
    assert len(all_records(ys, "/contacts")) == count
    cstid = new_contact(ys, 2, cstname="x" * 100)
    assert read(ys, f"/contacts/{cstid}")["cstname"] == "x" * 100


def test_contact_notify_flags_default_true(ys: Mock) -> None:
    flags = ("cstemailnotify", "cstsmsnotify", "cst_whatsapp_notify")
    plain = read(ys, f"/contacts/{new_contact(ys, 1)}")
    assert all(plain[f] is True for f in flags)
    quiet = read(ys, f"/contacts/{new_contact(ys, 1, cstsmsnotify=False)}")
    assert {f: quiet[f] for f in flags} == {"cstemailnotify": True, "cstsmsnotify": False,
                                           "cst_whatsapp_notify": True}


def test_contact_parent_must_exist_and_not_be_itself(ys: Mock) -> None:
    company = new_contact(ys, 2)
    unknown = missing_id(ys, "/contacts")
    assert_names(ys, ys.post("/contacts", json={"cstname": "P", "contact_type": 1, "contact_parent": unknown}),
                 "contact_parent")
    person = new_contact(ys, 1, contact_parent=company)
    assert read(ys, f"/contacts/{person}")["contact_parent"] == company
    before = read(ys, f"/contacts/{person}")
    assert_names(ys, ys.put(f"/contacts/{person}", json={"contact_parent": person}), "contact_parent")
    assert_names(ys, ys.put(f"/contacts/{person}", json={"contact_parent": unknown}), "contact_parent")
    assert read(ys, f"/contacts/{person}") == before


def test_a_deals_company_stays_a_business_contact(ys: Mock) -> None:
    company, spare = new_contact(ys, 2), new_contact(ys, 2)
    deal_id = new_deal(ys, company)
    before = read(ys, f"/contacts/{company}")
    errors = assert_names(ys, ys.put(f"/contacts/{company}", json={"contact_type": 1}), "contact_type")
    assert str(deal_id) in " ".join(errors["contact_type"])
    assert read(ys, f"/contacts/{company}") == before
    ok(ys.put(f"/contacts/{spare}", json={"contact_type": 1}))  # no deal uses it
    assert read(ys, f"/contacts/{spare}")["contact_type"] == 1


@pytest.mark.parametrize("link", ["cstid", "deal_contact_id"])
def test_deleting_a_contact_that_deals_reference_is_refused(ys: Mock, link: str) -> None:
    company, person = new_contact(ys, 2), new_contact(ys, 1)
    contact = company if link == "cstid" else person
    deals = [new_deal(ys, company, deal_contact_id=person) for _ in range(2)]
    task = new_task(ys, cstid=contact)
    before = read(ys, f"/contacts/{contact}")
    error = assert_error_envelope(ys, ys.delete(f"/contacts/{contact}"), 400)  # a business error
    assert all(str(d) in error["message"] for d in deals), error
    assert read(ys, f"/contacts/{contact}") == before
    assert read(ys, f"/tasks/{task}")["cstid"] == contact
    for deal_id in deals:
        ok(ys.delete(f"/deals/{deal_id}"))
    ok(ys.delete(f"/contacts/{contact}"))
    assert gone(ys, f"/contacts/{contact}")


def test_deleting_a_contact_releases_what_may_outlive_it(ys: Mock) -> None:
    company = new_contact(ys, 2)
    person = new_contact(ys, 1, contact_parent=company)
    other_company = new_contact(ys, 2)
    deal_id = new_deal(ys, other_company)
    only_contact = new_task(ys, cstid=person)
    both = new_task(ys, cstid=person, deal_id=deal_id)
    ok(ys.delete(f"/contacts/{person}"))
    assert gone(ys, f"/tasks/{only_contact}")  # a task needs a deal or a contact: it goes with its contact
    kept = read(ys, f"/tasks/{both}")
    assert kept["deal_id"] == deal_id and kept.get("cstid") is None
    ok(ys.delete(f"/contacts/{company}"))
    assert read(ys, f"/deals/{deal_id}")["cstid"] == other_company


def test_deleting_a_company_releases_its_people(ys: Mock) -> None:
    company = new_contact(ys, 2)
    person = new_contact(ys, 1, contact_parent=company)
    ok(ys.delete(f"/contacts/{company}"))
    assert read(ys, f"/contacts/{person}").get("contact_parent") is None


# tasks -------------------------------------------------------------------------------------------------
def test_task_needs_a_deal_or_a_contact_and_names_both(ys: Mock) -> None:
    count = len(all_records(ys, "/tasks"))
    errors = assert_names(ys, ys.post("/tasks", json={"title": "Orphan", "start_datetime": START}),
                          "deal_id", "cstid")
    assert set(errors) == {"deal_id", "cstid"}
    assert len(all_records(ys, "/tasks")) == count
    business = new_contact(ys, 2)
    deal_id = new_deal(ys, business)
    for links in ({"deal_id": deal_id}, {"cstid": business}, {"deal_id": deal_id, "cstid": business}):
        task = read(ys, f"/tasks/{new_task(ys, **links)}")
        assert task["activity_type"] == "Task"
        assert {k: task.get(k) for k in ("deal_id", "cstid")} == {"deal_id": None, "cstid": None, **links}


@pytest.mark.parametrize(("body", "fields"), [
    ({"start_datetime": START}, ("title",)),
    ({"title": "t" * 151, "start_datetime": START}, ("title",)),
    ({"title": "T"}, ("start_datetime",)),
    ({"title": "T", "start_datetime": "next week"}, ("start_datetime",)),
    ({"title": "T", "start_datetime": START, "status": 5}, ("status",)),
    ({"title": "T", "start_datetime": START, "priority": -1}, ("priority",)),
    ({"title": "T", "start_datetime": START, "status": "open"}, ("status",)),
])
def test_task_fields_are_validated(ys: Mock, body: dict[str, Any], fields: tuple[str, ...]) -> None:
    cstid = new_contact(ys, 2)
    count = len(all_records(ys, "/tasks"))
    assert_names(ys, ys.post("/tasks", json={**body, "cstid": cstid}), *fields)
    assert len(all_records(ys, "/tasks")) == count


def test_task_limits_and_enums_accept_their_bounds(ys: Mock) -> None:
    cstid = new_contact(ys, 2)
    for value in range(5):
        task = read(ys, f"/tasks/{new_task(ys, cstid=cstid, status=value, priority=4 - value)}")
        assert (task["status"], task["priority"]) == (value, 4 - value)
    assert read(ys, f"/tasks/{new_task(ys, cstid=cstid, title='t' * 150)}")["title"] == "t" * 150


@pytest.mark.parametrize(("field", "path"), [("deal_id", "/deals"), ("cstid", "/contacts")])
def test_task_links_must_exist(ys: Mock, field: str, path: str) -> None:
    body = {"title": "T", "start_datetime": START, field: missing_id(ys, path)}
    assert_names(ys, ys.post("/tasks", json=body), field)
    task_id = new_task(ys, cstid=new_contact(ys, 2))
    assert_names(ys, ys.put(f"/tasks/{task_id}", json={field: body[field]}), field)


@pytest.mark.parametrize("param", ["deal_id", "cstid", "status", "priority"])
def test_task_filters(ys: Mock, param: str) -> None:
    business = new_contact(ys, 2)
    deal_id = new_deal(ys, business)
    new_task(ys, deal_id=deal_id, cstid=business, status=3, priority=1)
    everything = all_records(ys, "/tasks")
    values = {t[param] for t in everything if t.get(param) is not None}
    for value in sorted(values):
        expected = [t["activity_id"] for t in everything if t.get(param) == value]
        assert [t["activity_id"] for t in all_records(ys, "/tasks", **{param: value})] == expected
    target = {"deal_id": "/deals", "cstid": "/contacts"}.get(param)
    if target is not None:  # a deal or contact that does not exist has no tasks
        assert all_records(ys, "/tasks", **{param: missing_id(ys, target)}) == []


def test_deleting_a_deal_keeps_tasks_that_have_a_contact(ys: Mock) -> None:
    business = new_contact(ys, 2)
    deal_id = new_deal(ys, business)
    only_deal = new_task(ys, deal_id=deal_id)
    both = new_task(ys, deal_id=deal_id, cstid=business)
    ok(ys.delete(f"/deals/{deal_id}"))
    assert gone(ys, f"/tasks/{only_deal}")
    kept = read(ys, f"/tasks/{both}")
    assert kept.get("deal_id") is None and kept["cstid"] == business
    assert all_records(ys, "/tasks", deal_id=deal_id) == []
