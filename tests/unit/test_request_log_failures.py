"""The request log is bookkeeping: a ledger that fails to write a batch (PostgreSQL breaking a deadlock, a
connection lost) never fails the request being answered, and the lines wait for the next flush."""

from __future__ import annotations

from collections.abc import Sequence

from mock_server import accesslog
from mock_server.accesslog import AccessLog, entry
from mock_server.store import Ledger, LoggedRequest


class Flaky(Ledger):
    """A ledger whose first `failures` writes fail."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.written: list[LoggedRequest] = []

    def count_hit(self, key: str, slot: int) -> int:
        return 1

    def log(self, entries: Sequence[LoggedRequest], keep: int) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("deadlock detected")
        self.written = [*self.written, *entries][-keep:]

    def recent(self, session: str, limit: int) -> list[LoggedRequest]:
        return [e for e in reversed(self.written) if e.session == session][:limit]

    def forget(self, session: str) -> int:
        return 0


def test_a_failed_write_fails_no_request_and_loses_no_line() -> None:
    ledger = Flaky(failures=1)
    log = AccessLog("off", ledger)
    lines = [entry("GET", f"/api/deals/{n}", "", 200, 0.001, "default") for n in range(accesslog.FLUSH_SIZE)]
    for line in lines:
        log.record(line, line.path)  # the last one fills a batch: its write fails, and no error reaches the caller
    assert ledger.written == []
    assert [e["path"] for e in reversed(log.recent("default", 1000))] == [line.path for line in lines]
