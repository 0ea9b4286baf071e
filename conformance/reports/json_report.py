"""report.json: the stable, documented record of a run (docs/report-format.md, conformance/reports/report.schema.json).

`build_report` is also the one normalised view every other writer renders from, so the four files
always agree: evidence bodies become excerpts of at most 2 KB, control characters become visible
escapes, credentials are redacted, and nothing a server sent back can make a writer crash.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from conformance.model import FAMILIES, CheckResult, Evidence, Level, RunResult, Traffic

SCHEMA_VERSION = "2.1"
TOOL_NAME = "crm-conformance"

EXCERPT_BYTES = 2048        # cap of every request/response body excerpt, in UTF-8 bytes
TEXT_LIMIT = 4096           # cap of a message, reason or source statement, in characters
HEADER_VALUE_LIMIT = 1024   # cap of one header value, in characters
MAX_HEADERS = 64            # headers kept per request/response
REDACTED = "REDACTED"

# Characters that XML 1.0 forbids or that render as nothing: C0 controls but tab/newline/carriage
# return, DEL, C1 controls, and the non-characters U+FFFE/U+FFFF. Lone surrogates are handled by
# re-encoding (they cannot be written as UTF-8 at all).
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

# Header and query-parameter names whose values are credentials (WWW-Authenticate is not one).
_SENSITIVE_NAME = re.compile(
    r"^(?:proxy-)?authorization$|^(?:set-)?cookie$|^auth$|token|secret|passw|session|api[-_]?key|access[-_]?key",
    re.I,
)
_MIN_SECRET_LENGTH = 6


def is_sensitive(name: str) -> bool:
    """Whether a header, query parameter or field of this name carries a credential (its value is redacted)."""
    return _SENSITIVE_NAME.search(name) is not None


def _escape_invisible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _safe_str(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # a hostile __str__ must not sink the report
        return f"<unprintable {type(value).__name__}>"


def outcome(check: CheckResult, level: Level) -> str:
    """How a check counts at the run's level: passed, failed, warning, skipped or error."""
    return str(check.outcome(level))


def check_sort_key(check_id: str) -> list[tuple[int, int, str]]:
    """Sort ids naturally: PAG-2 before PAG-10; zero-padded ids sort as plain strings do."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", check_id)]


def family_order(family: str) -> tuple[int, str]:
    """The model's family order first, unknown families after, alphabetically."""
    return (FAMILIES.index(family), "") if family in FAMILIES else (len(FAMILIES), family)


class _Normaliser:
    """Turns a RunResult's free-form evidence into bounded, printable, credential-free values."""

    def __init__(self, result: RunResult) -> None:
        self.secrets: list[str] = []
        found: set[str] = set()
        for check in result.checks:
            for evidence in check.failures:
                request = evidence.request if isinstance(evidence.request, dict) else {}
                found.update(self._header_secrets(request.get("headers")))
                found.update(self._url_secrets(request.get("url")))
        found.update(self._url_secrets(result.target))
        for violation in result.traffic.client_violations if result.traffic else ():
            request = violation.request if isinstance(violation.request, dict) else {}
            found.update(self._header_secrets(request.get("headers")))
            found.update(self._url_secrets(request.get("url")))
        # Longest first, so a token is not half-replaced by a shorter secret it contains.
        self.secrets = sorted((s for s in found if len(s) >= _MIN_SECRET_LENGTH), key=len, reverse=True)

    # -- secrets ---------------------------------------------------------------------------------

    @staticmethod
    def _header_pairs(headers: object) -> list[tuple[object, object]]:
        items = getattr(headers, "items", None)
        if callable(items):
            try:
                return list(items())
            except Exception:
                return []
        if isinstance(headers, list | tuple):
            return [tuple(pair) for pair in headers if isinstance(pair, list | tuple) and len(pair) == 2]
        return []

    def _header_secrets(self, headers: object) -> set[str]:
        out: set[str] = set()
        for name, value in self._header_pairs(headers):
            if not _SENSITIVE_NAME.search(_safe_str(name)):
                continue
            text = _safe_str(value).strip()
            scheme, _, credential = text.partition(" ")
            # "Bearer <token>": the token is the secret; the scheme stays readable.
            out.add(credential.strip() if credential.strip() and scheme.isalpha() else text)
        return out

    @staticmethod
    def _url_secrets(url: object) -> set[str]:
        out: set[str] = set()
        if not isinstance(url, str):
            return out
        try:
            parts = urlsplit(url)
            password = parts.password
        except ValueError:
            return out
        if password:
            out.add(password)
        for pair in parts.query.split("&"):
            name, sep, value = pair.partition("=")
            if sep and value and _SENSITIVE_NAME.search(name):
                out.add(value)
        return out

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    # -- values ----------------------------------------------------------------------------------

    def text(self, value: object, limit: int | None = TEXT_LIMIT) -> str:
        """Any value as printable, redacted text of at most `limit` characters (plus a marker)."""
        text = self.redact(_safe_str(value))
        if limit is not None and len(text) > limit:
            text = text[:limit] + f" [... {len(text) - limit} more characters]"
        return printable(text)

    def optional_text(self, value: object, limit: int | None = TEXT_LIMIT) -> str | None:
        return None if value is None else self.text(value, limit)

    def url(self, value: object) -> str:
        text = _safe_str(value)
        try:
            parts = urlsplit(text)
            if parts.password:
                netloc = parts.netloc.replace(f":{parts.password}@", f":{REDACTED}@")
                text = urlunsplit(parts._replace(netloc=netloc))
        except ValueError:
            pass
        return self.text(text)

    def headers(self, headers: object) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, value in self._header_pairs(headers)[:MAX_HEADERS]:
            key = self.text(name, 256)
            if isinstance(value, list | tuple):
                value = ", ".join(_safe_str(v) for v in value)
            shown = self.text(value, HEADER_VALUE_LIMIT)
            if _SENSITIVE_NAME.search(key):
                scheme, _, credential = shown.partition(" ")
                shown = f"{scheme} {REDACTED}" if credential and scheme.isalpha() else REDACTED
            out[key] = f"{out[key]}, {shown}" if key in out else shown
        return out

    def body(self, body: object) -> tuple[str | None, int | None, bool]:
        """(excerpt of at most EXCERPT_BYTES UTF-8 bytes, size of the whole body in bytes, truncated)."""
        if body is None:
            return None, None, False
        if isinstance(body, bytes | bytearray | memoryview):
            raw = bytes(body)
            size = len(raw)
            head = raw[: EXCERPT_BYTES + 4]
            cut = len(head) < size
            # Invalid UTF-8 (binary) shows as \xNN escapes.
            text = head.decode("utf-8", "backslashreplace")
        else:
            if isinstance(body, str):
                full = body
            elif isinstance(body, dict | list | tuple | int | float | bool):
                try:
                    full = json.dumps(body, ensure_ascii=False, default=_safe_str)
                except (ValueError, TypeError, RecursionError):
                    full = _safe_str(body)
            else:
                full = _safe_str(body)
            size = len(full.encode("utf-8", "surrogatepass"))
            text = full[: EXCERPT_BYTES + 1024]  # slack so a secret spanning the cut is still redacted
            cut = len(text) < len(full)
        encoded = printable(self.redact(text)).encode("utf-8")
        if len(encoded) > EXCERPT_BYTES:
            encoded, cut = encoded[:EXCERPT_BYTES], True
        return encoded.decode("utf-8", "ignore"), size, cut

    def request(self, request: object) -> dict[str, Any]:
        data = request if isinstance(request, dict) else {}
        body, size, truncated = self.body(data.get("body"))
        method = data.get("method")
        return {
            "method": self.text(method, 32).upper() if method is not None else "",
            "url": self.url(data.get("url", "")),
            "headers": self.headers(data.get("headers")),
            "body": body,
            "body_bytes": size,
            "body_truncated": truncated,
        }

    def response(self, response: object) -> dict[str, Any]:
        data = response if isinstance(response, dict) else {}
        body, size, truncated = self.body(data.get("body"))
        status = data.get("status")
        try:
            status = int(status) if status is not None and not isinstance(status, bool) else None
        except (TypeError, ValueError):
            status = None
        return {
            "status": status,
            "headers": self.headers(data.get("headers")),
            "body": body,
            "body_bytes": size,
            "body_truncated": truncated,
        }

    def evidence(self, evidence: Evidence) -> dict[str, Any]:
        return {
            "operation": self.text(getattr(evidence, "operation", ""), 512),
            "message": self.text(getattr(evidence, "message", "")),
            "request": self.request(getattr(evidence, "request", None)),
            "response": self.response(getattr(evidence, "response", None)),
            # Never shortened: it has to replay the request (credentials aside).
            "curl": self.text(getattr(evidence, "curl", ""), None),
            "level": getattr(evidence, "level", "MUST"),
            "requirements": [self.text(r, 64) for r in getattr(evidence, "requirements", ())],
            "waived": bool(getattr(evidence, "waived", False)),
        }


def printable(text: str) -> str:
    """Lone surrogates and invisible/XML-illegal characters as visible backslash escapes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _INVISIBLE.sub(_escape_invisible, text)


def summary(result: RunResult) -> dict[str, int]:
    """The model's counts() plus checks with failures per level, whatever the run's level."""
    counts = result.counts()
    out = {key: counts[key] for key in ("passed", "failed", "skipped", "warnings", "errors", "waived")}
    out["must_failed"] = sum(1 for c in result.checks if c.must_failures)
    out["should_failed"] = sum(1 for c in result.checks if c.should_failures and not c.must_failures)
    return out


def verdict_explanation(report: dict[str, Any]) -> str:
    """One sentence on why the verdict is what it is, from a build_report() dict."""
    summary = report["summary"]
    if report["verdict"] == "error":
        if summary["errors"]:
            return (f"A fault of the suite itself left {summary['errors']} check(s) undecided, so the run "
                    "certifies nothing; no finding below is counted against the target for that fault.")
        return ("The run could not certify the target; the results below, if any, are partial "
                "and certify nothing.")
    strict = report["level"] == "strict"
    if report["verdict"] == "conformant":
        text = "No MUST check failed" + (" and no SHOULD check failed (level strict)." if strict else ".")
        if summary["warnings"]:
            text += (f" {summary['warnings']} SHOULD check(s) failed: warnings, "
                     "which do not change the verdict.")
        if summary["errors"]:
            text += (f" {summary['errors']} SHOULD check(s) broke (a fault of the suite, not of the target); "
                     "no MUST was left undecided.")
        if summary["waived"]:
            text += f" {summary['waived']} check(s) failed only where a waiver covers it."
        return text
    parts = []
    if summary["must_failed"]:
        parts.append(f"{summary['must_failed']} MUST check(s) failed")
    if strict and summary["should_failed"]:
        parts.append(f"{summary['should_failed']} SHOULD check(s) failed (level strict)")
    coverage = report.get("coverage") or {}
    if coverage.get("below_min_coverage"):
        parts.append(f"the MUST requirements exercised ({coverage['must']:.1%}) are below --min-coverage "
                     f"({coverage['min_coverage']:.1%})")
    return (" and ".join(parts) or "The run failed") + "."


def coverage(result: RunResult) -> dict[str, Any]:
    """The coverage figures of a run: requirements exercised over testable ones per level, and
    documented (operation, status) pairs observed."""
    c = result.coverage
    return {
        "must": c.must, "must_exercised": c.must_exercised, "must_testable": c.must_testable,
        "should": c.should, "should_exercised": c.should_exercised, "should_testable": c.should_testable,
        "statuses": c.statuses, "statuses_seen": c.statuses_seen, "statuses_documented": c.statuses_documented,
        "unseen_statuses": list(c.unseen_statuses),
        "min_coverage": result.min_coverage, "below_min_coverage": result.below_min_coverage,
    }


def traffic(norm: _Normaliser, seen: Traffic | None) -> dict[str, Any] | None:
    """What the proxy watched (mode "proxy"); None for a run."""
    if seen is None:
        return None
    return {
        "upstream": norm.url(seen.upstream),
        "exchanges": seen.exchanges,
        "judged": seen.judged,
        "flagged": seen.flagged,
        "replaced": seen.replaced,
        "operations": [{"operation": norm.text(name, 512), "exchanges": sum(statuses.values()),
                        "statuses": {norm.text(code, 16): count for code, count in sorted(statuses.items())}}
                       for name, statuses in sorted(seen.operations.items())],
        "not_in_document": [{"request": norm.text(name, 512), "exchanges": count}
                            for name, count in sorted(seen.not_in_document.items())],
        "not_judged": [{"why": norm.text(why, 512), "exchanges": count} for why, count in sorted(seen.not_judged.items())],
        "client_violations": [
            {"id": norm.text(v.id, 64), "party": "client", "title": norm.text(v.title, 512),
             "operation": norm.text(v.operation, 512), "count": v.count, "message": norm.text(v.message),
             "request": norm.request(v.request)}
            for v in seen.client_violations
        ],
    }


def build_report(result: RunResult) -> dict[str, Any]:
    """The report as a JSON-ready dict, in the documented key order (schema_version 2.1)."""
    norm = _Normaliser(result)
    duration = result.duration_seconds
    finite = isinstance(duration, int | float) and math.isfinite(duration)
    duration = round(float(duration), 3) if finite else 0.0
    checks = sorted(result.checks, key=lambda c: (check_sort_key(str(c.id)), family_order(str(c.family))))
    return {
        "schema_version": SCHEMA_VERSION,
        "mode": result.mode,
        "verdict": result.verdict,
        "dialect": norm.text(result.dialect, 256),
        "title": norm.text(result.title, 256),
        "target": norm.url(result.target),
        "seed": result.seed,
        "level": result.level,
        "document": {
            "path": norm.text(result.document, 1024),
            "sha256": norm.text(result.document_sha256, 128),
        },
        "catalogue": None if result.catalogue is None else {
            "path": norm.text(result.catalogue, 1024),
            "sha256": norm.text(result.catalogue_sha256 or "", 128),
        },
        "options": result.options,
        "tool": {"name": TOOL_NAME, "version": norm.text(result.tool_version, 64)},
        "started_at": norm.text(result.started_at, 64),
        "duration_seconds": max(duration, 0.0),
        "requests_sent": result.requests_sent,
        "error": norm.optional_text(result.error),
        "summary": summary(result),
        "preflight": {
            "credential": norm.text(result.preflight.credential),
            "expired_credential": norm.text(result.preflight.expired),
            "limited_credential": norm.text(result.preflight.limited),
        },
        "not_implemented": [norm.text(name, 512) for name in result.not_implemented],
        "leftovers": [norm.text(name, 512) for name in result.leftovers],
        "coverage": coverage(result),
        "waivers": [{"id": norm.text(w.id, 64), "justification": norm.text(w.justification),
                     "owner": norm.text(w.owner, 256), "expires": norm.text(w.expires, 32)} for w in result.waivers],
        "proxy": traffic(norm, result.traffic),
        "requirements": [
            {
                "id": norm.text(r.id, 64), "title": norm.text(r.title, 512), "level": r.level,
                "kind": norm.text(r.kind, 64), "source": norm.text(r.source, 256), "quote": norm.text(r.quote),
                "operations": [norm.text(o, 512) for o in r.operations], "checks": list(r.checks),
                "status": r.status, "reason": norm.optional_text(r.reason), "passed": r.passed, "failed": r.failed,
                "failures": [norm.text(f) for f in r.failures],
            }
            for r in result.requirements
        ],
        "checks": [
            {
                "id": norm.text(check.id, 64),
                "family": norm.text(check.family, 64),
                "title": norm.text(check.title, 512),
                "severity": check.severity,
                "status": check.status,
                "outcome": outcome(check, result.level),
                "source": norm.text(check.source),
                "reason": norm.optional_text(check.reason),
                "observations": check.observations,
                "must_failures": check.must_failures,
                "should_failures": check.should_failures,
                "waived_failures": check.waived_failures,
                "trace": norm.optional_text(check.trace, None),
                "failures": [norm.evidence(evidence) for evidence in check.failures],
            }
            for check in checks
        ],
    }


def render_json(result: RunResult) -> str:
    """report.json: UTF-8 JSON, two-space indented, keys in the documented order, ending in a newline."""
    return json.dumps(build_report(result), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
