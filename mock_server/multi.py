"""`crm-mock serve --dialect all`: every API at once, each mounted under /<dialect>/ (werkzeug's
DispatcherMiddleware) with its own state, documentation, admin endpoints and credential:
/revorbit/api/deals, /ysuite/v1/deals, /concord/docs, /olympus/__mock/reset. `GET /` lists them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from crmspec.model import Api
from mock_server.app import create_app
from mock_server.config import MockConfig
from mock_server.responses import json_response
from mock_server.store import is_database_url


def config_for(config: MockConfig, dialect: str) -> MockConfig:
    """One API's configuration: its own --state file (state.sqlite3 -> state.revorbit.sqlite3); on a database
    every API keeps its own schemas already."""
    if config.state is None or is_database_url(config.state):
        return config
    path = Path(config.state)
    return replace(config, state=str(path.with_name(f"{path.stem}.{dialect}{path.suffix}")))


def index_app(apis: dict[str, Api]) -> Flask:
    app = Flask("crm_mock_index")
    listing = [
        {"dialect": d, "title": api.dialect.title, "base_path": f"/{d}{api.dialect.base_path}", "docs": f"/{d}/docs",
         "openapi": f"/{d}/openapi.json", "admin": f"/{d}/__mock/"}
        for d, api in apis.items()
    ]

    @app.get("/")
    def index() -> Response:
        return json_response(200, {"apis": listing})

    @app.errorhandler(HTTPException)
    def not_served(exc: HTTPException) -> Response:
        mounts = ", ".join(f"/{d}" for d in apis)
        return json_response(exc.code or 404, {"message": f"No API here: the APIs are mounted under {mounts}."})

    return app


def mounted(apis: dict[str, Api], configs: dict[str, MockConfig]) -> Any:
    """The WSGI app serving every API of `apis` (dialect id -> Api) under /<dialect>."""
    return DispatcherMiddleware(index_app(apis), {f"/{d}": create_app(api, configs[d]) for d, api in apis.items()})
