"""A round-robin HTTP proxy on a loopback port: each request goes to the next of several servers, as a load
balancer in front of a team's replicas sends it (tests of `crm-mock serve --state postgresql://...`)."""

from __future__ import annotations

import http.client
import itertools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from tests.servers import serving

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection",
              "content-length"}


def forwarder(backends: Sequence[str]) -> Callable[[dict[str, Any], Any], Iterable[bytes]]:
    """A WSGI app that forwards request n to backends[n % len(backends)] (each a root URL) and relays the answer."""
    targets = [urlsplit(b) for b in backends]
    turn = itertools.count()
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with lock:
            target = targets[next(turn) % len(targets)]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                   if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() not in HOP_BY_HOP | {"host"}}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or (
            environ["PATH_INFO"] + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""))
        upstream = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=60)
        try:
            upstream.request(environ["REQUEST_METHOD"], path, body=body, headers=headers)
            answer = upstream.getresponse()
            payload = answer.read()
            start_response(f"{answer.status} {answer.reason}",
                           [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP])
            return [payload]
        finally:
            upstream.close()

    return app


@contextmanager
def round_robin(backends: Sequence[str]) -> Iterator[str]:
    """http://127.0.0.1:PORT in front of `backends`, each request to the next one in turn."""
    with serving(forwarder(backends)) as url:
        yield url
