"""What one served API keeps beyond a single request and beyond a document reload (`--watch`).

- `sessions`: the default store and every `X-Mock-Session` store, with their snapshots (sessions.py);
- `ledger`: the mock's own bookkeeping, shared by every gunicorn worker: rate-limit windows and the
  request log (a SQLite file under `runtime_dir`, or an in-memory database for a single process);
- `rng`: the chaos generator (`--delay` ranges, `--error-rate`), `random.Random(seed)`, per process.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crmspec.model import Dialect
from mock_server.config import MockConfig
from mock_server.sessions import Sessions

LEDGER_TABLES = (
    "CREATE TABLE IF NOT EXISTS rate_windows (key TEXT PRIMARY KEY, slot INTEGER NOT NULL, count INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, method TEXT NOT NULL,"
    " path TEXT NOT NULL, query TEXT NOT NULL, status INTEGER NOT NULL, ms REAL NOT NULL, session TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS requests_by_session ON requests (session, id)",
)


class Ledger:
    """A small SQLite database of the mock's own: one connection per thread for a file, one shared in memory."""

    def __init__(self, path: str | None) -> None:
        self.path = path or ":memory:"
        self._local = threading.local()
        self._lock = threading.RLock()
        self._shared = self._open() if self.path == ":memory:" else None
        with self.transaction() as db:
            for statement in LEDGER_TABLES:
                db.execute(statement)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        if self.path != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = OFF")  # bookkeeping: losing the last lines in a crash is fine
        return db

    def _connection(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        owner = (os.getpid(), threading.get_ident())
        if getattr(self._local, "owner", None) != owner:
            self._local.db = self._open()
            self._local.owner = owner
        db: sqlite3.Connection = self._local.db
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")


class Runtime:
    def __init__(self, dialect: Dialect, config: MockConfig) -> None:
        directory = Path(config.runtime_dir) if config.runtime_dir else None
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        self.sessions = Sessions(dialect, config, directory)
        self.ledger = Ledger(str(directory / "ledger.sqlite3") if directory else None)
        self.rng = random.Random(config.seed)
