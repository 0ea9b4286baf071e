"""The shortcuts the mock takes on every request give the answers the long way gives."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest

import crmspec
from mock_server import accesslog
from mock_server.store import Query
from mock_server.store.query import eq
from mock_server.store.sqlite import SqliteStore as Store
from mock_server.validation import ParameterCheck, Routes

ROOT = Path(__file__).resolve().parents[2]


def test_a_parameter_verdict_is_the_same_memoised_or_not() -> None:
    check = ParameterCheck({"in": "query", "name": "per_page", "schema": {"type": "integer", "maximum": 100}})
    for raw in ("25", "500", "abc", "25"):
        assert check.check(raw) == check._verdict(raw)
    assert check.check("25") == (25, ())
    assert check.check("500")[1] == ("The per_page field must not be greater than 100.",)
    assert check._memo.cache_info().hits >= 1


def test_a_long_raw_value_is_checked_but_not_kept() -> None:
    check = ParameterCheck({"in": "path", "name": "id", "schema": {"type": "integer"}})
    raw = "9" * (ParameterCheck.MEMO_MAX_LENGTH + 1)
    before = check._memo.cache_info().currsize
    value, problems = check.check(raw)
    assert value == int(raw) and problems
    assert check._memo.cache_info().currsize == before


def test_a_memoised_array_is_never_shared_between_requests() -> None:
    check = ParameterCheck({"in": "query", "name": "ids", "schema": {"type": "array", "items": {"type": "integer"}}})
    first, _ = check.check("1,2")
    first.append(3)
    assert check.check("1,2") == ([1, 2], ())


def test_maxima_by_key_is_per_resource_and_absent_when_nothing_matches() -> None:
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    store = Store(api.dialect)
    store.insert("deal_notes", {"deal_id": 7, "created_at": "2026-01-02T00:00:00Z",
                                "updated_at": "2026-03-01T00:00:00Z"})
    store.insert("deal_notes", {"deal_id": 7, "created_at": "2026-02-01T00:00:00Z", "updated_at": None})
    store.insert("deal_notes", {"deal_id": 8, "created_at": "2027-01-01T00:00:00Z", "updated_at": None})
    store.insert("deal_tasks", {"deal_id": 8, "created_at": "2025-05-05T00:00:00Z", "updated_at": None})
    found = store.maxima_by(("deal_notes", "deal_tasks"), ("created_at", "updated_at"), "deal_id", [7, 8, 9, 7])
    assert {k: sorted(v) for k, v in found.items()} == {
        7: ["2026-03-01T00:00:00Z"], 8: ["2025-05-05T00:00:00Z", "2027-01-01T00:00:00Z"]}


def test_maxima_by_key_and_get_many_take_more_keys_than_one_statement_binds() -> None:
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    store = Store(api.dialect)
    for n in range(1, 1201):
        store.insert("deal_notes", {"deal_id": n, "created_at": f"2026-01-01T00:00:{n % 60:02d}Z"})
    keys = list(range(1, 1301))
    assert len(store.maxima_by(("deal_notes",), ("created_at",), "deal_id", keys)) == 1200
    assert sorted(map(int, store.get_many("deal_notes", keys))) == list(range(1, 1201))


def test_the_log_stamp_is_utc_with_milliseconds() -> None:
    for moment in (0.0, 1_795_000_000.0014, 1_795_000_000.999, 1_795_000_001.5):
        expected = dt.datetime.fromtimestamp(moment, dt.UTC)
        millis = int(round(moment % 1, 6) * 1000)
        assert accesslog._stamp(moment) == expected.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis:03d}Z"


def test_a_more_concrete_path_is_a_rival_only_where_one_url_can_name_both() -> None:
    routes = Routes([])
    assert routes._overlap("/deals/{id}", "/deals/import")
    assert not routes._overlap("/deals/{id}", "/stages/import")
    assert routes._overlap("/deals/{id}/notes", "/deals/import/notes")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_forked_child_opens_its_own_connection(tmp_path: Path) -> None:
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    store = Store(api.dialect, str(tmp_path / "state.sqlite3"))
    parent_connection = store._connection()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports whether it got a connection of its own, then leaves at once
        os.write(write, b"1" if store._connection() is not parent_connection else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    assert store._connection() is parent_connection


def test_a_new_key_follows_the_largest_ever_used_and_is_never_reused(tmp_path: Path) -> None:
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    store = Store(api.dialect, str(tmp_path / "state.sqlite3"))
    assert store.insert("deals", {"name": "first"})["id"] == 1
    assert store.insert("deals", {"id": 10, "name": "a fixture with its own id"})["id"] == 10
    assert store.insert("deals", {"name": "after the fixture"})["id"] == 11
    assert store.delete("deals", 11)
    assert store.insert("deals", {"name": "after a delete"})["id"] == 12  # AUTOINCREMENT: 11 stays retired
    assert store.get("deals", 12) == {"id": 12, "name": "after a delete"}


def _total(store: Store) -> int:
    return store.query("deals", Query(where=[eq("stage_id", 3)], limit=1))[1]


def _counted(store: Store) -> list[str]:
    statements: list[str] = []
    store._connection().set_trace_callback(lambda sql: statements.append(sql) if "COUNT(*)" in sql else None)
    return statements


def test_a_list_total_is_counted_once_per_change_of_the_data(tmp_path: Path) -> None:
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    store = Store(api.dialect, str(tmp_path / "state.sqlite3"))
    store.insert("deals", {"name": "a", "stage_id": 3})
    counted = _counted(store)
    assert [_total(store) for _ in range(3)] == [1, 1, 1]
    assert len(counted) == 1  # the same total, asked three times, counted once
    store.insert("deals", {"name": "b", "stage_id": 3})  # through this connection
    assert _total(store) == 2
    other = Store(api.dialect, str(tmp_path / "state.sqlite3"))  # another connection (another worker)
    other.insert("deals", {"name": "c", "stage_id": 3})
    assert _total(store) == 3
    assert store.delete("deals", 1) and _total(store) == 2
    assert len(counted) == 4


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_list_total_follows_a_write_by_another_process(tmp_path: Path) -> None:
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    store = Store(api.dialect, str(tmp_path / "state.sqlite3"))
    assert _total(store) == 0
    pid = os.fork()
    if pid == 0:
        Store(api.dialect, str(tmp_path / "state.sqlite3")).insert("deals", {"name": "from a child", "stage_id": 3})
        os._exit(0)
    os.waitpid(pid, 0)
    assert _total(store) == 1


def test_a_list_total_follows_a_copy_restored_into_the_store(tmp_path: Path) -> None:
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    store = Store(api.dialect, str(tmp_path / "state.sqlite3"))
    empty = Store(api.dialect, str(tmp_path / "empty.sqlite3"))
    store.insert("deals", {"name": "a", "stage_id": 3})
    assert _total(store) == 1
    with sqlite3.connect(tmp_path / "empty.sqlite3") as source:
        store.restore_from(source)
    assert _total(store) == 0
    assert empty.count("deals") == 0


def test_a_list_total_outlives_writes_to_other_tables_only(tmp_path: Path) -> None:
    """Seeding deals (a write each) must not recount the contacts a deal's write hook draws from."""
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    store = Store(api.dialect, str(tmp_path / "state.sqlite3"))
    store.insert("deals", {"name": "a", "stage_id": 3})
    counted = _counted(store)
    assert _total(store) == 1
    store.insert("contacts", {"first_name": "b"})
    store.insert_many("companies", [{"name": "c"}])
    assert _total(store) == 1 and len(counted) == 1
    store.insert_many("deals", [{"name": "d", "stage_id": 3}])
    assert _total(store) == 2 and len(counted) == 2


def test_a_list_total_counted_inside_a_rolled_back_transaction_is_forgotten(tmp_path: Path) -> None:
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    store = Store(api.dialect, str(tmp_path / "state.sqlite3"))
    store.insert("deals", {"name": "a", "stage_id": 3})
    with pytest.raises(RuntimeError), store.transaction():
        store.insert("deals", {"name": "b", "stage_id": 3})
        assert _total(store) == 2
        raise RuntimeError("a business rule refuses the write")
    assert _total(store) == 1


def _deals(store: Store, count: int) -> None:
    store.insert_many("deals", [{"name": f"deal {n}", "stage_id": n % 3} for n in range(count)])


def test_a_pick_is_the_record_at_its_offset_in_key_order_with_or_without_gaps(tmp_path: Path) -> None:
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    store = Store(api.dialect, str(tmp_path / "state.sqlite3"))
    _deals(store, 7)
    for deleted in (None, 1, 4, 7):  # none, the first key, one in the middle, the last
        if deleted is not None:
            assert store.delete("deals", deleted)
        in_key_order = sorted(store.all("deals"), key=lambda deal: int(deal["id"]))
        assert [store.pick("deals", offset) for offset in range(20)] == \
            [in_key_order[offset % len(in_key_order)] for offset in range(20)]


def test_the_nth_matching_record_is_what_a_page_of_one_at_that_offset_holds(tmp_path: Path) -> None:
    api = crmspec.load(ROOT / "openapi" / "revorbit.yaml")
    path = str(tmp_path / "state.sqlite3")
    store, other = Store(api.dialect, path), Store(api.dialect, path)
    where = [eq("stage_id", 1)]

    def expected() -> list[dict[str, object]]:
        matching = [deal for deal in store.all("deals") if deal.get("stage_id") == 1]
        return sorted(matching, key=lambda deal: int(deal["id"]))

    _deals(store, 10)
    for change in (lambda: None, lambda: _deals(store, 4), lambda: store.delete("deals", 2),
                   lambda: _deals(other, 3), lambda: store.replace("deals", {**store.get("deals", 5), "stage_id": 0})):
        change()
        matching = expected()
        assert [store.nth_matching("deals", where, n) for n in range(len(matching) + 2)] == [*matching, None, None]
        assert [store.query("deals", Query(where=where, limit=1, offset=n))[0][0] for n in range(len(matching))] \
            == matching
