"""The database a `--state postgresql://...` URL names, as this process reaches it: the mock's namespace in the
URL, one connection pool per process, and the advisory-lock keys writers queue on."""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import ConnectionPool

from mock_server.store.documents import dumps, loads
from mock_server.store.interface import DatabaseUnavailable

DEFAULT_NAMESPACE = "crm_mock"
POOL_SIZE = 8  # connections per worker process at most; a worker (one Python thread) uses one at a time
SPARE_SECONDS = 60.0


def _json_by_orjson(conn: psycopg.Connection[Any]) -> None:
    """jsonb documents are written and come back parsed by orjson, as the SQLite store writes and reads its JSON
    text (store/documents.py)."""
    set_json_dumps(dumps, conn)
    set_json_loads(loads, conn)


def split_url(url: str) -> tuple[str, str]:
    """(the connection URL libpq understands, the namespace): `?namespace=` is the mock's, not libpq's."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    namespace = next((v for k, v in params if k == "namespace"), DEFAULT_NAMESPACE)
    if not namespace.replace("_", "").isalnum() or not namespace[0].isalpha() or len(namespace) > 40:
        raise DatabaseUnavailable(f"namespace {namespace!r}: use letters, digits and '_', starting with a letter")
    rest = urlencode([(k, v) for k, v in params if k != "namespace"])
    return urlunsplit(parts._replace(query=rest)), namespace.lower()


class Connections:
    """One process's connections to one server: a psycopg pool, and the connection given back last, kept at hand
    for the next statement. The pool's own checkout and return (its locks, statistics and logging) cost 0.03 ms
    of CPU a statement, 7% of the CPU of a GET of one deal; the one kept at hand is taken by whichever thread asks
    first, so none waits on the pool while it sits idle, and goes back to the pool after SPARE_SECONDS (the pool
    retires connections past their lifetime when they come back)."""

    def __init__(self, conninfo: str) -> None:
        self.pid = os.getpid()
        self.pool = ConnectionPool(conninfo, min_size=1, max_size=POOL_SIZE, kwargs={"autocommit": True},
                                   open=False, name=f"crm-mock-{self.pid}", configure=_json_by_orjson)
        self._spare: list[tuple[psycopg.Connection[Any], float]] = []  # (connection, when it left the pool)

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            conn, since = self._spare.pop()
        except IndexError:
            conn, since = self.pool.getconn(), time.monotonic()
        try:
            yield conn
        finally:
            if (not self._spare and conn.pgconn.transaction_status == TransactionStatus.IDLE
                    and time.monotonic() - since < SPARE_SECONDS):
                self._spare.append((conn, since))
            else:  # a second one, an old one, or one no longer idle (broken, or left in a transaction)
                self.pool.putconn(conn)

    def close(self) -> None:
        """At exit, in the process that opened them (a forked worker's copies are its parent's to close)."""
        if os.getpid() == self.pid:
            while self._spare:
                self.pool.putconn(self._spare.pop()[0])
            self.pool.close()


# one pool per (process, URL): a pool's threads and sockets do not survive a fork
_POOLS: dict[tuple[int, str], Connections] = {}
_POOLS_LOCK = threading.Lock()


def reachable(url: str) -> None:
    """Connect once now: a wrong URL, host or password fails at once with its own reason (a pool would only
    retry, log and give up after its timeout)."""
    try:
        with psycopg.connect(split_url(url)[0], connect_timeout=10):
            pass
    except psycopg.Error as exc:
        raise DatabaseUnavailable(_reason(exc)) from None


def pool_for(conninfo: str) -> Connections:
    key = (os.getpid(), conninfo)
    with _POOLS_LOCK:
        connections = _POOLS.get(key)
        if connections is None:
            reachable(conninfo)
            connections = Connections(conninfo)
            try:
                connections.pool.open(wait=True, timeout=15)
            except Exception as exc:
                connections.pool.close()
                raise DatabaseUnavailable(_reason(exc)) from None
            _POOLS[key] = connections
            atexit.register(connections.close)  # before the interpreter's end: its threads would reconnect in vain
        return connections


def _reason(exc: BaseException) -> str:
    """libpq's first line says what failed ('connection to server at ... failed: Connection refused')."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def lock_key(*parts: str) -> int:
    """A bigint advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big", signed=True)


class Database:
    """The database of one served API, shared by its sessions, snapshots and ledger: where (the connection URL
    and the namespace) and how this process reaches it (its pool)."""

    def __init__(self, url: str) -> None:
        self.conninfo, self.namespace = split_url(url)

    def connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        """A connection of this process's, for one statement or one transaction."""
        return pool_for(self.conninfo).connection()
