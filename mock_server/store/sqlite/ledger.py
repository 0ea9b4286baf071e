"""The ledger in SQLite: a small database of the mock's own bookkeeping (rate-limit windows, the request log),
in memory or in `FILE.mock/ledger.sqlite3`, which every worker opens."""

from __future__ import annotations

from collections.abc import Sequence

from mock_server.store.interface import Ledger, LoggedRequest
from mock_server.store.sqlite.database import Database

LEDGER_TABLES = (
    "CREATE TABLE IF NOT EXISTS rate_windows (key TEXT PRIMARY KEY, slot INTEGER NOT NULL, count INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, method TEXT NOT NULL,"
    " path TEXT NOT NULL, query TEXT NOT NULL, status INTEGER NOT NULL, ms REAL NOT NULL, session TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS requests_by_session ON requests (session, id)",
)


class SqliteLedger(Database, Ledger):
    """Rate windows and the request log of every worker, in one small database."""

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
