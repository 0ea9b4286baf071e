"""Isolated states: `X-Mock-Session: NAME` gives each session its own seeded store, and snapshots of it.

Every session is a separate SQLite database. A single process keeps them in memory; with a
`runtime_dir` (several gunicorn workers, or `--state`) each is a file, `sessions/NAME.sqlite3`, that every
worker opens, and snapshots are files too, `snapshots/SESSION/NAME.sqlite3`. A new session, a reset and a
reseed copy a freshly seeded template database with SQLite's backup API: every table, a behaviour's
own ones included, in one step that other connections see as one commit.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from crmspec.model import Dialect
from mock_server.config import MockConfig
from mock_server.errors import BadRequest, NotFound
from mock_server.store import Store

SESSION_HEADER = "X-Mock-Session"
DEFAULT_SESSION = "default"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_MEMORY_SESSIONS = 100  # past this, the least recently used in-memory session is dropped
MAX_TEMPLATES = 4

Seeder = Callable[[Store, int, int], None]  # seed(store, seed, records): the app seeds through its engine


def checked_name(name: str, what: str = "session") -> str:
    if not NAME.fullmatch(name):
        raise BadRequest(
            f"Invalid {what} name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return name


class SessionStore(Store):
    """A Store that can be copied whole into another database and back (sqlite3 backup API)."""

    def backup_to(self, target: sqlite3.Connection) -> None:
        with self._lock:
            self._connection().backup(target)

    def restore_from(self, source: sqlite3.Connection) -> None:
        with self._lock:
            source.backup(self._connection())
            self.forget_counts()

    def copy_into(self, other: SessionStore) -> None:
        with self._lock, other._lock:
            self._connection().backup(other._connection())
            other.forget_counts()

    def adopt(self, dialect: Dialect) -> None:
        """Serve a reloaded document: its resources' tables are created, existing records are kept."""
        self.dialect = dialect
        self.create_tables()


@dataclass(frozen=True, slots=True)
class Snapshot:
    name: str
    created_at: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Sessions:
    def __init__(self, dialect: Dialect, config: MockConfig, directory: Path | None) -> None:
        self.dialect = dialect
        self.config = config
        self.directory = directory
        self.default = SessionStore(dialect, config.state)
        self._stores: OrderedDict[str, SessionStore] = OrderedDict()
        self._templates: OrderedDict[tuple[int, int], SessionStore] = OrderedDict()
        self._snapshots: dict[tuple[str, str], tuple[sqlite3.Connection, Snapshot]] = {}
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            for store in [self.default, *self._stores.values(), *self._templates.values()]:
                store.close()

    # stores -------------------------------------------------------------------------------------
    def store(self, name: str | None, seeder: Seeder) -> SessionStore:
        """The store of session `name` (None or "default": the server's own), created on first use."""
        if not name or name == DEFAULT_SESSION:
            return self.default
        with self._lock:
            store = self._stores.get(name)
            if store is None:
                store = self._create(checked_name(name), seeder)
                self._stores[name] = store
                if self.directory is None and len(self._stores) > MAX_MEMORY_SESSIONS:
                    self._stores.popitem(last=False)
            self._stores.move_to_end(name)
            return store

    def names(self) -> list[str]:
        with self._lock:
            live = set(self._stores)
        if self.directory is not None:
            live |= {p.stem for p in (self.directory / "sessions").glob("*.sqlite3")}
        return [DEFAULT_SESSION, *sorted(live)]

    def _create(self, name: str, seeder: Seeder) -> SessionStore:
        template = self._template(self.config.seed, self.config.records, seeder)
        if self.directory is None:
            store = SessionStore(self.dialect, None)
            template.copy_into(store)
            return store
        folder = self.directory / "sessions"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.sqlite3"
        if not path.exists():  # another worker may create it at the same time: the first link wins
            scratch = folder / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
            with closing(sqlite3.connect(scratch)) as db:
                template.backup_to(db)
            try:
                os.link(scratch, path)
            except FileExistsError:
                pass
            finally:
                scratch.unlink()
        return SessionStore(self.dialect, str(path))

    def _template(self, seed_value: int, records: int, seeder: Seeder) -> SessionStore:
        key = (seed_value, records)
        with self._lock:
            template = self._templates.get(key)
            if template is None:
                template = SessionStore(self.dialect, None)
                seeder(template, seed_value, records)
                self._templates[key] = template
                if len(self._templates) > MAX_TEMPLATES:
                    self._templates.popitem(last=False)
            self._templates.move_to_end(key)
            return template

    def reseed(self, name: str | None, seeder: Seeder, seed_value: int, records: int) -> SessionStore:
        """Replace everything in the session with a fresh data set: --seed/--records, or the given ones."""
        store = self.store(name, seeder)
        self._template(seed_value, records, seeder).copy_into(store)
        return store

    def adopt(self, dialect: Dialect) -> None:
        with self._lock:
            self.dialect = dialect
            self._templates.clear()
            for store in (self.default, *self._stores.values()):
                store.adopt(dialect)

    # snapshots ----------------------------------------------------------------------------------
    def _snapshot_file(self, session: str, name: str) -> Path:
        assert self.directory is not None
        return self.directory / "snapshots" / session / f"{name}.sqlite3"

    def snapshot(self, session: str, name: str, seeder: Seeder) -> Snapshot:
        checked_name(name, "snapshot")
        store = self.store(session, seeder)
        taken = Snapshot(name, _now())
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

    def restore(self, session: str, name: str, seeder: Seeder) -> Snapshot:
        store = self.store(session, seeder)
        if self.directory is None:
            with self._lock:
                found = self._snapshots.get((session, name))
                if found is None:
                    raise self._missing(session, name)
                store.restore_from(found[0])
            return found[1]
        path = self._snapshot_file(session, checked_name(name, "snapshot"))
        if not path.is_file():
            raise self._missing(session, name)
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

    def drop_snapshot(self, session: str, name: str) -> None:
        if self.directory is None:
            with self._lock:
                found = self._snapshots.pop((session, name), None)
            if found is None:
                raise self._missing(session, name)
            found[0].close()
            return
        path = self._snapshot_file(session, checked_name(name, "snapshot"))
        try:
            path.unlink()
        except FileNotFoundError:
            raise self._missing(session, name) from None

    @staticmethod
    def _described(path: Path) -> Snapshot:
        moment = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        return Snapshot(path.stem, moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))

    def _missing(self, session: str, name: str) -> NotFound:
        known = ", ".join(s.name for s in self.snapshots(session)) or "none"
        return NotFound(f"No snapshot named {name!r} in session {session!r} (snapshots: {known}).")
