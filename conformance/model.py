"""Results of a conformance run: what the reporters render and what the exit code is computed from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["MUST", "SHOULD"]
Status = Literal["passed", "failed", "skipped", "error", "waived"]
Outcome = Literal["passed", "failed", "warning", "skipped", "error", "waived"]
Verdict = Literal["conformant", "non-conformant", "error"]
Level = Literal["standard", "strict"]
Mode = Literal["run", "proxy"]          # the suite's own requests, or a client's traffic the proxy watched

FAMILIES = ("status", "envelope", "schema", "pagination", "auth", "validation", "lifecycle", "semantics")


@dataclass(slots=True)
class Evidence:
    """One failed observation, with what a developer needs to replay it."""

    operation: str                      # "GET /deals/{id}"
    message: str                        # what is wrong, in one sentence
    request: dict[str, Any]             # {method, url, headers, body}
    response: dict[str, Any]            # {status, headers, body (excerpt, at most 2 KB)}
    curl: str                           # a shell line that replays the request (credentials as variables)
    level: Severity = "MUST"            # the check's level, or SHOULD where the operation is the project's design
    requirements: tuple[str, ...] = ()  # the ids of the requirements it breaks
    waived: bool = False                # a waiver covers it: shown, counted against nothing


@dataclass(slots=True)
class CheckResult:
    id: str                             # stable, e.g. "PAG-003"
    family: str                         # one of FAMILIES
    title: str
    severity: Severity                  # the check's own level; a failure may count lower (Evidence.level)
    source: str                         # the seed statement or dialects.md decision it enforces
    status: Status                      # error: the check itself broke (a fault of the tool, not the server)
    failures: list[Evidence] = field(default_factory=list)
    reason: str | None = None           # why it was skipped, what broke (status error), or a note
    observations: int = 0               # how many responses the check judged
    must_failures: int = 0              # failed observations that count at the MUST level
    should_failures: int = 0            # failed observations that count at the SHOULD level only
    trace: str | None = None            # the tool fault's traceback (status error): report.json only
    waived_failures: int = 0            # failed observations a waiver covers

    def __post_init__(self) -> None:
        if self.status == "failed" and not (self.must_failures or self.should_failures):
            # a result built without counts: every failure counts at the check's own level
            count = max(len(self.failures), 1)
            if self.severity == "MUST":
                self.must_failures = count
            else:
                self.should_failures = count

    def outcome(self, level: Level) -> Outcome:
        """How the check counts at a run's level."""
        if self.status != "failed":
            return self.status
        return "failed" if self.counts_against(level) else "warning"

    def counts_against(self, level: Level) -> bool:
        """Whether its failures decide the verdict: a MUST-level one, or any at the strict level (also
        those a check recorded before it broke: what it saw the server do is still true)."""
        return bool(self.must_failures or (level == "strict" and self.should_failures))

    @property
    def counted_severity(self) -> Severity:
        """The level at which the check's failures count: MUST if any failure does."""
        return "MUST" if self.must_failures else "SHOULD"


@dataclass(slots=True)
class Preflight:
    """What the run proved about each credential before judging (safe reads only)."""

    credential: str = "not tried"       # "accepted: 200 on GET /deals", or why the run stopped
    expired: str = "not given"          # "refused: 401 on GET /deals", or why the expiry checks are skipped
    limited: str = "not given"          # "refused: 403 on GET /products", or why the 403 checks are skipped
    expired_refused: bool = False
    limited_refused: bool = False


RequirementStatus = Literal["passed", "failed", "waived", "not exercised", "untestable"]


@dataclass(slots=True)
class RequirementResult:
    """What a run shows about one requirement of the API's catalogue."""

    id: str
    title: str
    level: Severity
    kind: str
    source: str
    quote: str
    operations: tuple[str, ...]
    checks: tuple[str, ...]             # the checks that verify it
    status: RequirementStatus
    reason: str | None = None           # why it was not exercised, or is untestable
    passed: int = 0                     # observations that met it
    failed: int = 0
    failures: tuple[str, ...] = ()      # the first failures, as "CHECK operation: message"


@dataclass(slots=True)
class Coverage:
    """Requirements exercised (passed, failed or waived) over testable requirements, per level; and the
    documented statuses each operation was seen answering."""

    must_exercised: int = 0
    must_testable: int = 0
    should_exercised: int = 0
    should_testable: int = 0
    statuses_seen: int = 0
    statuses_documented: int = 0
    unseen_statuses: tuple[str, ...] = ()   # "GET /deals 422" pairs never observed

    @staticmethod
    def ratio(part: int, whole: int) -> float:
        """part / whole; nothing to cover covers nothing (a document without a catalogue is 0%)."""
        return round(part / whole, 4) if whole else 0.0

    @property
    def must(self) -> float:
        return self.ratio(self.must_exercised, self.must_testable)

    @property
    def should(self) -> float:
        return self.ratio(self.should_exercised, self.should_testable)

    @property
    def statuses(self) -> float:
        return self.ratio(self.statuses_seen, self.statuses_documented)


@dataclass(slots=True)
class Waiver:
    id: str                             # a requirement or a check id
    justification: str
    owner: str
    expires: str                        # YYYY-MM-DD


@dataclass(slots=True)
class ClientViolation:
    """Requests a client sent through the proxy that break the document: the client's mistakes, never the
    server's (party "client"), counted per rule and operation with the first example."""

    id: str                             # CLI-001 ...
    title: str
    operation: str
    count: int
    message: str                        # the first example's
    request: dict[str, Any]             # the first example {method, url, headers, body}, credentials redacted


@dataclass(slots=True)
class Traffic:
    """What the proxy saw (mode "proxy"): the exchanges it forwarded and how it judged them."""

    upstream: str
    exchanges: int = 0                  # forwarded (answered by the upstream, or failed to reach it)
    judged: int = 0                     # judged by the response checks
    operations: dict[str, dict[str, int]] = field(default_factory=dict)  # "GET /deals" -> {"200": 12}
    not_in_document: dict[str, int] = field(default_factory=dict)      # "DELETE /api/nowhere" -> exchanges
    not_judged: dict[str, int] = field(default_factory=dict)           # "GET /x: why" -> exchanges
    client_violations: list[ClientViolation] = field(default_factory=list)
    flagged: int = 0                    # answers that carried X-Crm-Violations
    replaced: int = 0                   # answers replaced by a 502 (--errors)


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
    preflight: Preflight = field(default_factory=Preflight)
    not_implemented: list[str] = field(default_factory=list)   # inferred operations the target does not have
    leftovers: list[str] = field(default_factory=list)        # records the suite created and could not delete
    requirements: list[RequirementResult] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)
    catalogue: str | None = None        # path of the requirements catalogue
    catalogue_sha256: str | None = None
    options: dict[str, Any] = field(default_factory=dict)    # what the run was asked to do (no credentials)
    waivers: list[Waiver] = field(default_factory=list)
    min_coverage: float | None = None   # --min-coverage: below it (MUST coverage) the run fails
    mode: Mode = "run"
    traffic: Traffic | None = None      # mode "proxy": the traffic it watched

    def counts(self) -> dict[str, int]:
        out = {"passed": 0, "failed": 0, "skipped": 0, "warnings": 0, "errors": 0, "waived": 0}
        for check in self.checks:
            kind = check.outcome(self.level)
            out[{"warning": "warnings", "error": "errors"}.get(kind, kind)] += 1
        return out

    @property
    def below_min_coverage(self) -> bool:
        return self.min_coverage is not None and self.coverage.must < self.min_coverage


def verdict_of(results: list[CheckResult], level: Level) -> Verdict:
    """Non-conformant on a counted failure; error when a check that could count broke; else conformant.

    A broken check (a fault of the tool) never makes a server non-conformant, but it leaves a rule
    undecided: the run cannot certify unless some other MUST failure already decided the verdict."""
    if any(r.counts_against(level) for r in results):
        return "non-conformant"
    if any(r.status == "error" and (r.severity == "MUST" or level == "strict") for r in results):
        return "error"
    return "conformant"


CheckKind = Literal["scenario", "response"]


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    family: str
    title: str
    severity: Severity
    source: str                 # the page statement or dialects.md decision the check enforces
    kind: CheckKind
    func: Callable[..., Any]
    invariants: str | None = None    # the invariants module it belongs to (x-crm-dialect.invariants); None: any API
