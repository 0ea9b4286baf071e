"""Serving under gunicorn: N worker processes sharing one SQLite state."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from typing import Any

from gunicorn.app.base import BaseApplication

from crmspec.model import Api
from mock_server.app import MockApp, create_app
from mock_server.config import MockConfig


class _Gunicorn(BaseApplication):
    def __init__(self, factory: Any, options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.factory()


def shared_config(config: MockConfig, workers: int) -> MockConfig:
    """Several processes cannot share an in-memory database: give them a temporary file."""
    if workers > 1 and config.state is None:
        handle, path = tempfile.mkstemp(prefix="crm-mock-", suffix=".sqlite3")
        os.close(handle)
        return replace(config, state=path)
    return config


def serve(api: Api, config: MockConfig, host: str, port: int, workers: int, access_log: bool = False) -> None:
    if config.state is not None:
        # a shared file: seed it once here, before any worker starts, so workers never race to seed
        MockApp(api, config)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "preload_app": workers == 1 and config.state is None,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "keepalive": 5,
    }
    _Gunicorn(lambda: create_app(api, config), options).run()
