"""The proxy in tests: `crm-conformance proxy` in a process of its own, a switchboard that serves many
in-process apps behind one upstream URL (picked by a header, so one proxy serves them all), and the mock's
own integration tests run through it (CRM_TEST_THROUGH_PROXY=REPORT_DIR, see tests/conftest.py)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

import crmspec
from benchmarks.launch import wait_until_answers
from tests.servers import free_port

APP_HEADER = "X-Test-App"       # which app of the switchboard answers; the proxy forwards it like any header


@dataclass
class Proxied:
    url: str                    # http://127.0.0.1:PORT
    process: subprocess.Popen[str]
    report_dir: Path
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""

    def stop(self) -> int:
        """SIGTERM to the proxy (its gunicorn master), as a user's `kill` or CI's job end does."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.stdout, self.stderr = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.stdout, self.stderr = self.process.communicate()
        self.exit_code = self.process.returncode
        return self.exit_code

    def report(self) -> dict[str, Any]:
        return dict(requests.get(self.url + "/__proxy/report", timeout=30).json())


@contextmanager
def proxy_serve(dialect: str, upstream: str, report_dir: Path, *args: str) -> Iterator[Proxied]:
    """`crm-conformance proxy` in front of `upstream` on a free port, once its live report answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "proxy", "--dialect", dialect, "--upstream", upstream,
         "--port", str(port), "--report-dir", str(report_dir), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    proxied = Proxied(f"http://127.0.0.1:{port}", process, report_dir)
    try:
        wait_until_answers(proxied.url + "/__proxy/report", process, "crm-conformance proxy", timeout=60)
        yield proxied
    finally:
        if proxied.exit_code is None:
            proxied.stop()


class Switchboard:
    """One loopback server in front of many WSGI apps: a request goes to the app its X-Test-App names."""

    def __init__(self) -> None:
        self.apps: dict[str, Any] = {}
        self._ids = itertools.count(1)
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def add(self, app: Any) -> str:
        name = str(next(self._ids))
        self.apps[name] = app
        return name

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        app = self.apps.get(environ.get("HTTP_" + APP_HEADER.upper().replace("-", "_"), ""))
        if app is None:
            return Response("no such app", 599)(environ, start_response)
        return app(environ, start_response)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@dataclass
class Board:
    """A switchboard and the proxy in front of it, for one API."""

    switchboard: Switchboard
    proxied: Proxied
    stack: ExitStack = field(default_factory=ExitStack)


def start_board(dialect: str, report_dir: Path, *args: str) -> Board:
    switchboard = Switchboard()
    stack = ExitStack()
    stack.callback(switchboard.close)
    upstream = switchboard.url + crmspec.load(dialect).dialect.base_path
    proxied = stack.enter_context(proxy_serve(dialect, upstream, report_dir, *args))
    return Board(switchboard, proxied, stack)


class ProxiedClient:
    """What tests/conftest.py's Mock uses instead of Flask's test client when CRM_TEST_THROUGH_PROXY is set:
    the same calls, sent over HTTP through the proxy to the Mock's own app. An answer the proxy flags fails
    the test at once, on the exchange that shows it."""

    def __init__(self, board: Board, app: Any) -> None:
        self.board, self.name = board, board.switchboard.add(app)
        self.session = requests.Session()

    def open(self, method: str, path: str, *, headers: dict[str, str] | None = None, json: Any = None,
             data: Any = None, query_string: Any = None, content_type: str | None = None) -> Response:
        sent = {**(headers or {}), APP_HEADER: self.name}
        if content_type is not None:
            sent["Content-Type"] = content_type
        answer = self.session.request(method, self.board.proxied.url + path, headers=sent, json=json, data=data,
                                      params=query_string, allow_redirects=False, timeout=60)
        flagged = answer.headers.get("X-Crm-Violations")
        assert flagged is None, f"the proxy flagged {method} {path}: {flagged}"
        kept = [(k, v) for k, v in answer.raw.headers.items() if k.lower() not in ("content-length", "connection")]
        return Response(answer.content, answer.status_code, kept)

    def get(self, path: str, **kw: Any) -> Response:
        return self.open("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Response:
        return self.open("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Response:
        return self.open("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Response:
        return self.open("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Response:
        return self.open("DELETE", path, **kw)


_BOARDS: dict[str, Board] = {}


def client_through_proxy(dialect: str, app: Any, report_root: str) -> ProxiedClient:
    board = _BOARDS.get(dialect)
    if board is None:
        board = _BOARDS[dialect] = start_board(dialect, Path(report_root) / dialect)
    return ProxiedClient(board, app)


def stop_boards() -> None:
    for board in _BOARDS.values():
        board.stack.close()
    _BOARDS.clear()
