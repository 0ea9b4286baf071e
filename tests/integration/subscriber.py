"""A webhook subscriber for the tests: an HTTP server on a free port that keeps every POST it receives."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

Delivery = tuple[str, dict[str, str], dict[str, Any]]  # path, headers, body


class Sink(http.server.HTTPServer):
    received: list[dict[str, Any]]  # the bodies, in the order they came
    deliveries: list[Delivery]

    @classmethod
    @contextlib.contextmanager
    def serving(cls) -> Iterator[Sink]:
        server = cls(("127.0.0.1", 0), SinkHandler)
        server.received, server.deliveries = [], []
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield server
        finally:
            server.shutdown()
            server.server_close()


class SinkHandler(http.server.BaseHTTPRequestHandler):
    server: Sink

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length))
        self.server.received.append(body)
        self.server.deliveries.append((self.path, dict(self.headers.items()), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return
