"""Credentials never reach a report, the live view or a header the proxy adds.

Redacted: the values of every header, query parameter and cookie the document's security schemes name,
of Authorization, Proxy-Authorization, Cookie and Set-Cookie, of any name that reads as a credential
(conformance.reports.json_report.is_sensitive: token, secret, password, api key, ...) and of JSON fields so
named. Each value met is remembered (a bounded set) and replaced wherever else it shows, such as a body
that echoes it.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from conformance.model import Evidence
from conformance.reports.json_report import REDACTED, is_sensitive
from crmspec.model import Api

REMEMBERED = 512            # distinct credential values kept to scrub from texts
SHORTEST = 6                # a shorter value would scrub ordinary words
_ALWAYS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_JSON_PAIR = re.compile(r'"([^"\\]{1,64})"(\s*:\s*)"((?:[^"\\]|\\.)*)"')


def scheme_names(api: Api) -> tuple[frozenset[str], frozenset[str]]:
    """The header names and the query parameter names the document's security schemes carry credentials in."""
    schemes = ((api.document.get("components") or {}).get("securitySchemes") or {}).values()
    headers, query = set(_ALWAYS), set()
    for scheme in schemes:
        if not isinstance(scheme, dict) or scheme.get("type") != "apiKey" or not scheme.get("name"):
            continue
        where = scheme.get("in")
        if where == "header":
            headers.add(str(scheme["name"]).lower())
        elif where == "query":
            query.add(str(scheme["name"]))
    return frozenset(headers), frozenset(query)


class Redactor:
    def __init__(self, api: Api) -> None:
        self.header_names, self.query_names = scheme_names(api)
        self._secrets: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def _remember(self, value: str) -> None:
        if len(value) < SHORTEST or REDACTED in value:
            return
        with self._lock:
            self._secrets[value] = None
            self._secrets.move_to_end(value)
            while len(self._secrets) > REMEMBERED:
                self._secrets.popitem(last=False)

    def sensitive_header(self, name: str) -> bool:
        return name.lower() in self.header_names or is_sensitive(name)

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        out = {}
        for name, value in headers.items():
            if self.sensitive_header(name):
                scheme, _, credential = value.partition(" ")
                if credential.strip() and scheme.isalpha():  # "Bearer <token>": the scheme stays readable
                    self._remember(credential.strip())
                    value = f"{scheme} {REDACTED}"
                else:
                    self._remember(value.strip())
                    value = REDACTED
            out[name] = value
        return out

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        if parts.password:
            self._remember(parts.password)
            parts = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", f":{REDACTED}@"))
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if any(name in self.query_names or is_sensitive(name) for name, _ in pairs):
            kept = []
            for name, value in pairs:
                if name in self.query_names or is_sensitive(name):
                    self._remember(value)
                    value = REDACTED
                kept.append((name, value))
            parts = parts._replace(query=urlencode(kept))
        return urlunsplit(parts)

    def value(self, value: Any) -> Any:
        """A JSON value with the fields named as credentials redacted, and remembered values scrubbed."""
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if is_sensitive(str(key)) and isinstance(item, str):
                    self._remember(item)
                    out[key] = REDACTED
                else:
                    out[key] = self.value(item)
            return out
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return self.text(value) if isinstance(value, str) else value

    def text(self, text: str) -> str:
        """Text (a body excerpt, even cut short) with credential fields and every remembered value redacted."""
        def pair(match: re.Match[str]) -> str:
            if not is_sensitive(match.group(1)):
                return match.group(0)
            self._remember(match.group(3))
            return f'"{match.group(1)}"{match.group(2)}"{REDACTED}"'

        text = _JSON_PAIR.sub(pair, text)
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def part(self, part: Mapping[str, Any]) -> dict[str, Any]:
        """A request or response of an evidence: {method, url, headers, body, ...}."""
        out = dict(part)
        if isinstance(out.get("headers"), Mapping):
            out["headers"] = self.headers(out["headers"])
        if isinstance(out.get("url"), str):
            out["url"] = self.text(self.url(out["url"]))
        body = out.get("body")
        out["body"] = self.text(body) if isinstance(body, str) else self.value(body)
        return out

    def evidence(self, evidence: Evidence) -> Evidence:
        return Evidence(evidence.operation, self.text(evidence.message), self.part(evidence.request),
                        self.part(evidence.response), self.text(evidence.curl), evidence.level,
                        evidence.requirements, evidence.waived)
