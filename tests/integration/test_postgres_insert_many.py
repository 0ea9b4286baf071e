"""PostgreSQL's RecordStore.insert_many stores what its `insert` stores one record after the other (the promises
of tests/unit/test_store_insert_many.py, which holds SQLite to them), and is rolled back with its transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crmspec.model import Dialect
from mock_server.store import RecordStore
from mock_server.store.postgres import PostgresBackend, drop_namespace
from tests.postgres import require, state_url
from tests.unit.test_store_insert_many import MakeStore, check_both_kinds_of_id, check_rolled_back


@pytest.fixture
def make_store() -> Iterator[MakeStore]:
    """Stores of their own (a namespace each, on one server), dropped afterwards."""
    server = require()
    urls: list[str] = []

    def make(dialect: Dialect) -> RecordStore:
        urls.append(state_url(server))
        return PostgresBackend(dialect, urls[-1]).default

    yield make
    for url in urls:
        drop_namespace(url)


def test_postgres_insert_many_stores_what_insert_one_by_one_stores(make_store: MakeStore) -> None:
    check_both_kinds_of_id(make_store)


def test_postgres_insert_many_is_rolled_back_with_its_transaction(make_store: MakeStore) -> None:
    check_rolled_back(make_store)
