"""The server under test: an HTTP client that records every exchange as evidence.

Credentials go out the way the API's page says (a bearer token, or YSUITE's two headers); a 429 is
retried a bounded number of times, honouring Retry-After (X9); `Origin`/`Referer` are never sent (CC12).
"""

from __future__ import annotations

import hashlib
import json
import shlex
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from urllib3 import encode_multipart_formdata

from crmspec.model import Auth

EXCERPT = 2048
# The environment variable a replay line reads each named credential from (never the credential itself).
CREDENTIAL_VARIABLES = {"default": "CRM_TOKEN", "admin": "CRM_ADMIN_TOKEN", "limited": "CRM_LIMITED_TOKEN",
                        "expired": "CRM_EXPIRED_TOKEN"}
VALID_CREDENTIALS = ("default", "admin")
# Headers the HTTP client adds on its own that a replay does not need.
_NOT_REPLAYED = {"content-length", "connection", "accept-encoding", "user-agent", "host"}


@dataclass(slots=True)
class Exchange:
    """One request and what came back (or why nothing did)."""

    method: str
    url: str
    operation: str                      # "GET /deals/{id}" or "" for a request outside the document
    request_headers: dict[str, str]     # as sent on the wire
    request_body: Any
    status: int | None
    response_headers: dict[str, str]
    body: bytes
    elapsed: float
    error: str | None = None
    source: str = "scenario"            # scenario | explore | negative | stateful | fixture | probe | cleanup
    credential: str | None = None       # the named credential it carried (default, admin, ...), if any
    replay_headers: dict[str, str] = field(default_factory=dict)   # name -> the shell word a replay line writes

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def is_json(self) -> bool:
        return self.content_type == "application/json" or self.content_type.endswith("+json")

    @property
    def valid_credential(self) -> bool:
        return self.credential in VALID_CREDENTIALS

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))

    def curl(self) -> str:
        """A shell line that sends the same request again; credentials come from CRM_TOKEN & co."""
        parts = ["curl", "-sS", "-X", shlex.quote(self.method)]
        words = self.replay_headers or {k: shlex.quote(f"{k}: {v}") for k, v in self.request_headers.items()}
        for name, word in words.items():
            if name.lower() not in _NOT_REPLAYED:
                parts += ["-H", word]
        if self.request_body is not None:
            data = self.request_body if isinstance(self.request_body, str) else json.dumps(self.request_body)
            parts += ["--data-raw", shlex.quote(data)]
        parts.append(shlex.quote(self.url))
        return " ".join(parts)

    def evidence(self) -> tuple[dict[str, Any], dict[str, Any]]:
        request = {"method": self.method, "url": self.url, "headers": dict(self.request_headers),
                   "body": self.request_body}
        text = self.body[:EXCERPT].decode("utf-8", errors="replace")
        response: dict[str, Any] = {"status": self.status, "headers": dict(self.response_headers), "body": text}
        if self.error:
            response["error"] = self.error
        return request, response



def multipart(files: dict[str, Any]) -> tuple[bytes, str]:
    """A multipart/form-data body and its Content-Type, its boundary derived from the parts (requests draws a
    random one): the same seed sends the same bytes (tests/integration/test_conformance_determinism.py)."""
    boundary = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()[:32]
    return encode_multipart_formdata(files, boundary=boundary)

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

    def close(self) -> None:
        """Close the connections kept alive to the target (a server that keeps connections open leaves them in
        the session's pool until then)."""
        self.session.close()

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        if files:
            data, content_type = multipart(files)
            sent.setdefault("Content-Type", content_type)
        body_for_evidence: Any = json_body if json_body is not None else (
            data.decode("utf-8", "replace") if isinstance(data, bytes) else data)
        named = credential if credential in self.credentials else None
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                response = self.session.request(
                    method, url, headers=sent, json=json_body, data=data,
                    timeout=self.timeout, allow_redirects=False,
                )
            except requests.RequestException as exc:
                wire = dict(sent)
                if json_body is not None:
                    wire.setdefault("Content-Type", "application/json")
                exchange = Exchange(method, url, operation, wire, body_for_evidence, None, {}, b"",
                                    time.monotonic() - started, error=failure_reason(exc), source=source,
                                    credential=named, replay_headers=self.replay_headers(wire))
                self.exchanges.append(exchange)
                return exchange
            wire = {k: str(v) for k, v in response.request.headers.items()}
            exchange = Exchange(
                method, url, operation, wire, body_for_evidence, response.status_code,
                {k.lower(): v for k, v in response.headers.items()}, response.content,
                time.monotonic() - started, source=source, credential=named,
                replay_headers=self.replay_headers(wire),
            )
            if response.status_code == 429 and attempt < self.retries:
                attempt += 1
                time.sleep(self._retry_wait(response.headers.get("Retry-After"), attempt))
                continue
            self.exchanges.append(exchange)
            return exchange

    def replay_headers(self, headers: dict[str, str]) -> dict[str, str]:
        """Each header as the shell word a replay line writes: every credential, and every value the suite
        derived from one (a tampered signature, an unsigned copy), becomes a double-quoted expression over
        CRM_TOKEN & co. that the shell expands; everything else is quoted literally."""
        out: dict[str, str] = {}
        for name, value in headers.items():
            expression = self._credential_expression(value) if name.lower() in self.auth_header_names() else None
            out[name] = f'"{_shell_text(name)}: {expression}"' if expression is not None \
                else shlex.quote(f"{name}: {value}")
        return out

    def _credential_expression(self, value: str) -> str | None:
        scheme, _, rest = value.partition(" ")
        prefix, token = (f"{scheme} ", rest) if scheme.lower() == "bearer" and rest else ("", value)
        for name, credential in self.credentials.items():
            variable = CREDENTIAL_VARIABLES.get(name)
            if variable is None:
                continue
            parts = {f"${{{variable}}}": credential}
            if self.auth.scheme == "key_pair" and ":" in credential:
                access, _, secret = credential.partition(":")
                parts = {f"${{{variable}%%:*}}": access, f"${{{variable}#*:}}": secret}
            for expression, real in parts.items():
                if not real:
                    continue
                if token == real:
                    return prefix + expression
                if len(token) == len(real) and token[:-1] == real[:-1]:  # the last character changed
                    return f'{prefix}$(t={expression}; printf %s "${{t%?}}"){_shell_text(token[-1])}'
                pieces = real.split(".")
                forged = token.split(".")
                if len(pieces) == 3 and len(forged) == 3 and forged[1] == pieces[1] and forged[2] == "":
                    return (f'{prefix}{_shell_text(forged[0])}.$(printf %s "{expression}" | cut -d. -f2).')
        return None

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


def _shell_text(text: str) -> str:
    """Text safe inside a double-quoted shell word."""
    return "".join(f"\\{c}" if c in '"$`\\' else c for c in text)


def failure_reason(exc: requests.RequestException) -> str:
    text = str(exc)
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.SSLError):
        return "the TLS handshake failed (certificate or protocol)"
    if isinstance(exc, requests.ConnectionError):
        if "Connection refused" in text:
            return "connection refused"
        if any(marker in text for marker in ("Name or service not known", "nodename nor servname",
                                             "Failed to resolve", "Temporary failure in name resolution",
                                             "getaddrinfo failed", "No address associated")):
            return "the host name does not resolve"
        if "RemoteDisconnected" in text or "Connection aborted" in text:
            return "the connection closed before a complete response"
        return "connection failed"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema |
                  requests.exceptions.InvalidSchema):
        return "the base URL is not a valid http(s) URL"
    return type(exc).__name__
