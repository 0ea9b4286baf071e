"""HTTP between the client and the upstream: which headers pass (RFC 9110 7.6.1: hop-by-hop ones do not),
and what the proxy adds: X-Crm-Violations, X-Crm-Client-Violations, X-Crm-Not-Judged and the 502 of --errors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# RFC 9110 7.6.1 (and the older names still in use): they describe one connection, never the message.
HOP_BY_HOP = frozenset({"connection", "proxy-connection", "keep-alive", "te", "trailer", "transfer-encoding",
                        "upgrade"})
# Addressed to the proxy itself, or set again for the next hop by the HTTP client (Host: the upstream's).
NOT_FORWARDED = frozenset({"host", "proxy-authorization", "expect", "content-length"})
VIA = "1.1 crm-conformance"     # RFC 9110 7.6.3: a gateway MUST send Via in each inbound request it forwards
HEADER_LIMIT = 4096             # characters of one X-Crm-* header: larger headers break servers and browsers
MESSAGE_LIMIT = 200             # characters of one violation's message in a header
VIOLATIONS = "X-Crm-Violations"
CLIENT_VIOLATIONS = "X-Crm-Client-Violations"
NOT_JUDGED = "X-Crm-Not-Judged"
PROBLEM_TYPE = "urn:crm-conformance:proxy:non-conformant-answer"


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule an exchange broke: the server's (a check's failure) or the client's (a request rule)."""

    check: str
    message: str
    level: str | None = None            # the server's: MUST or SHOULD; the client's: none
    requirements: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"check": self.check}
        if self.level is not None:
            out["level"] = self.level
        if self.requirements:
            out["requirements"] = list(self.requirements)
        out["message"] = self.message
        return out


def connection_tokens(headers: Iterable[tuple[str, str]]) -> set[str]:
    """The header names a Connection header lists: hop-by-hop too (RFC 9110 7.6.1)."""
    return {token.strip().lower() for name, value in headers if name.lower() == "connection"
            for token in value.split(",") if token.strip()}


def end_to_end(headers: list[tuple[str, str]], also: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The headers that travel on: hop-by-hop ones (and those the Connection header names) removed."""
    dropped = HOP_BY_HOP | connection_tokens(headers) | also
    return [(name, value) for name, value in headers if name.lower() not in dropped]


def _compact(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, ensure_ascii=True, separators=(",", ":"))


def header_value(violations: list[Violation], limit: int = HEADER_LIMIT) -> str:
    """A compact JSON list, ASCII only, at most `limit` characters: what does not fit is counted in a
    last item {"more": N}."""
    items = [v.as_json() for v in violations]
    for item in items:
        if len(item["message"]) > MESSAGE_LIMIT:
            item["message"] = item["message"][:MESSAGE_LIMIT] + "..."
    shown = len(items)
    while shown:
        text = _compact(items[:shown] + ([{"more": len(items) - shown}] if shown < len(items) else []))
        if len(text) <= limit:
            return text
        shown -= 1
    return _compact([{"more": len(items)}])


def problem(operation: str, upstream_status: int, violations: list[Violation]) -> bytes:
    """The 502 application/problem+json (RFC 9457) that replaces a non-conformant answer under --errors."""
    checks = ", ".join(dict.fromkeys(v.check for v in violations))
    body = {
        "type": PROBLEM_TYPE,
        "title": "The upstream's answer breaks the API's rules",
        "status": 502,
        "detail": f"{operation} answered {upstream_status}, which breaks {len(violations)} rule(s): {checks}",
        "operation": operation,
        "upstream_status": upstream_status,
        "violations": [v.as_json() for v in violations],
    }
    return json.dumps(body, ensure_ascii=True, indent=2).encode() + b"\n"


def upstream_failed(why: str) -> bytes:
    """The 502 when the upstream did not answer at all."""
    body = {"type": "urn:crm-conformance:proxy:upstream-unreachable", "title": "The upstream did not answer",
            "status": 502, "detail": why}
    return json.dumps(body, ensure_ascii=True).encode() + b"\n"
