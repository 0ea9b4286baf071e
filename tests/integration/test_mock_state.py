"""Seeded data: deterministic, consistent across resources, and kept in --state across restarts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mock_server.engine import Engine
from tests.conftest import Mock
from tests.integration.helpers import all_records, record_of


def test_same_seed_same_data(make_mock: Callable[..., Mock], dialect: str) -> None:
    path = {"revorbit": "/deals", "olympus": "/contacts", "concord": "/deals", "ysuite": "/deals"}[dialect]
    first = all_records(make_mock(dialect, seed=7), path)
    second = all_records(make_mock(dialect, seed=7), path)
    other = all_records(make_mock(dialect, seed=8), path)
    assert first == second
    assert first != other


def test_records_option_sets_the_seeded_count(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit", records=33)
    assert len(all_records(mock, "/deals")) == 33
    assert len(all_records(mock, "/contacts")) == 33


def test_state_file_survives_a_restart(make_mock: Callable[..., Mock], tmp_path: Path) -> None:
    state = str(tmp_path / "state.sqlite3")
    first = make_mock("revorbit", state=state)
    made = record_of(first, first.post("/deals", json={"name": "Kept Deal", "stage_id": 2}))
    first.delete(f"/deals/{all_records(first, '/deals')[0]['id']}")
    before = all_records(first, "/deals")
    second = make_mock("revorbit", state=state, seed=99)  # a different seed must not reseed a kept state
    after = all_records(second, "/deals")
    assert after == before
    assert record_of(second, second.get(f"/deals/{made['id']}"))["name"] == "Kept Deal"


def test_revorbit_references_are_consistent(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    contacts = {c["id"]: c for c in all_records(mock, "/contacts")}
    companies = {c["id"]: c for c in all_records(mock, "/companies")}
    stages = {s["id"]: s for s in mock.get("/deals/stages").get_json()["data"]}
    deals = all_records(mock, "/deals")
    for deal in deals:
        if deal.get("contact_id") is not None:
            assert deal["contact_name"] == contacts[deal["contact_id"]]["name"]
        if deal.get("company_id") is not None:
            assert deal["company_name"] == companies[deal["company_id"]]["name"]
        assert deal["stage_name"] == stages[deal["stage_id"]]["name"]
    # 001: the page's stage "Proposal" is stage 3 with probability 50
    assert stages[3]["name"] == "Proposal" and stages[3]["probability"] == 50


def test_deleting_a_contact_releases_its_deals(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    contact = record_of(mock, mock.post("/contacts", json={"name": "Gone Soon", "email": "gone@example.org"}))
    deal = record_of(mock, mock.post("/deals", json={"name": "Linked", "stage_id": 1, "contact_id": contact["id"]}))
    assert deal["contact_name"] == "Gone Soon"
    mock.delete(f"/contacts/{contact['id']}")
    after = record_of(mock, mock.get(f"/deals/{deal['id']}"))
    assert after.get("contact_id") is None and after.get("contact_name") is None
    contacts = {c["id"] for c in all_records(mock, "/contacts")}
    assert all(d.get("contact_id") in contacts for d in all_records(mock, "/deals") if d.get("contact_id"))


def test_update_refreshes_denormalised_names(make_mock: Callable[..., Mock]) -> None:
    mock = make_mock("revorbit")
    deal = all_records(mock, "/deals")[0]
    body = {"name": deal["name"], "stage_id": 4}
    updated = record_of(mock, mock.put(f"/deals/{deal['id']}", json=body))
    stages = {s["id"]: s["name"] for s in mock.get("/deals/stages").get_json()["data"]}
    assert updated["stage_name"] == stages[4]


def test_an_update_keeps_a_change_written_after_the_record_was_first_read(
        make_mock: Callable[..., Mock], monkeypatch: pytest.MonkeyPatch) -> None:
    """Another worker changes the deal between the moment an update reads it and the moment it writes:
    the update is built on the record as it is under the write lock, so the other change stays."""
    mock = make_mock("revorbit", records=3)
    engine = mock.app.extensions["crm_mock"].engine
    made = record_of(mock, mock.post("/deals", json={"name": "Contested", "stage_id": 1, "probability": 10}))
    read_first = Engine.target

    def target_then_a_concurrent_write(self: Engine, operation: Any, req: Any) -> Any:
        resource, record = read_first(self, operation, req)
        self.store.replace("deals", {**self.store.get("deals", record["id"]), "probability": 90})
        return resource, record

    monkeypatch.setattr(Engine, "target", target_then_a_concurrent_write)
    updated = record_of(mock, mock.put(f"/deals/{made['id']}", json={"name": "Renamed", "stage_id": 1}))
    assert (updated["name"], updated["probability"]) == ("Renamed", 90)
    assert engine.store.get("deals", made["id"])["probability"] == 90


def test_an_update_of_a_record_deleted_meanwhile_is_404(
        make_mock: Callable[..., Mock], monkeypatch: pytest.MonkeyPatch) -> None:
    mock = make_mock("revorbit", records=3)
    made = record_of(mock, mock.post("/deals", json={"name": "Doomed", "stage_id": 1}))
    read_first = Engine.target

    def target_then_a_concurrent_delete(self: Engine, operation: Any, req: Any) -> Any:
        found = read_first(self, operation, req)
        self.store.delete("deals", made["id"])
        return found

    monkeypatch.setattr(Engine, "target", target_then_a_concurrent_delete)
    assert mock.put(f"/deals/{made['id']}", json={"name": "Ghost", "stage_id": 1}).status_code == 404
    assert mock.app.extensions["crm_mock"].store.get("deals", made["id"]) is None
