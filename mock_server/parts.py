"""What the admin endpoints and /docs read of the running mock, as a protocol: they need the app's parts,
and the app imports them to register their routes, so they must not import the app back."""

from __future__ import annotations

from typing import Protocol

from crmspec.model import Api
from mock_server.accesslog import AccessLog
from mock_server.auth import Credentials
from mock_server.config import MockConfig
from mock_server.runtime import Runtime
from mock_server.store import RecordStore


class MockParts(Protocol):
    api: Api
    config: MockConfig
    runtime: Runtime
    credentials: Credentials
    access_log: AccessLog

    def seed_store(self, store: RecordStore, seed_value: int, records: int) -> None: ...
