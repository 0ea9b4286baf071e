"""What a run covered: each requirement of the API's catalogue passed, failed, waived, not exercised (and
why) or untestable; the coverage figures; and which documented statuses each operation was seen answering."""

from __future__ import annotations

from conformance.ledger import Ledger
from conformance.model import CheckResult, Coverage, RequirementResult, RequirementStatus
from conformance.target import Exchange
from crmspec.model import Api


def requirement_results(api: Api, ledger: Ledger, checks: list[CheckResult], not_implemented: list[str],
                        waived: set[str]) -> list[RequirementResult]:
    catalogue = api.requirements
    if catalogue is None:
        return []
    by_id = {c.id: c for c in checks}
    absent = set(not_implemented)
    out = []
    for requirement in catalogue.requirements:
        passed, failed = ledger.outcome(requirement.id)
        reason: str | None = None
        status: RequirementStatus
        if not requirement.testable:
            status, reason = "untestable", requirement.reason
        elif failed:
            waived_by = requirement.id in waived or bool(requirement.checks) and set(requirement.checks) <= waived
            status = "waived" if waived_by else "failed"
        elif passed:
            status = "passed"
        else:
            status, reason = "not exercised", _why_not(requirement.checks, requirement.operations, by_id, absent)
        out.append(RequirementResult(
            id=requirement.id, title=requirement.title, level=requirement.level, kind=requirement.kind,
            source=requirement.source, quote=requirement.quote, operations=requirement.operations,
            checks=requirement.checks, status=status, reason=reason, passed=passed, failed=failed,
            failures=tuple(ledger.messages.get(requirement.id, ())),
        ))
    return out


def _why_not(checks: tuple[str, ...], operations: tuple[str, ...], results: dict[str, CheckResult],
             absent: set[str]) -> str:
    if not checks:
        return "no check verifies it yet"
    if operations and set(operations) <= absent:
        return "operation not implemented (inferred): " + ", ".join(operations)
    ran = [results[c] for c in checks if c in results]
    if not ran:
        return "its checks did not run in this run: " + ", ".join(checks)
    skipped = [f"{c.id}: {c.reason}" for c in ran if c.status in ("skipped", "error")]
    if len(skipped) == len(ran):
        return "skipped (" + "; ".join(skipped) + ")"
    return "its checks ran but never reached it (no record to work on, or nothing of it in the answers)"


def coverage_of(results: list[RequirementResult], api: Api, exchanges: list[Exchange]) -> Coverage:
    exercised = ("passed", "failed", "waived")
    testable = [r for r in results if r.status != "untestable"]
    must = [r for r in testable if r.level == "MUST"]
    should = [r for r in testable if r.level == "SHOULD"]
    seen = {(e.operation, str(e.status)) for e in exchanges if e.status is not None and e.operation}
    documented = [(str(op), code) for op in api.operations for code in (op.raw.get("responses") or {})
                  if code[0] in "12345" and code.isdigit()]
    unseen = tuple(f"{op} {code}" for op, code in documented if (op, code) not in seen)
    return Coverage(
        must_exercised=sum(r.status in exercised for r in must), must_testable=len(must),
        should_exercised=sum(r.status in exercised for r in should), should_testable=len(should),
        statuses_seen=len(documented) - len(unseen), statuses_documented=len(documented), unseen_statuses=unseen,
    )
