"""The four report writers (conformance/reports), on RunResults built by hand.

Every expected value is computed here from the inputs: counts from the checks and the level, texts
from the evidence. conformance/reports/report.schema.json is the contract report.json is validated against.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conformance.model import FAMILIES, CheckResult, Coverage, Evidence, RequirementResult, RunResult, Waiver
from conformance.reports import (
    write_reports,
)
from conformance.reports.html import render_html
from conformance.reports.json_report import render_json
from conformance.reports.junit import render_junit
from conformance.reports.markdown import render_markdown

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "conformance" / "reports" / "report.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
EXCERPT = 2048
GITHUB_COMMENT_LIMIT = 65_000
TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig"  # a credential that must never reach a report
HTML_FAILURES_SHOWN = 20

HOSTILE_TEXT = "<script>alert('x')</script> ]]> \x00\x01\x08\x0b\x1b[31m \x7f & \"quotes\" `tick` ```fence``` | pipe"
BIG_BODY = "<html><script>alert(1)</script>" + "A" * (1024 * 1024) + "]]>"


# -- building results ------------------------------------------------------------------------------


def evidence(n: int, operation: str = "GET /deals/{id}", body: object = None, status: int | None = 500,
             message: str | None = None, curl: str | None = None) -> Evidence:
    url = f"http://127.0.0.1:4010/api/deals/{n}"
    return Evidence(
        operation=operation,
        message=message if message is not None else f"expected 404, got {status} (observation {n})",
        request={"method": "get", "url": url, "headers": {"Accept": "application/json"}, "body": None},
        response={
            "status": status,
            "headers": {"Content-Type": "application/json"},
            "body": body if body is not None else {"success": False, "n": n},
        },
        curl=curl if curl is not None else f"curl -sS -X GET '{url}' -H 'Accept: application/json'",
    )


def check(check_id: str, family: str, severity: str, status: str, failures: int = 0,
          reason: str | None = None, **kwargs: object) -> CheckResult:
    return CheckResult(
        id=check_id,
        family=family,
        title=f"{family} rule {check_id}",
        severity=severity,  # type: ignore[arg-type]
        source=f"seed 000: statement behind {check_id}",
        status=status,  # type: ignore[arg-type]
        failures=[evidence(i) for i in range(failures)],
        reason=reason,
        observations=failures + 3,
        **kwargs,  # type: ignore[arg-type]
    )


def verdict_of(checks: list[CheckResult], level: str) -> str:
    for c in checks:
        if c.status == "failed" and (c.must_failures or level == "strict"):
            return "non-conformant"
    if any(c.status == "error" and (c.severity == "MUST" or level == "strict") for c in checks):
        return "error"
    return "conformant"


FAILED_REQUIREMENT = "PAG-002 GET /deals: asked for 101, got 101 <script>"


def with_requirements() -> RunResult:
    """A run judged against a catalogue: one requirement of each status, a waiver, a coverage figure."""
    result = run([check("PAG-002", "pagination", "MUST", "failed", failures=1), check("STA-001", "status", "MUST",
                                                                                     "passed")])
    requirements = [
        RequirementResult(f"RO-DEALS-LIST-0{i}", f"<b>title {status}</b>", "MUST", "pagination",
                          "000_c16d5e80f2014639.txt", "Maximum per_page is 100", ("GET /deals",), ("PAG-002",),
                          status, reason=None if status in ("passed", "failed") else f"why {status}",
                          passed=1 if status == "passed" else 0, failed=1 if status == "failed" else 0,
                          failures=(FAILED_REQUIREMENT,) if status == "failed" else ())
        for i, status in enumerate(("passed", "failed", "waived", "not exercised", "untestable"), start=1)
    ]
    result.requirements = requirements
    result.coverage = Coverage(must_exercised=3, must_testable=4, should_exercised=0, should_testable=0,
                               statuses_seen=5, statuses_documented=9, unseen_statuses=("GET /deals 422",))
    result.catalogue, result.catalogue_sha256 = "openapi/revorbit.requirements.yaml", "ab" * 32
    result.waivers = [Waiver("RO-DEALS-LIST-03", "fixed upstream in 4.2", "team@example.com", "2030-01-01")]
    result.min_coverage = 0.9
    result.verdict = "non-conformant"
    return result


def designed_only() -> CheckResult:
    """A MUST check whose only failures are on an operation the pages do not define: they count as SHOULD."""
    c = check("STA-005", "status", "MUST", "failed", failures=2, must_failures=0, should_failures=2)
    for e in c.failures:
        e.level = "SHOULD"
    return c


def broken(severity: str) -> CheckResult:
    return check("PAG-009", "pagination", severity, "error", reason="the check broke (running its scenario): "
                 "KeyError: 'id'", trace="Traceback (most recent call last):\n  ...\nKeyError: 'id'\n")


def run(checks: list[CheckResult], level: str = "standard", verdict: str | None = None,
        error: str | None = None, title: str = "Revenue Orbit") -> RunResult:
    return RunResult(
        verdict=verdict or verdict_of(checks, level),  # type: ignore[arg-type]
        dialect="revorbit",
        title=title,
        target="http://127.0.0.1:4010/api",
        seed=42,
        level=level,  # type: ignore[arg-type]
        document="openapi/revorbit.yaml",
        document_sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        tool_version="0.1.0",
        started_at="2025-06-01T12:00:00Z",
        duration_seconds=12.3456,
        checks=checks,
        error=error,
        requests_sent=321,
    )


def mixed_checks() -> list[CheckResult]:
    """MUST and SHOULD failures across families, passes and skips; deliberately not in id order."""
    return [
        check("STA-002", "status", "MUST", "failed", failures=5),
        check("STA-001", "status", "MUST", "passed"),
        check("ENV-001", "envelope", "SHOULD", "failed", failures=2),
        check("ENV-002", "envelope", "MUST", "passed"),
        check("PAG-010", "pagination", "MUST", "failed", failures=1),
        check("PAG-002", "pagination", "SHOULD", "passed"),
        check("AUT-001", "auth", "MUST", "skipped", reason="the document declares no security scheme"),
        check("SEM-001", "semantics", "SHOULD", "failed", failures=4),
    ]


def hostile_checks() -> list[CheckResult]:
    bodies: list[object] = [
        BIG_BODY,
        bytes(range(256)) * 8192,                        # 2 MB of binary
        {"items": [{"name": HOSTILE_TEXT, "i": i} for i in range(20_000)]},  # huge JSON
        "\udc80 lone surrogate and \ufffe non-character",
    ]
    failures = [
        evidence(i, operation=f"POST /deals <script>{i}", body=body, message=HOSTILE_TEXT,
                 curl=f"curl -X POST 'http://127.0.0.1:4010/api/deals?q=<script>{i}' -d '```]]>'")
        for i, body in enumerate(bodies)
    ]
    failures.append(Evidence(
        operation="GET /deals",
        message="no response at all",
        request={"method": "GET", "url": "http://127.0.0.1:4010/api/deals", "headers": None, "body": b"\x00\xff"},
        response={},  # timeout: no status, no headers, no body
        curl="curl 'http://127.0.0.1:4010/api/deals'",
    ))
    return [
        CheckResult(id="VAL-001", family="validation", title=f"Title {HOSTILE_TEXT}", severity="MUST",
                    source=f"source {HOSTILE_TEXT}", status="failed", failures=failures, observations=9),
        CheckResult(id="VAL-002", family="validation", title="<b>bold</b>", severity="SHOULD",
                    source="s", status="failed", failures=failures[:1], reason=HOSTILE_TEXT),
        CheckResult(id="LIF-001", family="lifecycle", title="skipped <i>", severity="MUST", source="s",
                    status="skipped", reason="<script>alert('skip')</script>"),
    ]


def many_checks() -> list[CheckResult]:
    """Far more evidence than a pull-request comment can hold."""
    out = []
    for i in range(300):
        c = check(f"SCH-{i:03d}", "schema", "MUST" if i % 3 else "SHOULD", "failed", failures=6)
        for e in c.failures:
            e.response["body"] = "x" * 5000
            e.message = "m" * 800
        out.append(c)
    return out


def credential_run() -> RunResult:
    e = Evidence(
        operation="GET /deals",
        message="expected 200",
        request={"method": "GET", "url": "http://127.0.0.1:4010/api/deals",
                 "headers": {"Authorization": f"Bearer {TOKEN}", "x-ysuite-secret-key": "ys-secret-value-123"},
                 "body": None},
        response={"status": 401, "headers": {"WWW-Authenticate": 'Bearer realm="api"'},
                  "body": f"echo: Bearer {TOKEN}"},
        curl=f"curl 'http://127.0.0.1:4010/api/deals' -H 'Authorization: Bearer {TOKEN}' "
             "-H 'x-ysuite-secret-key: ys-secret-value-123'",
    )
    c = CheckResult(id="AUT-002", family="auth", title="t", severity="MUST", source="s", status="failed",
                    failures=[e])
    return run([c])


RESULTS = {
    "conformant": lambda: run([
        check("STA-001", "status", "MUST", "passed"),
        check("ENV-001", "envelope", "SHOULD", "passed"),
        check("PAG-001", "pagination", "MUST", "skipped", reason="no paginated operation"),
    ]),
    "conformant-with-warning": lambda: run([
        check("STA-001", "status", "MUST", "passed"),
        check("ENV-001", "envelope", "SHOULD", "failed", failures=2),
    ]),
    "non-conformant-standard": lambda: run(mixed_checks(), level="standard"),
    "non-conformant-strict": lambda: run(mixed_checks(), level="strict"),
    "strict-should-only": lambda: run([
        check("STA-001", "status", "MUST", "passed"),
        check("ENV-001", "envelope", "SHOULD", "failed", failures=1),
    ], level="strict"),
    "error": lambda: run([], verdict="error", error="target unreachable: connection refused <127.0.0.1:4010>"),
    "error-partial": lambda: run([check("STA-001", "status", "MUST", "passed")], verdict="error",
                                 error="document is broken: $ref '#/components/x' does not resolve"),
    "hostile": lambda: run(hostile_checks(), title="Orbit <script>alert(1)</script>"),
    "many": lambda: run(many_checks()),
    "credentials": credential_run,
    "designed-only": lambda: run([check("STA-001", "status", "MUST", "passed"), designed_only()]),
    "requirements": with_requirements,
    "tool-fault-must": lambda: run([check("STA-001", "status", "MUST", "passed"), broken("MUST")],
                                   error="a fault of the suite left PAG-009 undecided"),
    "tool-fault-should": lambda: run([check("STA-001", "status", "MUST", "passed"), broken("SHOULD")]),
    "tool-fault-decided": lambda: run([check("STA-002", "status", "MUST", "failed", failures=1), broken("MUST")]),
}


@pytest.fixture(params=sorted(RESULTS))
def result(request: pytest.FixtureRequest) -> RunResult:
    return RESULTS[request.param]()


# -- expectations computed from the inputs -----------------------------------------------------------


def counted_at_must(c: CheckResult) -> bool:
    """Failures count at their own level (SHOULD on a designed operation); a result built without
    counts counts at the check's severity."""
    return c.must_failures > 0 if (c.must_failures or c.should_failures) else c.severity == "MUST"


def outcome(c: CheckResult, level: str) -> str:
    if c.status == "failed" and not counted_at_must(c) and level == "standard":
        return "warning"
    return c.status


def expected_summary(r: RunResult) -> dict[str, int]:
    kinds = [outcome(c, r.level) for c in r.checks]
    must = [c.status == "failed" and counted_at_must(c) for c in r.checks]
    return {
        "passed": kinds.count("passed"),
        "failed": kinds.count("failed"),
        "skipped": kinds.count("skipped"),
        "warnings": kinds.count("warning"),
        "errors": kinds.count("error"),
        "waived": kinds.count("waived"),
        "must_failed": sum(must),
        "should_failed": sum(c.status == "failed" and not m for c, m in zip(r.checks, must, strict=True)),
    }


def visible(text: str) -> str:
    """Control characters as the reports show them: \\xNN escapes."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", text)


def all_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *all_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in all_strings(v)]
    return []


class _Text(HTMLParser):
    """The text a browser would show, and the tags it would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def html_text(page: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(page)
    parser.close()
    return "".join(parser.chunks), parser.tags


def outside_code(markdown: str) -> str:
    """The Markdown with fenced blocks and code spans removed: what is rendered as text."""
    without_fences = re.sub(r"^(`{3,})[^\n]*\n.*?^\1\n", "", markdown, flags=re.S | re.M)
    return re.sub(r"(`+).*?\1", "", without_fences)


# -- report.json -----------------------------------------------------------------------------------


def test_the_schema_is_valid_json_schema_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_json_validates_and_round_trips(result: RunResult) -> None:
    text = render_json(result)
    data = json.loads(text)
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]

    assert data["schema_version"] == "2.1"
    assert list(data) == ["schema_version", "mode", "verdict", "dialect", "title", "target", "seed", "level",
                          "document", "catalogue", "options", "tool", "started_at", "duration_seconds",
                          "requests_sent", "error", "summary", "preflight", "not_implemented", "leftovers",
                          "coverage", "waivers", "proxy", "requirements", "checks"]
    assert (data["mode"], data["proxy"]) == ("run", None)
    assert (data["verdict"], data["dialect"], data["target"]) == (result.verdict, result.dialect, result.target)
    assert (data["seed"], data["level"], data["started_at"]) == (result.seed, result.level, result.started_at)
    assert data["document"] == {"path": result.document, "sha256": result.document_sha256}
    assert data["tool"] == {"name": "crm-conformance", "version": result.tool_version}
    assert data["duration_seconds"] == pytest.approx(result.duration_seconds, abs=1e-3)
    assert data["requests_sent"] == result.requests_sent
    assert data["error"] == result.error
    assert data["summary"] == expected_summary(result)
    assert {k: data["summary"][k] for k in ("passed", "failed", "skipped", "warnings", "errors", "waived")} == \
        result.counts()

    by_id = {c.id: c for c in result.checks}
    assert [c["id"] for c in data["checks"]] == sorted(by_id)
    for out in data["checks"]:
        c = by_id[out["id"]]
        assert (out["family"], out["severity"], out["status"]) == (c.family, c.severity, c.status)
        assert out["outcome"] == outcome(c, result.level)
        assert out["observations"] == c.observations
        assert (out["trace"] is not None) == (c.status == "error")
        assert [f["level"] for f in out["failures"]] == [e.level for e in c.failures]
        assert (out["must_failures"], out["should_failures"]) == (c.must_failures, c.should_failures)
        assert len(out["failures"]) == len(c.failures)
        for got, want in zip(out["failures"], c.failures, strict=True):
            assert len((got["response"]["body"] or "").encode()) <= EXCERPT
            assert len((got["request"]["body"] or "").encode()) <= EXCERPT
            if result.title == "Revenue Orbit" and c.id != "AUT-002":  # plain evidence: exact round trip
                assert (got["operation"], got["message"], got["curl"]) == (want.operation, want.message, want.curl)
                assert got["response"]["status"] == want.response["status"]
                assert got["request"]["method"] == want.request["method"].upper()
                assert got["request"]["url"] == want.request["url"]
                body = want.response["body"]
                full = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
                assert got["response"]["body"] == full[: len(got["response"]["body"])]
                assert got["response"]["body_bytes"] == len(full.encode())
                assert got["response"]["body_truncated"] == (len(full.encode()) > EXCERPT)
        assert (out["title"], out["source"]) == (visible(c.title), visible(c.source))
        assert out["reason"] == (visible(c.reason) if c.reason is not None else None)


def test_json_keeps_hostile_evidence_bounded_and_printable() -> None:
    result = RESULTS["hostile"]()
    data = json.loads(render_json(result))
    failures = {c["id"]: c for c in data["checks"]}["VAL-001"]["failures"]
    big, binary, huge_json, surrogate, no_response = (f["response"] for f in failures)

    assert big["body_bytes"] == len(BIG_BODY.encode()) and big["body_truncated"]
    assert big["body"] == BIG_BODY[: len(big["body"])] and len(big["body"].encode()) <= EXCERPT
    assert binary["body_bytes"] == 256 * 8192 and binary["body_truncated"]
    assert binary["body"].startswith("\\x00\\x01\\x02")  # binary shows as escapes, not raw controls
    assert huge_json["body_truncated"] and huge_json["body"].startswith('{"items": [{"name": "<script>')
    assert "\\udc80" in surrogate["body"] and "\\ufffe" in surrogate["body"]
    assert no_response == {"status": None, "headers": {}, "body": None, "body_bytes": None,
                           "body_truncated": False}
    assert failures[-1]["request"]["body"] == "\\x00\\xff"

    control = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
    assert not [s for s in all_strings(data) if control.search(s)]
    # The message keeps its text, with its control characters made visible.
    assert failures[0]["message"].startswith("<script>alert('x')</script> ]]> \\x00\\x01\\x08\\x0b\\x1b[31m")


def test_json_redacts_credentials_everywhere() -> None:
    data = json.loads(render_json(RESULTS["credentials"]()))
    failure = data["checks"][0]["failures"][0]
    assert failure["request"]["headers"] == {"Authorization": "Bearer REDACTED", "x-ysuite-secret-key": "REDACTED"}
    assert failure["curl"] == ("curl 'http://127.0.0.1:4010/api/deals' -H 'Authorization: Bearer REDACTED' "
                               "-H 'x-ysuite-secret-key: REDACTED'")
    assert failure["response"]["body"] == "echo: Bearer REDACTED"
    assert failure["response"]["headers"] == {"WWW-Authenticate": 'Bearer realm="api"'}  # not a credential


def test_credentials_reach_no_report(tmp_path: Path) -> None:
    paths = write_reports(RESULTS["credentials"](), tmp_path)
    for path in paths.values():
        content = path.read_text(encoding="utf-8")
        assert TOKEN not in content and "ys-secret-value-123" not in content, path.name


def test_strict_turns_a_should_failure_from_warning_into_failure() -> None:
    standard = json.loads(render_json(RESULTS["non-conformant-standard"]()))
    strict = json.loads(render_json(RESULTS["non-conformant-strict"]()))
    env_standard = {c["id"]: c for c in standard["checks"]}["ENV-001"]
    env_strict = {c["id"]: c for c in strict["checks"]}["ENV-001"]
    assert (env_standard["status"], env_standard["outcome"]) == ("failed", "warning")
    assert (env_strict["status"], env_strict["outcome"]) == ("failed", "failed")
    assert standard["summary"]["warnings"] == 2 and strict["summary"]["warnings"] == 0
    assert strict["summary"]["failed"] == standard["summary"]["failed"] + 2
    assert json.loads(render_json(RESULTS["strict-should-only"]()))["verdict"] == "non-conformant"


# -- junit.xml -------------------------------------------------------------------------------------


def test_junit_parses_and_counts_match_the_checks(result: RunResult) -> None:
    root = ET.fromstring(render_junit(result).encode("utf-8"))
    assert root.tag == "testsuites"

    families = [f for f in FAMILIES if any(c.family == f for c in result.checks)]
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    expected_names = [f"crm-conformance.{f}" for f in families]
    if result.requirements:
        expected_names.append("crm-conformance.requirements")
    if result.verdict == "error":
        expected_names.append("crm-conformance.run")
    assert [s.get("name") for s in root.findall("testsuite")] == expected_names

    for family in families:
        checks = [c for c in result.checks if c.family == family]
        suite = suites[f"crm-conformance.{family}"]
        kinds = [outcome(c, result.level) for c in checks]
        assert int(suite.get("tests", "")) == len(checks) == len(suite.findall("testcase"))
        assert int(suite.get("failures", "")) == kinds.count("failed") == len(suite.findall("testcase/failure"))
        assert int(suite.get("skipped", "")) == kinds.count("skipped") == len(suite.findall("testcase/skipped"))
        assert int(suite.get("errors", "")) == kinds.count("error") == len(suite.findall("testcase/error"))
        float(suite.get("time", ""))
        for case, c in zip(suite.findall("testcase"), sorted(checks, key=lambda c: c.id), strict=True):
            assert case.get("classname") == f"{result.dialect}.{family}"
            assert case.get("name", "").startswith(f"{c.id} ")
            kind = outcome(c, result.level)
            if kind == "failed":
                failure = case.find("failure")
                assert failure is not None and failure.get("type") == c.severity
                assert c.failures[0].operation in failure.get("message", "")
                if c.id != "AUT-002":  # the credential run's curl line is redacted
                    assert c.failures[0].curl in (failure.text or "")
            elif kind == "warning":
                out = case.find("system-out")
                assert case.find("failure") is None and out is not None
                assert (out.text or "").startswith("WARNING:")
            elif kind == "error":
                error = case.find("error")
                assert error is not None and error.get("type") == "tool-fault"
                assert "fault of the suite" in (error.text or "")
            elif kind == "skipped":
                skipped = case.find("skipped")
                assert skipped is not None and skipped.get("message")

    summary = expected_summary(result)
    run_error = 1 if result.verdict == "error" else 0
    statuses = [r.status for r in result.requirements]
    assert int(root.get("tests", "")) == len(result.checks) + run_error + len(statuses)
    assert int(root.get("failures", "")) == summary["failed"] + statuses.count("failed")
    assert int(root.get("skipped", "")) == summary["skipped"] + statuses.count("not exercised") + \
        statuses.count("untestable")
    assert int(root.get("errors", "")) == run_error + summary["errors"]
    assert float(root.get("time", "")) == pytest.approx(result.duration_seconds, abs=1e-3)


def test_junit_error_run_is_never_green() -> None:
    result = RESULTS["error"]()
    root = ET.fromstring(render_junit(result))
    error = root.find("testsuite[@name='crm-conformance.run']/testcase/error")
    assert error is not None
    assert error.get("message") == result.error
    assert root.get("errors") == "1"


def test_junit_carries_exact_evidence_text() -> None:
    result = RESULTS["non-conformant-standard"]()
    root = ET.fromstring(render_junit(result))
    case = root.find("testsuite/testcase[@name='STA-002 status rule STA-002']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    first = result.checks[0].failures[0]
    assert failure.get("message") == f"{first.operation}: {first.message} (+4 more)"
    for e in result.checks[0].failures:
        assert e.curl in (failure.text or "") and e.message in (failure.text or "")


# -- report.html -----------------------------------------------------------------------------------


def test_html_escapes_and_shows_every_failure(result: RunResult) -> None:
    page = render_html(result)
    text, tags = html_text(page)

    assert "<script" not in page.lower() and "script" not in tags
    assert "<b>bold</b>" not in page and "<i>" not in page
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//)""", page), "external asset"
    assert "<link" not in page and "@import" not in page

    assert f'class="verdict verdict-{result.verdict}"' in page
    for value in (result.target, result.dialect, str(result.seed), result.level, result.document_sha256,
                  result.tool_version, result.started_at):
        assert value in text
    if result.verdict == "error":
        assert 'role="alert"' in page and (result.error or "") in text
    for c in result.checks:
        assert c.id in text
        for e in c.failures[:HTML_FAILURES_SHOWN]:
            if c.id in ("VAL-001", "VAL-002", "AUT-002"):  # hostile/credential evidence: checked below
                continue
            assert e.curl in text, (c.id, e.curl)
            assert e.message in text
        if len(c.failures) > HTML_FAILURES_SHOWN:
            assert f"{len(c.failures) - HTML_FAILURES_SHOWN} more failure(s)" in text


def test_html_hostile_evidence_is_escaped_text() -> None:
    result = RESULTS["hostile"]()
    page = render_html(result)
    text, _ = html_text(page)
    for e in result.checks[0].failures:
        assert e.curl in text  # the curl lines hold <script> and ``` ]]>: shown verbatim, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the title
    assert "\x00" not in page and "\\x00\\x01\\x08" in text
    assert "<script>alert(1)</script>" + "A" * 100 in text  # the start of the 1 MB body, as text
    assert len(page) < 200_000


def test_html_error_shows_the_reason_prominently() -> None:
    result = RESULTS["error"]()
    page = render_html(result)
    alert = page.index('role="alert"')
    assert page.index("&lt;127.0.0.1:4010&gt;", alert) < page.index('id="summary"')
    assert "verdict-error" in page


# -- summary.md ------------------------------------------------------------------------------------


def test_markdown_names_every_failed_check_and_fits_a_comment(result: RunResult) -> None:
    md = render_markdown(result)
    assert len(md) < GITHUB_COMMENT_LIMIT
    assert f"**Verdict: {result.verdict}**" in md
    for value in (result.target, result.dialect, str(result.seed), result.level):
        assert value in md
    for c in result.checks:
        if c.status == "failed":
            assert c.id in md, c.id
    if result.verdict == "error":
        assert "could not certify" in md


def test_markdown_lists_must_first_then_warnings_separately() -> None:
    result = RESULTS["non-conformant-standard"]()
    md = render_markdown(result)
    failed_part, warnings_part = md.split("### Warnings")
    assert md.index("#### PAG-010 ") < md.index("#### STA-002 ")  # id order within a severity
    assert "#### ENV-001" not in md and "**ENV-001**" in warnings_part and "**SEM-001**" in warnings_part
    sta = result.checks[0]
    for e in sta.failures[:3]:
        assert e.curl in failed_part
    assert sta.failures[3].curl not in md and "2 more failures" in md

    strict = render_markdown(RESULTS["non-conformant-strict"]())
    assert "### Warnings" not in strict
    musts = [strict.index(f"#### {i} ") for i in ("STA-002", "PAG-010")]
    shoulds = [strict.index(f"#### {i} ") for i in ("ENV-001", "SEM-001")]
    assert max(musts) < min(shoulds)


def test_markdown_truncates_politely_when_too_long() -> None:
    result = RESULTS["many"]()
    md = render_markdown(result)
    assert len(md) < 60_000 + 1_000
    assert "Not shown in detail" in md
    assert all(c.id in md for c in result.checks)  # the ids still fit, listed compactly


def test_markdown_escapes_hostile_text() -> None:
    md = render_markdown(RESULTS["hostile"]())
    rendered = outside_code(md)
    assert "<script>" not in rendered and "<b>" not in rendered
    assert "\x00" not in md
    # Code fences survive a curl line containing ```: the fence is longer than any run inside.
    fences = re.findall(r"^(`{3,})sh$", md, flags=re.M)
    assert fences and all(len(f) >= 4 for f in fences)


# -- write_reports ---------------------------------------------------------------------------------


def test_write_reports_creates_all_four_files(tmp_path: Path) -> None:
    result = RESULTS["non-conformant-standard"]()
    directory = tmp_path / "nested" / "reports"
    paths = write_reports(result, directory)
    assert paths == {
        "json": directory / "report.json",
        "junit": directory / "junit.xml",
        "html": directory / "report.html",
        "markdown": directory / "summary.md",
    }
    assert sorted(p.name for p in directory.iterdir()) == ["junit.xml", "report.html", "report.json", "summary.md"]
    assert paths["json"].read_text(encoding="utf-8") == render_json(result)
    assert paths["junit"].read_text(encoding="utf-8") == render_junit(result)
    assert paths["html"].read_text(encoding="utf-8") == render_html(result)
    assert paths["markdown"].read_text(encoding="utf-8") == render_markdown(result)
    assert (paths["json"].stat().st_mode & 0o777) == 0o644


def test_write_reports_survives_hostile_evidence(tmp_path: Path) -> None:
    paths = write_reports(RESULTS["hostile"](), tmp_path)
    VALIDATOR.validate(json.loads(paths["json"].read_text(encoding="utf-8")))
    ET.parse(paths["junit"])
    assert paths["html"].stat().st_size < 200_000
    assert len(paths["markdown"].read_text(encoding="utf-8")) < GITHUB_COMMENT_LIMIT


def test_the_requirements_view_is_in_every_report() -> None:
    result = with_requirements()
    data = json.loads(render_json(result))
    assert [r["status"] for r in data["requirements"]] == ["passed", "failed", "waived", "not exercised", "untestable"]
    assert data["coverage"]["must"] == 0.75 and data["coverage"]["below_min_coverage"] is True
    assert data["waivers"][0]["id"] == "RO-DEALS-LIST-03"
    page, tags = html_text(render_html(result))
    assert "script" not in tags and "RO-DEALS-LIST-02" in page and "75.0%" in page and "not met" in page
    summary = render_markdown(result)
    assert "3 of 4 testable MUST exercised (75.0%)" in summary and "RO-DEALS-LIST-02" in summary
    suite = ET.fromstring(render_junit(result).encode()).find("testsuite[@name='crm-conformance.requirements']")
    assert suite is not None and suite.get("failures") == "1" and suite.get("skipped") == "2"
