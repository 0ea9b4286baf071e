"""Isolated states: `X-Mock-Session: NAME` gives each session its own seeded store, and snapshots of it.

Where they live is the backend's business (store/sqlite/: memory or files; store/postgres/: one schema
per session in a database every replica shares). Here: the seeded templates a new session, a reset and a
reseed copy (seeded once per process in memory, then copied whole), and the names users may give.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from crmspec.model import Dialect
from mock_server.config import MockConfig
from mock_server.errors import NotFound
from mock_server.store import open_backend
from mock_server.store.interface import DEFAULT_SESSION, RecordStore, Snapshot, StateBackend, checked_name

__all__ = ["DEFAULT_SESSION", "SESSION_HEADER", "Sessions", "checked_name", "Snapshot"]

SESSION_HEADER = "X-Mock-Session"
MAX_TEMPLATES = 4
MAX_OPEN_STORES = 100  # stores kept open per process; past this the least recently used is reopened on demand

Seeder = Callable[[RecordStore, int, int], None]  # seed(store, seed, records): the app seeds through its engine


class Sessions:
    def __init__(self, dialect: Dialect, config: MockConfig, backend: StateBackend | None = None) -> None:
        self.dialect = dialect
        self.config = config
        self.backend = backend or open_backend(dialect, config)
        self.default = self.backend.default
        self._stores: OrderedDict[str, RecordStore] = OrderedDict()
        self._templates: OrderedDict[tuple[int, int], RecordStore] = OrderedDict()
        self._lock = threading.RLock()

    def close(self) -> None:
        """Let go of this process's connections to the state now (StateBackend.close says why)."""
        with self._lock:
            self.backend.close()

    # stores -------------------------------------------------------------------------------------
    def store(self, name: str | None, seeder: Seeder) -> RecordStore:
        """The store of session `name` (None or "default": the server's own), created on first use."""
        if not name or name == DEFAULT_SESSION:
            return self.default
        with self._lock:
            store = self._stores.get(name)
            if store is None:
                template = self._template(self.config.seed, self.config.records, seeder)
                store = self.backend.open_session(checked_name(name), template.copy_into)
                self._stores[name] = store
                if len(self._stores) > MAX_OPEN_STORES:
                    self._stores.popitem(last=False)
            self._stores.move_to_end(name)
            return store

    def names(self) -> list[str]:
        return [DEFAULT_SESSION, *self.backend.session_names()]

    def _template(self, seed_value: int, records: int, seeder: Seeder) -> RecordStore:
        key = (seed_value, records)
        with self._lock:
            template = self._templates.get(key)
            if template is None:
                template = self.backend.scratch(self.dialect)
                seeder(template, seed_value, records)
                self._templates[key] = template
                if len(self._templates) > MAX_TEMPLATES:
                    self._templates.popitem(last=False)
            self._templates.move_to_end(key)
            return template

    def reseed(self, name: str | None, seeder: Seeder, seed_value: int, records: int) -> RecordStore:
        """Replace everything in the session with a fresh data set: --seed/--records, or the given ones."""
        store = self.store(name, seeder)
        self._template(seed_value, records, seeder).copy_into(store)
        return store

    def adopt(self, dialect: Dialect) -> None:
        with self._lock:
            self.dialect = dialect
            self._templates.clear()
            self.backend.adopt(dialect, [self.default, *self._stores.values()])

    # snapshots ----------------------------------------------------------------------------------
    def snapshot(self, session: str, name: str, seeder: Seeder) -> Snapshot:
        checked_name(name, "snapshot")
        return self.backend.snapshot(session, self.store(session, seeder), name)

    def restore(self, session: str, name: str, seeder: Seeder) -> Snapshot:
        restored = self.backend.restore(session, self.store(session, seeder), name)
        if restored is None:
            raise self._missing(session, name)
        return restored

    def snapshots(self, session: str) -> list[Snapshot]:
        return self.backend.snapshots(session)

    def drop_snapshot(self, session: str, name: str) -> None:
        if not self.backend.drop_snapshot(session, name):
            raise self._missing(session, name)

    def _missing(self, session: str, name: str) -> NotFound:
        known = ", ".join(s.name for s in self.snapshots(session)) or "none"
        return NotFound(f"No snapshot named {name!r} in session {session!r} (snapshots: {known}).")
