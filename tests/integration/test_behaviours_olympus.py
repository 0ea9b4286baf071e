"""Olympus Cloud CRM behaviour beyond CRUD (seed 002, dialects.md 1B and 3.3), through HTTP only.

Expected values are computed here from records the tests create or read through the API.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import jsonschema
import pytest

from tests.conftest import Mock
from tests.integration.helpers import all_records, assert_error_envelope, field_errors
from tests.integration.subscriber import Sink, SinkHandler

Made = Callable[..., Mock]
CATEGORY_MAX = {"demographic": 30, "behavioral": 40, "fit": 30}  # 002 "Get Lead Score" example


def olympus(make_mock: Made, **config: Any) -> Mock:
    return make_mock("olympus", records=10, **config)


def created(mock: Mock, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = mock.post(path, json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return dict(response.get_json())


def contact(mock: Mock, name: str, **fields: Any) -> dict[str, Any]:
    email = name.lower().replace(" ", ".") + "@olympus-test.example.org"
    return created(mock, "/contacts", {"name": name, "email": email, **fields})


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def grade_for(total: int) -> str:
    return "A" if total >= 80 else "B" if total >= 60 else "C" if total >= 40 else "D"


def put_rules(mock: Mock, rules: list[dict[str, Any]]) -> None:
    response = mock.put("/scoring/rules", json={"rules": rules})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["rules"] == rules


def score_of(mock: Mock, contact_id: str) -> dict[str, Any]:
    response = mock.get(f"/contacts/{contact_id}/score")
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(response.get_json())


def deals(mock: Mock, **params: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    response = mock.get("/deals", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    return body["data"], body["pipeline_summary"]


# contacts -----------------------------------------------------------------------------------------------
def test_create_maps_owner_id_and_refuses_a_duplicate_email(make_mock: Made) -> None:
    mock = olympus(make_mock)
    made = contact(mock, "Jane Doe", owner_id="user_002", type="lead")
    assert made["owner"] == {"id": "user_002", "name": "Sales Manager Dana"}  # the users fixture's name
    assert "owner_id" not in made
    listed = {c["id"]: c for c in all_records(mock, "/contacts")}
    assert listed[made["id"]]["owner"]["id"] == "user_002"

    again = mock.post("/contacts", json={"name": "Other Jane", "email": made["email"].upper()})
    body = assert_error_envelope(mock, again, 400)  # 002 Error Responses: 400 duplicate_contact
    assert body["code"] == "duplicate_contact"
    assert "email" in field_errors(mock, again)

    other = contact(mock, "John Roe")
    clash = mock.put(f"/contacts/{other['id']}", json={"name": "John Roe", "email": made["email"]})
    assert assert_error_envelope(mock, clash, 400)["code"] == "duplicate_contact"
    same = mock.put(f"/contacts/{made['id']}", json={"name": "Jane D.", "email": made["email"]})
    assert same.status_code == 200  # its own email is no duplicate

    unknown_owner = mock.post("/contacts", json={"name": "Nobody", "email": "nobody@olympus-test.example.org",
                                                 "owner_id": "user_999"})
    assert_error_envelope(mock, unknown_owner, 400)
    assert "owner_id" in field_errors(mock, unknown_owner)


def test_merge_honours_preferences_and_moves_the_merged_records(make_mock: Made) -> None:
    mock = olympus(make_mock)
    primary = contact(mock, "Pia Primary", phone="+1 555 0100", title="Analyst", tags=["a"])
    first = contact(mock, "Mo Merged", phone="+1 555 0101", title="CTO", tags=["b"])
    second = contact(mock, "Max Merged", phone="+1 555 0102", title="VP Sales", tags=["a", "c"])
    # a seeded contact with notes joins the merge, so its notes must move too
    with_notes = next(c for c in all_records(mock, "/contacts")
                      if isinstance(mock.get(f"/contacts/{c['id']}").get_json().get("notes"), list))
    note_ids = {n["id"] for n in mock.get(f"/contacts/{with_notes['id']}").get_json()["notes"]}
    merged_ids = [first["id"], second["id"], with_notes["id"]]

    deal = created(mock, "/deals", {"name": "Moved Deal", "contact_id": first["id"], "value": 1000})
    activity = created(mock, "/activities", {"type": "call", "contact_id": second["id"]})
    task = created(mock, "/tasks", {"title": "Moved task", "contact_id": first["id"]})
    owned_before = {
        "deals": {d["id"] for d in deals(mock)[0] if d.get("contact_id") in merged_ids},
        "activities": {a["id"] for a in all_records(mock, "/activities") if a.get("contact_id") in merged_ids},
        "tasks": {t["id"] for t in all_records(mock, "/tasks") if t.get("contact_id") in merged_ids},
    }
    assert deal["id"] in owned_before["deals"] and activity["id"] in owned_before["activities"]
    assert task["id"] in owned_before["tasks"]

    response = mock.post("/contacts/merge", json={
        "primary_contact_id": primary["id"], "merge_contact_ids": merged_ids,
        "field_preferences": {"phone": first["id"], "title": second["id"], "email": primary["id"]}})
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()
    assert result["id"] == primary["id"]
    assert result["phone"] == first["phone"] and result["title"] == second["title"]
    assert result["email"] == primary["email"]
    assert set(result["tags"]) >= {"a", "b", "c"}

    for gone in merged_ids:  # OC13: every merged id answers 404 afterwards
        body = assert_error_envelope(mock, mock.get(f"/contacts/{gone}"), 404)
        assert body["code"] == "contact_not_found"
    assert mock.get(f"/contacts/{primary['id']}").status_code == 200
    remaining = {c["id"] for c in all_records(mock, "/contacts")}
    assert primary["id"] in remaining and not remaining & set(merged_ids)

    assert {d["id"] for d in deals(mock)[0] if d.get("contact_id") == primary["id"]} >= owned_before["deals"]
    moved_activities = {a["id"] for a in all_records(mock, "/activities", contact_id=primary["id"])}
    assert moved_activities >= owned_before["activities"]
    assert all_records(mock, "/activities", contact_id=first["id"]) == []
    assert {t["id"] for t in all_records(mock, "/tasks") if t.get("contact_id") == primary["id"]} \
        >= owned_before["tasks"]
    detail = mock.get(f"/contacts/{primary['id']}").get_json()
    assert {n["id"] for n in detail["notes"]} >= note_ids
    assert {d["id"] for d in detail["deals"]} >= owned_before["deals"]


def test_merge_refusals_change_nothing(make_mock: Made) -> None:
    mock = olympus(make_mock)
    primary = contact(mock, "Pia Primary")
    other = contact(mock, "Olli Other")

    itself = mock.post("/contacts/merge", json={"primary_contact_id": primary["id"],
                                                "merge_contact_ids": [primary["id"]]})
    assert assert_error_envelope(mock, itself, 409)["code"] == "merge_conflict"  # 002: 409 merge_conflict

    for body in ({"primary_contact_id": primary["id"], "merge_contact_ids": [other["id"], "contact_999999"]},
                 {"primary_contact_id": "contact_999999", "merge_contact_ids": [other["id"]]}):
        unknown = mock.post("/contacts/merge", json=body)
        assert assert_error_envelope(mock, unknown, 404)["code"] == "contact_not_found"

    outsider = mock.post("/contacts/merge", json={
        "primary_contact_id": primary["id"], "merge_contact_ids": [other["id"]],
        "field_preferences": {"phone": "contact_001"}})
    assert_error_envelope(mock, outsider, 400)
    assert any(key.startswith("field_preferences") for key in field_errors(mock, outsider))
    not_a_field = mock.post("/contacts/merge", json={
        "primary_contact_id": primary["id"], "merge_contact_ids": [other["id"]],
        "field_preferences": {"favourite_colour": other["id"]}})
    assert any(key.startswith("field_preferences") for key in field_errors(mock, not_a_field))

    for kept in (primary, other):
        assert mock.get(f"/contacts/{kept['id']}").status_code == 200


# lead scoring --------------------------------------------------------------------------------------------------
def assert_score_invariants(mock: Mock, listed: dict[str, Any]) -> None:
    score = score_of(mock, listed["id"])
    parts = score["breakdown"]
    assert set(parts) == set(CATEGORY_MAX)
    for category, part in parts.items():
        assert part["max"] == CATEGORY_MAX[category]
        assert 0 <= part["score"] <= part["max"]  # OC9 strict
        assert sum(f["score"] for f in part["factors"]) == part["score"]
        assert all({"factor", "score", "reason"} <= set(f) for f in part["factors"])
    assert score["total_score"] == sum(p["score"] for p in parts.values())  # OC9 strict
    assert score["grade"] == grade_for(score["total_score"])
    assert score["recommendation"]
    # the contact's own score agrees, and so does its detail breakdown (OC9 lenient, kept exact here)
    assert listed["score"] == score["total_score"]
    assert sum(listed["score_breakdown"].values()) == score["total_score"]


def test_score_is_the_sum_of_its_breakdown_for_every_contact(make_mock: Made) -> None:
    mock = olympus(make_mock)
    contact(mock, "Vera Vp", title="VP of Operations",
            custom_fields={"company_size": "500+", "industry": "technology"})
    for listed in all_records(mock, "/contacts"):
        assert_score_invariants(mock, listed)
    assert_error_envelope(mock, mock.get("/contacts/contact_999999/score"), 404)


def test_scoring_rules_change_later_scores(make_mock: Made) -> None:
    mock = olympus(make_mock)
    gold = contact(mock, "Gold Lead", custom_fields={"tier": "gold"})
    silver = contact(mock, "Silver Lead", custom_fields={"tier": "silver"})
    created(mock, "/activities", {"type": "demo", "contact_id": gold["id"]})
    created(mock, "/activities", {"type": "demo", "contact_id": silver["id"]})
    created(mock, "/deals", {"name": "Gold Deal", "contact_id": gold["id"], "value": 5000})
    tier = {"category": "demographic", "field": "custom_fields.tier",
            "conditions": [{"operator": "eq", "value": "gold", "score": 30},
                           {"operator": "eq", "value": "silver", "score": 15}]}
    deal = {"category": "fit", "event": "deal_created", "score": 30}

    put_rules(mock, [tier, {"category": "behavioral", "event": "demo_request", "score": 15}, deal])
    assert score_of(mock, gold["id"])["total_score"] == 30 + 15 + 30
    assert score_of(mock, silver["id"])["total_score"] == 15 + 15

    put_rules(mock, [tier, {"category": "behavioral", "event": "demo_request", "score": 25}, deal])  # raised
    scored = score_of(mock, gold["id"])
    assert scored["total_score"] == 30 + 25 + 30 and scored["grade"] == "A"
    assert score_of(mock, silver["id"])["grade"] == grade_for(15 + 25)

    put_rules(mock, [tier, {"category": "behavioral", "event": "demo_request", "score": 55}, deal])
    behavioral = score_of(mock, silver["id"])["breakdown"]["behavioral"]
    assert behavioral["score"] == 40 and [f["score"] for f in behavioral["factors"]] == [40]  # capped at max

    # the activities a contact has logged drive the activity_count field
    put_rules(mock, [{"category": "behavioral", "field": "activity_count",
                      "conditions": [{"operator": "gte", "value": 2, "score": 20},
                                     {"operator": "gte", "value": 1, "score": 10}]}])
    assert score_of(mock, silver["id"])["total_score"] == 10
    created(mock, "/activities", {"type": "call", "contact_id": silver["id"]})
    assert score_of(mock, silver["id"])["total_score"] == 20
    listed = {c["id"]: c for c in all_records(mock, "/contacts")}
    assert listed[silver["id"]]["score"] == 20  # the list shows the same score
    for one in listed.values():
        assert_score_invariants(mock, one)

    bad = mock.put("/scoring/rules", json={"rules": [{"category": "fit", "field": "title",
                                                      "conditions": [{"operator": "between", "value": 1,
                                                                      "score": 3}]}]})
    assert_error_envelope(mock, bad, 400)
    assert score_of(mock, silver["id"])["total_score"] == 20  # a refused PUT keeps the rules


def test_default_rules_read_the_contact_data(make_mock: Made) -> None:
    mock = olympus(make_mock)
    plain = contact(mock, "Plain Person")
    rich = contact(mock, "Rich Person", title="Chief Revenue Officer",
                   custom_fields={"company_size": 1200, "industry": "technology"})
    plain_demo = score_of(mock, plain["id"])["breakdown"]["demographic"]["score"]
    assert score_of(mock, rich["id"])["breakdown"]["demographic"]["score"] > plain_demo
    fit_before = score_of(mock, rich["id"])["breakdown"]["fit"]["score"]
    close = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    created(mock, "/deals", {"name": "Big", "contact_id": rich["id"], "value": 250000, "expected_close": close})
    assert score_of(mock, rich["id"])["breakdown"]["fit"]["score"] > fit_before
    behavioral_before = score_of(mock, rich["id"])["breakdown"]["behavioral"]["score"]
    created(mock, "/activities", {"type": "demo", "contact_id": rich["id"]})
    assert score_of(mock, rich["id"])["breakdown"]["behavioral"]["score"] > behavioral_before


# enrichment ---------------------------------------------------------------------------------------------------
def without_time(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "enriched_at"}


def test_enrichment_is_deterministic_and_recorded(make_mock: Made) -> None:
    mock = olympus(make_mock)
    target = all_records(mock, "/contacts")[0]["id"]
    first = mock.post(f"/contacts/{target}/enrich").get_json()
    second = mock.post(f"/contacts/{target}/enrich").get_json()
    assert without_time(first) == without_time(second)
    twin = olympus(make_mock)  # same --seed, same contact, same enrichment
    assert without_time(twin.post(f"/contacts/{target}/enrich").get_json()) == without_time(first)
    assert first["enrichment_status"] == "completed" and 0 <= first["confidence"] <= 1
    assert set(first["data_added"]) == {"company", "social", "contact"} and first["sources"]
    company = first["data_added"]["company"]
    assert {"employees", "revenue", "industry", "founded", "website"} <= set(company)

    stored = mock.get(f"/contacts/{target}").get_json()["enrichment"]
    assert stored["data"]["company"] == company and stored["confidence"] == first["confidence"]

    others = [c["id"] for c in all_records(mock, "/contacts")[1:3]]
    bulk = mock.post("/contacts/enrich/bulk", json={"contact_ids": [*others, "contact_999999"],
                                                    "fields": ["company"]})
    assert bulk.status_code == 200, bulk.get_data(as_text=True)
    body = bulk.get_json()
    by_id = {r["contact_id"]: r for r in body["results"]}
    assert set(by_id) == {*others, "contact_999999"}
    assert by_id["contact_999999"]["enrichment_status"] == "not_found"
    assert body["completed"] == len(others)
    for one in others:
        assert set(by_id[one]["data_added"]) == {"company"}
        alone = mock.post(f"/contacts/{one}/enrich").get_json()
        assert alone["data_added"]["company"] == by_id[one]["data_added"]["company"]
    bad = mock.post("/contacts/enrich/bulk", json={"contact_ids": others, "fields": ["horoscope"]})
    assert_error_envelope(mock, bad, 400)
    assert assert_error_envelope(mock, mock.post("/contacts/contact_999999/enrich"), 404)["code"] == \
        "contact_not_found"


# deals and pipeline ------------------------------------------------------------------------------------------------
def summary_of(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "total_value": sum(d.get("value") or 0 for d in items),
        "weighted_value": sum((d.get("value") or 0) * (d.get("probability") or 0) / 100 for d in items),
        "deal_count": len(items),
    }


def assert_summary(items: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    expected = summary_of(items)
    assert summary["deal_count"] == expected["deal_count"]
    assert summary["total_value"] == pytest.approx(expected["total_value"], abs=0.01)
    assert summary["weighted_value"] == pytest.approx(expected["weighted_value"], abs=0.01)


def test_pipeline_summary_is_computed_from_the_listed_deals(make_mock: Made) -> None:
    mock = olympus(make_mock)
    created(mock, "/deals", {"name": "Summed", "value": 1234.5, "probability": 40, "stage": "proposal",
                             "owner_id": "user_001", "expected_close": "2030-01-31"})
    everything, summary = deals(mock)
    assert_summary(everything, summary)
    stage = everything[0]["stage"]
    for params in ({"stage": stage}, {"min_value": 50000}, {"owner_id": "user_001"}, {"close_date": "2027-06-30"}):
        items, filtered = deals(mock, **params)
        assert_summary(items, filtered)
    assert deals(mock, stage=stage)[1]["deal_count"] == sum(1 for d in everything if d["stage"] == stage)


def test_pipeline_analytics_agree_with_the_deals_list(make_mock: Made) -> None:
    mock = olympus(make_mock)
    today = dt.date.today()
    created(mock, "/deals", {"name": "This Month", "value": 10000, "probability": 50, "stage": "negotiation",
                             "expected_close": today.isoformat()})
    won = created(mock, "/deals", {"name": "Won", "value": 2000, "stage": "proposal"})
    assert mock.patch(f"/deals/{won['id']}/stage", json={"stage": "closed_won"}).status_code == 200
    items, _ = deals(mock)
    analytics = mock.get("/pipeline/analytics").get_json()

    expected = summary_of(items)
    pipeline = analytics["pipeline"]
    assert pipeline["deal_count"] == expected["deal_count"]
    assert pipeline["total_value"] == pytest.approx(expected["total_value"], abs=0.01)
    assert pipeline["weighted_value"] == pytest.approx(expected["weighted_value"], abs=0.01)
    assert pipeline["avg_deal_size"] == pytest.approx(expected["total_value"] / expected["deal_count"], abs=0.01)
    assert sum(s["count"] for s in analytics["by_stage"]) == len(items)
    assert sum(s["value"] for s in analytics["by_stage"]) == pytest.approx(expected["total_value"], abs=0.05)
    for row in analytics["by_stage"]:
        in_stage = [d for d in items if d["stage"] == row["stage"]]
        assert row["count"] == len(in_stage)
        assert row["value"] == pytest.approx(sum(d.get("value") or 0 for d in in_stage), abs=0.01)

    def days(deal: dict[str, Any]) -> float:
        start = dt.datetime.fromisoformat(deal["created_at"].replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(deal["updated_at"].replace("Z", "+00:00"))
        return max(0.0, (end - start).total_seconds() / 86400)

    closed = [days(d) for d in items if d["stage"] == "closed_won"]
    assert analytics["velocity"]["avg_days_to_close"] == pytest.approx(sum(closed) / len(closed), abs=0.06)
    assert all(v >= 0 for v in analytics["velocity"]["avg_days_in_stage"].values())

    open_deals = [d for d in items if d["stage"] not in ("closed_won", "closed_lost") and d.get("expected_close")]
    this_month = sum((d.get("value") or 0) * (d.get("probability") or 0) / 100 for d in open_deals
                     if d["expected_close"][:7] == today.isoformat()[:7])
    assert analytics["forecast"]["this_month"] == pytest.approx(this_month, abs=0.01)
    assert analytics["forecast"]["this_month"] >= 5000  # the deal closing today, weighted 50 %
    assert analytics["forecast"]["this_quarter"] >= analytics["forecast"]["this_month"]


def test_stage_change_validates_the_stage(make_mock: Made) -> None:
    mock = olympus(make_mock)
    deal = created(mock, "/deals", {"name": "Staged", "value": 100, "stage": "lead"})
    for bad in ("won-ish", "Closed Won", ""):
        response = mock.patch(f"/deals/{deal['id']}/stage", json={"stage": bad})
        body = assert_error_envelope(mock, response, 400)  # OC10 strict: 400 invalid_stage
        assert body["code"] == "invalid_stage"
        assert "stage" in field_errors(mock, response)
    created_bad = mock.post("/deals", json={"name": "Bad", "stage": "won-ish"})
    assert assert_error_envelope(mock, created_bad, 400)["code"] == "invalid_stage"

    moved = mock.patch(f"/deals/{deal['id']}/stage", json={"stage": "proposal", "notes": "Sent pricing proposal"})
    assert moved.status_code == 200
    body = moved.get_json()
    assert body["stage"] == "proposal" and body["notes"] == "Sent pricing proposal"
    assert next(d for d in deals(mock)[0] if d["id"] == deal["id"])["stage"] == "proposal"
    lost = mock.patch(f"/deals/{deal['id']}/stage", json={"stage": "closed_lost"}).get_json()
    assert lost["probability"] == 0
    missing = mock.patch("/deals/deal_999999/stage", json={"stage": "proposal"})
    assert assert_error_envelope(mock, missing, 404)["code"] == "deal_not_found"


# activities and tasks ----------------------------------------------------------------------------------------
def test_activity_filters(make_mock: Made) -> None:
    mock = olympus(make_mock)
    person = contact(mock, "Act Ive")
    deal = created(mock, "/deals", {"name": "Active Deal", "contact_id": person["id"]})
    call = created(mock, "/activities", {"type": "call", "contact_id": person["id"], "subject": "Discovery Call"})
    demo = created(mock, "/activities", {"type": "demo", "deal_id": deal["id"]})
    assert demo["contact_id"] == person["id"]  # a deal's activity belongs to the deal's contact
    everything = all_records(mock, "/activities")
    today = dt.date.today()

    def expect(**params: str) -> None:
        got = {a["id"] for a in all_records(mock, "/activities", **params)}
        want = {a["id"] for a in everything if all(
            (a.get(k) == v) if k in ("contact_id", "deal_id", "type")
            else (a["created_at"][:10] >= v if k == "start_date" else a["created_at"][:10] <= v)
            for k, v in params.items())}
        assert got == want, params

    expect(contact_id=person["id"])
    expect(deal_id=deal["id"])
    expect(type="demo")
    expect(start_date=today.isoformat())
    expect(end_date=(today - dt.timedelta(days=1)).isoformat())
    expect(contact_id=person["id"], type="call", start_date=today.isoformat(), end_date=today.isoformat())
    assert {call["id"], demo["id"]} <= {a["id"] for a in all_records(mock, "/activities", contact_id=person["id"])}
    unknown = mock.post("/activities", json={"type": "call", "contact_id": "contact_999999"})
    assert_error_envelope(mock, unknown, 404)


def test_tasks_complete_and_overdue(make_mock: Made) -> None:
    mock = olympus(make_mock)
    now = dt.datetime.now(dt.UTC)
    late = created(mock, "/tasks", {"title": "Late", "due_date": iso(now - dt.timedelta(days=2)),
                                    "priority": "high", "assigned_to": "user_001"})
    later = created(mock, "/tasks", {"title": "Later", "due_date": iso(now + dt.timedelta(days=5)),
                                     "priority": "low", "assigned_to": "user_002"})
    assert late["status"] == "overdue" and later["status"] == "pending"  # OC14: derived from due_date

    everything = all_records(mock, "/tasks")
    for status in ("overdue", "pending", "completed"):
        got = {t["id"] for t in all_records(mock, "/tasks", status=status)}
        assert got == {t["id"] for t in everything if t["status"] == status}, status
    assert late["id"] in {t["id"] for t in all_records(mock, "/tasks", status="overdue")}
    for key, value in (("priority", "high"), ("assigned_to", "user_002")):
        assert {t["id"] for t in all_records(mock, "/tasks", **{key: value})} == \
            {t["id"] for t in everything if t.get(key) == value}

    done = mock.post(f"/tasks/{late['id']}/complete")
    assert done.status_code == 200
    body = done.get_json()
    completed_at = dt.datetime.fromisoformat(body["completed_at"].replace("Z", "+00:00"))
    assert body["status"] == "completed" and abs((completed_at - now).total_seconds()) < 120
    assert late["id"] in {t["id"] for t in all_records(mock, "/tasks", status="completed")}  # OC14 strict
    assert late["id"] not in {t["id"] for t in all_records(mock, "/tasks", status="overdue")}
    assert mock.post(f"/tasks/{late['id']}/complete").get_json()["completed_at"] == body["completed_at"]
    assert_error_envelope(mock, mock.post("/tasks/task_999999/complete"), 404)
    assert_error_envelope(mock, mock.post("/tasks", json={"title": "X", "assigned_to": "user_999"}), 404)


# bulk operations ---------------------------------------------------------------------------------------------------
def test_bulk_update_sets_owner_and_patches_tags(make_mock: Made) -> None:
    mock = olympus(make_mock)
    one = contact(mock, "Bulk One", tags=["small_business", "keep"])
    two = contact(mock, "Bulk Two", tags=["enterprise"])
    response = mock.post("/contacts/bulk-update", json={
        "contact_ids": [one["id"], two["id"]],
        "updates": {"owner_id": "user_002", "tags": {"add": ["enterprise"], "remove": ["small_business"]}}})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["updated"] == 2
    listed = {c["id"]: c for c in all_records(mock, "/contacts")}
    assert listed[one["id"]]["tags"] == ["keep", "enterprise"]
    assert listed[two["id"]]["tags"] == ["enterprise"]
    for made in (one, two):
        assert listed[made["id"]]["owner"] == {"id": "user_002", "name": "Sales Manager Dana"}

    refused = mock.post("/contacts/bulk-update", json={"contact_ids": [one["id"], "contact_999999"],
                                                       "updates": {"tags": {"add": ["never"]}}})
    assert assert_error_envelope(mock, refused, 404)["code"] == "contact_not_found"
    assert "never" not in mock.get(f"/contacts/{one['id']}").get_json()["tags"]  # nothing half-applied


def import_csv(mock: Mock, text: str, mapping: dict[str, str] | None, options: dict[str, Any]) -> Any:
    data: dict[str, Any] = {"file": (io.BytesIO(text.encode()), "contacts.csv"), "options": json.dumps(options)}
    if mapping is not None:
        data["mapping"] = json.dumps(mapping)
    return mock.post("/contacts/import", data=data, content_type="multipart/form-data")


def test_import_skips_or_reports_duplicates(make_mock: Made) -> None:
    mock = olympus(make_mock)
    existing = all_records(mock, "/contacts")[0]["email"]
    csv_text = ("Full Name,Email Address,Company\n"
                "Ivy Import,ivy@import.example.org,Acme\n"
                f"Dup Licate,{existing},Acme\n"
                "No Mail,not-an-email,Acme\n"
                "Ivy Again,IVY@import.example.org,Acme\n")
    mapping = {"name": "Full Name", "email": "Email Address", "company": "Company"}
    response = import_csv(mock, csv_text, mapping, {"skip_duplicates": True, "source": "csv_import"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["imported"] == 1 and body["skipped"] == 3
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(3, "VALIDATION_ERROR")]
    listed = [c for c in all_records(mock, "/contacts") if c["email"] == "ivy@import.example.org"]
    assert len(listed) == 1 and listed[0]["source"] == "csv_import" and listed[0]["company"] == "Acme"

    again = import_csv(mock, csv_text.replace("ivy@", "ivy2@").replace("IVY@", "IVY2@"), mapping,
                       {"skip_duplicates": False})
    body = again.get_json()
    assert body["imported"] == 1 and body["skipped"] == 3
    assert sorted((e["row"], e["code"]) for e in body["errors"]) == [
        (2, "duplicate_contact"), (3, "VALIDATION_ERROR"), (4, "duplicate_contact")]

    no_file = mock.post("/contacts/import", data={"mapping": json.dumps(mapping)}, content_type="multipart/form-data")
    assert_error_envelope(mock, no_file, 400)
    wrong_column = import_csv(mock, csv_text, {"name": "Name", "email": "Email Address"}, {})
    assert "mapping.name" in field_errors(mock, wrong_column)


# webhooks --------------------------------------------------------------------------------------------------------
@pytest.fixture
def sink() -> Iterator[Sink]:
    with Sink.serving() as server:
        yield server


def stored_events(mock: Mock) -> list[dict[str, Any]]:
    return mock.app.extensions["crm_mock"].store.events()


def test_webhook_events_are_recorded_in_order_and_posted(make_mock: Made, sink: Sink) -> None:
    url = f"http://127.0.0.1:{sink.server_address[1]}/hooks"
    mock = olympus(make_mock, webhook_url=url)
    put_rules(mock, [{"category": "behavioral", "event": "demo_request", "score": 15}])
    rescored = stored_events(mock)  # the new rules moved some seeded contacts' scores
    assert rescored and {e["event"] for e in rescored} == {"crm.score_changed"}
    person = contact(mock, "Hook Person")
    assert mock.put(f"/contacts/{person['id']}", json={"name": "Hook P.", "email": person["email"]}).status_code == 200
    created(mock, "/activities", {"type": "demo", "contact_id": person["id"]})  # score 0 -> 15
    won = created(mock, "/deals", {"name": "Hook Deal", "contact_id": person["id"], "value": 10})
    assert mock.patch(f"/deals/{won['id']}/stage", json={"stage": "closed_won"}).status_code == 200
    lost = created(mock, "/deals", {"name": "Lost Deal", "value": 10})
    assert mock.patch(f"/deals/{lost['id']}/stage", json={"stage": "closed_lost"}).status_code == 200
    due = iso(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2))
    task = created(mock, "/tasks", {"title": "Due soon", "due_date": due})
    created(mock, "/tasks", {"title": "Due later", "due_date": iso(dt.datetime.now(dt.UTC) + dt.timedelta(days=9))})

    expected = [
        ("crm.contact_created", person["id"]), ("crm.contact_updated", person["id"]),
        ("crm.score_changed", person["id"]), ("crm.deal_created", won["id"]),
        ("crm.deal_stage_changed", won["id"]), ("crm.deal_won", won["id"]),
        ("crm.deal_created", lost["id"]), ("crm.deal_stage_changed", lost["id"]), ("crm.deal_lost", lost["id"]),
        ("crm.task_due", task["id"]),
    ]
    everything = stored_events(mock)
    assert everything[:len(rescored)] == rescored
    events = everything[len(rescored):]
    assert [(e["event"], e["data"]["id"]) for e in events] == expected
    changed = next(e for e in events if e["event"] == "crm.score_changed")
    assert changed["data"]["score"] == 15 and changed["previous_score"] == 0
    assert len({e["id"] for e in events}) == len(events)

    document = mock.api.document["webhooks"]
    for event in everything:  # the payload shape of the document's `webhooks` section
        schema = document[event["event"]]["post"]["requestBody"]["content"]["application/json"]["schema"]
        jsonschema.Draft202012Validator(schema).validate(event)

    deadline = time.monotonic() + 10
    while len(sink.received) < len(everything) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sink.received == everything  # POSTed to the subscriber, in the same order


def test_a_failing_webhook_never_affects_the_response(make_mock: Made) -> None:
    with http.server.HTTPServer(("127.0.0.1", 0), SinkHandler) as closed:
        port = closed.server_address[1]  # bound, then closed: nothing listens there any more
    mock = olympus(make_mock, webhook_url=f"http://127.0.0.1:{port}/hooks")
    made = contact(mock, "Still Created")
    assert mock.get(f"/contacts/{made['id']}").status_code == 200
    assert [e["event"] for e in stored_events(mock)] == ["crm.contact_created"]
