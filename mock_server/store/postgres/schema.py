"""What the mock keeps in a PostgreSQL namespace, as DDL: the registry schema and its migrations, a session's
(or snapshot's) schema of tables, and the indexes of the filtered, sorted and unique fields.

- the registry schema (`crm_mock`, or `?namespace=NAME` in the URL) holds `stores` (which schema holds which
  API's session or snapshot), `rate_windows` and `requests` (the ledger) and `migrations`;
- every session and every snapshot of every API is a schema of its own, `<namespace>_<n>`: a table per resource
  (`pk bigserial`: an id sequence per resource; `rid` unique; `doc jsonb`), `meta`, `events`, `version`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import psycopg
from psycopg import sql

from mock_server.store.postgres.connections import Database, lock_key, split_url
from mock_server.store.postgres.sql import ident, jb, sort_key, tx

SCHEMA_VERSION = 1
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

IndexSpec = tuple[str, str, bool, str | None, bool]  # ensure_index's arguments: resource, field, text, then, then_text


def migrate(database: Database) -> None:
    """Create or bring the registry up to SCHEMA_VERSION, once across every replica starting at once."""
    ns = ident(database.namespace)
    with database.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(database.namespace, "migrations"),))
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {ns}".encode())
        conn.execute(f"CREATE TABLE IF NOT EXISTS {ns}.migrations (version integer PRIMARY KEY)".encode())
        done = {int(r[0]) for r in conn.execute(f"SELECT version FROM {ns}.migrations".encode())}
        for version in sorted(MIGRATIONS):
            if version in done:
                continue
            for statement in MIGRATIONS[version]:
                conn.execute(statement.format(ns=ns).encode())
            conn.execute(f"INSERT INTO {ns}.migrations (version) VALUES (%s)".encode(), (version,))


def session_tables(schema: str, resources: Iterable[str]) -> list[str]:
    """A session's schema and tables; existing ones and their rows stay."""
    statements = [f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}",
                  f"CREATE TABLE IF NOT EXISTS {ident(schema, 'meta')} (key text PRIMARY KEY, value text)",
                  f"CREATE TABLE IF NOT EXISTS {ident(schema, 'events')} "
                  "(seq bigserial PRIMARY KEY, event text NOT NULL, payload jsonb NOT NULL)",
                  f"CREATE TABLE IF NOT EXISTS {ident(schema, 'version')} (n bigint NOT NULL)"]
    statements += [f"CREATE TABLE IF NOT EXISTS {ident(schema, f'r_{name}')} "
                   "(pk bigserial PRIMARY KEY, rid text NOT NULL UNIQUE, doc jsonb NOT NULL)" for name in resources]
    statements.append(f"INSERT INTO {ident(schema, 'version')} SELECT 0 WHERE NOT EXISTS "
                      f"(SELECT 1 FROM {ident(schema, 'version')})")
    return statements


def _index_name(*parts: str) -> str:
    name = "ix_" + "_".join(p.replace(".", "_") for p in parts)
    return name if len(name) <= 60 else name[:47] + "_" + hashlib.sha256(name.encode()).hexdigest()[:12]


def index(schema: str, spec: IndexSpec) -> tuple[str, str]:
    """(the index's name, its CREATE INDEX) for a filtered or sorted field, or a filter followed by a sort key."""
    resource, field_name, text, then, then_text = spec
    parts = [(field_name, text)] + ([(then, then_text)] if then else [])
    name = _index_name(resource, *(f + ("_nc" if t else "") for f, t in parts))
    # a lone text key is a sort key; a filter (the first of two) compares JSON values
    columns = [f"({sort_key(f, t)}) NULLS FIRST" if (then is None or i == 1) else jb(f)
               for i, (f, t) in enumerate(parts)]
    table = ident(schema, f"r_{resource}")
    return name, f"CREATE INDEX IF NOT EXISTS {ident(name)} ON {table} ({', '.join(columns)}, pk)"


def unique_index(schema: str, resource: str, field_name: str) -> tuple[str, str]:
    """(the index's name, its CREATE UNIQUE INDEX): no two records share the field's value, ignoring case."""
    name = _index_name("ux", resource, field_name)
    table = ident(schema, f"r_{resource}")
    return name, f"CREATE UNIQUE INDEX IF NOT EXISTS {ident(name)} ON {table} (lower({tx(field_name)}))"


def drop_namespace(url: str) -> None:
    """Remove everything the mock keeps under the URL's namespace (tests, or a team starting afresh)."""
    conninfo, namespace = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        schemas = [str(r[0]) for r in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = %s OR nspname LIKE %s",
            (namespace, namespace.replace("_", "\\_") + "\\_%"))]
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
