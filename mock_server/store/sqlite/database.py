"""A SQLite database file (or memory) as the mock's threads and forked workers use it: a connection per
(process, thread), transactions that nest by joining, and a version that moves whenever the data may have."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from mock_server.store.results import Kept, Totals

# how many times this process line has forked: a connection opened before a fork must not be used after it
# (os.getpid() would say the same, but it is a system call on every statement)
_forks = [0]
os.register_at_fork(after_in_child=lambda: _forks.__setitem__(0, _forks[0] + 1))


MATCHING_SIZE = 16  # filters whose matching keys a connection keeps: a list of ints each


class Database:
    """A SQLite database used by several threads and forked worker processes: one connection per
    (process, thread) for a file, one shared connection in memory; transactions that nest join."""

    # a commit is in the -wal file (the kernel's page cache) before the answer leaves: a killed process
    # loses nothing acknowledged; only an OS crash or power cut can lose the last commits
    synchronous = "NORMAL"

    def __init__(self, path: str | None) -> None:
        self.path = path or ":memory:"
        self._local = threading.local()
        self._lock = threading.RLock()
        self._shared: sqlite3.Connection | None = self._open() if self.path == ":memory:" else None
        self._shared_totals = Totals()
        self._shared_matching = Kept[list[int]](MATCHING_SIZE)
        self._restores = 0  # bumped when a whole copy is written into this database (forget_counts)
        self._writes: dict[str, int] = {}  # per table: how many times this process wrote to it
        self._rollbacks = 0  # a rolled-back write leaves the counts of `_writes` moved on, but not the data

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout = 30000")
        if self.path != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute(f"PRAGMA synchronous = {self.synchronous}")
        return db

    def _connection(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        owner = (_forks[0], threading.get_ident())
        if getattr(self._local, "owner", None) != owner:
            self._local.db = self._open()
            self._local.totals = Totals()
            self._local.matching = Kept[list[int]](MATCHING_SIZE)
            self._local.owner = owner
        db: sqlite3.Connection = self._local.db
        return db

    def _totals(self) -> Totals:
        """List totals that live as long as the current connection (they were counted through it)."""
        if self._shared is not None:
            return self._shared_totals
        self._connection()
        totals: Totals = self._local.totals
        return totals

    def _matching(self) -> Kept[list[int]]:
        """The keys of the rows a filter matches, in key order, kept as long as the current connection."""
        if self._shared is not None:
            return self._shared_matching
        self._connection()
        matching: Kept[list[int]] = self._local.matching
        return matching

    def _version(self, db: sqlite3.Connection, table_name: str) -> tuple[int, int, int, int]:
        """Changes whenever the data of `table_name` may have: a commit by any other connection or process
        (PRAGMA data_version), a write to the table in this process (`_wrote`), a rollback, or a copy written
        into the database whole (`_restores`, which none of the others sees). Per table, so that seeding
        deals (a write each) does not forget how many contacts match a filter, as total_changes would."""
        other = int(db.execute("PRAGMA data_version").fetchone()[0])
        return other, self._writes.get(table_name, 0), self._rollbacks, self._restores

    def _wrote(self, table_name: str) -> None:
        """`table_name` is about to be written to: counts kept under its old version are stale."""
        self._writes[table_name] = self._writes.get(table_name, 0) + 1

    def close(self) -> None:
        """Write this thread's connection's log into the database file and close it."""
        db = self._connection()
        if self._shared is None:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._local.owner = None
        db.close()

    def forget_counts(self) -> None:
        """A whole copy was written into this database (sqlite3's backup API), which neither
        data_version nor total_changes report: what was kept under the old version is stale."""
        self._restores += 1

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work; a failure rolls everything in it back."""
        with self._lock:
            db = self._connection()
            if db.in_transaction:  # nested: join the outer transaction
                yield db
                return
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                self._rollbacks += 1
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
