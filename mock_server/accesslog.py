"""One line per request on stderr (`--log-format text|json`), and the request log `GET /__mock/requests` reads.

The request log keeps the last REQUEST_LOG_SIZE API calls in the runtime's ledger (shared by every worker):
method, path, query, status, duration and session. Calls to /__mock/, /docs and /openapi.json are
printed but not kept: the log is what your frontend asked the API.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import asdict, dataclass
from typing import Any

from mock_server.config import LogFormat
from mock_server.runtime import Ledger

REQUEST_LOG_SIZE = 1000
NOT_KEPT = ("/__mock/", "/docs", "/openapi.json")


@dataclass(frozen=True, slots=True)
class Entry:
    at: str
    method: str
    path: str
    query: str
    status: int
    ms: float
    session: str

    def text(self) -> str:
        target = f"{self.path}?{self.query}" if self.query else self.path
        return f"{self.at} {self.method} {target} {self.status} {self.ms:.1f}ms session={self.session}"


def entry(method: str, path: str, query: str, status: int, seconds: float, session: str) -> Entry:
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return Entry(at, method, path, query, status, round(seconds * 1000, 3), session)


class AccessLog:
    def __init__(self, log_format: LogFormat, ledger: Ledger) -> None:
        self.format = log_format
        self.ledger = ledger

    def record(self, item: Entry, api_path: str) -> None:
        """Print the line (unless the log is off) and keep API calls in the request log."""
        if self.format != "off":
            line = json.dumps(asdict(item)) if self.format == "json" else item.text()
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        if api_path.startswith(NOT_KEPT):
            return
        with self.ledger.transaction() as db:
            cursor = db.execute(
                "INSERT INTO requests (at, method, path, query, status, ms, session) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (item.at, item.method, item.path, item.query, item.status, item.ms, item.session),
            )
            if (cursor.lastrowid or 0) % 100 == 0:
                db.execute("DELETE FROM requests WHERE id <= ?", ((cursor.lastrowid or 0) - REQUEST_LOG_SIZE,))

    def recent(self, session: str, limit: int) -> list[dict[str, Any]]:
        """The session's last `limit` API calls, newest first."""
        with self.ledger.transaction() as db:
            rows = db.execute(
                "SELECT at, method, path, query, status, ms, session FROM requests WHERE session = ?"
                " ORDER BY id DESC LIMIT ?",
                (session, limit),
            ).fetchall()
        return [asdict(Entry(*row)) for row in rows]

    def clear(self, session: str) -> int:
        with self.ledger.transaction() as db:
            return db.execute("DELETE FROM requests WHERE session = ?", (session,)).rowcount
