"""Servers for tests that need a URL: an in-process WSGI app behind a real HTTP server (the conformance
suite), or `crm-mock serve` in a process of its own, as users run it (started, awaited and stopped by
benchmarks/launch.py, the launcher the benchmarks use too).

`CRM_MOCK_SERVER=gunicorn|granian` runs every `crm-mock serve` the tests start without a --server of its own under
that HTTP server (`make test-gunicorn`, `make test-granian`); unset, under crm-mock's default (granian)."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import make_server

from benchmarks import launch
from tests.postgres import on_postgres, state_url

logging.getLogger("werkzeug").setLevel(logging.ERROR)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve `app` on a free loopback port; yields http://127.0.0.1:PORT."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(method: str, url: str, bearer: str, body: Any = None, timeout: float = 30) -> tuple[int, Any]:
    """One JSON request with a bearer token over real HTTP: (status, parsed body)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {bearer}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:  # its socket, closed now rather than whenever the garbage collector runs (a ResourceWarning)
            return error.code, json.loads(error.read() or b"null")


@dataclass
class Served:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[str]
    output: str = ""  # what it printed on stdout, once it has stopped (when stdout is captured)


CRM_MOCK = (sys.executable, "-m", "mock_server.cli")  # the checkout's crm-mock, in this interpreter
ENV_SERVER = "CRM_MOCK_SERVER"


def server_args() -> tuple[str, ...]:
    """`--server NAME` when CRM_MOCK_SERVER names one, else nothing (crm-mock's default)."""
    name = os.environ.get(ENV_SERVER, "").strip().lower()
    return ("--server", name) if name else ()


@contextmanager
def crm_mock_serve(*args: str, ready: str = "/openapi.json", stdout: Any = subprocess.DEVNULL,
                   stderr: Any = subprocess.DEVNULL, env: dict[str, str] | None = None,
                   program: Sequence[str] = CRM_MOCK, cwd: str | os.PathLike[str] | None = None,
                   base_env: Mapping[str, str] = os.environ, stop_grace: float = 20.0) -> Iterator[Served]:
    """`crm-mock serve ARGS` on a free port, in a process group of its own, once `ready` answers; on the way
    out the group gets SIGTERM (unless the test stopped it already; SIGKILL 20 s later) and its output is collected.
    `program` is the crm-mock to run (another installation's executable), in `cwd`, with `base_env`
    updated by `env` as its environment; `stop_grace`: seconds between SIGTERM and SIGKILL."""
    port = free_port()
    if on_postgres() and "--state" not in args:  # CRM_MOCK_BACKEND=postgres: a namespace of its own
        args = (*args, "--state", state_url())
    if "--server" not in args:
        args = (*args, *server_args())
    process = launch.start([*program, "serve", "--port", str(port), *args], cwd=cwd, env={**base_env, **(env or {})},
                           stdout=stdout, stderr=stderr)
    served = Served(f"http://127.0.0.1:{port}", process)
    try:
        launch.wait_until_answers(served.url + ready, process, "crm-mock")
        yield served
    finally:
        served.output = launch.stop(process, grace=stop_grace)
