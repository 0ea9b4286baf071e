"""SQLite, the embedded default: one process's memory, or `--state FILE` that every worker of the HTTP server opens.

One module a job:

- sql.py: predicates, sort keys and lookups as SQL over JSON text;
- database.py: a connection per (process, thread), nesting transactions, the version of the data;
- records.py: one session's records, meta values and events (`SqliteStore`), and its indexes;
- ledger.py: rate-limit windows and the request log (`SqliteLedger`);
- backend.py: sessions and snapshots, in memory or in files (`SqliteBackend`).
"""

from mock_server.store.sqlite.backend import SqliteBackend
from mock_server.store.sqlite.ledger import SqliteLedger
from mock_server.store.sqlite.records import SqliteStore

__all__ = ["SqliteBackend", "SqliteLedger", "SqliteStore"]
