"""The scenarios of test_seeding_aside.py, each run in a process of its own: a child is forked only by a process
with no other thread, and a pytest worker has some (xdist's). Prints one JSON object: the seeded state (and,
for `draw`, the state one process seeds), and how many children were started and taken over.

    python -m tests.unit.seeding_aside_scenarios SCENARIO DIALECT   # plain | draw | write | fail | ids | unseen
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from crmspec.model import Resource
from mock_server import seeder, seeding_aside
from mock_server.engine import Engine
from mock_server.faker import FakeData
from mock_server.store.sqlite.records import SqliteStore
from tests.conftest import load_api
from tests.unit.test_seeding_is_reproducible import seeded_state

COUNTS: dict[str, Any] = {"children": 0, "take_overs": []}


def counted() -> None:
    """Every resource of the golden states is generated aside, several batches and hand-overs each."""
    seeder.BATCH = 4
    seeding_aside.MIN_RECORDS = 1
    seeding_aside.CHUNK = 6
    start, take_over = seeding_aside.Aside.__init__, seeding_aside.Aside.take_over

    def counted_start(self: seeding_aside.Aside, *args: Any) -> None:
        COUNTS["children"] += 1
        start(self, *args)

    def counted_take_over(self: seeding_aside.Aside, reason: str) -> None:
        COUNTS["take_overs"].append(f"{self.resource.name}: {reason}")
        take_over(self, reason)

    seeding_aside.Aside.__init__ = counted_start  # type: ignore[method-assign]
    seeding_aside.Aside.take_over = counted_take_over  # type: ignore[method-assign]


def stored_out_of_order() -> None:
    """Revorbit's write rules as if they moved every third contract's creation a year ahead: settling it draws."""
    prepared = Engine.prepared

    def moved(self: Engine, resource: Resource, record: dict[str, Any]) -> dict[str, Any]:
        record = prepared(self, resource, record)
        if resource.name == "contracts" and sum(map(ord, str(record.get("title")))) % 3 == 0:
            record["created_at"] = "2027-03-01T12:00:00Z"
        return record

    Engine.prepared = moved  # type: ignore[method-assign]


def writing() -> None:
    """A write hook that writes (a note in the store's meta table for every fifth task): what later records
    pick may have changed. The records stay the golden ones (the write changes none)."""
    prepared = Engine.prepared
    written = {"tasks": 0}

    def noting(self: Engine, resource: Resource, record: dict[str, Any]) -> dict[str, Any]:
        if resource.name == "tasks":
            written["tasks"] += 1
            if written["tasks"] % 5 == 0:
                self.store.set_meta("tasks written", str(written["tasks"]))
        return prepared(self, resource, record)

    Engine.prepared = noting  # type: ignore[method-assign]


def failing() -> None:
    """The child's ninth deal fails, after it handed six over (a deal is a batch of its own: a hook)."""
    parent = os.getpid()
    records = FakeData.records
    calls = {"child": 0}

    def failing_records(self: FakeData, resource: Resource, pick: Any, indexes: range) -> list[dict[str, Any]]:
        if os.getpid() != parent and resource.name == "deals":
            calls["child"] += 1
            if calls["child"] == 9:
                raise RuntimeError("a fault in the child")
        return records(self, resource, pick, indexes)

    FakeData.records = failing_records  # type: ignore[method-assign]


def other_ids() -> None:
    """The store gives Concord's seventh company (companies pick a parent company of their own) a key ten past
    the one an empty table's sequence gives (as if others had been stored and deleted): not the id the child
    gave it. A sequence jumps only before the seventh insert of the parent's, so the one-process run is alike."""
    insert_many = SqliteStore.insert_many

    def jumping(self: SqliteStore, resource_name: str, docs: Any) -> list[dict[str, Any]]:
        if resource_name == "companies" and self.count("companies") == 6:
            self._connection().execute("UPDATE sqlite_sequence SET seq = seq + 10 WHERE name = 'r_companies'")
        return insert_many(self, resource_name, docs)

    SqliteStore.insert_many = jumping  # type: ignore[method-assign]


def reading_unseen() -> None:
    """The child reads the name of a picked record of the resource it generates, which it has not seen: its turn
    ends there (the parent's generation reads nothing more than the ids, as before)."""
    parent = os.getpid()
    picked_id = FakeData._picked_id

    def reading(self: FakeData, resource: str, valid: Any) -> Any:
        target = self._pick(resource) if os.getpid() != parent and self._pick is not None else None
        if isinstance(target, seeding_aside.Unseen):
            target.get("name")
        return picked_id(self, resource, valid)

    FakeData._picked_id = reading  # type: ignore[method-assign]


def main(scenario: str, dialect: str) -> dict[str, Any]:
    counted()
    {"plain": lambda: None, "draw": stored_out_of_order, "write": writing, "fail": failing, "ids": other_ids,
     "unseen": reading_unseen}[scenario]()
    found: dict[str, Any] = {"state": seeded_state(load_api(dialect))}
    found.update(COUNTS)
    if scenario in ("draw", "ids"):
        seeding_aside.MIN_RECORDS = sys.maxsize  # no child: one process
        found["alone"] = seeded_state(load_api(dialect))
    return found


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
