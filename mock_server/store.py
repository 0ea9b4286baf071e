"""SQLite state: one table per resource, each record a JSON document, indexed per filtered field.

A record's id is derived from the table's autoincrement key: the key itself for integer ids, or
the dialect's format (`contact_{n:03d}`) for string ids, so ids stay unique across worker processes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from crmspec.model import Dialect, Resource

Condition = tuple[str, Sequence[Any]]
CHUNK = 500  # ids bound in one IN (...) list, well below SQLite's limit on variables
MEMO_SIZE = 512  # list totals kept per connection


@dataclass(slots=True)
class Query:
    conditions: list[Condition] = field(default_factory=list)
    order: list[tuple[str, str, bool]] = field(default_factory=list)  # (field, ASC|DESC, is_text)
    limit: int | None = None
    offset: int = 0


@lru_cache(maxsize=4096)
def column(field_name: str) -> str:
    """The SQL expression of a record field; the same text in queries and in indexes."""
    path = "$." + ".".join(f'"{part}"' for part in field_name.split("."))
    return f"json_extract(doc, '{path}')"


def _document(text: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(text)  # a fresh dict: callers may change it
    return record


def _table(resource: str) -> str:
    return f'"r_{resource}"'


@lru_cache(maxsize=1024)
def _maxima_sql(resource_names: tuple[str, ...], fields: tuple[str, ...], key_field: str, keys: int) -> str:
    largest = ", ".join(f"MAX({column(f)})" for f in fields)
    key, marks = column(key_field), ", ".join("?" * keys)
    return " UNION ALL ".join(f"SELECT {key}, {largest} FROM {_table(name)} WHERE {key} IN ({marks}) GROUP BY {key}"
                              for name in resource_names)


# how many times this process line has forked: a connection opened before a fork must not be used after it
# (os.getpid() would say the same, but it is a system call on every statement)
_forks = [0]
os.register_at_fork(after_in_child=lambda: _forks.__setitem__(0, _forks[0] + 1))


class Database:
    """A SQLite database used by several threads and forked worker processes: one connection per
    (process, thread) for a file, one shared connection in memory; transactions that nest join."""

    # a commit is in the -wal file (the kernel's page cache) before the answer leaves: a killed process
    # loses nothing acknowledged; only an OS crash or power cut can lose the last commits
    synchronous = "NORMAL"

    def __init__(self, path: str | None) -> None:
        self.path = path or ":memory:"
        self._local = threading.local()
        self._lock = threading.RLock()
        self._shared: sqlite3.Connection | None = self._open() if self.path == ":memory:" else None
        self._shared_memo: dict[Any, Any] = {}
        self._restores = 0  # bumped when a whole copy is written into this database (forget_counts)

    def close(self) -> None:
        """Write this thread's connection's log into the database file and close it, now: left to the garbage
        collector, a connection gunicorn's master opened closes after the workers fork, and a master closing the
        last connection it knows of checkpoints and deletes the -wal file the workers are appending to."""
        if self._shared is not None:
            self._shared.close()
            return
        if getattr(self._local, "owner", None) is None:
            return  # this thread never opened one
        db: sqlite3.Connection = self._local.db
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        self._local.owner = None

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = 30000")
        if self.path != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute(f"PRAGMA synchronous = {self.synchronous}")
        return db

    def _connection(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        owner = (_forks[0], threading.get_ident())
        if getattr(self._local, "owner", None) != owner:
            self._local.db = self._open()
            self._local.memo = {}
            self._local.owner = owner
        db: sqlite3.Connection = self._local.db
        return db

    def _memo(self) -> dict[Any, Any]:
        """A dict that lives as long as the current connection (what it holds was read through it)."""
        if self._shared is not None:
            return self._shared_memo
        self._connection()
        memo: dict[Any, Any] = self._local.memo
        return memo

    def _version(self, db: sqlite3.Connection) -> tuple[int, int, int]:
        """Changes whenever the data may have: a commit by any other connection or process (PRAGMA
        data_version), a change through this connection (total_changes), or a copy written into the
        database whole (`_restores`, which neither of the others sees)."""
        other = int(db.execute("PRAGMA data_version").fetchone()[0])
        return other, db.total_changes, self._restores

    def forget_counts(self) -> None:
        """A whole copy was written into this database (sqlite3's backup API), which neither
        data_version nor total_changes report: what was kept under the old version is stale."""
        self._restores += 1

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work; a failure rolls everything in it back."""
        with self._lock:
            db = self._connection()
            if db.in_transaction:  # nested: join the outer transaction
                yield db
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")


class Store(Database):
    def __init__(self, dialect: Dialect, path: str | None = None) -> None:
        super().__init__(path)
        self.dialect = dialect
        self.create_tables()

    def create_tables(self) -> None:
        """The meta table and one table per resource of the dialect; existing ones and their records stay."""
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            for name in self.dialect.resources:
                db.execute(
                    f"CREATE TABLE IF NOT EXISTS {_table(name)} ("
                    "pk INTEGER PRIMARY KEY AUTOINCREMENT, rid TEXT UNIQUE, doc TEXT NOT NULL)"
                )

    # indexes and meta ----------------------------------------------------------------------------
    def ensure_index(self, resource: str, field_name: str, text: bool = False, then: str | None = None,
                     then_text: bool = False) -> None:
        """An expression index on a field (and, with `then`, a second one: a filter followed by a sort key),
        written exactly as queries write the expressions so SQLite can use it."""
        parts = [(field_name, text)] + ([(then, then_text)] if then else [])
        name = '"ix_' + resource + "_" + "__".join(f.replace(".", "_") + ("_nc" if t else "") for f, t in parts) + '"'
        columns = ", ".join(column(f) + (" COLLATE NOCASE" if t else "") for f, t in parts)
        with self.transaction() as db:
            db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {_table(resource)} ({columns})")

    def meta(self, key: str) -> str | None:
        row = self._connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # records ----------------------------------------------------------------------------------
    def _resource(self, name: str) -> Resource:
        return self.dialect.resources[name]

    def make_id(self, resource: Resource, pk: int) -> Any:
        if self.dialect.id_type == "integer":
            return pk
        fmt = self.dialect.id_format or "{prefix}_{n}"
        return fmt.format(prefix=resource.id_prefix or resource.name, n=pk)

    def insert(self, resource_name: str, doc: dict[str, Any], pk: int | None = None) -> dict[str, Any]:
        """Store a new record; a fixture may bring its own id, otherwise the key makes one."""
        resource = self._resource(resource_name)
        with self.transaction() as db:
            given = doc.get(resource.id_field)
            if pk is None and isinstance(given, int) and self.dialect.id_type == "integer":
                pk = given
            if pk is None:
                # the key AUTOINCREMENT would give, read under this transaction's write lock: the record (and
                # its id, made from the key) is then written once, every index updated once, not twice
                row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (f"r_{resource_name}",)).fetchone()
                pk = (int(row[0]) if row else 0) + 1
            record_id = given if given is not None else self.make_id(resource, pk)
            record = {resource.id_field: record_id, **doc}
            db.execute(f"INSERT INTO {_table(resource_name)} (pk, rid, doc) VALUES (?, ?, ?)",
                       (pk, str(record[resource.id_field]), json.dumps(record)))
        return record

    def get(self, resource_name: str, record_id: Any) -> dict[str, Any] | None:
        row = self._connection().execute(
            f"SELECT doc FROM {_table(resource_name)} WHERE rid = ?", (str(record_id),)
        ).fetchone()
        return None if row is None else _document(row[0])

    def replace(self, resource_name: str, record: dict[str, Any]) -> dict[str, Any]:
        resource = self._resource(resource_name)
        with self.transaction() as db:
            db.execute(
                f"UPDATE {_table(resource_name)} SET doc = ? WHERE rid = ?",
                (json.dumps(record), str(record[resource.id_field])),
            )
        return record

    def delete(self, resource_name: str, record_id: Any) -> bool:
        with self.transaction() as db:
            cur = db.execute(f"DELETE FROM {_table(resource_name)} WHERE rid = ?", (str(record_id),))
        return cur.rowcount > 0

    def query(self, resource_name: str, query: Query) -> tuple[list[dict[str, Any]], int]:
        where, params = self._where(query.conditions)
        db = self._connection()
        total = self._count(db, resource_name, where, params)
        order = ", ".join(
            f"{column(f)}{' COLLATE NOCASE' if text else ''} {direction}" for f, direction, text in query.order
        )
        order_sql = f" ORDER BY {order + ', ' if order else ''}pk ASC"
        limit_sql = ""
        page_params = list(params)
        if query.limit is not None:
            limit_sql = " LIMIT ? OFFSET ?"
            page_params += [query.limit, query.offset]
        rows = db.execute(
            f"SELECT doc FROM {_table(resource_name)}{where}{order_sql}{limit_sql}", page_params
        ).fetchall()
        return [json.loads(r[0]) for r in rows], total

    def _count(self, db: sqlite3.Connection, resource_name: str, where: str, params: list[Any]) -> int:
        """COUNT(*) steps through every matching index entry (0.7 ms for 16,744 of 100,000 deals), so a
        list's total is kept until the data may have changed (`_version`): a frontend that polls a page
        pays the count once per change, not once per request."""
        version = self._version(db)
        memo = self._memo()
        key = ("count", resource_name, where, tuple(params))
        known = memo.get(key)
        if known is not None and known[0] == version:
            return int(known[1])
        total = int(db.execute(f"SELECT COUNT(*) FROM {_table(resource_name)}{where}", params).fetchone()[0])
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[key] = (version, total)
        return total

    def all(self, resource_name: str, conditions: list[Condition] | None = None) -> list[dict[str, Any]]:
        return self.query(resource_name, Query(conditions=conditions or []))[0]

    def get_many(self, resource_name: str, record_ids: Sequence[Any]) -> dict[str, dict[str, Any]]:
        """The records with these ids that exist, by id as text: one statement per chunk of ids."""
        found: dict[str, dict[str, Any]] = {}
        wanted = sorted({str(i) for i in record_ids})
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            rows = self._connection().execute(
                f"SELECT rid, doc FROM {_table(resource_name)} WHERE rid IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall()
            found.update((str(rid), _document(doc)) for rid, doc in rows)
        return found

    def maxima_by(self, resource_names: Sequence[str], fields: Sequence[str], key_field: str,
                  keys: Sequence[Any]) -> dict[Any, list[Any]]:
        """For each key, the largest value any of `fields` holds among the records of each resource whose
        `key_field` is that key (one value per resource that has such records): one grouped statement per
        chunk of keys, as a computed field asks for a whole page of records."""
        found: dict[Any, list[Any]] = {}
        distinct = list(dict.fromkeys(keys))
        for start in range(0, len(distinct), CHUNK):
            chunk = distinct[start:start + CHUNK]
            sql = _maxima_sql(tuple(resource_names), tuple(fields), key_field, len(chunk))
            for row in self._connection().execute(sql, chunk * len(resource_names)).fetchall():
                found.setdefault(row[0], []).append(max((v for v in row[1:] if v is not None), default=None))
        return found

    def count(self, resource_name: str) -> int:
        return int(self._connection().execute(f"SELECT COUNT(*) FROM {_table(resource_name)}").fetchone()[0])

    def pick(self, resource_name: str, offset: int) -> dict[str, Any] | None:
        """The record at `offset` (mod count) in key order: a deterministic 'random' existing record."""
        total = self.count(resource_name)
        if total == 0:
            return None
        row = self._connection().execute(
            f"SELECT doc FROM {_table(resource_name)} ORDER BY pk LIMIT 1 OFFSET ?", (offset % total,)
        ).fetchone()
        return _document(row[0])

    def clear(self) -> None:
        with self.transaction() as db:
            for name in self.dialect.resources:
                db.execute(f"DELETE FROM {_table(name)}")
            db.execute("DELETE FROM meta")
            db.execute("DELETE FROM sqlite_sequence")

    @staticmethod
    def _where(conditions: list[Condition]) -> tuple[str, list[Any]]:
        if not conditions:
            return "", []
        params: list[Any] = []
        for _, p in conditions:
            params.extend(p)
        return " WHERE " + " AND ".join(f"({sql})" for sql, _ in conditions), params
