"""Revenue Orbit's non-CRUD behaviour (seed 001 and dialects.md 1A / RO decisions), through HTTP only.

Every expected value is computed here from records the test created or read through the API.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from pypdf import PdfReader

from tests.conftest import Mock
from tests.integration.helpers import all_records, assert_error_envelope, field_errors, record_of

Factory = Callable[..., Mock]
COMPANY = {"scope": "company"}  # RO14: always send scope
IMPORTABLE = ["name", "value", "stage_id", "contact_id", "company_id", "probability", "expected_close_date",
              "assigned_to", "notes", "tags"]


@pytest.fixture
def ro(make_mock: Factory) -> Mock:
    return make_mock("revorbit", records=10)


def stages_of(mock: Mock) -> list[dict[str, Any]]:
    response = mock.get("/deals/stages")
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True
    return list(body["data"])


def stage_where(mock: Mock, **flags: bool) -> dict[str, Any]:
    return next(s for s in stages_of(mock) if all(bool(s.get(k)) is v for k, v in flags.items()))


def open_stage(mock: Mock) -> dict[str, Any]:
    return stage_where(mock, is_won=False, is_lost=False)


def new_deal(mock: Mock, **body: Any) -> dict[str, Any]:
    response = mock.post("/deals", json={"name": "Behaviour Deal", "stage_id": open_stage(mock)["id"], **body})
    assert response.status_code == 201, response.get_data(as_text=True)
    return record_of(mock, response)


def read_deal(mock: Mock, deal_id: int) -> dict[str, Any]:
    response = mock.get(f"/deals/{deal_id}")
    assert response.status_code == 200
    return record_of(mock, response)


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def close(a: float, b: float) -> bool:
    """Money within a cent (Decision X5: compared with a tolerance; the mock rounds to cents)."""
    return abs(a - b) <= 0.011


# ------------------------------------------------------------------------------------------------ stage move
def test_moving_a_deal_takes_the_target_stages_flags_probability_and_closed_at(ro: Mock) -> None:
    deal = new_deal(ro, probability=40)
    won, lost, target = stage_where(ro, is_won=True), stage_where(ro, is_lost=True), open_stage(ro)
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)

    moved = record_of(ro, ro.put(f"/deals/{deal['id']}/stage", json={"stage_id": won["id"]}))
    assert (moved["stage_id"], moved["stage_name"]) == (won["id"], won["name"])
    assert moved["is_won"] is True and moved["is_lost"] is False
    assert moved["probability"] == won["probability"]
    assert moved["closed_at"] is not None and parse_time(moved["closed_at"]) >= before
    assert moved.get("risk") is None  # RO7: no risk on a closed deal
    assert read_deal(ro, deal["id"]) == moved

    lost_deal = record_of(ro, ro.put(f"/deals/{deal['id']}/stage", json={"stage_id": lost["id"]}))
    assert lost_deal["is_lost"] is True and lost_deal["is_won"] is False and lost_deal["closed_at"]
    assert lost_deal["probability"] == lost["probability"]

    reopened = record_of(ro, ro.put(f"/deals/{deal['id']}/stage", json={"stage_id": target["id"]}))
    assert reopened["is_won"] is False and reopened["is_lost"] is False
    assert reopened["closed_at"] is None and reopened.get("loss_reason") is None
    assert reopened["probability"] == target["probability"]
    assert isinstance(reopened["risk"], dict)


def test_moving_to_an_unknown_stage_is_a_validation_error_naming_stage_id(ro: Mock) -> None:
    deal = new_deal(ro)
    unknown = max(s["id"] for s in stages_of(ro)) + 100
    response = ro.put(f"/deals/{deal['id']}/stage", json={"stage_id": unknown})
    assert_error_envelope(ro, response, 422)
    assert "stage_id" in field_errors(ro, response)
    assert read_deal(ro, deal["id"])["stage_id"] == deal["stage_id"]  # nothing changed
    assert_error_envelope(ro, ro.put("/deals/999999/stage", json={"stage_id": deal["stage_id"]}), 404)


def test_every_deal_agrees_with_its_stage(ro: Mock) -> None:
    stages = {s["id"]: s for s in stages_of(ro)}
    won = stage_where(ro, is_won=True)
    made = new_deal(ro)
    updated = record_of(ro, ro.put(f"/deals/{made['id']}", json={"name": made["name"], "stage_id": won["id"]}))
    assert updated["is_won"] is True and updated["closed_at"] is not None
    deals = all_records(ro, "/deals", **COMPANY)
    assert any(d["is_won"] or d["is_lost"] for d in deals) and any(not (d["is_won"] or d["is_lost"]) for d in deals)
    for deal in deals:
        stage = stages[deal["stage_id"]]
        assert deal["stage_name"] == stage["name"]
        assert deal["is_won"] is bool(stage["is_won"]) and deal["is_lost"] is bool(stage["is_lost"])
        if deal["is_won"] or deal["is_lost"]:
            assert deal["closed_at"] is not None
        else:
            assert deal.get("closed_at") is None
        if not deal["is_lost"]:
            assert deal.get("loss_reason") is None


# ------------------------------------------------------------------------------------------------ stages
def test_stage_list_is_ordered_by_display_order(ro: Mock) -> None:
    stages = stages_of(ro)
    orders = [s["display_order"] for s in stages]
    assert orders == sorted(orders)
    reversed_ids = [s["id"] for s in reversed(stages)]
    assert ro.put("/pipeline-stages/reorder", json={"order": reversed_ids}).status_code == 200
    assert [s["id"] for s in stages_of(ro)] == reversed_ids


# ------------------------------------------------------------------------------------------------ pipeline
@pytest.mark.parametrize("filters", [
    {"scope": "company"},
    {"scope": "me"},
    {"scope": "company", "date_field": "created_at", "date_from": "2026-03-01", "date_to": "2026-10-31"},
    {"scope": "company", "date_from": "2026-01-01"},
    {"scope": "company", "assigned_to": 2},
])
def test_kanban_columns_follow_the_stage_order_and_count_like_the_list(ro: Mock, filters: dict[str, Any]) -> None:
    response = ro.get("/deals/pipeline", query_string=filters)
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True
    columns = body["data"]
    assert [c["stage_id"] for c in columns] == [s["id"] for s in stages_of(ro)]
    listed = all_records(ro, "/deals", **filters)
    assert sum(c["count"] for c in columns) == len(listed)
    for column in columns:
        in_stage = all_records(ro, "/deals", stage_id=column["stage_id"], **filters)
        assert column["count"] == len(in_stage) == len(column["deals"])
        assert sorted(d["id"] for d in column["deals"]) == sorted(d["id"] for d in in_stage)
        assert close(column["total_value"], sum(d.get("value") or 0 for d in column["deals"]))
        for deal in column["deals"]:
            assert deal["stage_id"] == column["stage_id"]
            assert (deal["risk"] is None) == (deal["is_won"] or deal["is_lost"])


# ------------------------------------------------------------------------------------------------ stats
def test_stats_are_the_sums_of_the_stored_deals(ro: Mock) -> None:
    new_deal(ro, value=1234.5, probability=20)
    record_of(ro, ro.post("/deals", json={"name": "Won one", "stage_id": stage_where(ro, is_won=True)["id"],
                                          "value": 500}))
    deals = all_records(ro, "/deals", **COMPANY)
    response = ro.get("/deals/stats")
    assert response.status_code == 200
    stats = response.get_json()["data"]
    total = sum(d.get("value") or 0 for d in deals)
    won = sum(1 for d in deals if d["is_won"])
    lost = sum(1 for d in deals if d["is_lost"])
    opened = [d for d in deals if not (d["is_won"] or d["is_lost"])]
    assert stats["deal_count"] == len(deals)
    assert (stats["won_count"], stats["lost_count"], stats["open_count"]) == (won, lost, len(opened))
    assert close(stats["total_value"], total)
    assert close(stats["weighted_value"], sum((d.get("value") or 0) * (d.get("probability") or 0) / 100
                                              for d in opened))
    assert close(stats["win_rate"], won / (won + lost) * 100 if won + lost else 0)
    assert close(stats["average_deal_size"], total / len(deals))


# ------------------------------------------------------------------------------------------------ risk
def test_risk_score_is_the_sum_of_its_factors_and_null_on_closed_deals(ro: Mock) -> None:
    deals = all_records(ro, "/deals", **COMPANY)
    assert any(d["risk"] is None for d in deals) and any(d["risk"] for d in deals)
    for deal in deals:
        if deal["is_won"] or deal["is_lost"]:
            assert deal["risk"] is None
            continue
        risk = deal["risk"]
        weights = [f["weight"] for f in risk["risk_factors"]]
        assert all(isinstance(w, int) and w > 0 and f["label"] for w, f in zip(weights, risk["risk_factors"],
                                                                                  strict=True))
        assert risk["risk_score"] == min(100, sum(weights))
        expected = "low" if risk["risk_score"] < 30 else "medium" if risk["risk_score"] < 60 else "high"
        assert risk["risk_level"] == expected
        assert read_deal(ro, deal["id"])["risk"] == risk


def test_risk_factors_come_from_the_deals_data(ro: Mock) -> None:
    past = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    risky = new_deal(ro, probability=10, expected_close_date=past)
    labels = {f["label"] for f in risky["risk"]["risk_factors"]}
    assert {"Low probability", "No contact", "Expected close date passed"} <= labels
    assert risky["risk"]["risk_level"] == "high"

    contact = all_records(ro, "/contacts")[0]
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    safe = new_deal(ro, probability=80, expected_close_date=future, contact_id=contact["id"])
    assert safe["risk"] == {"risk_level": "low", "risk_score": 0, "risk_factors": []}


def test_a_new_note_clears_the_no_recent_activity_factor(ro: Mock) -> None:
    quiet = [d for d in all_records(ro, "/deals", **COMPANY)
             if d["risk"] and any(f["label"] == "No recent activity" for f in d["risk"]["risk_factors"])]
    assert quiet, "the seeded data has deals without recent activity"
    deal = quiet[0]
    weight = next(f["weight"] for f in deal["risk"]["risk_factors"] if f["label"] == "No recent activity")
    assert ro.post(f"/deals/{deal['id']}/notes", json={"content": "Called the buyer."}).status_code == 201
    after = read_deal(ro, deal["id"])["risk"]
    assert "No recent activity" not in {f["label"] for f in after["risk_factors"]}
    assert after["risk_score"] == deal["risk"]["risk_score"] - weight


# ------------------------------------------------------------------------------------------------ primary quote
def test_primary_quote_must_belong_to_the_deal(ro: Mock) -> None:
    deal = new_deal(ro)
    other = new_deal(ro, name="Other deal")
    mine = record_of(ro, ro.post("/quotes", json={"deal_id": deal["id"]}))
    theirs = record_of(ro, ro.post("/quotes", json={"deal_id": other["id"]}))

    updated = record_of(ro, ro.put(f"/deals/{deal['id']}/primary-quote", json={"quote_id": mine["id"]}))
    assert updated["primary_quote_id"] == mine["id"]
    assert read_deal(ro, deal["id"])["primary_quote_id"] == mine["id"]

    for quote_id in (theirs["id"], 999999):
        response = ro.put(f"/deals/{deal['id']}/primary-quote", json={"quote_id": quote_id})
        assert_error_envelope(ro, response, 422)
        assert "quote_id" in field_errors(ro, response)
    assert read_deal(ro, deal["id"])["primary_quote_id"] == mine["id"]
    assert_error_envelope(ro, ro.put("/deals/999999/primary-quote", json={"quote_id": mine["id"]}), 404)


# ------------------------------------------------------------------------------------------------ notes and tasks
def test_notes_are_added_and_deleted_under_their_own_deal(ro: Mock) -> None:
    deal, other = new_deal(ro), new_deal(ro, name="Other deal")
    response = ro.post(f"/deals/{deal['id']}/notes", json={"content": "Sent the revised proposal."})
    assert response.status_code == 201
    note = record_of(ro, response)
    assert note["deal_id"] == deal["id"] and note["content"] == "Sent the revised proposal."
    assert_error_envelope(ro, ro.post("/deals/999999/notes", json={"content": "x"}), 404)
    assert_error_envelope(ro, ro.delete(f"/deals/{other['id']}/notes/{note['id']}"), 404)
    timeline = ro.get(f"/deals/{deal['id']}/timeline").get_json()["data"]
    assert any(e["type"] == "note" and e["id"] == note["id"] for e in timeline)
    assert ro.delete(f"/deals/{deal['id']}/notes/{note['id']}").status_code == 200
    assert_error_envelope(ro, ro.delete(f"/deals/{deal['id']}/notes/{note['id']}"), 404)
    timeline = ro.get(f"/deals/{deal['id']}/timeline").get_json()["data"]
    assert not any(e["type"] == "note" and e["id"] == note["id"] for e in timeline)


def test_deal_tasks_are_listed_created_updated_and_deleted_under_their_deal(ro: Mock) -> None:
    deal, other = new_deal(ro), new_deal(ro, name="Other deal")
    created = ro.post(f"/deals/{deal['id']}/tasks", json={"title": "Send contract", "priority": "high",
                                                          "deal_id": deal["id"]})
    assert created.status_code == 201
    task = record_of(ro, created)
    assert task["deal_id"] == deal["id"]
    listed = ro.get(f"/deals/{deal['id']}/tasks").get_json()["data"]
    assert [t["id"] for t in listed] == [task["id"]]
    assert ro.get(f"/deals/{other['id']}/tasks").get_json()["data"] == []

    # RO15: the body's deal_id never moves the task
    updated = record_of(ro, ro.put(f"/deals/{deal['id']}/tasks/{task['id']}",
                                   json={"title": "Send signed contract", "deal_id": other["id"]}))
    assert updated["title"] == "Send signed contract" and updated["deal_id"] == deal["id"]
    assert_error_envelope(ro, ro.put(f"/deals/{other['id']}/tasks/{task['id']}", json={"title": "x"}), 404)
    assert_error_envelope(ro, ro.delete(f"/deals/{other['id']}/tasks/{task['id']}"), 404)
    assert ro.delete(f"/deals/{deal['id']}/tasks/{task['id']}").status_code == 200
    assert ro.get(f"/deals/{deal['id']}/tasks").get_json()["data"] == []


# ------------------------------------------------------------------------------------------------ timeline
def test_timeline_holds_notes_tasks_and_emails_newest_first(ro: Mock) -> None:
    contact = next(c for c in all_records(ro, "/contacts") if c.get("email"))
    deal = new_deal(ro, contact_id=contact["id"])
    note = record_of(ro, ro.post(f"/deals/{deal['id']}/notes", json={"content": "Kick-off call held."}))
    task = record_of(ro, ro.post(f"/deals/{deal['id']}/tasks", json={"title": "Prepare demo"}))
    events = ro.get(f"/deals/{deal['id']}/timeline").get_json()["data"]
    kinds = {(e["type"], e["id"]) for e in events}
    assert {("note", note["id"]), ("task", task["id"])} <= kinds
    moments = [parse_time(e["occurred_at"]) for e in events]
    assert moments == sorted(moments, reverse=True)

    seeded = [d for d in all_records(ro, "/deals", **COMPANY) if d.get("contact_id")]
    contacts = {c["id"]: c for c in all_records(ro, "/contacts")}
    for deal in seeded:
        emails = ro.get(f"/deals/{deal['id']}/linked-emails").get_json()["data"]
        assert emails == ro.get(f"/deals/{deal['id']}/linked-emails").get_json()["data"]
        address = contacts[deal["contact_id"]].get("email")
        for email in emails:
            assert address in (email["from"], email["to"])
        sent = [parse_time(e["sent_at"]) for e in emails]
        assert sent == sorted(sent, reverse=True)
        timeline = ro.get(f"/deals/{deal['id']}/timeline").get_json()["data"]
        assert {e["id"] for e in emails} == {e["id"] for e in timeline if e["type"] == "email"}
    assert any(ro.get(f"/deals/{d['id']}/linked-emails").get_json()["data"] for d in seeded)
    lone = new_deal(ro)
    assert ro.get(f"/deals/{lone['id']}/linked-emails").get_json()["data"] == []
    assert_error_envelope(ro, ro.get("/deals/999999/timeline"), 404)
    assert_error_envelope(ro, ro.get("/deals/999999/linked-emails"), 404)


def test_linked_emails_are_deterministic_for_a_seed(make_mock: Factory) -> None:
    first, second = make_mock("revorbit", records=10, seed=5), make_mock("revorbit", records=10, seed=5)
    for deal in all_records(first, "/deals", **COMPANY):
        path = f"/deals/{deal['id']}/linked-emails"
        assert first.get(path).get_json() == second.get(path).get_json()


# ------------------------------------------------------------------------------------------------ CSV
def read_csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_template_is_the_header_of_the_importable_fields(ro: Mock) -> None:
    response = ro.get("/deals/template")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [IMPORTABLE]
    # RO13: the mock keeps export and import to admins
    assert_error_envelope(ro, ro.get("/deals/export", headers=ro.headers_for("user")), 403)
    assert_error_envelope(ro, upload(ro, ",".join(IMPORTABLE), headers=ro.headers_for("user")), 403)


@pytest.mark.parametrize("filters", [{}, {"stage_id": 3}, {"won": "1"}, {"scope": "me"}, {"search": "pilot"},
                                     {"search": "no-such-deal-anywhere"}])
def test_export_holds_every_deal_matching_the_list_filters(ro: Mock, filters: dict[str, Any]) -> None:
    rows = read_csv(ro.get("/deals/export", query_string=filters))
    listed = {d["id"]: d for d in all_records(ro, "/deals", **filters)}
    assert sorted(int(r["id"]) for r in rows) == sorted(listed)
    for row in rows:
        deal = listed[int(row["id"])]
        assert row["name"] == deal["name"] and int(row["stage_id"]) == deal["stage_id"]
        assert set(IMPORTABLE) <= set(row)


def upload(mock: Mock, text: str | bytes, headers: dict[str, str] | None = None) -> Any:
    raw = text.encode() if isinstance(text, str) else text
    return mock.post("/deals/import", data={"file": (io.BytesIO(raw), "deals.csv")},
                     content_type="multipart/form-data", **({"headers": headers} if headers else {}))


def test_import_creates_exactly_the_valid_rows_and_reports_the_others(ro: Mock) -> None:
    stage = open_stage(ro)
    before = len(all_records(ro, "/deals", **COMPANY))
    rows = [
        IMPORTABLE,
        ["Imported Alpha", "1200.50", str(stage["id"]), "", "", "40", "2027-01-31", "", "From CSV", "csv,import"],
        ["", "10", str(stage["id"]), "", "", "", "", "", "", ""],                       # no name
        ["Imported Bad Stage", "10", "987654", "", "", "", "", "", "", ""],             # unknown stage
        ["Imported Bad Numbers", "lots", str(stage["id"]), "", "", "150", "31/01/2027", "", "", ""],
        ["Imported Beta", "", str(stage["id"]), "", "", "", "", "", "", ""],
        ["Imported No Stage", "5", "", "", "", "", "", "", "", ""],
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = upload(ro, out.getvalue())
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()["data"]
    assert (result["created"], result["failed"]) == (2, 4)
    reported = {e["row"]: set(e["errors"]) for e in result["errors"]}
    assert reported == {2: {"name"}, 3: {"stage_id"}, 4: {"value", "probability", "expected_close_date"},
                        6: {"stage_id"}}
    after = all_records(ro, "/deals", **COMPANY)
    assert len(after) == before + 2
    imported = {d["name"]: d for d in after if d["name"].startswith("Imported")}
    assert set(imported) == {"Imported Alpha", "Imported Beta"}
    alpha = imported["Imported Alpha"]
    assert (alpha["value"], alpha["probability"], alpha["tags"]) == (1200.5, 40, "csv,import")
    assert alpha["stage_name"] == stage["name"]


def test_import_of_an_export_round_trips(ro: Mock) -> None:
    exported = ro.get("/deals/export", query_string={"stage_id": 3}).get_data()
    count = len(all_records(ro, "/deals", stage_id=3))
    result = upload(ro, exported).get_json()["data"]
    assert (result["created"], result["failed"]) == (count, 0)
    assert len(all_records(ro, "/deals", stage_id=3)) == 2 * count


@pytest.mark.parametrize("content", [b"\xff\xfe\x00binary", b"", b"title,amount\nx,1\n"])
def test_import_of_an_unusable_file_names_file(ro: Mock, content: bytes) -> None:
    before = len(all_records(ro, "/deals", **COMPANY))
    response = upload(ro, content)
    assert_error_envelope(ro, response, 422)
    assert "file" in field_errors(ro, response)
    assert len(all_records(ro, "/deals", **COMPANY)) == before


def test_import_without_a_file_names_file(ro: Mock) -> None:
    for response in (ro.post("/deals/import"),
                     ro.post("/deals/import", data={"other": "x"}, content_type="multipart/form-data")):
        assert_error_envelope(ro, response, 422)
        assert "file" in field_errors(ro, response)  # RO20


# ------------------------------------------------------------------------------------------------ stage admin
def test_new_stages_take_the_next_display_order(ro: Mock) -> None:
    count, highest = len(stages_of(ro)), max(s["display_order"] for s in stages_of(ro))
    response = ro.post("/pipeline-stages", json={"name": "Pilot", "probability": 60, "color": "#0ea5e9"})
    assert response.status_code == 201
    stage = record_of(ro, response)
    assert stage["display_order"] == highest + 1
    assert (stage["is_won"], stage["is_lost"]) == (False, False)
    assert stages_of(ro)[-1]["id"] == stage["id"]
    for body, field in (({"name": "Both", "is_won": True, "is_lost": True}, "is_lost"),
                        ({"name": "Sure thing", "probability": 150}, "probability")):
        bad = ro.post("/pipeline-stages", json=body)
        assert_error_envelope(ro, bad, 422)
        assert field in field_errors(ro, bad)
    assert [s["name"] for s in stages_of(ro)].count("Pilot") == 1 and len(stages_of(ro)) == count + 1
    user = ro.post("/pipeline-stages", json={"name": "Nope"}, headers=ro.headers_for("user"))
    assert_error_envelope(ro, user, 403)


def test_stage_renames_and_flags_propagate_to_its_deals(ro: Mock) -> None:
    stage = record_of(ro, ro.post("/pipeline-stages", json={"name": "Evaluation", "probability": 40}))
    deal = new_deal(ro, stage_id=stage["id"])
    assert deal["stage_name"] == "Evaluation"
    renamed = ro.put(f"/pipeline-stages/{stage['id']}", json={"name": "Technical Evaluation"})
    assert renamed.status_code == 200
    assert record_of(ro, renamed)["probability"] == 40  # RO16: kept
    assert read_deal(ro, deal["id"])["stage_name"] == "Technical Evaluation"
    assert all(d["stage_name"] == "Technical Evaluation" for d in all_records(ro, "/deals", stage_id=stage["id"]))
    ro.put(f"/pipeline-stages/{stage['id']}", json={"is_won": True})
    closed = read_deal(ro, deal["id"])
    assert closed["is_won"] is True and closed["closed_at"] is not None and closed["risk"] is None


def test_a_stage_in_use_cannot_be_deleted_and_an_unused_one_can(ro: Mock) -> None:
    used = next(s for s in stages_of(ro) if all_records(ro, "/deals", stage_id=s["id"]))
    assert_error_envelope(ro, ro.delete(f"/pipeline-stages/{used['id']}"), 409)
    assert any(s["id"] == used["id"] for s in stages_of(ro))

    spare = record_of(ro, ro.post("/pipeline-stages", json={"name": "Spare"}))
    assert ro.delete(f"/pipeline-stages/{spare['id']}").status_code == 200
    assert all(s["id"] != spare["id"] for s in stages_of(ro))
    assert_error_envelope(ro, ro.delete(f"/pipeline-stages/{spare['id']}"), 404)


def test_reorder_requires_exactly_the_existing_stage_ids(ro: Mock) -> None:
    stages = stages_of(ro)
    ids = [s["id"] for s in stages]
    for order in (ids[:-1], [*ids, 999], [*ids[:-1], ids[0]], []):
        response = ro.put("/pipeline-stages/reorder", json={"order": order})
        assert_error_envelope(ro, response, 422)
        assert "order" in field_errors(ro, response)
    assert stages_of(ro) == stages

    wanted = ids[1:] + ids[:1]
    response = ro.put("/pipeline-stages/reorder", json={"order": wanted})
    assert response.status_code == 200
    returned = response.get_json()["data"]
    assert [s["id"] for s in returned] == wanted
    assert [s["display_order"] for s in returned] == list(range(1, len(ids) + 1))
    assert [(s["id"], s["display_order"]) for s in stages_of(ro)] == list(zip(wanted, range(1, len(ids) + 1),
                                                                               strict=True))
    columns = ro.get("/deals/pipeline", query_string=COMPANY).get_json()["data"]
    assert [c["stage_id"] for c in columns] == wanted


# ------------------------------------------------------------------------------------------------ quote PDF
def test_quote_pdf_is_a_valid_pdf_with_the_number_and_total(ro: Mock) -> None:
    quote = next(q for q in all_records(ro, "/quotes") if isinstance(q.get("total"), int | float))
    response = ro.get(f"/quotes/{quote['id']}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    # the cross-reference table points at each object, startxref at the table, /Length fits the stream
    startxref = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    assert data[startxref:].startswith(b"xref")
    entries = re.findall(rb"(\d{10}) 00000 n", data[startxref:])
    for number, offset in enumerate(entries, start=1):
        assert data[int(offset):].startswith(f"{number} 0 obj".encode())
    found = re.search(rb"/Length (\d+)", data)
    assert found is not None
    length = int(found.group(1))
    stream = data[data.index(b"stream\n") + 7:data.index(b"\nendstream")]
    assert len(stream) == length
    text = stream.decode("latin-1")
    assert str(quote["quote_number"]) in text
    assert f"{quote['total']:,.2f}" in text
    assert_error_envelope(ro, ro.get("/quotes/999999/pdf"), 404)


def test_quote_pdf_text_read_back_names_the_quote_its_deal_items_and_total(ro: Mock) -> None:
    deal = new_deal(ro, name="Harbour (Phase 2) \\ Rollout")
    items = [{"name": "Seats (annual)", "quantity": 3, "unit_price": 1234.5},
             {"name": "Onboarding", "quantity": 2, "unit_price": 10.25}]
    quote = record_of(ro, ro.post("/quotes", json={"deal_id": deal["id"], "quote_number": "Q-PDF-7", "items": items,
                                                    "status": "sent", "valid_until": "2027-01-31"}))
    response = ro.get(f"/quotes/{quote['id']}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="quote-Q-PDF-7.pdf"'
    data = response.get_data()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    lines = PdfReader(io.BytesIO(data)).pages[0].extract_text().splitlines()
    # 3 x 1,234.50 = 3,703.50 and 2 x 10.25 = 20.50: no discount, no tax, so the total is their sum
    assert lines == ["Quote Q-PDF-7", "Deal: Harbour (Phase 2) \\ Rollout", "Status: sent", "Valid until: 2027-01-31",
                     "Seats (annual)  3 x 1,234.50 = 3,703.50", "Onboarding  2 x 10.25 = 20.50", "Total: 3,724.00"]
    # the PDF's date is the quote's, not the clock's: the same quote a day later is the same file
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=1, hours=3)):
        assert ro.get(f"/quotes/{quote['id']}/pdf", headers=ro.headers_for()).get_data() == data
