"""junit.xml: one <testsuite> per family, one <testcase> per check, for CI test-report viewers.

JUnit has no warning state: a SHOULD check that fails at level "standard" is reported as a passing
test case whose <system-out> starts with "WARNING:". A run that could not certify (verdict "error")
adds a suite "crm-conformance.run" with one errored test case, so CI never shows it as green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from conformance.model import RunResult
from conformance.reports.json_report import TOOL_NAME, build_report, family_order

FAILURES_IN_TEXT = 10       # evidence items written into one <failure>/<system-out>
MESSAGE_LIMIT = 500         # characters of the first failure's message in the message attribute


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _evidence_text(check: dict[str, Any]) -> str:
    failures = check["failures"]
    lines = [f"{check['severity']} {check['id']} {check['title']}", f"Source: {check['source']}", ""]
    for number, failure in enumerate(failures[:FAILURES_IN_TEXT], start=1):
        request, response = failure["request"], failure["response"]
        status = response["status"] if response["status"] is not None else "no response"
        lines += [
            f"[{number}/{len(failures)}] {failure['operation']}: {failure['message']}",
            f"Request: {request['method']} {request['url']}",
            f"Response: {status}",
        ]
        if response["body"] is not None:
            note = f" (first 2 KB of {response['body_bytes']} bytes)" if response["body_truncated"] else ""
            lines += [f"Response body{note}:", response["body"]]
        lines += ["Replay:", failure["curl"], ""]
    if len(failures) > FAILURES_IN_TEXT:
        lines.append(f"... and {len(failures) - FAILURES_IN_TEXT} more failures (see report.json).")
    return "\n".join(lines).rstrip("\n") + "\n"


def _first_message(check: dict[str, Any]) -> str:
    failures = check["failures"]
    if not failures:
        return f"{check['severity']} check failed (no evidence recorded)"
    first = _shorten(failures[0]["message"], MESSAGE_LIMIT)
    more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
    return f"{failures[0]['operation']}: {first}{more}"


def _properties(parent: ET.Element, report: dict[str, Any]) -> None:
    props = ET.SubElement(parent, "properties")
    for name, value in (
        ("verdict", report["verdict"]),
        ("dialect", report["dialect"]),
        ("target", report["target"]),
        ("level", report["level"]),
        ("seed", str(report["seed"])),
        ("document", report["document"]["path"]),
        ("document_sha256", report["document"]["sha256"]),
        ("tool_version", report["tool"]["version"]),
    ):
        ET.SubElement(props, "property", name=name, value=value)


def _set_counts(
    element: ET.Element, tests: int, failures: int, errors: int, skipped: int, time: float
) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", str(errors))
    element.set("skipped", str(skipped))
    element.set("time", f"{time:.3f}")


def render_junit(result: RunResult) -> str:
    report = build_report(result)
    dialect = report["dialect"]
    root = ET.Element("testsuites", name=f"{TOOL_NAME} {dialect}")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}

    by_family: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for check in report["checks"]:
        by_family[check["family"]].append(check)

    for family in sorted(by_family, key=family_order):
        checks = by_family[family]
        suite = ET.SubElement(root, "testsuite", name=f"{TOOL_NAME}.{family}", timestamp=report["started_at"])
        _properties(suite, report)
        failures = skipped = errors = 0
        for check in checks:
            case = ET.SubElement(
                suite, "testcase", classname=f"{dialect}.{family}", name=f"{check['id']} {check['title']}",
                time="0.000",
            )
            kind = check["outcome"]
            if kind == "failed":
                failures += 1
                failure = ET.SubElement(
                    case, "failure", message=_first_message(check), type=check["severity"]
                )
                failure.text = _evidence_text(check)
            elif kind == "warning":
                out = ET.SubElement(case, "system-out")
                out.text = (
                    f"WARNING: SHOULD check {check['id']} failed; at level standard this does not change "
                    f"the verdict. {_first_message(check)}\n\n{_evidence_text(check)}"
                )
            elif kind == "skipped":
                skipped += 1
                ET.SubElement(case, "skipped", message=check["reason"] or "skipped")
            elif kind == "error":
                errors += 1
                error = ET.SubElement(case, "error", message=_shorten(check["reason"] or "the check broke",
                                                                      MESSAGE_LIMIT), type="tool-fault")
                error.text = (f"A fault of the suite, not of the target: {check['reason']}\n\n"
                              f"{check['trace'] or ''}")
            elif check["reason"]:
                ET.SubElement(case, "system-out").text = f"Note: {check['reason']}\n"
        _set_counts(suite, len(checks), failures, errors, skipped, 0.0)
        totals["tests"] += len(checks)
        totals["failures"] += failures
        totals["errors"] += errors
        totals["skipped"] += skipped

    if report["requirements"]:
        suite = ET.SubElement(root, "testsuite", name=f"{TOOL_NAME}.requirements", timestamp=report["started_at"])
        _properties(suite, report)
        failures = skipped = 0
        for requirement in report["requirements"]:
            case = ET.SubElement(suite, "testcase", classname=f"{dialect}.requirements",
                                 name=f"{requirement['id']} {requirement['title']}", time="0.000")
            status = requirement["status"]
            if status == "failed":
                failures += 1
                failure = ET.SubElement(case, "failure", type=requirement["level"],
                                        message=_shorten(" | ".join(requirement["failures"]) or "failed",
                                                         MESSAGE_LIMIT))
                failure.text = f"{requirement['source']}: {requirement['quote']}\n" + \
                    "\n".join(requirement["failures"]) + "\n"
            elif status in ("not exercised", "untestable"):
                skipped += 1
                ET.SubElement(case, "skipped", message=f"{status}: {requirement['reason'] or ''}")
            elif status == "waived":
                ET.SubElement(case, "system-out").text = "WAIVED: " + " | ".join(requirement["failures"]) + "\n"
        _set_counts(suite, len(report["requirements"]), failures, 0, skipped, 0.0)
        totals["tests"] += len(report["requirements"])
        totals["failures"] += failures
        totals["skipped"] += skipped

    if report["verdict"] == "error":
        reason = report["error"] or "the run could not certify the target (no reason recorded)"
        suite = ET.SubElement(root, "testsuite", name=f"{TOOL_NAME}.run", timestamp=report["started_at"])
        _properties(suite, report)
        case = ET.SubElement(suite, "testcase", classname=f"{dialect}.run", name="RUN could not certify",
                             time=f"{report['duration_seconds']:.3f}")
        error = ET.SubElement(case, "error", message=_shorten(reason, MESSAGE_LIMIT), type="error")
        error.text = f"The run could not certify {report['target']}: {reason}\n"
        _set_counts(suite, 1, 0, 1, 0, report["duration_seconds"])
        totals["tests"] += 1
        totals["errors"] += 1

    _set_counts(root, totals["tests"], totals["failures"], totals["errors"], totals["skipped"],
                report["duration_seconds"])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
