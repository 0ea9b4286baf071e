"""The server under test: an HTTP client that records every exchange as evidence.

Credentials go out the way the API's page says (a bearer token, or YSUITE's two headers); a 429 is
retried a bounded number of times, honouring Retry-After (X9); `Origin`/`Referer` are never sent (CC12).
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests

from crmspec.model import Auth

EXCERPT = 2048


@dataclass(slots=True)
class Exchange:
    """One request and what came back (or why nothing did)."""

    method: str
    url: str
    operation: str                      # "GET /deals/{id}" or "" for a request outside the document
    request_headers: dict[str, str]
    request_body: Any
    status: int | None
    response_headers: dict[str, str]
    body: bytes
    elapsed: float
    error: str | None = None
    source: str = "scenario"            # scenario | explore | negative

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_json(self) -> bool:
        return self.content_type == "application/json" or self.content_type.endswith("+json")

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))

    def curl(self) -> str:
        parts = ["curl", "-sS", "-X", self.method]
        for name, value in self.request_headers.items():
            parts += ["-H", f"{name}: {value}"]
        if self.request_body is not None:
            data = self.request_body if isinstance(self.request_body, str) else json.dumps(self.request_body)
            parts += ["--data-raw", data]
        parts.append(self.url)
        return " ".join(shlex.quote(p) for p in parts)

    def evidence(self) -> tuple[dict[str, Any], dict[str, Any]]:
        request = {"method": self.method, "url": self.url, "headers": dict(self.request_headers),
                   "body": self.request_body}
        text = self.body[:EXCERPT].decode("utf-8", errors="replace")
        response: dict[str, Any] = {"status": self.status, "headers": dict(self.response_headers), "body": text}
        if self.error:
            response["error"] = self.error
        return request, response


class TargetUnreachable(Exception):
    """Nothing answered at all: the run cannot certify anything."""


@dataclass
class Target:
    base_url: str                       # the API root, e.g. http://127.0.0.1:4010/api
    auth: Auth
    credentials: dict[str, str] = field(default_factory=dict)   # name -> credential (default, admin, limited, expired)
    timeout: float = 10.0
    retries: int = 3
    max_retry_wait: float = 30.0
    exchanges: list[Exchange] = field(default_factory=list)
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")

    def auth_header_names(self) -> set[str]:
        """Lower-case names of the headers that carry a credential in this API."""
        if self.auth.scheme == "key_pair":
            return {str(self.auth.access_header).lower(), str(self.auth.secret_header).lower()}
        return {"authorization"}

    def without_credentials(self, headers: dict[str, Any] | None) -> dict[str, str]:
        """Generated headers minus any credential header: the suite's own credential always wins."""
        names = self.auth_header_names()
        return {k: str(v) for k, v in (headers or {}).items() if k.lower() not in names}

    def auth_headers(self, credential: str | None) -> dict[str, str]:
        if credential is None:
            return {}
        if self.auth.scheme == "key_pair":
            access, _, secret = credential.partition(":")
            return {str(self.auth.access_header): access, str(self.auth.secret_header): secret}
        return {"Authorization": f"Bearer {credential}"}

    def send(self, method: str, path: str, *, operation: str = "", params: dict[str, Any] | None = None,
             json_body: Any = None, data: bytes | str | None = None, files: dict[str, Any] | None = None,
             headers: dict[str, str] | None = None, credential: str | None = "default",
             source: str = "scenario") -> Exchange:
        """Send one request. `credential` names one of the target's credentials, or is None for none."""
        url = path if path.startswith("http") else self.base_url + path
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params, doseq=True)
        sent = {"Accept": "application/json"}
        if credential is not None:
            sent.update(self.auth_headers(self.credentials.get(credential, credential)))
        sent.update(headers or {})
        body_for_evidence: Any = json_body if json_body is not None else (
            data.decode("utf-8", "replace") if isinstance(data, bytes) else data)
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                response = self.session.request(
                    method, url, headers=sent, json=json_body, data=data, files=files,
                    timeout=self.timeout, allow_redirects=False,
                )
            except requests.RequestException as exc:
                exchange = Exchange(method, url, operation, sent, body_for_evidence, None, {}, b"",
                                    time.monotonic() - started, error=_reason(exc), source=source)
                self.exchanges.append(exchange)
                return exchange
            exchange = Exchange(
                method, url, operation, sent, body_for_evidence, response.status_code,
                {k.lower(): v for k, v in response.headers.items()}, response.content,
                time.monotonic() - started, source=source,
            )
            if response.status_code == 429 and attempt < self.retries:
                attempt += 1
                time.sleep(self._retry_wait(response.headers.get("Retry-After"), attempt))
                continue
            self.exchanges.append(exchange)
            return exchange

    def _retry_wait(self, header: str | None, attempt: int) -> float:
        try:
            wait = float(header) if header is not None else 2.0 ** attempt * 0.5
        except ValueError:
            wait = 2.0 ** attempt * 0.5
        return max(0.0, min(wait, self.max_retry_wait))

    def probe(self) -> None:
        """Raise TargetUnreachable when the target does not answer HTTP at all."""
        exchange = self.send("GET", "/", credential=None, source="probe")
        self.exchanges.remove(exchange)
        if exchange.status is None:
            raise TargetUnreachable(f"{self.base_url} does not answer: {exchange.error}")


def _reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        text = str(exc)
        if "Connection refused" in text:
            return "connection refused"
        if "RemoteDisconnected" in text or "Connection aborted" in text:
            return "the connection closed before a complete response"
        return "connection failed"
    return type(exc).__name__
