"""Records generated in a forked child while the seeder stores them (mock_server/seeding_aside.py) are the records
one process generates: the golden states of tests/unit/test_seeding_is_reproducible.py, reached with the child
generating every resource it may, and again when the parent has to take over half-way: storing needs a draw, a
write hook wrote, or the child failed. Each case also shows that the path it names was taken."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from crmspec.model import Resource
from mock_server import seeder, seeding_aside
from mock_server.engine import Engine
from mock_server.faker import FakeData
from tests.conftest import DIALECTS, load_api
from tests.unit.test_seeding_is_reproducible import GOLDEN, seeded_state


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Every resource of the golden states is generated aside (small batches and hand-overs, so a resource
    takes several); counts the children started and the parent's take-overs."""
    monkeypatch.setattr(seeder, "BATCH", 4)
    monkeypatch.setattr(seeding_aside, "MIN_RECORDS", 1)
    monkeypatch.setattr(seeding_aside, "CHUNK", 6)
    counts = {"children": 0, "take_overs": 0}
    start, take_over = seeding_aside.Aside.__init__, seeding_aside.Aside.take_over

    def counted_start(self: seeding_aside.Aside, *args: Any) -> None:
        counts["children"] += 1
        start(self, *args)

    def counted_take_over(self: seeding_aside.Aside) -> None:
        counts["take_overs"] += 1
        take_over(self)

    monkeypatch.setattr(seeding_aside.Aside, "__init__", counted_start)
    monkeypatch.setattr(seeding_aside.Aside, "take_over", counted_take_over)
    yield counts


def golden(dialect: str) -> Any:
    return json.loads((GOLDEN / f"{dialect}.json").read_text(encoding="utf-8"))["seeded"]


def state(dialect: str) -> Any:
    return json.loads(json.dumps(seeded_state(load_api(dialect))))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_child_generating_seeds_the_golden_state(dialect: str, counted: dict[str, int]) -> None:
    assert state(dialect) == golden(dialect)
    assert counted["children"] >= 1, "no resource was generated aside"
    assert counted["take_overs"] == 0


def _stored_out_of_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Revorbit's write rules as if they moved every third contract's creation a year ahead: settling it draws."""
    prepared = Engine.prepared

    def moved(self: Engine, resource: Resource, record: dict[str, Any]) -> dict[str, Any]:
        record = prepared(self, resource, record)
        if resource.name == "contracts" and sum(map(ord, str(record.get("title")))) % 3 == 0:
            record["created_at"] = "2027-03-01T12:00:00Z"
        return record

    monkeypatch.setattr(Engine, "prepared", moved)


def test_a_draw_while_storing_stops_the_child_and_changes_no_record(
        counted: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    _stored_out_of_order(monkeypatch)
    with_child = state("revorbit")
    monkeypatch.setattr(seeding_aside, "MIN_RECORDS", 10**9)  # no child: one process
    alone = state("revorbit")
    assert with_child == alone
    assert with_child["contracts"] != golden("revorbit")["contracts"], "no contract needed a draw"
    assert counted["take_overs"] == 1, counted


def test_a_write_hook_that_writes_stops_the_child(counted: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """A hook writing (here: a note in the store's meta table for every fifth task) may change what later records
    pick: the parent generates the rest. The records are the golden ones (the write changes none)."""
    prepared = Engine.prepared
    written = {"tasks": 0}

    def writing(self: Engine, resource: Resource, record: dict[str, Any]) -> dict[str, Any]:
        if resource.name == "tasks":
            written["tasks"] += 1
            if written["tasks"] % 5 == 0:
                self.store.set_meta("tasks written", str(written["tasks"]))
        return prepared(self, resource, record)

    monkeypatch.setattr(Engine, "prepared", writing)
    assert state("revorbit") == golden("revorbit")
    assert counted["take_overs"] == 1, counted


def test_a_child_that_fails_is_taken_over(counted: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    records = FakeData.records
    calls = {"child": 0}

    def failing(self: FakeData, resource: Resource, pick: seeder.Picks, indexes: range) -> list[dict[str, Any]]:
        if os.getpid() != parent and resource.name == "deals":
            calls["child"] += 1  # the child's own count: its ninth deal fails, after it handed over six
            if calls["child"] == 9:
                raise RuntimeError("a fault in the child")
        return records(self, resource, pick, indexes)

    monkeypatch.setattr(FakeData, "records", failing)
    assert state("revorbit") == golden("revorbit")
    assert counted["take_overs"] == 1, counted
