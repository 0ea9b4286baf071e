"""One line per request on stderr (`--log-format text|json`), and the request log `GET /__mock/requests` reads.

The request log keeps the last REQUEST_LOG_SIZE API calls in the runtime's ledger (shared by every worker):
method, path, query, status, duration and session. Calls to /__mock/, /docs and /openapi.json are
printed but not kept: the log is what your frontend asked the API.

Entries are written in small batches (every FLUSH_SECONDS by a daemon thread of each worker, or at
FLUSH_SIZE entries, and always before the log is read): one write transaction per request on a
ledger every worker shares cost more than the rest of a typical request.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from dataclasses import asdict
from typing import Any

from mock_server.config import LogFormat
from mock_server.store import Ledger, LoggedRequest

REQUEST_LOG_SIZE = 1000
FLUSH_SECONDS = 0.25
FLUSH_SIZE = 50
NOT_KEPT = ("/__mock/", "/docs", "/openapi.json")


Entry = LoggedRequest


def text(item: Entry) -> str:
    target = f"{item.path}?{item.query}" if item.query else item.path
    return f"{item.at} {item.method} {target} {item.status} {item.ms:.1f}ms session={item.session}"


def entry(method: str, path: str, query: str, status: int, seconds: float, session: str) -> Entry:
    return Entry(_stamp(time.time()), method, path, query, status, round(seconds * 1000, 3), session)


_last_second: tuple[int, str] = (-1, "")  # the last whole second formatted: most requests share it


def _stamp(moment: float) -> str:
    """`2026-11-22T21:41:08.384Z` (UTC, milliseconds)."""
    global _last_second
    whole, cached = int(moment), _last_second  # one tuple read: threads never see a half-updated pair
    if cached[0] != whole:
        cached = _last_second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{cached[1]}.{int((moment - whole) * 1000):03d}Z"


class AccessLog:
    def __init__(self, log_format: LogFormat, ledger: Ledger) -> None:
        self.format = log_format
        self.ledger = ledger
        self._pending: list[Entry] = []
        self._lock = threading.Lock()
        self._flusher_pid: int | None = None

    def record(self, item: Entry, api_path: str) -> None:
        """Print the line (unless the log is off) and keep API calls in the request log."""
        if self.format != "off":
            line = json.dumps(asdict(item)) if self.format == "json" else text(item)
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
        if api_path.startswith(NOT_KEPT):
            return
        self._start_flusher()
        with self._lock:
            self._pending.append(item)
            full = len(self._pending) >= FLUSH_SIZE
        if full:
            with contextlib.suppress(Exception):  # the answer does not depend on the log: the next flush writes it
                self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            self.ledger.log(pending, REQUEST_LOG_SIZE)
        except Exception:
            with self._lock:  # kept for the next flush, never more lines than the log holds
                self._pending = (pending + self._pending)[-REQUEST_LOG_SIZE:]
            raise

    def _start_flusher(self) -> None:
        """One daemon thread per process (a forked worker starts its own), so an idle worker still flushes."""
        if self._flusher_pid == os.getpid():
            return
        self._flusher_pid = os.getpid()

        def loop() -> None:
            while True:
                threading.Event().wait(FLUSH_SECONDS)
                try:
                    self.flush()
                except Exception:  # noqa: S110  (bookkeeping only: the lines wait for the next flush)
                    pass

        threading.Thread(target=loop, name="crm-mock-request-log", daemon=True).start()

    def recent(self, session: str, limit: int) -> list[dict[str, Any]]:
        """The session's last `limit` API calls, newest first."""
        self.flush()
        return [asdict(row) for row in self.ledger.recent(session, limit)]

    def clear(self, session: str) -> int:
        self.flush()
        return self.ledger.forget(session)
