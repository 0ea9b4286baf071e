"""Serving: N worker processes sharing one state (a SQLite file, or a PostgreSQL database that replicas on other
hosts share too), seeded once here before they fork, under the HTTP server --server names (http_servers.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import suppress
from dataclasses import replace
from typing import Any

from crmspec.model import Api
from mock_server.app import MockApp, create_app
from mock_server.config import Listen, MockConfig
from mock_server.http_servers import run
from mock_server.multi import config_for, mounted
from mock_server.store import is_database_url


def shared_config(config: MockConfig, workers: int) -> MockConfig:
    """Several processes cannot share an in-memory database: give them a temporary file. Beside a state
    file, `STATE.mock/` holds the session stores, the snapshots and the ledger (rate limits, request log).
    A database URL is shared as it is."""
    if is_database_url(config.state):
        return config
    if workers > 1 and config.state is None:
        handle, path = tempfile.mkstemp(prefix="crm-mock-", suffix=".sqlite3")
        os.close(handle)
        config = replace(config, state=path)
    if config.state is not None and config.runtime_dir is None:
        config = replace(config, runtime_dir=f"{config.state}.mock")
    return config


def discard_temporary(configs: dict[str, MockConfig], given_state: str | None, owner: int) -> None:
    """Remove the state files `shared_config` made (the database, its WAL files and its runtime folder)
    once the server stops. Only `owner`, the process that made them, does: the server's forked workers
    leave through the same call stack, and one of them must not pull the state from under the others."""
    if given_state is not None or os.getpid() != owner:
        return
    for config in configs.values():
        if config.state is None:
            continue
        for leftover in (config.state, f"{config.state}-wal", f"{config.state}-shm"):
            with suppress(FileNotFoundError):
                os.remove(leftover)
        if config.runtime_dir is not None:
            shutil.rmtree(config.runtime_dir, ignore_errors=True)


def served_configs(apis: dict[str, Api], config: MockConfig, workers: int) -> dict[str, MockConfig]:
    """Each API's configuration; several APIs (--dialect all) each get their own state."""
    return {d: shared_config(config_for(config, d) if len(apis) > 1 else config, workers) for d in apis}


def serve(apis: dict[str, Api], configs: dict[str, MockConfig], listen: Listen) -> None:
    """Serve one API at its own paths, or several each under /<dialect> (multi.py)."""
    for dialect, api in apis.items():
        if configs[dialect].state is not None:
            # a shared file: seed it once here, before any worker starts, so workers never race to seed; then
            # close its connections at once (StateBackend.close says why they must not outlive the fork)
            MockApp(api, configs[dialect]).runtime.close()
    if len(apis) == 1:
        (dialect, api), = apis.items()
        factory: Any = lambda: create_app(api, configs[dialect])  # noqa: E731
    else:
        factory = lambda: mounted(apis, configs)  # noqa: E731
    run(factory, listen, preload=listen.workers == 1 and all(c.state is None for c in configs.values()))
