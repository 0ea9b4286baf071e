"""Shared fixtures: an in-process mock per API and credentials for it."""

from __future__ import annotations

import atexit
import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import crmspec
from crmspec.model import Api, Dialect
from mock_server import MockConfig, create_app
from mock_server.auth import Credentials
from mock_server.store import StateBackend
from tests.postgres import on_postgres, state_url, unavailable
from tests.wheel import InstalledWheel, install_wheel

DIALECTS = ("revorbit", "olympus", "concord", "ysuite")
# 76 bytes: PyJWT wants an HMAC key as long as the hash (RFC 7518 3.2), and the HS512 forgeries use it too
SECRET = "test-secret-" + "0123456789abcdef" * 4

_APIS: dict[str, Api] = {}
# A report directory: every Mock's requests then go over HTTP through `crm-conformance proxy` (tests/proxying.py);
# tests/integration/test_proxy_sees_the_mock_conform.py runs the mock's own tests so.
THROUGH_PROXY = os.environ.get("CRM_TEST_THROUGH_PROXY")


def _keep_state_in_postgres() -> None:
    """CRM_MOCK_BACKEND=postgres: every mock the tests build without a --state of its own keeps its state in
    PostgreSQL, in a namespace of its own (tests/postgres.py), so the whole mock suite runs on that backend."""
    import mock_server.sessions as sessions

    open_backend = sessions.open_backend

    def on_a_server(dialect: Dialect, config: MockConfig) -> StateBackend:
        if config.state is None and config.runtime_dir is None:
            config = dataclasses.replace(config, state=state_url())
        return open_backend(dialect, config)

    sessions.open_backend = on_a_server


if on_postgres():
    _keep_state_in_postgres()


def pytest_sessionstart(session: pytest.Session) -> None:
    """CRM_MOCK_BACKEND=postgres without a server: one line and no run (a failure under CI=true), rather than
    every test skipping on its own. The `crm-mock serve` processes of the run keep their seeded data in a cache
    folder of the run's own (mock_server/store/seeded_cache.py), never in the user's."""
    if "CRM_MOCK_CACHE" not in os.environ:
        folder = tempfile.mkdtemp(prefix="crm-mock-cache-")
        os.environ["CRM_MOCK_CACHE"] = folder
        atexit.register(shutil.rmtree, folder, True)
    reason = unavailable() if on_postgres() else None
    if reason is not None:
        in_ci = os.environ.get("CI", "").lower() == "true"
        pytest.exit(f"CRM_MOCK_BACKEND=postgres: PostgreSQL unavailable ({reason})"
                    + ("; CI=true: a failure, not a skip" if in_ci else "; the PostgreSQL pass is skipped"),
                    returncode=1 if in_ci else 0)


def load_api(dialect: str) -> Api:
    if dialect not in _APIS:
        _APIS[dialect] = crmspec.load(dialect)
    return _APIS[dialect]


def auth_headers(api: Api, credential: str) -> dict[str, str]:
    """Headers carrying a credential the way the vendor's page says (YSUITE: two headers)."""
    auth = api.dialect.auth
    if auth.scheme == "key_pair":
        access, _, secret = credential.partition(":")
        return {str(auth.access_header): access, str(auth.secret_header): secret}
    return {"Authorization": f"Bearer {credential}"}


class Mock:
    """An app, a client and ready credentials for one API."""

    def __init__(self, dialect: str, **config: Any) -> None:
        self.api = load_api(dialect)
        self.dialect = dialect
        self.config = MockConfig(**{"seed": 42, "records": 20, "secret": SECRET, **config})
        self.app: Flask = create_app(self.api, self.config)
        self.client: FlaskClient = self.app.test_client()
        if THROUGH_PROXY:
            from tests.proxying import client_through_proxy

            self.client = client_through_proxy(dialect, self.app, THROUGH_PROXY)  # type: ignore[assignment]
        self.credentials = Credentials(self.api.dialect.auth, self.config.secret)
        self.headers = auth_headers(self.api, self.credentials.issue())

    def headers_for(self, role: str | None = None, expired: bool = False) -> dict[str, str]:
        return auth_headers(self.api, self.credentials.issue(role, expired=expired))

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(self.url(path), headers=kw.pop("headers", self.headers), **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(self.url(path), json=json, headers=kw.pop("headers", self.headers), **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.put(self.url(path), json=json, headers=kw.pop("headers", self.headers), **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.client.patch(self.url(path), json=json, headers=kw.pop("headers", self.headers), **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.client.delete(self.url(path), headers=kw.pop("headers", self.headers), **kw)

    def url(self, path: str) -> str:
        return path if path.startswith("/v1/auth") else self.api.dialect.base_path + path


@pytest.fixture(scope="session", autouse=True)
def _proxies_stop_at_the_end() -> Iterator[None]:
    """With CRM_TEST_THROUGH_PROXY, the proxies write their reports once every test has run."""
    yield
    if THROUGH_PROXY:
        from tests.proxying import stop_boards

        stop_boards()


@pytest.fixture(params=DIALECTS)
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_mock() -> Callable[..., Mock]:
    return Mock


@pytest.fixture
def mock(dialect: str) -> Mock:
    return Mock(dialect)


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    """The project's wheel installed in a virtual environment of its own (built once per session; see
    tests/wheel.py): its `bin` holds the installed crm-mock and crm-conformance, to run in its `workdir`
    (outside the source tree) with its `env`."""
    return install_wheel(tmp_path_factory.mktemp("installed-wheel"))
