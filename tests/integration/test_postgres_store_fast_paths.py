"""The PostgreSQL store's shortcuts give the answers the long way gives: the per-key maxima lookup (one index
probe per key), list totals kept per session version (read with the page, never kept inside a write
transaction), and the connection a process keeps at hand (only an idle one). tests/unit/test_mock_fast_paths.py
holds the same promises for SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg.pq import TransactionStatus

import crmspec
from mock_server.store import Query, RecordStore
from mock_server.store.postgres import PostgresBackend, drop_namespace
from mock_server.store.postgres.connections import Database
from mock_server.store.query import eq
from tests.postgres import require, state_url

ROOT = Path(__file__).resolve().parents[2]
NOTES, TASKS, FIELDS = "deal_notes", "deal_tasks", ("created_at", "updated_at")


@pytest.fixture
def url() -> Iterator[str]:
    database = state_url(require())
    yield database
    drop_namespace(database)


def _store(url: str) -> RecordStore:
    """The default session of a backend of its own: another replica on the same database, for a second call."""
    return PostgresBackend(crmspec.load(ROOT / "openapi" / "revorbit.yaml").dialect, url).default


def test_maxima_by_key_is_per_resource_and_absent_when_nothing_matches(url: str) -> None:
    store = _store(url)
    store.insert(NOTES, {"deal_id": 7, "created_at": "2026-01-02T00:00:00Z", "updated_at": "2026-03-01T00:00:00Z"})
    store.insert(NOTES, {"deal_id": 7, "created_at": "2026-02-01T00:00:00Z", "updated_at": None})
    store.insert(NOTES, {"deal_id": 8, "created_at": "2027-01-01T00:00:00Z", "updated_at": None})
    store.insert(TASKS, {"deal_id": 8, "created_at": "2025-05-05T00:00:00Z", "updated_at": None})
    store.insert(TASKS, {"deal_id": 10, "created_at": None, "updated_at": None})  # held, but with no value
    store.insert(TASKS, {"deal_id": "7", "created_at": "2030-01-01T00:00:00Z"})  # the text "7" is another key
    found = store.maxima_by((NOTES, TASKS), FIELDS, "deal_id", [7, 8, 9, 7, 10, float("nan")])
    assert {k: sorted(v, key=str) for k, v in found.items()} == {
        7: ["2026-03-01T00:00:00Z"], 8: ["2025-05-05T00:00:00Z", "2027-01-01T00:00:00Z"], 10: [None]}
    assert store.maxima_by((NOTES,), FIELDS, "deal_id", []) == {}


def test_maxima_by_key_takes_many_keys_at_once(url: str) -> None:
    store = _store(url)
    with store.transaction():
        for n in range(1, 1201):
            store.insert(NOTES, {"deal_id": n, "created_at": f"2026-01-01T00:00:{n % 60:02d}Z"})
    found = store.maxima_by((NOTES,), ("created_at",), "deal_id", list(range(1, 1301)))
    assert len(found) == 1200 and found[59] == ["2026-01-01T00:00:59Z"]


def _total(store: RecordStore, offset: int = 0) -> int:
    return store.query("deals", Query(where=[eq("stage_id", 3)], limit=1, offset=offset))[1]


def test_a_list_total_follows_every_write_of_every_replica(url: str) -> None:
    store, other = _store(url), _store(url)
    for name in ("a", "b", "c"):
        store.insert("deals", {"name": name, "stage_id": 3})
    store.insert("deals", {"name": "elsewhere", "stage_id": 4})
    assert [_total(store) for _ in range(3)] == [3, 3, 3]
    other.insert("deals", {"name": "from the other replica", "stage_id": 3})
    assert _total(store) == 4
    assert other.delete("deals", 1) and _total(store) == 3
    assert _total(store, offset=10) == 3  # a page past the end still says how many there are


def test_a_total_counted_inside_a_transaction_is_not_kept_past_its_rollback(url: str) -> None:
    store = _store(url)
    for name in ("a", "b"):
        store.insert("deals", {"name": name, "stage_id": 3})
    assert _total(store) == 2
    with pytest.raises(RuntimeError), store.transaction():
        store.insert("deals", {"name": "never committed", "stage_id": 3})
        assert _total(store) == 3  # its own write, seen inside
        raise RuntimeError("roll back")
    assert _total(store) == 2


def test_a_connection_given_back_inside_a_transaction_is_not_the_next_one_handed_out(url: str) -> None:
    database = Database(url)
    with database.connection() as conn:
        conn.execute("SELECT 1")
    with database.connection() as conn:
        conn.execute("BEGIN")  # left open, as a fault halfway through a write would leave it
        conn.execute("CREATE TEMPORARY TABLE half_done (n int)")
    for _ in range(3):
        with database.connection() as conn:
            assert conn.info.transaction_status == TransactionStatus.IDLE
            assert conn.execute("SELECT to_regclass('half_done')").fetchone() == (None,)
