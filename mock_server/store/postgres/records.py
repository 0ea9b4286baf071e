"""One session (or snapshot) in PostgreSQL: a schema of its own, a table per resource (schema.py).

Every write runs in a transaction that first takes the session's advisory lock (`pg_advisory_xact_lock`): writers
of one session queue across every replica, as SQLite's BEGIN IMMEDIATE makes them queue across workers, so a
read-modify-write (an update, a merge, an import, a stage reorder, a uniqueness check) never interleaves with
another. Reads take no lock. Each write transaction moves the session's `version` row, which list totals are
kept against (results.Totals).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from crmspec.model import Dialect
from mock_server.store import query as q
from mock_server.store.documents import dumps
from mock_server.store.interface import Image, RecordStore
from mock_server.store.postgres import schema as ddl
from mock_server.store.postgres.connections import Database, lock_key
from mock_server.store.postgres.sql import compile_where, ident, json_value, maxima_sql, order_by
from mock_server.store.results import Totals, gather_maxima


class PostgresStore(RecordStore):
    def __init__(self, database: Database, schema: str, dialect: Dialect, index_specs: set[ddl.IndexSpec],
                 indexed: bool = True) -> None:
        self.database = database
        self.index_specs = index_specs  # every session of the served API gets these indexes (ensure_index)
        self.indexed = indexed  # a snapshot is only copied whole: no index of its own
        self.schema = schema
        self.dialect = dialect
        self._lock_key = lock_key(database.namespace, schema)
        self._local = threading.local()
        self._totals = Totals()
        self._indexes: set[str] = set()
        self.create_tables()

    # connections and transactions -------------------------------------------------------------
    def _held(self) -> psycopg.Connection[Any] | None:
        """This thread's open transaction's connection (never one from before a fork)."""
        held: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        return held if held is not None and getattr(self._local, "pid", None) == os.getpid() else None

    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection[Any]]:
        """The transaction's connection when one is open on this thread, else one from the pool."""
        held = self._held()
        if held is not None:
            yield held
            return
        with self.database.connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._held() is not None:
            yield  # nested: join the outer transaction
            return
        with self.database.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
            self._local.conn, self._local.pid, self._local.dirty = conn, os.getpid(), False
            self._local.ddl = []
            try:
                yield
                if self._local.ddl:  # the indexes asked for in this transaction, in one round trip
                    conn.execute("; ".join(self._local.ddl).encode())
                if self._local.dirty:
                    conn.execute(f"UPDATE {self._t('version')} SET n = n + 1")
            finally:
                self._local.conn = None

    def _t(self, table: str) -> str:
        return ident(self.schema, table)

    def _r(self, resource: str) -> str:
        return ident(self.schema, f"r_{resource}")

    def _changed(self) -> None:
        self._local.dirty = True
        self._local.writes = self.changes() + 1

    def changes(self) -> int:
        return int(getattr(self._local, "writes", 0))

    def _write(self, statement: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        """A statement that changes records, inside the session's transaction (a new one if none is open)."""
        with self.transaction(), self._conn() as conn:
            self._changed()
            return conn.execute(statement.encode(), params)

    def _read(self, statement: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple[Any, ...]]:
        with self._conn() as conn:
            return conn.execute(statement.encode(), params).fetchall()

    # tables, indexes, meta ----------------------------------------------------------------------
    def create_tables(self) -> None:
        with self.transaction():
            self._local.ddl.extend(ddl.session_tables(self.schema, self.dialect.resources))
            for spec in list(self.index_specs) if self.indexed else []:
                self._create_index(spec)

    def ensure_index(self, resource: str, field_name: str, text: bool = False, then: str | None = None,
                     then_text: bool = False) -> None:
        spec = (resource, field_name, text, then, then_text)
        self.index_specs.add(spec)
        self._create_index(spec)

    def _create_index(self, spec: ddl.IndexSpec) -> None:
        if spec[0] in self.dialect.resources:
            self._ddl(*ddl.index(self.schema, spec))

    def ensure_unique(self, resource: str, field_name: str) -> None:
        self._ddl(*ddl.unique_index(self.schema, resource, field_name))

    def _ddl(self, name: str, statement: str) -> None:
        """Create the index `name` once, at the end of the current transaction with the others asked for in it
        (one round trip)."""
        if name in self._indexes:
            return
        with self.transaction():
            self._local.ddl.append(statement)
        self._indexes.add(name)

    def meta(self, key: str) -> str | None:
        rows = self._read(f"SELECT value FROM {self._t('meta')} WHERE key = %s", (key,))
        return None if not rows else str(rows[0][0])

    def set_meta(self, key: str, value: str) -> None:
        self._write(f"INSERT INTO {self._t('meta')} (key, value) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    # records ------------------------------------------------------------------------------------
    def insert(self, resource_name: str, doc: dict[str, Any], pk: int | None = None) -> dict[str, Any]:
        resource = self.dialect.resources[resource_name]
        with self.transaction(), self._conn() as conn:
            self._changed()
            given = doc.get(resource.id_field)
            if pk is None and isinstance(given, int) and not isinstance(given, bool) \
                    and self.dialect.id_type == "integer":
                pk = given
            sequence = self._t(f"r_{resource_name}_pk_seq")
            if pk is None:
                row = conn.execute("SELECT nextval(%s::regclass)", (sequence,)).fetchone()
                pk = int(row[0]) if row else 0
            else:  # a fixture's own key: the sequence moves past it, never back
                conn.execute(f"SELECT setval(%s::regclass, GREATEST(%s, (SELECT CASE WHEN is_called THEN last_value "
                             f"ELSE 0 END FROM {sequence})))".encode(), (sequence, pk))
            record = self.with_id(resource, doc, pk)
            conn.execute(f"INSERT INTO {self._r(resource_name)} (pk, rid, doc) VALUES (%s, %s, %s)".encode(),
                         (pk, str(record[resource.id_field]), Jsonb(record)))
        return record

    def insert_many(self, resource_name: str, docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        resource = self.dialect.resources[resource_name]
        if not docs:
            return []
        if self.dialect.id_type == "integer" and any(isinstance(doc.get(resource.id_field), int) for doc in docs):
            with self.transaction():  # a record that brings its own key moves the sequence past it: one by one
                return [self.insert(resource_name, doc) for doc in docs]
        with self.transaction(), self._conn() as conn:
            self._changed()
            keys = conn.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                                (self._t(f"r_{resource_name}_pk_seq"), len(docs))).fetchall()
            pks = sorted(int(key) for key, in keys)  # in the order one insert after the other takes them
            keyed = [(pk, self.with_id(resource, doc, pk)) for doc, pk in zip(docs, pks, strict=True)]
            with conn.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {self._r(resource_name)} (pk, rid, doc) VALUES (%s, %s, %s)".encode(),
                                   [(pk, str(record[resource.id_field]), Jsonb(record)) for pk, record in keyed])
        return [record for _, record in keyed]

    def get(self, resource_name: str, record_id: Any) -> dict[str, Any] | None:
        rows = self._read(f"SELECT doc FROM {self._r(resource_name)} WHERE rid = %s", (str(record_id),))
        return None if not rows else dict(rows[0][0])

    def replace(self, resource_name: str, record: dict[str, Any]) -> dict[str, Any]:
        resource = self.dialect.resources[resource_name]
        self._write(f"UPDATE {self._r(resource_name)} SET doc = %s WHERE rid = %s",
                    (Jsonb(record), str(record[resource.id_field])))
        return record

    def delete(self, resource_name: str, record_id: Any) -> bool:
        return self._write(f"DELETE FROM {self._r(resource_name)} WHERE rid = %s", (str(record_id),)).rowcount > 0

    def query(self, resource_name: str, query: q.Query) -> tuple[list[dict[str, Any]], int]:
        where, params = compile_where(query.where)
        table = self._r(resource_name)
        rows_sql = f" FROM {table}{where}{order_by(query.order)}"
        if query.limit is None:
            rows = self._read("SELECT doc" + rows_sql, params)
            return [r[0] for r in rows], len(rows)
        # the page window as literals, not parameters: with LIMIT $n the planner must assume a tenth of the
        # table is wanted, plans every execution afresh (0.15-0.2 ms), and never settles on the prepared plan;
        # the session's version comes with the page (the total's memo needs it) instead of in a round trip of its own
        page = (f"SELECT doc, (SELECT n FROM {self._t('version')}){rows_sql} "
                f"LIMIT {int(query.limit)} OFFSET {int(query.offset)}")
        with self._conn() as conn:
            rows = conn.execute(page.encode(), params).fetchall()
            docs = [r[0] for r in rows]
            if query.offset == 0 and len(rows) < query.limit:
                return docs, len(docs)

            def count() -> int:
                # at 100k deals this reads the heap page of every match (PostgreSQL has no index-only scan on an
                # expression index): 40-100 ms for 17k deals, hence the memo
                row = conn.execute(f"SELECT count(*) FROM {table}{where}".encode(), params).fetchone()
                return int(row[0]) if row else 0

            # inside a write transaction its own writes are not committed yet: counted afresh, not kept
            version = int(rows[0][1]) if rows and self._held() is None else None
            return docs, self._totals.total((table, where, repr(params)), version, count)

    def get_many(self, resource_name: str, record_ids: Sequence[Any]) -> dict[str, dict[str, Any]]:
        wanted = sorted({str(i) for i in record_ids})
        rows = self._read(f"SELECT rid, doc FROM {self._r(resource_name)} WHERE rid = ANY(%s)", (wanted,))
        return {str(rid): dict(doc) for rid, doc in rows}

    def maxima_by(self, resource_names: Sequence[str], fields: Sequence[str], key_field: str,
                  keys: Sequence[Any]) -> dict[Any, list[Any]]:
        distinct = [v.obj for v in (json_value(k) for k in dict.fromkeys(keys)) if v is not None]
        if not distinct:
            return {}
        statement = maxima_sql(self.schema, tuple(resource_names), tuple(fields), key_field)
        return gather_maxima(self._read(statement, {"keys": Jsonb(distinct)}), {})

    def count(self, resource_name: str) -> int:
        return int(self._read(f"SELECT count(*) FROM {self._r(resource_name)}")[0][0])

    def _nth(self, resource_name: str, index: int, total: int) -> dict[str, Any]:
        rows = self._read(f"SELECT doc FROM {self._r(resource_name)} ORDER BY pk LIMIT 1 OFFSET %s", (index,))
        return dict(rows[0][0])

    def clear(self) -> None:
        tables = [self._r(n) for n in self.dialect.resources] + [self._t("meta"), self._t("events")]
        self._write(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")

    # webhook events -----------------------------------------------------------------------------
    def append_event(self, event: str, payload: Callable[[int], dict[str, Any]]) -> dict[str, Any]:
        with self.transaction(), self._conn() as conn:
            row = conn.execute(f"INSERT INTO {self._t('events')} (event, payload) VALUES (%s, '{{}}') "
                               "RETURNING seq".encode(), (event,)).fetchone()
            body = payload(int(row[0]) if row else 0)
            conn.execute(f"UPDATE {self._t('events')} SET payload = %s WHERE seq = %s".encode(),
                         (Jsonb(body), row[0] if row else 0))
        return body

    def events(self) -> list[dict[str, Any]]:
        return [dict(r[0]) for r in self._read(f"SELECT payload FROM {self._t('events')} ORDER BY seq")]

    # whole copies -------------------------------------------------------------------------------
    def image(self) -> Image:
        image = Image()
        with self.transaction(), self._conn() as conn:
            for name in self.dialect.resources:
                image.records[name] = [(int(pk), dict(doc)) for pk, doc in conn.execute(
                    f"SELECT pk, doc FROM {self._r(name)} ORDER BY pk".encode())]
                row = conn.execute(f"SELECT last_value, is_called FROM {self._t(f'r_{name}_pk_seq')}".encode()
                                   ).fetchone()
                if row and row[1]:
                    image.sequences[name] = int(row[0])
            image.meta = {str(k): str(v) for k, v in conn.execute(f"SELECT key, value FROM {self._t('meta')}".encode())}
            image.events = [(int(s), dict(p)) for s, p in conn.execute(
                f"SELECT seq, payload FROM {self._t('events')} ORDER BY seq".encode())]
        return image

    def load(self, image: Image) -> None:
        with self.transaction(), self._conn() as conn:
            self.clear()
            for name, rows in image.records.items():
                if name not in self.dialect.resources or not rows:
                    continue
                id_field = self.dialect.resources[name].id_field
                with conn.cursor().copy(f"COPY {self._r(name)} (pk, rid, doc) FROM STDIN".encode()) as copy:
                    for pk, doc in rows:
                        copy.write_row((pk, str(doc.get(id_field)), dumps(doc)))
            for name in self.dialect.resources:  # past the image's largest key ever used, and past every row's
                conn.execute(f"SELECT setval(%s::regclass, GREATEST(%s, max(pk)), true) FROM {self._r(name)} "
                             "HAVING GREATEST(%s, max(pk)) > 0".encode(),
                             (self._t(f"r_{name}_pk_seq"), image.sequences.get(name, 0), image.sequences.get(name, 0)))
            for key, value in image.meta.items():
                conn.execute(f"INSERT INTO {self._t('meta')} (key, value) VALUES (%s, %s)".encode(), (key, value))
            if image.events:
                with conn.cursor().copy(f"COPY {self._t('events')} (seq, event, payload) FROM STDIN".encode()) as copy:
                    for seq, payload in image.events:
                        copy.write_row((seq, str(payload.get("event")), dumps(payload)))
                conn.execute("SELECT setval(%s::regclass, %s)", (self._t("events_seq_seq"),
                                                                 max(s for s, _ in image.events)))

    def copy_into(self, other: RecordStore) -> None:
        if isinstance(other, PostgresStore) and other.database is self.database:
            other.copy_tables_from(self)
            return
        super().copy_into(other)

    def copy_tables_from(self, source: PostgresStore) -> None:
        """Every table of `source` into this store, inside this store's transaction (other replicas see one
        commit); a server-side copy, nothing crosses the wire."""
        with self.transaction(), self._conn() as conn:
            self.clear()
            for table in [f"r_{n}" for n in self.dialect.resources] + ["meta", "events"]:
                conn.execute(f"INSERT INTO {self._t(table)} SELECT * FROM {source._t(table)}".encode())
            for table in [f"r_{n}" for n in self.dialect.resources] + ["events"]:
                seq = "events_seq_seq" if table == "events" else f"{table}_pk_seq"
                conn.execute(f"SELECT setval(%s::regclass, last_value, is_called) FROM {source._t(seq)}".encode(),
                             (self._t(seq),))
