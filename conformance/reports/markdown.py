"""summary.md: a short report for a pull-request comment.

GitHub refuses comments over 65,536 characters, so the summary stays under LIMIT characters: the
header and the per-family table always fit; failed checks (MUST first) follow with their first
FAILURES_SHOWN failures while room is left, then the remaining failed check ids, then a note.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from conformance.model import RunResult
from conformance.reports.json_report import build_report, family_order, verdict_explanation

LIMIT = 60_000              # characters; GitHub's comment limit is 65,536
FAILURES_SHOWN = 3          # failures shown per failed check
MESSAGE_LIMIT = 500         # characters of a message
CURL_LIMIT = 4000           # characters of a curl line in a code block
WARNINGS_LIMIT = 10_000     # characters of the warnings section
_RESERVE = 1_000            # room kept for the closing notes

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#!|~&])")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f" [... {len(text) - limit} more characters]"


def text(value: str, limit: int = MESSAGE_LIMIT) -> str:
    """Plain text on one line with Markdown and HTML syntax escaped (safe in paragraphs and tables)."""
    one_line = " ".join(_shorten(value, limit).split())
    return _SPECIAL.sub(r"\\\1", one_line)


def code(value: str, limit: int = MESSAGE_LIMIT) -> str:
    """An inline code span that survives backticks in the value (not for table cells)."""
    one_line = " ".join(_shorten(value, limit).split()) or " "
    longest = max((len(run) for run in re.findall(r"`+", one_line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


def block(value: str, language: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`{3,}", value)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{value.rstrip()}\n{fence}\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _header(report: dict[str, Any]) -> str:
    summary = report["summary"]
    lines = [
        f"## crm-conformance: {text(report['title'])} ({text(report['dialect'])})",
        "",
        f"**Verdict: {report['verdict']}**",
        "",
        text(verdict_explanation(report), 2000),
        "",
        f"- Target: {code(report['target'])}",
        f"- Dialect: {code(report['dialect'])}",
        f"- Seed: {code(str(report['seed']))}",
        f"- Level: {code(report['level'])}",
        f"- Document: {code(report['document']['path'])} (sha256 {code(report['document']['sha256'])})",
        f"- Run: {text(report['tool']['name'])} {text(report['tool']['version'])}, "
        f"started {text(report['started_at'])}, {report['duration_seconds']:.1f} s, "
        f"{_plural(report['requests_sent'], 'request')}",
        f"- Requirements: {report['coverage']['must_exercised']} of {report['coverage']['must_testable']} testable "
        f"MUST exercised ({report['coverage']['must']:.1%}), {report['coverage']['should_exercised']} of "
        f"{report['coverage']['should_testable']} SHOULD; failed: "
        f"{', '.join(code(r['id'], 64) for r in report['requirements'] if r['status'] == 'failed')[:3000] or 'none'}",
        f"- Checks: {summary['passed']} passed, {summary['failed']} failed, "
        f"{_plural(summary['warnings'], 'warning')}, {summary['skipped']} skipped, "
        f"{_plural(summary['errors'], 'error')} of the suite",
        "",
    ]
    if report["not_implemented"]:
        lines += [f"- Not implemented (inferred, not judged): {', '.join(code(n, 200) for n in report['not_implemented'])}",
                  ""]
    if report["verdict"] == "error":
        reason = report["error"] or "no reason recorded"
        lines += [f"> **The run could not certify the target:** {text(reason, 2000)}", ""]

    by_family: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("passed", "failed", "warning",
                                                                                "skipped", "error",
                                                                                "waived"), 0))
    for check in report["checks"]:
        by_family[check["family"]][check["outcome"]] += 1
    if by_family:
        lines += ["| Family | Passed | Failed | Warnings | Skipped | Errors |", "|---|--:|--:|--:|--:|--:|"]
        for family in sorted(by_family, key=family_order):
            c = by_family[family]
            lines.append(f"| {text(family, 64)} | {c['passed']} | {c['failed']} | {c['warning']} | "
                         f"{c['skipped']} | {c['error']} |")
        lines += [f"| **Total** | {summary['passed']} | {summary['failed']} | {summary['warnings']} | "
                  f"{summary['skipped']} | {summary['errors']} |", ""]
    else:
        lines += ["No check ran.", ""]
    return "\n".join(lines) + "\n"


def _failure(number: int, failure: dict[str, Any]) -> str:
    status = failure["response"]["status"]
    got = f" (HTTP {status})" if status is not None else " (no response)"
    curl = failure["curl"]
    if not curl:
        replay = "_No replay line recorded._\n"
    elif len(curl) > CURL_LIMIT:
        replay = block(curl[:CURL_LIMIT], "sh") + "_Replay line shortened; the full one is in report.json._\n"
    else:
        replay = block(curl, "sh")
    return (f"**{number}.** [{failure['level']}] {code(failure['operation'], 200)}{got}: "
            f"{text(failure['message'])}\n\n{replay}\n")


def _check(check: dict[str, Any]) -> str:
    failures = check["failures"]
    out = (f"#### {text(check['id'], 64)} ({check['severity']}): {text(check['title'], 300)}\n\n"
           f"Source: {text(check['source'], 300)}\n\n")
    if not failures:
        return out + "_No evidence recorded._\n\n"
    if len(failures) > FAILURES_SHOWN:
        out += f"{_plural(len(failures), 'failure')}; the first {FAILURES_SHOWN}:\n\n"
    for number, failure in enumerate(failures[:FAILURES_SHOWN], start=1):
        out += _failure(number, failure)
    if len(failures) > FAILURES_SHOWN:
        hidden = len(failures) - FAILURES_SHOWN
        out += f"_... and {_plural(hidden, 'more failure')}: see report.html or report.json._\n\n"
    return out


def _warning_line(check: dict[str, Any]) -> str:
    first = check["failures"][0] if check["failures"] else None
    detail = f" First: {code(first['operation'], 200)}: {text(first['message'], 300)}" if first else ""
    return (f"- **{text(check['id'], 64)}** {text(check['title'], 200)} "
            f"({_plural(len(check['failures']), 'failure')}).{detail}\n")


def _id_list(checks: list[dict[str, Any]]) -> str:
    return ", ".join(code(c["id"], 64) for c in checks)


def render_markdown(result: RunResult) -> str:
    report = build_report(result)
    severity_rank = {"MUST": 0, "SHOULD": 1}
    failed = sorted((c for c in report["checks"] if c["outcome"] == "failed"),
                    key=lambda c: severity_rank.get(c["severity"], 2))  # stable: id order within a severity
    warnings = [c for c in report["checks"] if c["outcome"] == "warning"]

    # Room is kept first for the ids of every failed and warned check, so each is at least named.
    id_room = min(len(_id_list(failed)) + len(_id_list(warnings)) + 600, LIMIT // 4)
    warning_lines = [_warning_line(c) for c in warnings]
    warning_room = min(sum(len(line) for line in warning_lines), WARNINGS_LIMIT)
    detail_budget = LIMIT - _RESERVE - id_room - warning_room

    out = _header(report)
    if failed:
        out += f"### Failed checks ({len(failed)})\n\n"
    shown = 0
    for check in failed:
        section = _check(check)
        if len(out) + len(section) > detail_budget:
            break
        out += section
        shown += 1
    if shown < len(failed):
        rest = failed[shown:]
        out += (f"Not shown in detail, to keep this comment under GitHub's size limit "
                f"({_plural(len(rest), 'failed check')}): {_id_list(rest)}.\n\n")

    if warnings:
        out += (f"### Warnings ({len(warnings)})\n\n"
                "SHOULD checks that failed at level standard: they do not change the verdict "
                "(at level strict they would).\n\n")
        listed = 0
        budget = len(out) + warning_room
        for line in warning_lines:
            if len(out) + len(line) > budget:
                break
            out += line
            listed += 1
        if listed < len(warnings):
            out += f"- Also: {_id_list(warnings[listed:])}.\n"
        out += "\n"

    closing = ("_Every failure, with its request, response excerpt and replay line, "
               "is in report.html and report.json._\n")
    if len(out) + len(closing) > LIMIT:  # only with thousands of failed checks
        out = out[: LIMIT - len(closing) - 200].rsplit("\n", 1)[0] + "\n\n_(Truncated.)_\n\n"
    return out + closing
