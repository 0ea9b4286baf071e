"""The database a `--state postgresql://...` URL names, as this process reaches it: the mock's namespace in the
URL, one connection pool per process, and the advisory-lock keys writers queue on."""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg_pool import ConnectionPool

from mock_server.store.interface import DatabaseUnavailable

DEFAULT_NAMESPACE = "crm_mock"
POOL_SIZE = 8  # connections per worker process at most; a sync gunicorn worker uses one at a time


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


def lock_key(*parts: str) -> int:
    """A bigint advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "big", signed=True)


class Database:
    """The database of one served API, shared by its sessions, snapshots and ledger: where (the connection URL
    and the namespace) and how this process reaches it (its pool)."""

    def __init__(self, url: str) -> None:
        self.conninfo, self.namespace = split_url(url)

    def pool(self) -> ConnectionPool:
        return pool_for(self.conninfo)
