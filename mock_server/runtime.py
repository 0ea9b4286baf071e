"""What one served API keeps beyond a single request and beyond a document reload (`--watch`).

- `sessions`: the default store and every `X-Mock-Session` store, with their snapshots (sessions.py);
- `ledger`: the mock's own bookkeeping, shared by every gunicorn worker: rate-limit windows and the
  request log (a SQLite file under `runtime_dir`, or an in-memory database for a single process);
- `rng`: the chaos generator (`--delay` ranges, `--error-rate`), `random.Random(seed)`, per process.
"""

from __future__ import annotations

import random
from pathlib import Path

from crmspec.model import Dialect
from mock_server.config import MockConfig
from mock_server.sessions import Sessions
from mock_server.store import Database

LEDGER_TABLES = (
    "CREATE TABLE IF NOT EXISTS rate_windows (key TEXT PRIMARY KEY, slot INTEGER NOT NULL, count INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, method TEXT NOT NULL,"
    " path TEXT NOT NULL, query TEXT NOT NULL, status INTEGER NOT NULL, ms REAL NOT NULL, session TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS requests_by_session ON requests (session, id)",
)


class Ledger(Database):
    """A small SQLite database of the mock's own bookkeeping (rate windows, the request log)."""

    synchronous = "OFF"  # bookkeeping: losing the last lines in a crash is fine

    def __init__(self, path: str | None) -> None:
        super().__init__(path)
        with self.transaction() as db:
            for statement in LEDGER_TABLES:
                db.execute(statement)


class Runtime:
    def __init__(self, dialect: Dialect, config: MockConfig) -> None:
        directory = Path(config.runtime_dir) if config.runtime_dir else None
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        self.sessions = Sessions(dialect, config, directory)
        self.ledger = Ledger(str(directory / "ledger.sqlite3") if directory else None)
        self.rng = random.Random(config.seed)

    def close(self) -> None:
        """Close this process's connections to the state (see Database.close)."""
        self.sessions.close()
        self.ledger.close()
