"""PostgreSQL, for a team's shared mock: N replicas (processes, hosts) behind a load balancer on one database.

`--state postgresql://USER:PASS@HOST:PORT/DB` (psycopg 3, one connection pool per worker process). One module a job:

- connections.py: the URL and its `?namespace=`, a pool per process, advisory-lock keys;
- sql.py: predicates, sort keys and lookups as SQL over `doc jsonb`;
- schema.py: the namespace's registry and its migrations, a session's tables, the indexes;
- records.py: one session's records, meta values and events (`PostgresStore`), and its write lock;
- ledger.py: rate-limit windows and the request log (`PostgresLedger`);
- backend.py: sessions and snapshots (`PostgresBackend`).
"""

from mock_server.store.postgres.backend import PostgresBackend
from mock_server.store.postgres.connections import reachable, split_url
from mock_server.store.postgres.ledger import PostgresLedger
from mock_server.store.postgres.records import PostgresStore
from mock_server.store.postgres.schema import drop_namespace

__all__ = ["PostgresBackend", "PostgresLedger", "PostgresStore", "drop_namespace", "reachable", "split_url"]
