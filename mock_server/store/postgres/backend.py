"""One served API's state in PostgreSQL: its default session, the named sessions and their snapshots, each a
schema registered in the namespace's `stores` table (schema.py), and the ledger.

The registry is created and migrated on start under a database-wide advisory lock, so replicas that start
together do not race. A snapshot is a server-side copy of the session's tables taken under the session's write
lock; a restore replaces the session's rows inside one such transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from crmspec.model import Dialect
from mock_server.store.interface import RecordStore, Snapshot, StateBackend, utc_stamp
from mock_server.store.postgres.connections import Database
from mock_server.store.postgres.ledger import PostgresLedger
from mock_server.store.postgres.records import PostgresStore
from mock_server.store.postgres.schema import IndexSpec, migrate
from mock_server.store.postgres.sql import ident
from mock_server.store.sqlite.records import SqliteStore


class PostgresBackend(StateBackend):
    seeds_in_place = False  # seeded in memory, then copied in with COPY: one round trip per table, not per record

    def __init__(self, dialect: Dialect, url: str) -> None:
        self.database = Database(url)
        self.namespace = self.database.namespace
        self.dialect = dialect
        self.api = dialect.id
        self.index_specs: set[IndexSpec] = set()
        migrate(self.database)
        self.default = self._store("session", "default", "", dialect)
        self.ledger = PostgresLedger(self.database, self.api)

    def close(self) -> None:
        """Nothing to do: pools are per process (keyed by pid) and closed at exit, and a server keeps its data
        whoever closes a connection."""

    def _stores_table(self) -> str:
        return ident(self.namespace, "stores")

    def _store(self, kind: str, session: str, name: str, dialect: Dialect) -> PostgresStore:
        """The store of a session or snapshot, its schema registered (and created) on first use."""
        with self.database.connection() as conn:
            conn.execute(f"INSERT INTO {self._stores_table()} (api, kind, session, name, created_at) "
                         "VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING".encode(),
                         (self.api, kind, session, name, utc_stamp()))
            row = conn.execute(f"SELECT id FROM {self._stores_table()} WHERE api = %s AND kind = %s AND session = %s "
                               "AND name = %s".encode(), (self.api, kind, session, name)).fetchone()
        assert row is not None
        return PostgresStore(self.database, f"{self.namespace}_{row[0]}", dialect, self.index_specs,
                             indexed=kind == "session")

    def scratch(self, dialect: Dialect) -> RecordStore:
        return SqliteStore(dialect, None)

    def open_session(self, name: str, fill: Callable[[RecordStore], None]) -> RecordStore:
        store = self._store("session", name, "", self.dialect)
        with store.transaction():  # the first replica to get here fills it; the others wait, then see it filled
            if store.meta("seed") is None:
                fill(store)
        return store

    def session_names(self) -> list[str]:
        with self.database.connection() as conn:
            rows = conn.execute(f"SELECT session FROM {self._stores_table()} WHERE api = %s AND kind = 'session' "
                                "AND session <> 'default' ORDER BY session".encode(), (self.api,))
            return [str(r[0]) for r in rows]

    def snapshot(self, session: str, store: RecordStore, name: str) -> Snapshot:
        assert isinstance(store, PostgresStore)
        taken = Snapshot(name, utc_stamp())
        copy = self._store("snapshot", session, name, store.dialect)
        with self.database.connection() as conn:
            conn.execute(f"UPDATE {self._stores_table()} SET created_at = %s WHERE api = %s AND kind = 'snapshot' "
                         "AND session = %s AND name = %s".encode(), (taken.created_at, self.api, session, name))
        with store.transaction():  # no write of the session lands halfway through the copy
            copy.copy_tables_from(store)
        return taken

    def _snapshot_row(self, session: str, name: str) -> tuple[str, str] | None:
        with self.database.connection() as conn:
            row = conn.execute(f"SELECT id, created_at FROM {self._stores_table()} WHERE api = %s AND "
                               "kind = 'snapshot' AND session = %s AND name = %s".encode(),
                               (self.api, session, name)).fetchone()
        return None if row is None else (f"{self.namespace}_{row[0]}", str(row[1]))

    def restore(self, session: str, store: RecordStore, name: str) -> Snapshot | None:
        assert isinstance(store, PostgresStore)
        found = self._snapshot_row(session, name)
        if found is None:
            return None
        store.copy_tables_from(PostgresStore(self.database, found[0], store.dialect, self.index_specs, indexed=False))
        return Snapshot(name, found[1])

    def snapshots(self, session: str) -> list[Snapshot]:
        with self.database.connection() as conn:
            rows = conn.execute(f"SELECT name, created_at FROM {self._stores_table()} WHERE api = %s AND "
                                "kind = 'snapshot' AND session = %s ORDER BY created_at".encode(), (self.api, session))
            return [Snapshot(str(n), str(c)) for n, c in rows]

    def drop_snapshot(self, session: str, name: str) -> bool:
        found = self._snapshot_row(session, name)
        if found is None:
            return False
        with self.database.connection() as conn, conn.transaction():
            conn.execute(f"DELETE FROM {self._stores_table()} WHERE api = %s AND kind = 'snapshot' AND "
                         "session = %s AND name = %s".encode(), (self.api, session, name))
            conn.execute(f"DROP SCHEMA IF EXISTS {ident(found[0])} CASCADE".encode())
        return True
