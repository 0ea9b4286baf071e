"""One served API's state in SQLite: sessions in memory (one process), or files every worker opens.

With `--state FILE` (or `--workers N`): the default session in FILE, `FILE.mock/sessions/NAME.sqlite3`, snapshots
under `FILE.mock/snapshots/SESSION/NAME.sqlite3` and the ledger in `FILE.mock/ledger.sqlite3`. A new session, a
reset and a restore copy a whole database with SQLite's backup API: every table in one step that other
connections see as one commit.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from crmspec.model import Dialect
from mock_server.store.interface import RecordStore, Snapshot, StateBackend, checked_name, utc_stamp
from mock_server.store.sqlite.database import Database
from mock_server.store.sqlite.ledger import SqliteLedger
from mock_server.store.sqlite.records import SqliteStore

MAX_MEMORY_SESSIONS = 100  # past this, the least recently used in-memory session is dropped


class SqliteBackend(StateBackend):
    """Sessions in memory (one process), or files every worker opens (a `runtime_dir`)."""

    def __init__(self, dialect: Dialect, state: str | None, directory: Path | None) -> None:
        self.dialect = dialect
        self.directory = directory
        default = SqliteStore(dialect, state)
        ledger = SqliteLedger(str(directory / "ledger.sqlite3") if directory else None)
        self.default, self.ledger = default, ledger
        self._files: list[Database] = [default, ledger]
        self._memory: OrderedDict[str, SqliteStore] = OrderedDict()
        self._snapshots: dict[tuple[str, str], tuple[sqlite3.Connection, Snapshot]] = {}
        self._lock = threading.RLock()

    def scratch(self, dialect: Dialect) -> RecordStore:
        return SqliteStore(dialect, None)

    def close(self) -> None:
        with self._lock:
            for database in [*self._files, *self._memory.values()]:
                database.close()
            self._memory.clear()

    def open_session(self, name: str, fill: Callable[[RecordStore], None]) -> RecordStore:
        if self.directory is None:
            with self._lock:
                store = self._memory.get(name)
                if store is None:
                    store = self._memory[name] = SqliteStore(self.dialect, None)
                    fill(store)
                    if len(self._memory) > MAX_MEMORY_SESSIONS:
                        self._memory.popitem(last=False)
                self._memory.move_to_end(name)
                return store
        folder = self.directory / "sessions"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.sqlite3"
        if not path.exists():  # another worker may create it at the same time: the first link wins
            scratch_path = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
            scratch = SqliteStore(self.dialect, str(scratch_path))
            fill(scratch)
            scratch.close()  # everything in the file itself, none of it left in a -wal beside the scratch name
            try:
                os.link(scratch_path, path)
            except FileExistsError:
                pass
            finally:
                for leftover in (scratch_path, Path(f"{scratch_path}-wal"), Path(f"{scratch_path}-shm")):
                    leftover.unlink(missing_ok=True)
        return SqliteStore(self.dialect, str(path))

    def session_names(self) -> list[str]:
        with self._lock:
            live = set(self._memory)
        if self.directory is not None:
            live |= {p.stem for p in (self.directory / "sessions").glob("*.sqlite3")}
        return sorted(live)

    def _snapshot_file(self, session: str, name: str) -> Path:
        assert self.directory is not None
        return self.directory / "snapshots" / session / f"{name}.sqlite3"

    def snapshot(self, session: str, store: RecordStore, name: str) -> Snapshot:
        assert isinstance(store, SqliteStore)
        taken = Snapshot(name, utc_stamp())
        if self.directory is None:
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            store.backup_to(copy)
            with self._lock:
                old = self._snapshots.get((session, name))
                self._snapshots[(session, name)] = (copy, taken)
            if old is not None:
                old[0].close()
            return taken
        path = self._snapshot_file(session, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}.tmp")
        with closing(sqlite3.connect(scratch)) as db:
            store.backup_to(db)
        os.replace(scratch, path)
        return taken

    def restore(self, session: str, store: RecordStore, name: str) -> Snapshot | None:
        assert isinstance(store, SqliteStore)
        if self.directory is None:
            with self._lock:
                found = self._snapshots.get((session, name))
                if found is None:
                    return None
                store.restore_from(found[0])
            return found[1]
        path = self._snapshot_file(session, checked_name(name, "snapshot"))
        if not path.is_file():
            return None
        with closing(sqlite3.connect(path)) as db:
            store.restore_from(db)
        return self._described(path)

    def snapshots(self, session: str) -> list[Snapshot]:
        if self.directory is None:
            with self._lock:
                return sorted((s for (owner, _), (_, s) in self._snapshots.items() if owner == session),
                              key=lambda s: s.created_at)
        folder = self.directory / "snapshots" / session
        return sorted((self._described(p) for p in folder.glob("*.sqlite3")), key=lambda s: s.created_at)

    def drop_snapshot(self, session: str, name: str) -> bool:
        if self.directory is None:
            with self._lock:
                found = self._snapshots.pop((session, name), None)
            if found is None:
                return False
            found[0].close()
            return True
        try:
            self._snapshot_file(session, checked_name(name, "snapshot")).unlink()
        except FileNotFoundError:
            return False
        return True

    @staticmethod
    def _described(path: Path) -> Snapshot:
        return Snapshot(path.stem, utc_stamp(dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)))
