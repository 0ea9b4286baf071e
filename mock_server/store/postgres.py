"""PostgreSQL, for a team's shared mock: N replicas (processes, hosts) behind a load balancer on one database.

`--state postgresql://USER:PASS@HOST:PORT/DB` (psycopg 3, one connection pool per worker process). Layout:

- a registry schema (`crm_mock`, or `?namespace=NAME` in the URL) holds `stores` (which schema holds which
  API's session or snapshot), `rate_windows` and `requests` (the ledger), `migrations`;
- every session and every snapshot of every API is a schema of its own, `<namespace>_<n>`: a table per resource
  (`pk bigserial`: an id sequence per resource; `rid` unique; `doc jsonb`), `meta`, `events`, `version`.

Every write runs in a transaction that first takes the session's advisory lock (`pg_advisory_xact_lock`): writers
of one session queue across every replica, as SQLite's BEGIN IMMEDIATE makes them queue across workers, so a
read-modify-write (an update, a merge, an import, a stage reorder, a uniqueness check) never interleaves with
another. Reads take no lock. A restore replaces a session's rows inside one such transaction. The ledger's rate
window is one row per credential, counted by one atomic upsert. The schema is created and migrated on start
under a database-wide advisory lock, so replicas that start together do not race.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from crmspec.model import Dialect
from mock_server.store import query as q
from mock_server.store.clauses import combined, text_leaf, where_clause
from mock_server.store.interface import (
    DatabaseUnavailable,
    Image,
    Ledger,
    LoggedRequest,
    RecordStore,
    Snapshot,
    StateBackend,
    utc_stamp,
)
from mock_server.store.sqlite import SqliteStore

DEFAULT_NAMESPACE = "crm_mock"
SCHEMA_VERSION = 1
POOL_SIZE = 8  # connections per worker process at most; a sync gunicorn worker uses one at a time
MEMO_SIZE = 512


def split_url(url: str) -> tuple[str, str]:
    """(the connection URL libpq understands, the namespace): `?namespace=` is the mock's, not libpq's."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    namespace = next((v for k, v in params if k == "namespace"), DEFAULT_NAMESPACE)
    if not namespace.replace("_", "").isalnum() or not namespace[0].isalpha() or len(namespace) > 40:
        raise DatabaseUnavailable(f"namespace {namespace!r}: use letters, digits and '_', starting with a letter")
    rest = urlencode([(k, v) for k, v in params if k != "namespace"])
    return urlunsplit(parts._replace(query=rest)), namespace.lower()


# one pool per (process, URL): a pool's threads and sockets do not survive a fork
_POOLS: dict[tuple[int, str], ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()


def reachable(url: str) -> None:
    """Connect once now: a wrong URL, host or password fails at once with its own reason (a pool would only
    retry, log and give up after its timeout)."""
    try:
        with psycopg.connect(split_url(url)[0], connect_timeout=10):
            pass
    except psycopg.Error as exc:
        raise DatabaseUnavailable(_reason(exc)) from None


def pool_for(conninfo: str) -> ConnectionPool:
    key = (os.getpid(), conninfo)
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            reachable(conninfo)
            pool = ConnectionPool(conninfo, min_size=1, max_size=POOL_SIZE, kwargs={"autocommit": True},
                                  open=False, name=f"crm-mock-{os.getpid()}")
            try:
                pool.open(wait=True, timeout=15)
            except Exception as exc:
                pool.close()
                raise DatabaseUnavailable(_reason(exc)) from None
            _POOLS[key] = pool
            atexit.register(pool.close)  # before the interpreter's end: its threads would reconnect in vain
        return pool


def _reason(exc: BaseException) -> str:
    """libpq's first line says what failed ('connection to server at ... failed: Connection refused')."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _lock_key(*parts: str) -> int:
    """A bigint advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big", signed=True)


# predicates -> SQL ------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _path(field_name: str) -> str:
    """A text[] literal naming a JSON path: '{"owner","id"}'."""
    parts = ",".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in field_name.split("."))
    return "'{" + parts.replace("'", "''") + "}'"


def jb(field_name: str) -> str:
    """A record field as jsonb: compared with jsonb values, typed as JSON types them."""
    return f"(doc #> {_path(field_name)})"


def tx(field_name: str) -> str:
    """A record field as text (NULL for a JSON null)."""
    return f"(doc #>> {_path(field_name)})"


def _raw(expr: q.Doc | q.Elem, text: bool) -> str:
    op = "#>>" if text else "#>"
    if isinstance(expr, q.Doc):
        return f"(doc {op} {_path(expr.path)})"
    if expr.path is None:
        return "(je.value #>> '{}')" if text else "je.value"
    return f"(je.value {op} {_path(expr.path)})"


def _text(expr: q.Expr) -> str:
    if isinstance(expr, q.Doc | q.Elem):
        return _raw(expr, True)
    if isinstance(expr, q.Text):
        return _raw(expr.of, True)
    if isinstance(expr, q.Lower):
        return f"lower({_raw(expr.of, True)})"
    return f"left({_raw(expr.of, True)}, 10)"


def _json_value(value: Any) -> Jsonb | None:
    """A value as jsonb; None where JSON cannot hold it (NaN: SQLite binds it as NULL, which equals nothing)."""
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return None
        value = math.copysign(1e308, value)
    return Jsonb(value)


def compile_predicate(predicate: q.Predicate, params: list[Any]) -> str:
    tree = combined(predicate, params, compile_predicate, "TRUE", "FALSE")
    if tree is not None:
        return tree
    if isinstance(predicate, q.Compare):
        value = predicate.value
        if value is None:
            return "FALSE"
        if isinstance(predicate.expr, q.Doc | q.Elem) and not isinstance(value, str):
            bound = _json_value(value)
            if bound is None:
                return "FALSE"
            params.append(bound)
            return f"{_raw(predicate.expr, False)} {predicate.op} %s::jsonb"
        if isinstance(predicate.expr, q.Doc | q.Elem) and predicate.op in ("=", "!="):
            params.append(Jsonb(value))
            return f"{_raw(predicate.expr, False)} {predicate.op} %s::jsonb"
        params.append(str(value))
        return f'{_text(predicate.expr)} COLLATE "C" {predicate.op} %s'
    if isinstance(predicate, q.In):
        if not predicate.values:
            return "FALSE"
        if isinstance(predicate.expr, q.Doc | q.Elem):
            values = [v for v in (_json_value(v) for v in predicate.values if v is not None) if v is not None]
            if not values:
                return "FALSE"
            params.append(values)
            return f"{_raw(predicate.expr, False)} = ANY(%s::jsonb[])"
        params.append([str(v) for v in predicate.values])
        return f"{_text(predicate.expr)} = ANY(%s::text[])"
    leaf = text_leaf(predicate, params, _text, "%s")
    if leaf is not None:
        return leaf
    if isinstance(predicate, q.Has):
        bound = _json_value(predicate.value)
        if bound is None:
            return "FALSE"
        params.append(Jsonb([bound.obj]))
        return f"{jb(predicate.path)} @> %s::jsonb"
    if isinstance(predicate, q.Any_):
        array = jb(predicate.path)
        inner = compile_predicate(predicate.where, params)
        return (f"EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({array}) = 'array' "
                f"THEN {array} ELSE '[]'::jsonb END) AS je(value) WHERE {inner})")
    return "FALSE"


def compile_where(predicates: Sequence[q.Predicate]) -> tuple[str, list[Any]]:
    return where_clause(predicates, compile_predicate)


def sort_key(field_name: str, text: bool) -> str:
    """The expression a sort (and its index) orders by: text ignoring case byte-wise, or the JSON value."""
    return f'lower({tx(field_name)}) COLLATE "C"' if text else jb(field_name)


def _order(order: Sequence[q.Sort]) -> str:
    # SQLite puts NULLs first in an ascending order and last in a descending one: so does the mock everywhere
    keys = ", ".join(f"{sort_key(s.path, s.text)} {'DESC NULLS LAST' if s.descending else 'ASC NULLS FIRST'}"
                     for s in order)
    return f" ORDER BY {keys + ', ' if keys else ''}pk ASC"


def _ident(*names: str) -> str:
    return ".".join('"' + n.replace('"', '""') + '"' for n in names)


@lru_cache(maxsize=256)
def _maxima_sql(schema: str, resource_names: tuple[str, ...], fields: tuple[str, ...], key_field: str) -> str:
    """Per key, the largest of each field among each resource's records holding that key; a key no record of a
    resource holds gives that resource no row. One index probe per key and resource (a LATERAL aggregate):
    `key = ANY(array)` let the planner pick a scan of every row, each compared with every key (2 ms for
    1,000 tasks and 25 keys, against 0.1 ms), where its estimates made that look cheaper."""
    largest = ", ".join(f'max({tx(f)} COLLATE "C")' for f in fields)
    return " UNION ALL ".join(
        f"SELECT k.key, m.* FROM jsonb_array_elements(%(keys)s::jsonb) AS k(key) CROSS JOIN LATERAL "
        f"(SELECT {largest} FROM {_ident(schema, f'r_{name}')} WHERE {jb(key_field)} = k.key "
        "HAVING count(*) > 0) AS m" for name in resource_names)


def _index_name(*parts: str) -> str:
    name = "ix_" + "_".join(p.replace(".", "_") for p in parts)
    return name if len(name) <= 60 else name[:47] + "_" + hashlib.sha256(name.encode()).hexdigest()[:12]


# one session ----------------------------------------------------------------------------------------
class PostgresStore(RecordStore):
    def __init__(self, backend: PostgresBackend, schema: str, dialect: Dialect, indexed: bool = True) -> None:
        self.backend = backend
        self.indexed = indexed  # a snapshot is only copied whole: no index of its own
        self.schema = schema
        self.dialect = dialect
        self._lock_key = _lock_key(backend.namespace, schema)
        self._local = threading.local()
        self._memo: dict[Any, tuple[int, int]] = {}
        self._indexes: set[str] = set()
        self.create_tables()

    # connections and transactions -------------------------------------------------------------
    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection[Any]]:
        """The transaction's connection when one is open on this thread, else one from the pool."""
        held = getattr(self._local, "conn", None)
        if held is not None and getattr(self._local, "pid", None) == os.getpid():
            yield held
            return
        with self.backend.pool().connection() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[None]:
        held = getattr(self._local, "conn", None)
        if held is not None and getattr(self._local, "pid", None) == os.getpid():
            yield  # nested: join the outer transaction
            return
        with self.backend.pool().connection() as conn, conn.transaction():
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
        return _ident(self.schema, table)

    def _r(self, resource: str) -> str:
        return _ident(self.schema, f"r_{resource}")

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
        statements = [f"CREATE SCHEMA IF NOT EXISTS {_ident(self.schema)}",
                      f"CREATE TABLE IF NOT EXISTS {self._t('meta')} (key text PRIMARY KEY, value text)",
                      f"CREATE TABLE IF NOT EXISTS {self._t('events')} "
                      "(seq bigserial PRIMARY KEY, event text NOT NULL, payload jsonb NOT NULL)",
                      f"CREATE TABLE IF NOT EXISTS {self._t('version')} (n bigint NOT NULL)"]
        statements += [f"CREATE TABLE IF NOT EXISTS {self._r(name)} "
                       "(pk bigserial PRIMARY KEY, rid text NOT NULL UNIQUE, doc jsonb NOT NULL)"
                       for name in self.dialect.resources]
        statements.append(f"INSERT INTO {self._t('version')} SELECT 0 WHERE NOT EXISTS "
                          f"(SELECT 1 FROM {self._t('version')})")
        with self.transaction():
            self._local.ddl.extend(statements)
            for spec in list(self.backend.index_specs) if self.indexed else []:
                self._create_index(*spec)

    def ensure_index(self, resource: str, field_name: str, text: bool = False, then: str | None = None,
                     then_text: bool = False) -> None:
        spec = (resource, field_name, text, then, then_text)
        self.backend.index_specs.add(spec)
        self._create_index(*spec)

    def _create_index(self, resource: str, field_name: str, text: bool, then: str | None, then_text: bool) -> None:
        if resource not in self.dialect.resources:
            return
        parts = [(field_name, text)] + ([(then, then_text)] if then else [])
        name = _index_name(resource, *(f + ("_nc" if t else "") for f, t in parts))
        if name in self._indexes:
            return
        # a lone text key is a sort key; a filter (the first of two) compares JSON values
        columns = [f"({sort_key(f, t)}) NULLS FIRST" if (then is None or i == 1) else jb(f)
                   for i, (f, t) in enumerate(parts)]
        self._ddl(f"CREATE INDEX IF NOT EXISTS {_ident(name)} ON {self._r(resource)} ({', '.join(columns)}, pk)")
        self._indexes.add(name)

    def ensure_unique(self, resource: str, field_name: str) -> None:
        name = _index_name("ux", resource, field_name)
        if name not in self._indexes:
            key = f"lower({tx(field_name)})"
            self._ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {_ident(name)} ON {self._r(resource)} ({key})")
            self._indexes.add(name)

    def _ddl(self, statement: str) -> None:
        """Run at the end of the current transaction, with the others asked for in it (one round trip)."""
        with self.transaction():
            self._local.ddl.append(statement)

    def meta(self, key: str) -> str | None:
        rows = self._read(f"SELECT value FROM {self._t('meta')} WHERE key = %s", (key,))
        return None if not rows else str(rows[0][0])

    def set_meta(self, key: str, value: str) -> None:
        self._write(f"INSERT INTO {self._t('meta')} (key, value) VALUES (%s, %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    # records ------------------------------------------------------------------------------------
    def insert(self, resource_name: str, doc: dict[str, Any], pk: int | None = None) -> dict[str, Any]:
        resource = self.dialect.resources[resource_name]
        table = self._r(resource_name)
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
            record_id = given if given is not None else self.make_id(resource, pk)
            record = {resource.id_field: record_id, **doc}
            conn.execute(f"INSERT INTO {table} (pk, rid, doc) VALUES (%s, %s, %s)".encode(),
                         (pk, str(record[resource.id_field]), Jsonb(record)))
        return record

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
        rows_sql = f" FROM {table}{where}{_order(query.order)}"
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
            return docs, self._count(conn, table, where, params, int(rows[0][1]) if rows else None)

    def _count(self, conn: psycopg.Connection[Any], table: str, where: str, params: list[Any],
               version: int | None) -> int:
        """A list's total, kept until any replica writes to the session (its `version` row moves): at 100k
        deals a count reads every matching row's heap page (PostgreSQL has no index-only scan on an
        expression index), 40-100 ms for 17k rows."""
        key = (table, where, repr(params))
        known = self._memo.get(key)
        in_transaction = getattr(self._local, "conn", None) is not None  # its own writes are not committed yet
        if known is not None and known[0] == version and not in_transaction:
            return known[1]
        row = conn.execute(f"SELECT count(*) FROM {table}{where}".encode(), params).fetchone()
        total = int(row[0]) if row else 0
        if in_transaction or version is None:
            return total
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[key] = (version, total)
        return total

    def get_many(self, resource_name: str, record_ids: Sequence[Any]) -> dict[str, dict[str, Any]]:
        wanted = sorted({str(i) for i in record_ids})
        rows = self._read(f"SELECT rid, doc FROM {self._r(resource_name)} WHERE rid = ANY(%s)", (wanted,))
        return {str(rid): dict(doc) for rid, doc in rows}

    def maxima_by(self, resource_names: Sequence[str], fields: Sequence[str], key_field: str,
                  keys: Sequence[Any]) -> dict[Any, list[Any]]:
        found: dict[Any, list[Any]] = {}
        distinct = [v.obj for v in (_json_value(k) for k in dict.fromkeys(keys)) if v is not None]
        if not distinct:
            return found
        statement = _maxima_sql(self.schema, tuple(resource_names), tuple(fields), key_field)
        for row in self._read(statement, {"keys": Jsonb(distinct)}):
            found.setdefault(row[0], []).append(max((v for v in row[1:] if v is not None), default=None))
        return found

    def count(self, resource_name: str) -> int:
        return int(self._read(f"SELECT count(*) FROM {self._r(resource_name)}")[0][0])

    def pick(self, resource_name: str, offset: int) -> dict[str, Any] | None:
        total = self.count(resource_name)
        if total == 0:
            return None
        rows = self._read(f"SELECT doc FROM {self._r(resource_name)} ORDER BY pk LIMIT 1 OFFSET %s", (offset % total,))
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
                        copy.write_row((pk, str(doc.get(id_field)), json.dumps(doc)))
            for name in self.dialect.resources:  # past the image's largest key ever used, and past every row's
                conn.execute(f"SELECT setval(%s::regclass, GREATEST(%s, max(pk)), true) FROM {self._r(name)} "
                             "HAVING GREATEST(%s, max(pk)) > 0".encode(),
                             (self._t(f"r_{name}_pk_seq"), image.sequences.get(name, 0), image.sequences.get(name, 0)))
            for key, value in image.meta.items():
                conn.execute(f"INSERT INTO {self._t('meta')} (key, value) VALUES (%s, %s)".encode(), (key, value))
            if image.events:
                with conn.cursor().copy(f"COPY {self._t('events')} (seq, event, payload) FROM STDIN".encode()) as copy:
                    for seq, payload in image.events:
                        copy.write_row((seq, str(payload.get("event")), json.dumps(payload)))
                conn.execute("SELECT setval(%s::regclass, %s)", (self._t("events_seq_seq"),
                                                                 max(s for s, _ in image.events)))

    def copy_into(self, other: RecordStore) -> None:
        if isinstance(other, PostgresStore) and other.backend is self.backend:
            self.backend.copy_schema(self, other)
            return
        super().copy_into(other)

    def drop(self) -> None:
        with self.backend.pool().connection() as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {_ident(self.schema)} CASCADE".encode())


# the ledger ---------------------------------------------------------------------------------------
class PostgresLedger(Ledger):
    def __init__(self, backend: PostgresBackend) -> None:
        self.backend = backend
        self.api = backend.api
        self.ns = backend.namespace

    def _t(self, table: str) -> str:
        return _ident(self.ns, table)

    def count_hit(self, key: str, slot: int) -> int:
        with self.backend.pool().connection() as conn:
            row = conn.execute(
                f"INSERT INTO {self._t('rate_windows')} AS w (api, key, slot, count) VALUES (%s, %s, %s, 1) "
                "ON CONFLICT (api, key) DO UPDATE SET count = CASE WHEN w.slot = excluded.slot THEN w.count + 1 "
                "ELSE 1 END, slot = excluded.slot RETURNING count".encode(), (self.api, key, slot)).fetchone()
        return int(row[0]) if row else 1

    def log(self, entries: Sequence[LoggedRequest], keep: int) -> None:
        columns = "(api, at, method, path, query, status, ms, session)"
        with self.backend.pool().connection() as conn, conn.transaction():
            # one COPY for the batch: an INSERT per line cost both sides a statement per request
            with conn.cursor().copy(f"COPY {self._t('requests')} {columns} FROM STDIN".encode()) as copy:
                for e in entries:
                    copy.write_row((self.api, e.at, e.method, e.path, e.query, e.status, e.ms, e.session))
            conn.execute(f"DELETE FROM {self._t('requests')} WHERE api = %s AND id <= "
                         f"(SELECT max(id) FROM {self._t('requests')} WHERE api = %s) - %s".encode(),
                         (self.api, self.api, keep))

    def recent(self, session: str, limit: int) -> list[LoggedRequest]:
        with self.backend.pool().connection() as conn:
            rows = conn.execute(
                f"SELECT at, method, path, query, status, ms, session FROM {self._t('requests')} "
                "WHERE api = %s AND session = %s ORDER BY id DESC LIMIT %s".encode(), (self.api, session, limit))
            return [LoggedRequest(*row) for row in rows]

    def forget(self, session: str) -> int:
        with self.backend.pool().connection() as conn:
            return int(conn.execute(f"DELETE FROM {self._t('requests')} WHERE api = %s AND session = %s".encode(),
                                    (self.api, session)).rowcount)


# sessions, snapshots, migrations -------------------------------------------------------------------------
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE TABLE IF NOT EXISTS {ns}.stores (id bigserial PRIMARY KEY, api text NOT NULL, kind text NOT NULL,"
        " session text NOT NULL, name text NOT NULL, created_at text NOT NULL, UNIQUE (api, kind, session, name))",
        "CREATE TABLE IF NOT EXISTS {ns}.rate_windows (api text NOT NULL, key text NOT NULL, slot bigint NOT NULL,"
        " count bigint NOT NULL, PRIMARY KEY (api, key))",
        "CREATE TABLE IF NOT EXISTS {ns}.requests (id bigserial PRIMARY KEY, api text NOT NULL, at text NOT NULL,"
        " method text NOT NULL, path text NOT NULL, query text NOT NULL, status integer NOT NULL,"
        " ms double precision NOT NULL, session text NOT NULL)",
        "CREATE INDEX IF NOT EXISTS requests_by_session ON {ns}.requests (api, session, id)",
    ),
}


class PostgresBackend(StateBackend):
    seeds_in_place = False  # seeded in memory, then copied in with COPY: one round trip per table, not per record

    def __init__(self, dialect: Dialect, url: str) -> None:
        self.conninfo, self.namespace = split_url(url)
        self.dialect = dialect
        self.api = dialect.id
        self.index_specs: set[tuple[str, str, bool, str | None, bool]] = set()
        self.migrate()
        self.default = self._store("session", "default", "", dialect)
        self.ledger = PostgresLedger(self)

    def pool(self) -> ConnectionPool:
        return pool_for(self.conninfo)

    def close(self) -> None:
        """Nothing to do: pools are per process (keyed by pid) and closed at exit, and a server keeps its data
        whoever closes a connection."""

    def migrate(self) -> None:
        """Create or bring the registry up to SCHEMA_VERSION, once across every replica starting at once."""
        ns = _ident(self.namespace)
        with self.pool().connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(self.namespace, "migrations"),))
            conn.execute(f"CREATE SCHEMA IF NOT EXISTS {ns}".encode())
            conn.execute(f"CREATE TABLE IF NOT EXISTS {ns}.migrations (version integer PRIMARY KEY)".encode())
            done = {int(r[0]) for r in conn.execute(f"SELECT version FROM {ns}.migrations".encode())}
            for version in sorted(MIGRATIONS):
                if version in done:
                    continue
                for statement in MIGRATIONS[version]:
                    conn.execute(statement.format(ns=ns).encode())
                conn.execute(f"INSERT INTO {ns}.migrations (version) VALUES (%s)".encode(), (version,))

    def _schema_of(self, kind: str, session: str, name: str, create: bool) -> str | None:
        table = _ident(self.namespace, "stores")
        with self.pool().connection() as conn:
            if create:
                conn.execute(f"INSERT INTO {table} (api, kind, session, name, created_at) VALUES (%s, %s, %s, %s, %s)"
                             " ON CONFLICT DO NOTHING".encode(), (self.api, kind, session, name, utc_stamp()))
            row = conn.execute(f"SELECT id FROM {table} WHERE api = %s AND kind = %s AND session = %s AND name = %s"
                               .encode(), (self.api, kind, session, name)).fetchone()
        return None if row is None else f"{self.namespace}_{row[0]}"

    def _store(self, kind: str, session: str, name: str, dialect: Dialect) -> PostgresStore:
        schema = self._schema_of(kind, session, name, create=True)
        assert schema is not None
        return PostgresStore(self, schema, dialect, indexed=kind == "session")

    def scratch(self, dialect: Dialect) -> RecordStore:
        return SqliteStore(dialect, None)

    def open_session(self, name: str, fill: Callable[[RecordStore], None]) -> RecordStore:
        store = self._store("session", name, "", self.dialect)
        with store.transaction():  # the first replica to get here fills it; the others wait, then see it filled
            if store.meta("seed") is None:
                fill(store)
        return store

    def session_names(self) -> list[str]:
        with self.pool().connection() as conn:
            rows = conn.execute(f"SELECT session FROM {_ident(self.namespace, 'stores')} WHERE api = %s AND kind = "
                                "'session' AND session <> 'default' ORDER BY session".encode(), (self.api,))
            return [str(r[0]) for r in rows]

    def copy_schema(self, source: PostgresStore, target: PostgresStore) -> None:
        """Every table of `source` into `target`, inside the target's transaction (other replicas see one commit)."""
        with target.transaction(), target._conn() as conn:
            target.clear()
            for table in [f"r_{n}" for n in target.dialect.resources] + ["meta", "events"]:
                conn.execute(f"INSERT INTO {target._t(table)} SELECT * FROM {source._t(table)}".encode())
            for table in [f"r_{n}" for n in target.dialect.resources] + ["events"]:
                seq = "events_seq_seq" if table == "events" else f"{table}_pk_seq"
                conn.execute(f"SELECT setval(%s::regclass, last_value, is_called) FROM {source._t(seq)}".encode(),
                             (target._t(seq),))

    def snapshot(self, session: str, store: RecordStore, name: str) -> Snapshot:
        assert isinstance(store, PostgresStore)
        taken = Snapshot(name, utc_stamp())
        copy = self._store("snapshot", session, name, store.dialect)
        with self.pool().connection() as conn:
            conn.execute(f"UPDATE {_ident(self.namespace, 'stores')} SET created_at = %s WHERE api = %s AND "
                         "kind = 'snapshot' AND session = %s AND name = %s".encode(),
                         (taken.created_at, self.api, session, name))
        with store.transaction():  # no write of the session lands halfway through the copy
            self.copy_schema(store, copy)
        return taken

    def _snapshot_row(self, session: str, name: str) -> tuple[str, str] | None:
        with self.pool().connection() as conn:
            row = conn.execute(f"SELECT id, created_at FROM {_ident(self.namespace, 'stores')} WHERE api = %s AND "
                               "kind = 'snapshot' AND session = %s AND name = %s".encode(),
                               (self.api, session, name)).fetchone()
        return None if row is None else (f"{self.namespace}_{row[0]}", str(row[1]))

    def restore(self, session: str, store: RecordStore, name: str) -> Snapshot | None:
        assert isinstance(store, PostgresStore)
        found = self._snapshot_row(session, name)
        if found is None:
            return None
        self.copy_schema(PostgresStore(self, found[0], store.dialect, indexed=False), store)
        return Snapshot(name, found[1])

    def snapshots(self, session: str) -> list[Snapshot]:
        with self.pool().connection() as conn:
            rows = conn.execute(f"SELECT name, created_at FROM {_ident(self.namespace, 'stores')} WHERE api = %s AND "
                                "kind = 'snapshot' AND session = %s ORDER BY created_at".encode(), (self.api, session))
            return [Snapshot(str(n), str(c)) for n, c in rows]

    def drop_snapshot(self, session: str, name: str) -> bool:
        found = self._snapshot_row(session, name)
        if found is None:
            return False
        with self.pool().connection() as conn, conn.transaction():
            conn.execute(f"DELETE FROM {_ident(self.namespace, 'stores')} WHERE api = %s AND kind = 'snapshot' AND "
                         "session = %s AND name = %s".encode(), (self.api, session, name))
            conn.execute(f"DROP SCHEMA IF EXISTS {_ident(found[0])} CASCADE".encode())
        return True


def drop_namespace(url: str) -> None:
    """Remove everything the mock keeps under the URL's namespace (tests, or a team starting afresh)."""
    conninfo, namespace = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        schemas = [str(r[0]) for r in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = %s OR nspname LIKE %s",
            (namespace, namespace.replace("_", "\\_") + "\\_%"))]
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
