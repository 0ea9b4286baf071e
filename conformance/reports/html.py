"""report.html: the self-contained certification report a person reads (and a vendor publishes).

Rendered with jinja2 from conformance/templates/report.html.j2 with autoescaping on; inline CSS,
no external assets, no JavaScript.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

import jinja2

from conformance.model import RunResult
from conformance.reports.json_report import EXCERPT_BYTES, build_report, family_order, verdict_explanation

TEMPLATE = "report.html.j2"  # package data of conformance.templates, in the wheel as in the source tree
FAILURES_SHOWN = 20     # evidence items shown per check; report.json has them all


@lru_cache(maxsize=1)
def templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("conformance", "templates"),
        autoescape=True,  # the template is .html.j2, which select_autoescape would not catch
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _headers_text(headers: dict[str, str]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in headers.items())


def _body_note(part: dict[str, Any]) -> str | None:
    if not part["body_truncated"]:
        return None
    return f"Excerpt: the first {EXCERPT_BYTES // 1024} KB of {part['body_bytes']} bytes."


def _failure_view(failure: dict[str, Any]) -> dict[str, Any]:
    request, response = failure["request"], failure["response"]
    request_text = f"{request['method']} {request['url']}\n{_headers_text(request['headers'])}"
    if request["body"] is not None:
        request_text += f"\n{request['body']}"
    status = response["status"] if response["status"] is not None else "(no response)"
    response_text = f"HTTP {status}\n{_headers_text(response['headers'])}"
    if response["body"] is not None:
        response_text += f"\n{response['body']}"
    return {
        **failure,
        "request_text": request_text.rstrip("\n"),
        "request_note": _body_note(request),
        "response_text": response_text.rstrip("\n"),
        "response_note": _body_note(response),
    }


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s"


def view_model(report: dict[str, Any]) -> dict[str, Any]:
    by_family: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for check in report["checks"]:
        failures = check["failures"]
        by_family[check["family"]].append({
            **check,
            "shown_failures": [_failure_view(f) for f in failures[:FAILURES_SHOWN]],
            "hidden_failures": max(len(failures) - FAILURES_SHOWN, 0),
        })
    families = []
    for name in sorted(by_family, key=family_order):
        checks = by_family[name]
        counts = {key: sum(1 for c in checks if c["outcome"] == key)
                  for key in ("passed", "failed", "warning", "skipped", "error", "waived")}
        families.append({"name": name, "checks": checks, "counts": counts})
    groups = [
        ("Failed", "failed", "What failed", True), ("Waived", "waived", "What failed", True),
        ("Not exercised", "not exercised", "Why", False), ("Passed", "passed", "", False),
        ("Untestable from outside", "untestable", "Why", False),
    ]
    requirement_groups = [
        {"title": title, "rows": [r for r in report["requirements"] if r["status"] == status], "detail": detail,
         "open": opened}
        for title, status, detail, opened in groups
        if any(r["status"] == status for r in report["requirements"])
    ]
    return {
        "r": report,
        "families": families,
        "requirement_groups": requirement_groups,
        "duration": _duration(report["duration_seconds"]),
        "explanation": verdict_explanation(report),
        "excerpt_kb": EXCERPT_BYTES // 1024,
    }


def render_html(result: RunResult) -> str:
    return templates().get_template(TEMPLATE).render(**view_model(build_report(result)))
