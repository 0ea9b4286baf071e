"""What a check sees while it runs: the API, the target, the suite's own records, and its result."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from conformance.ledger import Ledger
from conformance.model import Check, CheckResult, Evidence, Level, Preflight, Severity, Status, Waiver
from conformance.target import Exchange, Target
from crmspec.model import Api, Operation
from crmspec.requirements import Requirement

MAX_EVIDENCE = 25  # per check: enough to act on, small enough to read


class Skip(Exception):
    """The check cannot run here (a missing credential, an API without the feature)."""


@dataclass
class Options:
    seed: int = 0
    level: Level = "standard"
    max_examples: int = 10
    families: tuple[str, ...] = ()          # empty: all
    keep_records: bool = False              # leave the suite's records on the target (to replay a failure)
    min_coverage: float | None = None       # fail the run below this MUST coverage
    waivers: tuple[Waiver, ...] = ()        # failures shown, counted against nothing


def designed(op: Operation | None) -> bool:
    """An operation the pages do not define (x-source: inferred): the project's design, never a MUST."""
    return op is not None and op.source == "inferred"


@dataclass
class RunContext:
    api: Api
    target: Target
    options: Options
    fixtures: Any = None                    # conformance.fixtures.Fixtures, set by the runner
    rng: random.Random = field(default_factory=random.Random)
    preflight: Preflight = field(default_factory=Preflight)
    ledger: Ledger = field(init=False)

    def __post_init__(self) -> None:
        self._by_name = {str(op): op for op in self.api.operations}
        self.ledger = Ledger(self.api.requirements)

    @property
    def dialect(self) -> Any:
        return self.api.dialect

    def operation(self, operation_id: str) -> Operation:
        return self.api.operation(operation_id)

    def operation_named(self, name: str | None) -> Operation | None:
        """The documented operation called "METHOD /path/{template}", if there is one."""
        return self._by_name.get(name) if name else None

    def operation_of(self, exchange: Exchange) -> Operation | None:
        return self.operation_named(exchange.operation)

    def call(self, op: Operation, path_values: dict[str, Any] | None = None, *, params: dict[str, Any] | None = None,
             json_body: Any = None, credential: str | None = "default", headers: dict[str, str] | None = None,
             data: bytes | str | None = None, source: str = "scenario") -> Exchange:
        """Send a request to one documented operation, path parameters filled in."""
        path = op.path
        for name, value in (path_values or {}).items():
            path = path.replace("{" + name + "}", str(value))
        return self.target.send(op.method.upper(), path, operation=str(op), params=params, json_body=json_body,
                                credential=credential, headers=headers, data=data, source=source)


@dataclass
class CheckRun:
    """One check's run: it reports observations here; the runner turns this into a CheckResult."""

    check: Check
    ctx: RunContext
    failures: list[Evidence] = field(default_factory=list)
    observations: int = 0
    skipped: str | None = None
    fault: str | None = None                 # the check broke: a fault of the tool (status "error")
    trace: str | None = None
    # every failure, by (operation, the level it counts at, the requirements it breaks)
    tally: Counter[tuple[str, Severity, tuple[str, ...]]] = field(default_factory=Counter)
    waived_failures: int = 0
    noted: set[Any] = field(default_factory=set)  # what a check judging many answers has already credited once

    @property
    def api(self) -> Api:
        return self.ctx.api

    @property
    def dialect(self) -> Any:
        return self.ctx.api.dialect

    @property
    def target(self) -> Target:
        return self.ctx.target

    @property
    def fixtures(self) -> Any:
        return self.ctx.fixtures

    @property
    def must_failures(self) -> int:
        return sum(n for (_, level, _), n in self.tally.items() if level == "MUST")

    @property
    def should_failures(self) -> int:
        return sum(n for (_, level, _), n in self.tally.items() if level == "SHOULD")

    def call(self, op: Operation, path_values: dict[str, Any] | None = None, **kwargs: Any) -> Exchange:
        return self.ctx.call(op, path_values, **kwargs)

    def _where(self, exchange: Exchange | None, operation: str | Operation | None) -> tuple[str, Operation | None]:
        named = operation if isinstance(operation, str) else (str(operation) if operation is not None else None)
        op = operation if isinstance(operation, Operation) else self.ctx.operation_named(named) if named \
            else (self.ctx.operation_of(exchange) if exchange is not None else None)
        return named or (exchange.operation if exchange is not None else "") or "", op

    def observe(self, exchange: Exchange | None = None, about: Mapping[str, Any] | None = None,
                operation: str | Operation | None = None) -> None:
        """A passed observation (of the exchange's operation, about `about`)."""
        where, _ = self._where(exchange, operation)
        self.observations += 1
        self.ctx.ledger.record(self.check.id, where or None, about, passed=True)

    def level_for(self, operation: Operation | None, level: Severity | None = None,
                  requirements: tuple[Requirement, ...] = ()) -> Severity:
        """The level a failure counts at: the requirements' it breaks (MUST if any is), else the check's;
        lowered by a check to SHOULD for a lenient part of its rule; at most SHOULD on an operation the
        pages do not define."""
        if designed(operation) or level == "SHOULD":
            return "SHOULD"
        if requirements:
            return "MUST" if any(r.level == "MUST" for r in requirements) else "SHOULD"
        return self.check.severity

    def fail(self, exchange: Exchange | None, message: str, operation: str | Operation | None = None,
             level: Severity | None = None, about: Mapping[str, Any] | None = None) -> None:
        """Record a failed observation. `operation` names the operation it concerns when it is not the
        exchange's own; `about` what of it (a parameter, a field, a status); `level` lowers a check's MUST
        to SHOULD for a lenient part of its rule."""
        where, op = self._where(exchange, operation)
        requirements = tuple(self.ctx.ledger.record(self.check.id, where or None, about, passed=False,
                                                    message=message))
        counted = self.level_for(op, level, requirements)
        ids = tuple(sorted(r.id for r in requirements))
        self.observations += 1
        self.tally[(where, counted, ids)] += 1
        if len(self.failures) >= MAX_EVIDENCE:
            return
        if exchange is None:
            self.failures.append(Evidence(where, message, {}, {}, "", counted, ids))
            return
        request, response = exchange.evidence()
        self.failures.append(Evidence(where or f"{exchange.method} {exchange.url}", message, request, response,
                                      exchange.curl(), counted, ids))

    def expect(self, condition: bool, exchange: Exchange | None, message: str, level: Severity | None = None,
               about: Mapping[str, Any] | None = None, operation: str | Operation | None = None) -> bool:
        """An observation that passes when `condition` holds (see `fail` for the keywords)."""
        if condition:
            self.observe(exchange, about, operation)
        else:
            self.fail(exchange, message, operation=operation, level=level, about=about)
        return condition

    def forget(self, operations: set[str]) -> None:
        """Take back every failure on these operations (inferred operations the target does not have:
        nothing the pages define, so nothing to judge)."""
        for key, number in list(self.tally.items()):
            if key[0] in operations:
                del self.tally[key]
                self.observations -= number
        self.failures = [f for f in self.failures if f.operation not in operations]

    def waive(self, waived: set[str]) -> None:
        """A waived failure is shown, and counts against nothing: the check is waived, or every requirement
        the failure breaks is (a failure that breaks none can only be waived with its check)."""
        for key, number in list(self.tally.items()):
            if self.check.id in waived or (key[2] and set(key[2]) <= waived):
                del self.tally[key]
                self.waived_failures += number
        for evidence in self.failures:
            if self.check.id in waived or (evidence.requirements and set(evidence.requirements) <= waived):
                evidence.waived = True

    def skip(self, reason: str) -> NoReturn:
        raise Skip(reason)

    def result(self) -> CheckResult:
        failed = self.must_failures + self.should_failures
        status: Status = "error" if self.fault is not None else (
            "skipped" if self.skipped is not None else (
                "failed" if failed else "waived" if self.waived_failures else "passed"))
        if status == "passed" and self.observations == 0:
            status, self.skipped = "skipped", self.skipped or "nothing to judge: no response in scope"
        reason = self.fault if status == "error" else self.skipped
        return CheckResult(
            id=self.check.id, family=self.check.family, title=self.check.title, severity=self.check.severity,
            source=self.check.source, status=status, failures=self.failures, reason=reason,
            observations=self.observations, must_failures=self.must_failures,
            should_failures=self.should_failures, trace=self.trace if status == "error" else None,
            waived_failures=self.waived_failures,
        )
