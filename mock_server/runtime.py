"""What one served API keeps beyond a single request and beyond a document reload (`--watch`).

- `sessions`: the default store and every `X-Mock-Session` store, with their snapshots (sessions.py), in
  the backend `--state` names (mock_server/store/);
- `ledger`: the mock's own bookkeeping, shared by every worker and every replica on one database:
  rate-limit windows and the request log;
- `rng`: the chaos generator (`--delay` ranges, `--error-rate`), `random.Random(seed)`, per process.
"""

from __future__ import annotations

import random

from crmspec.model import Dialect
from mock_server.config import MockConfig
from mock_server.sessions import Sessions


class Runtime:
    def __init__(self, dialect: Dialect, config: MockConfig) -> None:
        self.sessions = Sessions(dialect, config)
        self.ledger = self.sessions.backend.ledger
        self.rng = random.Random(config.seed)

    def close(self) -> None:
        """Close this process's connections to the state, the ledger's among them (see StateBackend.close)."""
        self.sessions.close()
