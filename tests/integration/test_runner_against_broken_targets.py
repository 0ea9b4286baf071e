"""The runner against targets that misbehave: one line, the right exit code, reports written, no traceback."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.target import Target
from crmspec import load

Handler = Callable[[socket.socket, bytes], None]


@contextmanager
def raw_server(handle: Handler) -> Iterator[str]:
    """A loopback TCP server whose every connection is answered by `handle(conn, request_bytes)`."""

    class _Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.settimeout(5)
            try:
                data = self.request.recv(65536)
                handle(self.request, data)
            except OSError:
                pass

    class _Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    server = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def reply(status: str, content_type: str, body: bytes, extra: str = "") -> Handler:
    def handle(conn: socket.socket, _: bytes) -> None:
        head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}" \
               "Connection: close\r\n\r\n"
        conn.sendall(head.encode() + body)
    return handle


def hang(conn: socket.socket, _: bytes) -> None:
    time.sleep(3)


def cut_short(conn: socket.socket, _: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"data\": [")
    conn.shutdown(socket.SHUT_RDWR)


def run_suite(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, dict]:
    code = main(["run", "--dialect", "ysuite", "--base-url", url + "/v1", "--token", "a:b", "--max-examples", "1",
                 "--timeout", "0.5", "--report-dir", str(tmp_path), "--quiet", *extra])
    captured = capsys.readouterr()
    report = json.loads((tmp_path / "report.json").read_text())
    assert "Traceback" not in captured.err + captured.out
    for name in ("report.json", "junit.xml", "report.html", "summary.md"):
        assert (tmp_path / name).is_file()
    return code, captured.err + captured.out, report


def test_refused_connection_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, out, report = run_suite(f"http://127.0.0.1:{port}", tmp_path, capsys)
    assert code == 2 and report["verdict"] == "error" and "connection refused" in report["error"]
    assert len(out.strip().splitlines()) == 1


def test_hanging_target_times_out_and_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with raw_server(hang) as url:
        started = time.monotonic()
        code, _, report = run_suite(url, tmp_path, capsys)
    assert code == 2 and "timed out" in report["error"]
    assert time.monotonic() - started < 10  # --timeout 0.5 bounds the wait


def test_target_closing_mid_response_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with raw_server(cut_short) as url:
        code, _, report = run_suite(url, tmp_path, capsys)
    assert code == 2 and report["verdict"] == "error"


@pytest.mark.parametrize("handler", [
    reply("200 OK", "text/html", b"<html><body>Welcome to nginx</body></html>"),
    reply("200 OK", "application/json", b'{"success": true, "data": {"data": ['),
    reply("200 OK", "application/json", b'{"success": true, "data": "' + b"x" * 10_000_000 + b'"}'),
], ids=["html", "truncated-json", "ten-megabytes"])
def test_target_answering_garbage_is_non_conformant(handler: Handler, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with raw_server(handler) as url:
        code, out, report = run_suite(url, tmp_path, capsys, "--only", "status,envelope,auth")
    assert code == 1 and report["verdict"] == "non-conformant"
    assert any(c["status"] == "failed" for c in report["checks"])
    assert all(len(f["response"]["body"]) <= 2048 for c in report["checks"] for f in c["failures"])


def test_429_is_retried_honouring_retry_after() -> None:
    calls: list[float] = []

    def limited(conn: socket.socket, _: bytes) -> None:
        calls.append(time.monotonic())
        if len(calls) <= 2:
            reply("429 Too Many Requests", "application/json", b'{"message": "slow down"}', "Retry-After: 1\r\n")(
                conn, _)
        else:
            reply("200 OK", "application/json", b'{"success": true}')(conn, _)

    api = load("ysuite")
    with raw_server(limited) as url:
        with Target(url, api.dialect.auth, {"default": "a:b"}) as target:
            exchange = target.send("GET", "/v1/deals")
    assert exchange.status == 200 and len(calls) == 3
    assert calls[1] - calls[0] >= 0.9 and calls[2] - calls[1] >= 0.9


def test_429_retries_are_bounded() -> None:
    calls: list[float] = []

    def always(conn: socket.socket, _: bytes) -> None:
        calls.append(time.monotonic())
        reply("429 Too Many Requests", "application/json", b'{"message": "no"}', "Retry-After: 0\r\n")(conn, _)

    api = load("ysuite")
    with raw_server(always) as url:
        with Target(url, api.dialect.auth, {"default": "a:b"}, retries=3) as target:
            exchange = target.send("GET", "/v1/deals")
    assert exchange.status == 429 and len(calls) == 4
