"""A PostgreSQL server for the tests that need one: `CRM_TEST_POSTGRES_URL`, else a throwaway cluster.

The throwaway cluster is initdb'd into a temporary folder and started with pg_ctl on a free loopback port,
once per test process, and removed at exit. PostgreSQL refuses to run as root (CI runs as root): then the
cluster runs as the `postgres` user that Debian's package creates. Where no server can be found or started,
`unavailable()` says why in one line: the tests skip with it, except under CI=true, where they fail.

`CRM_MOCK_BACKEND=postgres` runs the mock test suite on PostgreSQL: every in-process mock without a --state of
its own, and every `crm-mock serve` the tests start without one, keeps its state in a namespace of its own
(tests/conftest.py and tests/servers.py ask `state_url()` for one).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

ENV_URL = "CRM_TEST_POSTGRES_URL"
ENV_BACKEND = "CRM_MOCK_BACKEND"
SEARCH = ("/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/pgsql-*/bin")

_server: dict[str, str] = {}  # "url" once started, or "error"


def on_postgres() -> bool:
    """Whether this test run keeps the mocks' state in PostgreSQL."""
    return os.environ.get(ENV_BACKEND, "sqlite").lower() in ("postgres", "postgresql")


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted((f for pattern in SEARCH for f in glob.glob(pattern)), reverse=True):
        candidate = Path(folder) / name
        if candidate.is_file():
            return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start() -> str:
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise RuntimeError("no PostgreSQL server found (initdb and pg_ctl; Debian: apt-get install postgresql)")
    as_user: list[str] = []
    folder = tempfile.mkdtemp(prefix="crm-mock-pg-")
    if os.geteuid() == 0:  # postgres will not run as root: run it as the package's own user
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root and there is no 'postgres' user to run PostgreSQL as") from None
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log = os.path.join(folder, "data"), os.path.join(folder, "server.log")
    port = _free_port()
    run = {"check": True, "stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    try:
        subprocess.run([*as_user, initdb, "-D", data, "-U", "crm", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                       **run)  # type: ignore[call-overload]
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB")
        subprocess.run([*as_user, pg_ctl, "-D", data, "-o", options, "-l", log, "-w", "-t", "60", "start"],
                       **run)  # type: ignore[call-overload]
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        last = (exc.stdout or "").strip().splitlines()
        raise RuntimeError(f"could not start PostgreSQL: {last[-1] if last else exc}") from None

    def stop() -> None:
        subprocess.run([*as_user, pg_ctl, "-D", data, "-m", "immediate", "stop"], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)

    atexit.register(stop)
    return f"postgresql://crm@127.0.0.1:{port}/postgres"


def server_url() -> str | None:
    """The server's URL, started on first use; None when there is none (see `unavailable`)."""
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    if "url" not in _server and "error" not in _server:
        try:
            _server["url"] = _start()
        except (RuntimeError, OSError) as exc:
            _server["error"] = str(exc)
    return _server.get("url")


def unavailable() -> str | None:
    """Why no PostgreSQL server can be had, or None."""
    return None if server_url() is not None else _server.get("error", "no PostgreSQL server")


def require() -> str:
    """The server's URL; skips the test with one line when there is none, fails it under CI=true."""
    url = server_url()
    if url is None:
        reason = f"PostgreSQL unavailable: {unavailable()}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: a missing PostgreSQL is a failure, not a skip)")
        pytest.skip(reason)
    return url


def state_url(url: str | None = None) -> str:
    """A --state URL with a namespace of its own: a mock that shares the server with no other."""
    base = url or require()
    return f"{base}{'&' if '?' in base else '?'}namespace=t{uuid.uuid4().hex[:16]}"
