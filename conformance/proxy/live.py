"""The live view: GET /__proxy/report (the report of the traffic so far, as report.json) and GET /__proxy/
(a small page that refreshes itself: exchanges per operation, violations by check with the first example,
the requirements covered so far, the client's own mistakes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from conformance.proxy.watch import Watch
from conformance.reports.html import templates
from conformance.reports.json_report import build_report, verdict_explanation

StartResponse = Callable[..., Any]
TEMPLATE = "proxy.html.j2"
REFRESH_SECONDS = 2


def view_model(report: dict[str, Any]) -> dict[str, Any]:
    flagged = [c for c in report["checks"] if c["failures"]]
    return {"r": report, "p": report["proxy"], "flagged": flagged, "refresh": REFRESH_SECONDS,
            "explanation": verdict_explanation(report),
            "failed_requirements": [r for r in report["requirements"] if r["status"] == "failed"]}


def answer(watch: Watch, path: str, start_response: StartResponse) -> list[bytes]:
    if path in ("/__proxy/report", "/__proxy/report.json"):
        body = json.dumps(build_report(watch.result()), indent=2, ensure_ascii=False).encode() + b"\n"
        kind = "application/json"
    elif path in ("/__proxy", "/__proxy/"):
        report = build_report(watch.result())
        body = templates().get_template(TEMPLATE).render(**view_model(report)).encode()
        kind = "text/html; charset=utf-8"
    else:
        body = json.dumps({"message": f"{path} is not a page of the proxy: /__proxy/ or /__proxy/report"}).encode()
        start_response("404 Not Found", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body))),
                              ("Cache-Control", "no-store")])
    return [body]
