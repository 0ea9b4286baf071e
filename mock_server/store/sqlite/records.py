"""One session in SQLite: a table per resource, each record a JSON document, indexed per filtered field.

A record's id is derived from the table's autoincrement key: the key itself for integer ids, or
the dialect's format (`contact_{n:03d}`) for string ids, so ids stay unique across worker processes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from crmspec.model import Dialect, Resource
from mock_server.store import query as q
from mock_server.store.documents import dumps, loads
from mock_server.store.interface import Image, RecordStore
from mock_server.store.results import gather_maxima
from mock_server.store.sqlite.database import Database
from mock_server.store.sqlite.sql import column, compile_where, maxima_sql, order_by, table

CHUNK = 500  # ids bound in one IN (...) list, well below SQLite's limit on variables


def _document(text: str) -> dict[str, Any]:
    record: dict[str, Any] = loads(text)  # a fresh dict: callers may change it
    return record


class SqliteStore(Database, RecordStore):
    def __init__(self, dialect: Dialect, path: str | None = None) -> None:
        super().__init__(path)
        self.dialect = dialect
        self.create_tables()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._transaction():
            yield

    def changes(self) -> int:
        return int(self._connection().total_changes)

    def create_tables(self) -> None:
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute("CREATE TABLE IF NOT EXISTS events ("
                       "seq INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL, payload TEXT NOT NULL)")
            for name in self.dialect.resources:
                db.execute(
                    f"CREATE TABLE IF NOT EXISTS {table(name)} ("
                    "pk INTEGER PRIMARY KEY AUTOINCREMENT, rid TEXT UNIQUE, doc TEXT NOT NULL)"
                )

    # indexes and meta ----------------------------------------------------------------------------
    def ensure_index(self, resource: str, field_name: str, text: bool = False, then: str | None = None,
                     then_text: bool = False) -> None:
        """An expression index written exactly as queries write the expressions, so SQLite can use it."""
        parts = [(field_name, text)] + ([(then, then_text)] if then else [])
        name = '"ix_' + resource + "_" + "__".join(f.replace(".", "_") + ("_nc" if t else "") for f, t in parts) + '"'
        columns = ", ".join(column(f) + (" COLLATE NOCASE" if t else "") for f, t in parts)
        with self._transaction() as db:
            db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table(resource)} ({columns})")

    def ensure_unique(self, resource: str, field_name: str) -> None:
        name = f'"ux_{resource}_{field_name.replace(".", "_")}"'
        with self._transaction() as db:
            db.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table(resource)} "
                       f"(lower(CAST({column(field_name)} AS TEXT)))")

    def meta(self, key: str) -> str | None:
        row = self._connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # records ----------------------------------------------------------------------------------
    def insert(self, resource_name: str, doc: dict[str, Any], pk: int | None = None) -> dict[str, Any]:
        resource: Resource = self.dialect.resources[resource_name]
        with self._transaction() as db:
            given = doc.get(resource.id_field)
            if pk is None and isinstance(given, int) and self.dialect.id_type == "integer":
                pk = given
            if pk is None:
                # the key AUTOINCREMENT would give, read under this transaction's write lock: the record (and
                # its id, made from the key) is then written once, every index updated once, not twice
                row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (f"r_{resource_name}",)).fetchone()
                pk = (int(row[0]) if row else 0) + 1
            record = self.with_id(resource, doc, pk)
            self._wrote(resource_name)
            db.execute(f"INSERT INTO {table(resource_name)} (pk, rid, doc) VALUES (?, ?, ?)",
                       (pk, str(record[resource.id_field]), dumps(record)))
        return record

    def insert_many(self, resource_name: str, docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        resource: Resource = self.dialect.resources[resource_name]
        if not docs:
            return []
        own_keys = self.dialect.id_type == "integer"
        with self._transaction() as db:
            row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (f"r_{resource_name}",)).fetchone()
            last = int(row[0]) if row else 0  # AUTOINCREMENT's next key: one past the largest ever used
            keyed = []
            for doc in docs:
                given = doc.get(resource.id_field)
                pk = given if own_keys and isinstance(given, int) else last + 1
                last = max(last, pk)
                keyed.append((pk, self.with_id(resource, doc, pk)))
            self._wrote(resource_name)
            db.executemany(f"INSERT INTO {table(resource_name)} (pk, rid, doc) VALUES (?, ?, ?)",
                           [(pk, str(record[resource.id_field]), dumps(record)) for pk, record in keyed])
        return [record for _, record in keyed]

    def get(self, resource_name: str, record_id: Any) -> dict[str, Any] | None:
        row = self._connection().execute(
            f"SELECT doc FROM {table(resource_name)} WHERE rid = ?", (str(record_id),)
        ).fetchone()
        return None if row is None else _document(row[0])

    def replace(self, resource_name: str, record: dict[str, Any]) -> dict[str, Any]:
        resource = self.dialect.resources[resource_name]
        with self._transaction() as db:
            self._wrote(resource_name)
            db.execute(
                f"UPDATE {table(resource_name)} SET doc = ? WHERE rid = ?",
                (dumps(record), str(record[resource.id_field])),
            )
        return record

    def delete(self, resource_name: str, record_id: Any) -> bool:
        with self._transaction() as db:
            self._wrote(resource_name)
            cur = db.execute(f"DELETE FROM {table(resource_name)} WHERE rid = ?", (str(record_id),))
        return cur.rowcount > 0

    def query(self, resource_name: str, query: q.Query) -> tuple[list[dict[str, Any]], int]:
        where, params = compile_where(query.where)
        db = self._connection()
        total = self._count(db, resource_name, where, params)
        limit_sql = ""
        page_params = list(params)
        if query.limit is not None:
            limit_sql = " LIMIT ? OFFSET ?"
            page_params += [query.limit, query.offset]
        rows = db.execute(
            f"SELECT doc FROM {table(resource_name)}{where}{order_by(query.order)}{limit_sql}", page_params
        ).fetchall()
        return [_document(r[0]) for r in rows], total

    def _count(self, db: sqlite3.Connection, resource_name: str, where: str, params: list[Any]) -> int:
        """COUNT(*) steps through every matching index entry (0.7 ms for 16,744 of 100,000 deals): kept until
        the table's data may have changed (`_version`)."""
        version = self._version(db, resource_name)
        return self._totals().total((resource_name, where, tuple(params)), version, lambda: int(
            db.execute(f"SELECT COUNT(*) FROM {table(resource_name)}{where}", params).fetchone()[0]))

    def get_many(self, resource_name: str, record_ids: Sequence[Any]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        wanted = sorted({str(i) for i in record_ids})
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            rows = self._connection().execute(
                f"SELECT rid, doc FROM {table(resource_name)} WHERE rid IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall()
            found.update((str(rid), _document(doc)) for rid, doc in rows)
        return found

    def maxima_by(self, resource_names: Sequence[str], fields: Sequence[str], key_field: str,
                  keys: Sequence[Any]) -> dict[Any, list[Any]]:
        found: dict[Any, list[Any]] = {}
        distinct = list(dict.fromkeys(keys))
        for start in range(0, len(distinct), CHUNK):
            chunk = distinct[start:start + CHUNK]
            sql = maxima_sql(tuple(resource_names), tuple(fields), key_field, len(chunk))
            gather_maxima(self._connection().execute(sql, chunk * len(resource_names)).fetchall(), found)
        return found

    def count(self, resource_name: str) -> int:
        return self._count(self._connection(), resource_name, "", [])

    def _nth(self, resource_name: str, index: int, total: int) -> dict[str, Any]:
        db, name = self._connection(), table(resource_name)
        low, high = db.execute(f"SELECT (SELECT min(pk) FROM {name}), (SELECT max(pk) FROM {name})").fetchone()
        if low is not None and high - low + 1 == total:  # no gap: a lookup, not a walk
            row = db.execute(f"SELECT doc FROM {name} WHERE pk = ?", (low + index,)).fetchone()
        else:
            row = db.execute(f"SELECT doc FROM {name} ORDER BY pk LIMIT 1 OFFSET ?", (index,)).fetchone()
        return _document(row[0])

    def nth_matching(self, resource_name: str, where: Sequence[q.Predicate], index: int) -> dict[str, Any] | None:
        """The keys a filter matches are kept until the table changes: a write hook that draws one of them for
        every seeded record then finds it by its key instead of walking `index` rows each time."""
        sql, params = compile_where(list(where))
        db, name = self._connection(), table(resource_name)
        keys = self._matching().get((resource_name, sql, tuple(params)), self._version(db, resource_name), lambda: [
            int(row[0]) for row in db.execute(f"SELECT pk FROM {name}{sql} ORDER BY pk", params)])
        if not 0 <= index < len(keys):
            return None
        row = db.execute(f"SELECT doc FROM {name} WHERE pk = ?", (keys[index],)).fetchone()
        return None if row is None else _document(row[0])

    def clear(self) -> None:
        with self._transaction() as db:
            for name in self.dialect.resources:
                self._wrote(name)
                db.execute(f"DELETE FROM {table(name)}")
            db.execute("DELETE FROM meta")
            db.execute("DELETE FROM events")
            db.execute("DELETE FROM sqlite_sequence")

    # webhook events ---------------------------------------------------------------------------
    def append_event(self, event: str, payload: Callable[[int], dict[str, Any]]) -> dict[str, Any]:
        with self._transaction() as db:
            cur = db.execute("INSERT INTO events (event, payload) VALUES (?, '{}')", (event,))
            seq = int(cur.lastrowid or 0)
            body = payload(seq)
            db.execute("UPDATE events SET payload = ? WHERE seq = ?", (dumps(body), seq))
        return body

    def events(self) -> list[dict[str, Any]]:
        return [_document(r[0]) for r in self._connection().execute("SELECT payload FROM events ORDER BY seq")]

    # whole copies -----------------------------------------------------------------------------
    def image(self) -> Image:
        with self._transaction() as db:
            image = Image()
            for name in self.dialect.resources:
                image.records[name] = [(int(pk), _document(doc)) for pk, doc in
                                       db.execute(f"SELECT pk, doc FROM {table(name)} ORDER BY pk")]
            image.sequences = {str(n)[2:]: int(s) for n, s in db.execute("SELECT name, seq FROM sqlite_sequence")
                               if str(n).startswith("r_")}
            image.meta = {str(k): str(v) for k, v in db.execute("SELECT key, value FROM meta")}
            image.events = [(int(s), _document(p)) for s, p in db.execute("SELECT seq, payload FROM events")]
        return image

    def load(self, image: Image) -> None:
        with self._transaction() as db:
            self.clear()
            for name, rows in image.records.items():
                if name not in self.dialect.resources:
                    continue
                id_field = self.dialect.resources[name].id_field
                self._wrote(name)
                db.executemany(f"INSERT INTO {table(name)} (pk, rid, doc) VALUES (?, ?, ?)",
                               [(pk, str(doc.get(id_field)), dumps(doc)) for pk, doc in rows])
            db.executemany("INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                           [(f"r_{n}", s) for n, s in image.sequences.items()])
            db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", list(image.meta.items()))
            db.executemany("INSERT INTO events (seq, event, payload) VALUES (?, ?, ?)",
                           [(s, str(p.get("event")), dumps(p)) for s, p in image.events])
            self.forget_counts()

    def backup_to(self, target: sqlite3.Connection) -> None:
        with self._lock:
            self._connection().backup(target)

    def restore_from(self, source: sqlite3.Connection) -> None:
        with self._lock:
            source.backup(self._connection())
            self.forget_counts()

    def copy_into(self, other: RecordStore) -> None:
        if not isinstance(other, SqliteStore):
            super().copy_into(other)
            return
        with self._lock, other._lock:
            self._connection().backup(other._connection())
            other.forget_counts()
