"""SQLite, the embedded default: one table per resource, each record a JSON document, indexed per filtered field.

A record's id is derived from the table's autoincrement key: the key itself for integer ids, or
the dialect's format (`contact_{n:03d}`) for string ids, so ids stay unique across worker processes.

State lives in memory for a single process, or in files that every gunicorn worker opens (`--state FILE`,
`--workers N`): the default session in FILE, `FILE.mock/sessions/NAME.sqlite3`, snapshots under
`FILE.mock/snapshots/SESSION/NAME.sqlite3` and the ledger in `FILE.mock/ledger.sqlite3`. A new session, a
reset and a restore copy a whole database with SQLite's backup API: every table in one step that other
connections see as one commit.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from crmspec.model import Dialect, Resource
from mock_server.store import query as q
from mock_server.store.clauses import combined, text_leaf, where_clause
from mock_server.store.interface import (
    Image,
    Ledger,
    LoggedRequest,
    RecordStore,
    Snapshot,
    StateBackend,
    checked_name,
    utc_stamp,
)

CHUNK = 500  # ids bound in one IN (...) list, well below SQLite's limit on variables
MEMO_SIZE = 512  # list totals kept per connection
MAX_MEMORY_SESSIONS = 100  # past this, the least recently used in-memory session is dropped


def _json_path(field_name: str) -> str:
    return "$." + ".".join(f'"{part}"' for part in field_name.split("."))


@lru_cache(maxsize=4096)
def column(field_name: str) -> str:
    """The SQL expression of a record field; the same text in queries and in indexes."""
    return f"json_extract(doc, '{_json_path(field_name)}')"


def _document(text: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads(text)  # a fresh dict: callers may change it
    return record


def _table(resource: str) -> str:
    return f'"r_{resource}"'


def _bound(value: Any) -> Any:
    """A value as SQLite compares it with json_extract's results: JSON true is 1."""
    return int(value) if isinstance(value, bool) else value


# predicates -> SQL ------------------------------------------------------------------------------
def _expr(expr: q.Expr) -> str:
    if isinstance(expr, q.Doc):
        return column(expr.path)
    if isinstance(expr, q.Elem):
        return "je.value" if expr.path is None else f"json_extract(je.value, '{_json_path(expr.path)}')"
    if isinstance(expr, q.Text):
        return f"CAST({_expr(expr.of)} AS TEXT)"
    if isinstance(expr, q.Lower):
        return f"lower(CAST({_expr(expr.of)} AS TEXT))"
    return f"substr({_expr(expr.of)}, 1, 10)"


def _as_text(expr: q.Expr) -> str:
    return f"CAST({_expr(expr)} AS TEXT)"


def compile_predicate(predicate: q.Predicate, params: list[Any]) -> str:
    """SQL for one predicate; its values are appended to `params` in order."""
    tree = combined(predicate, params, compile_predicate, "1", "0")
    if tree is not None:
        return tree
    if isinstance(predicate, q.Compare):
        params.append(_bound(predicate.value))
        return f"{_expr(predicate.expr)} {predicate.op} ?"
    if isinstance(predicate, q.In):
        if not predicate.values:
            return "0"
        params.extend(_bound(v) for v in predicate.values)
        return f"{_expr(predicate.expr)} IN ({', '.join('?' * len(predicate.values))})"
    leaf = text_leaf(predicate, params, _as_text, "?")
    if leaf is not None:
        return leaf
    if isinstance(predicate, q.Has):
        params.append(_bound(predicate.value))
        return f"EXISTS (SELECT 1 FROM json_each(doc, '{_json_path(predicate.path)}') WHERE value = ?)"
    if isinstance(predicate, q.Any_):
        inner = compile_predicate(predicate.where, params)
        return f"EXISTS (SELECT 1 FROM json_each(doc, '{_json_path(predicate.path)}') AS je WHERE {inner})"
    return "0"


def compile_where(predicates: Sequence[q.Predicate]) -> tuple[str, list[Any]]:
    return where_clause(predicates, compile_predicate)


def _order(order: Sequence[q.Sort]) -> str:
    keys = ", ".join(f"{column(s.path)}{' COLLATE NOCASE' if s.text else ''} {'DESC' if s.descending else 'ASC'}"
                     for s in order)
    return f" ORDER BY {keys + ', ' if keys else ''}pk ASC"


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

    def close(self) -> None:
        """Write this thread's connection's log into the database file and close it."""
        db = self._connection()
        if self._shared is None:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._local.owner = None
        db.close()

    def forget_counts(self) -> None:
        """A whole copy was written into this database (sqlite3's backup API), which neither
        data_version nor total_changes report: what was kept under the old version is stale."""
        self._restores += 1

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
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
                    f"CREATE TABLE IF NOT EXISTS {_table(name)} ("
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
            db.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {_table(resource)} ({columns})")

    def ensure_unique(self, resource: str, field_name: str) -> None:
        name = f'"ux_{resource}_{field_name.replace(".", "_")}"'
        with self._transaction() as db:
            db.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {_table(resource)} "
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
        resource = self.dialect.resources[resource_name]
        with self._transaction() as db:
            db.execute(
                f"UPDATE {_table(resource_name)} SET doc = ? WHERE rid = ?",
                (json.dumps(record), str(record[resource.id_field])),
            )
        return record

    def delete(self, resource_name: str, record_id: Any) -> bool:
        with self._transaction() as db:
            cur = db.execute(f"DELETE FROM {_table(resource_name)} WHERE rid = ?", (str(record_id),))
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
            f"SELECT doc FROM {_table(resource_name)}{where}{_order(query.order)}{limit_sql}", page_params
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

    def get_many(self, resource_name: str, record_ids: Sequence[Any]) -> dict[str, dict[str, Any]]:
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
        total = self.count(resource_name)
        if total == 0:
            return None
        row = self._connection().execute(
            f"SELECT doc FROM {_table(resource_name)} ORDER BY pk LIMIT 1 OFFSET ?", (offset % total,)
        ).fetchone()
        return _document(row[0])

    def clear(self) -> None:
        with self._transaction() as db:
            for name in self.dialect.resources:
                db.execute(f"DELETE FROM {_table(name)}")
            db.execute("DELETE FROM meta")
            db.execute("DELETE FROM events")
            db.execute("DELETE FROM sqlite_sequence")

    # webhook events ---------------------------------------------------------------------------
    def append_event(self, event: str, payload: Callable[[int], dict[str, Any]]) -> dict[str, Any]:
        with self._transaction() as db:
            cur = db.execute("INSERT INTO events (event, payload) VALUES (?, '{}')", (event,))
            seq = int(cur.lastrowid or 0)
            body = payload(seq)
            db.execute("UPDATE events SET payload = ? WHERE seq = ?", (json.dumps(body), seq))
        return body

    def events(self) -> list[dict[str, Any]]:
        return [_document(r[0]) for r in self._connection().execute("SELECT payload FROM events ORDER BY seq")]

    # whole copies -----------------------------------------------------------------------------
    def image(self) -> Image:
        with self._transaction() as db:
            image = Image()
            for name in self.dialect.resources:
                image.records[name] = [(int(pk), _document(doc)) for pk, doc in
                                       db.execute(f"SELECT pk, doc FROM {_table(name)} ORDER BY pk")]
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
                db.executemany(f"INSERT INTO {_table(name)} (pk, rid, doc) VALUES (?, ?, ?)",
                               [(pk, str(doc.get(id_field)), json.dumps(doc)) for pk, doc in rows])
            db.executemany("INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                           [(f"r_{n}", s) for n, s in image.sequences.items()])
            db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", list(image.meta.items()))
            db.executemany("INSERT INTO events (seq, event, payload) VALUES (?, ?, ?)",
                           [(s, str(p.get("event")), json.dumps(p)) for s, p in image.events])
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


# the ledger ------------------------------------------------------------------------------------
LEDGER_TABLES = (
    "CREATE TABLE IF NOT EXISTS rate_windows (key TEXT PRIMARY KEY, slot INTEGER NOT NULL, count INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, method TEXT NOT NULL,"
    " path TEXT NOT NULL, query TEXT NOT NULL, status INTEGER NOT NULL, ms REAL NOT NULL, session TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS requests_by_session ON requests (session, id)",
)


class SqliteLedger(Database, Ledger):
    """A small SQLite database of the mock's own bookkeeping (rate windows, the request log)."""

    synchronous = "OFF"  # bookkeeping: losing the last lines in a crash is fine

    def __init__(self, path: str | None) -> None:
        super().__init__(path)
        with self._transaction() as db:
            for statement in LEDGER_TABLES:
                db.execute(statement)

    def count_hit(self, key: str, slot: int) -> int:
        with self._transaction() as db:
            row = db.execute(
                "INSERT INTO rate_windows (key, slot, count) VALUES (?, ?, 1) ON CONFLICT (key) DO UPDATE SET"
                " count = CASE WHEN rate_windows.slot = excluded.slot THEN rate_windows.count + 1 ELSE 1 END,"
                " slot = excluded.slot RETURNING count",
                (key, slot),
            ).fetchone()
        return int(row[0])

    def log(self, entries: Sequence[LoggedRequest], keep: int) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO requests (at, method, path, query, status, ms, session) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(i.at, i.method, i.path, i.query, i.status, i.ms, i.session) for i in entries],
            )
            last = int(db.execute("SELECT MAX(id) FROM requests").fetchone()[0] or 0)
            db.execute("DELETE FROM requests WHERE id <= ?", (last - keep,))

    def recent(self, session: str, limit: int) -> list[LoggedRequest]:
        with self._transaction() as db:
            rows = db.execute(
                "SELECT at, method, path, query, status, ms, session FROM requests WHERE session = ?"
                " ORDER BY id DESC LIMIT ?",
                (session, limit),
            ).fetchall()
        return [LoggedRequest(*row) for row in rows]

    def forget(self, session: str) -> int:
        with self._transaction() as db:
            return int(db.execute("DELETE FROM requests WHERE session = ?", (session,)).rowcount)


# sessions and snapshots ----------------------------------------------------------------------------
class SqliteBackend(StateBackend):
    """Sessions in memory (one process), or files every worker opens (a `runtime_dir`)."""

    def __init__(self, dialect: Dialect, state: str | None, directory: Path | None) -> None:
        self.dialect = dialect
        self.directory = directory
        default = SqliteStore(dialect, state)
        ledger = SqliteLedger(str(directory / "ledger.sqlite3") if directory else None)
        self.default, self.ledger = default, ledger
        self._files: list[Database] = [default, ledger]
        self._memory: OrderedDict[str, SqliteStore] = OrderedDict()
        self._snapshots: dict[tuple[str, str], tuple[sqlite3.Connection, Snapshot]] = {}
        self._lock = threading.RLock()

    def scratch(self, dialect: Dialect) -> RecordStore:
        return SqliteStore(dialect, None)

    def close(self) -> None:
        with self._lock:
            for database in [*self._files, *self._memory.values()]:
                database.close()
            self._memory.clear()

    def open_session(self, name: str, fill: Callable[[RecordStore], None]) -> RecordStore:
        if self.directory is None:
            with self._lock:
                store = self._memory.get(name)
                if store is None:
                    store = self._memory[name] = SqliteStore(self.dialect, None)
                    fill(store)
                    if len(self._memory) > MAX_MEMORY_SESSIONS:
                        self._memory.popitem(last=False)
                self._memory.move_to_end(name)
                return store
        folder = self.directory / "sessions"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.sqlite3"
        if not path.exists():  # another worker may create it at the same time: the first link wins
            scratch_path = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
            scratch = SqliteStore(self.dialect, str(scratch_path))
            fill(scratch)
            scratch.close()  # everything in the file itself, none of it left in a -wal beside the scratch name
            try:
                os.link(scratch_path, path)
            except FileExistsError:
                pass
            finally:
                for leftover in (scratch_path, Path(f"{scratch_path}-wal"), Path(f"{scratch_path}-shm")):
                    leftover.unlink(missing_ok=True)
        return SqliteStore(self.dialect, str(path))

    def session_names(self) -> list[str]:
        with self._lock:
            live = set(self._memory)
        if self.directory is not None:
            live |= {p.stem for p in (self.directory / "sessions").glob("*.sqlite3")}
        return sorted(live)

    def _snapshot_file(self, session: str, name: str) -> Path:
        assert self.directory is not None
        return self.directory / "snapshots" / session / f"{name}.sqlite3"

    def snapshot(self, session: str, store: RecordStore, name: str) -> Snapshot:
        assert isinstance(store, SqliteStore)
        taken = Snapshot(name, utc_stamp())
        if self.directory is None:
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            store.backup_to(copy)
            with self._lock:
                old = self._snapshots.get((session, name))
                self._snapshots[(session, name)] = (copy, taken)
            if old is not None:
                old[0].close()
            return taken
        path = self._snapshot_file(session, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with closing(sqlite3.connect(scratch)) as db:
            store.backup_to(db)
        os.replace(scratch, path)
        return taken

    def restore(self, session: str, store: RecordStore, name: str) -> Snapshot | None:
        assert isinstance(store, SqliteStore)
        if self.directory is None:
            with self._lock:
                found = self._snapshots.get((session, name))
                if found is None:
                    return None
                store.restore_from(found[0])
            return found[1]
        path = self._snapshot_file(session, checked_name(name, "snapshot"))
        if not path.is_file():
            return None
        with closing(sqlite3.connect(path)) as db:
            store.restore_from(db)
        return self._described(path)

    def snapshots(self, session: str) -> list[Snapshot]:
        if self.directory is None:
            with self._lock:
                return sorted((s for (owner, _), (_, s) in self._snapshots.items() if owner == session),
                              key=lambda s: s.created_at)
        folder = self.directory / "snapshots" / session
        return sorted((self._described(p) for p in folder.glob("*.sqlite3")), key=lambda s: s.created_at)

    def drop_snapshot(self, session: str, name: str) -> bool:
        if self.directory is None:
            with self._lock:
                found = self._snapshots.pop((session, name), None)
            if found is None:
                return False
            found[0].close()
            return True
        try:
            self._snapshot_file(session, checked_name(name, "snapshot")).unlink()
        except FileNotFoundError:
            return False
        return True

    @staticmethod
    def _described(path: Path) -> Snapshot:
        return Snapshot(path.stem, utc_stamp(dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)))
