"""RecordStore.insert_many (the seeder's batches) stores what `insert` stores one record after the other: the
same ids, the same documents in the same key order, and the same key for the record inserted after them, also
when records bring their own integer ids. SQLite here; tests/integration/test_postgres_insert_many.py holds
PostgreSQL to the same."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crmspec.model import Dialect
from mock_server.store import RecordStore
from mock_server.store.sqlite import SqliteStore
from tests.conftest import load_api

MakeStore = Callable[[Dialect], RecordStore]
Docs = list[list[dict[str, Any]]]

# integer ids (the key itself), some records bringing their own: 1, 2, 3, 50, 51, 10, then 52 for the next one
INTEGER_BATCHES: Docs = [[{"name": "a"}, {"name": "b"}], [], [{"name": "c"}, {"id": 50, "name": "own"}],
                         [{"name": "d"}, {"id": 10, "name": "lower"}]]
INTEGER_IDS = [1, 2, 3, 50, 51, 10]
# string ids made from the key (`contact_001`), one record bringing its own text id (which uses a key all the same)
STRING_BATCHES: Docs = [[{"first_name": "a"}, {"first_name": "b"}], [{"id": "own", "first_name": "c"}],
                        [{"first_name": "d"}]]
STRING_IDS = ["contact_001", "contact_002", "own", "contact_004"]


def same_as_one_by_one(make_store: MakeStore, dialect: str, resource: str, batches: Docs,
                       ids: list[Any], next_id: Any) -> None:
    """insert_many of each batch into one store, insert of each record into another: the same in every way."""
    api = load_api(dialect)
    one_by_one, in_batches = make_store(api.dialect), make_store(api.dialect)
    expected = [one_by_one.insert(resource, dict(doc)) for batch in batches for doc in batch]
    stored = [record for batch in batches for record in in_batches.insert_many(resource, [dict(d) for d in batch])]
    assert [record["id"] for record in stored] == ids
    assert stored == expected
    assert [list(record) for record in stored] == [list(record) for record in expected]  # the id first
    assert in_batches.all(resource) == one_by_one.all(resource)
    after = in_batches.insert(resource, {"note": "after"})
    assert after["id"] == next_id
    assert after == one_by_one.insert(resource, {"note": "after"})
    assert in_batches.get(resource, next_id) == after


def check_both_kinds_of_id(make_store: MakeStore) -> None:
    same_as_one_by_one(make_store, "revorbit", "deals", INTEGER_BATCHES, INTEGER_IDS, 52)
    same_as_one_by_one(make_store, "olympus", "contacts", STRING_BATCHES, STRING_IDS, "contact_005")


def test_sqlite_insert_many_stores_what_insert_one_by_one_stores() -> None:
    check_both_kinds_of_id(SqliteStore)


def check_rolled_back(make_store: MakeStore) -> None:
    """A batch stored inside a transaction that fails is gone with it."""
    store = make_store(load_api("revorbit").dialect)
    with pytest.raises(RuntimeError), store.transaction():
        store.insert_many("deals", [{"name": "rolled back"}, {"name": "with it"}])
        raise RuntimeError("abandon the transaction")
    assert store.all("deals") == []
    assert store.insert_many("deals", []) == []


def test_sqlite_insert_many_is_rolled_back_with_its_transaction() -> None:
    check_rolled_back(SqliteStore)
