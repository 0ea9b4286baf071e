"""Results of a conformance run: what the reporters render and what the exit code is computed from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["MUST", "SHOULD"]
Status = Literal["passed", "failed", "skipped"]
Verdict = Literal["conformant", "non-conformant", "error"]
Level = Literal["standard", "strict"]

FAMILIES = ("status", "envelope", "schema", "pagination", "auth", "validation", "lifecycle", "semantics")


@dataclass(slots=True)
class Evidence:
    """One failed observation, with what a developer needs to replay it."""

    operation: str                      # "GET /deals/{id}"
    message: str                        # what is wrong, in one sentence
    request: dict[str, Any]             # {method, url, headers, body}
    response: dict[str, Any]            # {status, headers, body (excerpt, at most 2 KB)}
    curl: str                           # a shell line that replays the request


@dataclass(slots=True)
class CheckResult:
    id: str                             # stable, e.g. "PAG-003"
    family: str                         # one of FAMILIES
    title: str
    severity: Severity
    source: str                         # the seed statement or dialects.md decision it enforces
    status: Status
    failures: list[Evidence] = field(default_factory=list)
    reason: str | None = None           # why it was skipped, or a note
    observations: int = 0               # how many responses the check judged


@dataclass(slots=True)
class RunResult:
    verdict: Verdict
    dialect: str
    title: str
    target: str
    seed: int
    level: Level
    document: str                       # path of the document
    document_sha256: str
    tool_version: str
    started_at: str                     # RFC 3339
    duration_seconds: float
    checks: list[CheckResult]
    error: str | None = None            # why the run could not certify (verdict "error")
    requests_sent: int = 0

    def counts(self) -> dict[str, int]:
        out = {"passed": 0, "failed": 0, "skipped": 0, "warnings": 0}
        for check in self.checks:
            if check.status == "failed" and check.severity == "SHOULD" and self.level == "standard":
                out["warnings"] += 1
            else:
                out[check.status] += 1
        return out
