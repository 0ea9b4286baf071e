"""The store boundary: every byte of the mock's state goes through here, and all of its SQL is written here.

`query.py` is what callers write (predicates, sorts, pages); `interface.py` the operations a backend offers;
`sqlite/` the embedded default; `postgres/` a server several replicas share (`--state postgresql://...`);
`clauses.py` and `results.py` what the two share (the WHERE clause around their own SQL; list totals kept
until the data changes, the maxima lookup's rows gathered per key).
"""

from __future__ import annotations

from pathlib import Path

from crmspec.model import Dialect
from mock_server.config import MockConfig
from mock_server.store.interface import Image, Ledger, LoggedRequest, RecordStore, Snapshot, StateBackend
from mock_server.store.query import Query, Sort

__all__ = ["Image", "Ledger", "LoggedRequest", "Query", "RecordStore", "Snapshot", "Sort", "StateBackend",
           "is_database_url", "open_backend"]

URL_SCHEMES = ("postgresql://", "postgres://")


def is_database_url(state: str | None) -> bool:
    return state is not None and state.lower().startswith(URL_SCHEMES)


def open_backend(dialect: Dialect, config: MockConfig) -> StateBackend:
    """The backend `--state` names: a PostgreSQL URL, else SQLite (a file, or memory without one)."""
    if is_database_url(config.state):
        from mock_server.store.postgres import PostgresBackend

        return PostgresBackend(dialect, str(config.state))
    from mock_server.store.sqlite import SqliteBackend

    directory = Path(config.runtime_dir) if config.runtime_dir else None
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    return SqliteBackend(dialect, config.state, directory)
