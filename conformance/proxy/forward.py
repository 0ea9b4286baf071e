"""The proxy's WSGI application: forward each request to the upstream unchanged, stream the answer back
unchanged, judge the exchange on the way, and serve the live view under /__proxy/.

Bodies are never held whole past `max_body` bytes: a larger request body is streamed to the upstream as it
arrives, a larger answer is streamed to the client as it comes ("not judged: body over N bytes"). What the
proxy adds to an answer: X-Crm-Violations (the server's), X-Crm-Client-Violations (the client's own),
X-Crm-Not-Judged; under --errors a non-conformant answer becomes a 502 application/problem+json.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import SKIP_HEADER

from conformance.proxy import live
from conformance.proxy.client_rules import ClientRequest
from conformance.proxy.watch import Seen, Watch
from conformance.proxy.wire import (
    CLIENT_VIOLATIONS,
    NOT_FORWARDED,
    NOT_JUDGED,
    VIA,
    VIOLATIONS,
    Violation,
    end_to_end,
    header_value,
    problem,
    upstream_failed,
)
from conformance.target import Exchange, failure_reason

StartResponse = Callable[..., Any]
CHUNK = 64 * 1024
LIVE = "/__proxy"
EVIDENCE_TEXT = 4096        # characters of a request body kept as evidence
NO_BODY = (204, 304)


class Upload:
    """A client's body of known length passed on as it arrives (requests reads it in blocks; `len` makes it
    send Content-Length, not chunks): never held whole."""

    def __init__(self, stream: Any, length: int) -> None:
        self.stream, self.len = stream, length

    def read(self, size: int = -1) -> bytes:
        if self.len <= 0:
            return b""
        data: bytes = self.stream.read(min(self.len, CHUNK) if size < 0 else min(size, self.len))
        self.len -= len(data)
        return data


def _chunks(head: bytes, stream: Any) -> Iterator[bytes]:
    """A chunked client body past the cap: what was read, then the rest as it arrives."""
    yield head
    while chunk := stream.read(CHUNK):
        yield chunk


def release(response: requests.Response, whole: bool) -> None:
    """Give the upstream connection back to the pool when its answer was read whole (keep-alive: the next
    request skips the connect); close it when the client went away in the middle of it."""
    if whole:
        response.raw.release_conn()
    else:
        response.close()


class Relay:
    """An answer too large to judge, streamed to the client; the upstream connection is released when the
    client has it all, or goes away (the WSGI server calls close())."""

    def __init__(self, head: list[bytes], rest: Iterator[bytes], response: requests.Response) -> None:
        self.head, self.rest, self.response = head, rest, response
        self.whole = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.head
        yield from self.rest
        self.whole = True

    def close(self) -> None:
        release(self.response, self.whole)


def _decoded(body: bytes, encoding: str, limit: int) -> bytes | None:
    """The body as the checks read it (a gzip or deflate answer inflated, at most `limit` bytes); None
    when the proxy cannot read it."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return None
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS)
        out = inflater.decompress(body, limit + 1)
    except zlib.error:
        return None
    return out if len(out) <= limit else None


def _request_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    headers = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers.append((key[5:].replace("_", "-").title(), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers.append((key.replace("_", "-").title(), value))
    return headers


def _target(environ: dict[str, Any]) -> tuple[str, str]:
    """(path, query) as the client wrote them, percent-encoding kept (gunicorn's RAW_URI)."""
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or "")
    if raw.startswith(("http://", "https://")):  # absolute-form: the client took the proxy for a forward proxy
        parts = urlsplit(raw)
        raw = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not raw.startswith("/"):
        query = environ.get("QUERY_STRING") or ""
        raw = quote(environ.get("PATH_INFO") or "/") + (f"?{query}" if query else "")
    path, _, query = raw.partition("?")
    return path, query


class Forwarder:
    def __init__(self, watch: Watch, upstream: str, *, errors: bool, max_body: int, timeout: float) -> None:
        parts = urlsplit(upstream)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.watch, self.errors, self.max_body, self.timeout = watch, errors, max_body, timeout
        self._local = threading.local()

    def session(self) -> requests.Session:
        """One pooled session per server thread; nothing of its own added to a request, no proxy of the
        environment taken."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.clear()
            session.trust_env = False
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=4, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._local.session = session
        return session

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, query = _target(environ)
        if path == LIVE or path.startswith(LIVE + "/"):
            return live.answer(self.watch, path, start_response)
        return self.forward(environ, path, query, start_response)

    # the request ---------------------------------------------------------------------------------------------
    def _body(self, environ: dict[str, Any]) -> tuple[bytes | None, Any]:
        """(the body as the proxy judges it, or None past the cap; what goes to the upstream)."""
        stream = environ["wsgi.input"]
        length = str(environ.get("CONTENT_LENGTH") or "")
        if length.isdigit():
            size = int(length)
            if size > self.max_body:
                return None, Upload(stream, size)
            body = stream.read(size) if size else b""
            return body, body or None
        if "chunked" not in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower():
            return b"", None
        head = stream.read(self.max_body + 1)
        if len(head) <= self.max_body:
            return head, head or None
        return None, _chunks(head, stream)

    def _evidence_body(self, body: bytes | None, content_type: str) -> Any:
        if body is None:
            return f"(not kept: over {self.max_body} bytes)"
        if not body:
            return None
        if content_type == "application/json" or content_type.endswith("+json"):
            try:
                return self.watch.redactor.value(json.loads(body.decode("utf-8")))
            except (ValueError, UnicodeDecodeError):
                pass
        return self.watch.redactor.text(body[:EVIDENCE_TEXT].decode("utf-8", "replace"))

    def forward(self, environ: dict[str, Any], path: str, query: str, start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        target = path + (f"?{query}" if query else "")
        incoming = _request_headers(environ)
        headers = end_to_end(incoming, also=NOT_FORWARDED)
        via = [value for name, value in headers if name.lower() == "via"]
        headers = [(n, v) for n, v in headers if n.lower() != "via"] + [("Via", ", ".join([*via, VIA]))]
        names = {name.lower() for name, _ in headers}
        sent = dict(headers)
        for name in ("User-Agent", "Accept-Encoding"):  # what the client did not send, the proxy does not add
            if name.lower() not in names:
                sent[name] = SKIP_HEADER
        body, upload = self._body(environ)
        lower = {name.lower(): value for name, value in incoming}
        content_type = lower.get("content-type", "").split(";")[0].strip().lower()
        operation = self.watch.operation(method, path)
        client: list[Violation] = []
        if operation is not None:
            document_path = self.watch.document_path(path) or path
            client = self.watch.rules_for(operation).problems(ClientRequest(
                document_path, dict(parse_qsl(query, keep_blank_values=True)), lower, content_type, body))
        redactor = self.watch.redactor
        shown_headers = redactor.headers(dict(headers))
        credentialed = any(redactor.sensitive_header(name) for name, _ in incoming)
        exchange = Exchange(method, redactor.url(self.origin + target), str(operation) if operation else "",
                            shown_headers, self._evidence_body(body, content_type), None, {}, b"", 0.0,
                            source="proxy")
        started = time.monotonic()
        try:
            response = self.session().request(method, self.origin + target, headers=sent, data=upload, stream=True,
                                              allow_redirects=False, timeout=(10, self.timeout))
        except requests.RequestException as exc:
            exchange.error = failure_reason(exc)
            self.watch.record(Seen(method, path, operation, exchange, client,
                                   f"no answer from the upstream ({exchange.error})"))
            return self._answer(start_response, 502, "Bad Gateway",
                                [("Content-Type", "application/problem+json")] + self._client_header(client),
                                upstream_failed(f"{self.origin}: {exchange.error}"))
        exchange.status = response.status_code
        exchange.credential = "default" if credentialed and response.status_code not in (401, 403) else None
        upstream_headers = list(response.raw.headers.items())
        exchange.response_headers = {}
        for name, value in redactor.headers(_merged(upstream_headers)).items():
            exchange.response_headers[name.lower()] = value
        chunks = response.raw.stream(CHUNK, decode_content=False)
        head: list[bytes] = []
        size = 0
        for chunk in chunks:
            head.append(chunk)
            size += len(chunk)
            if size > self.max_body:
                break
        else:
            return self._judged(start_response, Seen(method, path, operation, exchange, client), response,
                                upstream_headers, b"".join(head), started)
        exchange.elapsed = time.monotonic() - started
        why = f"body over {self.max_body} bytes"
        self.watch.record(Seen(method, path, operation, exchange, client, why))
        out = end_to_end(upstream_headers) + [(NOT_JUDGED, why)] + self._client_header(client)
        start_response(f"{response.status_code} {response.reason or _phrase(response.status_code)}", out)
        return Relay(head, chunks, response)

    # the answer ----------------------------------------------------------------------------------------------
    def _judged(self, start_response: StartResponse, seen: Seen, response: requests.Response,
                upstream_headers: list[tuple[str, str]], body: bytes, started: float) -> Iterable[bytes]:
        exchange = seen.exchange
        release(response, whole=True)
        exchange.elapsed = time.monotonic() - started
        readable = _decoded(body, response.headers.get("Content-Encoding", ""), self.max_body)
        if readable is None:
            seen.not_judged = f"content-encoding {response.headers.get('Content-Encoding')} not read"
        exchange.body = readable or b""
        violations = self.watch.record(seen)
        status = response.status_code
        extra = self._client_header(seen.client)
        if violations:
            extra.append((VIOLATIONS, header_value(violations)))
            if self.errors:
                return self._answer(start_response, 502, "Bad Gateway",
                                    [("Content-Type", "application/problem+json")] + extra,
                                    problem(exchange.operation, status, violations))
        if seen.not_judged is not None:
            extra.append((NOT_JUDGED, seen.not_judged))
        out = end_to_end(upstream_headers)
        if exchange.method != "HEAD" and status not in NO_BODY and not any(
                name.lower() == "content-length" for name, _ in out):
            out.append(("Content-Length", str(len(body))))  # the whole body is here: no need to chunk it
        start_response(f"{status} {response.reason or _phrase(status)}", out + extra)
        return [body]

    @staticmethod
    def _client_header(client: list[Violation]) -> list[tuple[str, str]]:
        return [(CLIENT_VIOLATIONS, header_value(client))] if client else []

    @staticmethod
    def _answer(start_response: StartResponse, status: int, reason: str, headers: list[tuple[str, str]],
                body: bytes) -> list[bytes]:
        start_response(f"{status} {reason}", headers + [("Content-Length", str(len(body)))])
        return [body]


def _merged(headers: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers:
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
