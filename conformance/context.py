"""What a check sees while it runs: the API, the target, the suite's own records, and its result."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NoReturn

from conformance.model import CheckResult, Evidence, Level, Preflight, Severity, Status
from conformance.registry import Check
from conformance.target import Exchange, Target
from crmspec.model import Api, Operation

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

    def __post_init__(self) -> None:
        self._by_name = {str(op): op for op in self.api.operations}

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
    """One check's run: it reports failures here; the runner turns this into a CheckResult."""

    check: Check
    ctx: RunContext
    failures: list[Evidence] = field(default_factory=list)
    observations: int = 0
    skipped: str | None = None
    must_failures: int = 0
    should_failures: int = 0
    fault: str | None = None                 # the check broke: a fault of the tool (status "error")
    trace: str | None = None
    per_operation: Counter[tuple[str, Severity]] = field(default_factory=Counter)

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

    def call(self, op: Operation, path_values: dict[str, Any] | None = None, **kwargs: Any) -> Exchange:
        return self.ctx.call(op, path_values, **kwargs)

    def observe(self) -> None:
        self.observations += 1

    def level_for(self, operation: Operation | None, level: Severity | None = None) -> Severity:
        """The level a failure counts at: the check's (or the one asked for), at most SHOULD on an
        operation the pages do not define."""
        wanted = level or self.check.severity
        return "SHOULD" if designed(operation) else wanted

    def fail(self, exchange: Exchange | None, message: str, operation: str | Operation | None = None,
             level: Severity | None = None) -> None:
        """Record a failed observation. `operation` names the operation it concerns when it is not the
        exchange's own; `level` lowers a check's MUST to SHOULD for a lenient part of its rule."""
        named = operation if isinstance(operation, str) else (str(operation) if operation is not None else None)
        op = operation if isinstance(operation, Operation) else self.ctx.operation_named(named) if named \
            else (self.ctx.operation_of(exchange) if exchange is not None else None)
        counted = self.level_for(op, level)
        self.observations += 1
        if counted == "MUST":
            self.must_failures += 1
        else:
            self.should_failures += 1
        where = named or (exchange.operation if exchange is not None else "") or ""
        self.per_operation[(where, counted)] += 1
        if len(self.failures) >= MAX_EVIDENCE:
            return
        if exchange is None:
            self.failures.append(Evidence(where, message, {}, {}, "", counted))
            return
        request, response = exchange.evidence()
        self.failures.append(Evidence(where or f"{exchange.method} {exchange.url}", message, request, response,
                                      exchange.curl(), counted))

    def expect(self, condition: bool, exchange: Exchange | None, message: str,
               level: Severity | None = None) -> bool:
        if condition:
            self.observe()
        else:
            self.fail(exchange, message, level=level)
        return condition

    def forget(self, operations: set[str]) -> None:
        """Take back every failure on these operations (inferred operations the target does not have:
        nothing the pages define, so nothing to judge)."""
        for (name, counted), number in list(self.per_operation.items()):
            if name not in operations:
                continue
            del self.per_operation[(name, counted)]
            if counted == "MUST":
                self.must_failures -= number
            else:
                self.should_failures -= number
            self.observations -= number
        self.failures = [f for f in self.failures if f.operation not in operations]

    def skip(self, reason: str) -> NoReturn:
        raise Skip(reason)

    def result(self) -> CheckResult:
        failed = self.must_failures + self.should_failures
        status: Status = "error" if self.fault is not None else (
            "skipped" if self.skipped is not None else ("failed" if failed else "passed"))
        if status == "passed" and self.observations == 0:
            status, self.skipped = "skipped", self.skipped or "nothing to judge: no response in scope"
        reason = self.fault if status == "error" else self.skipped
        return CheckResult(
            id=self.check.id, family=self.check.family, title=self.check.title, severity=self.check.severity,
            source=self.check.source, status=status, failures=self.failures, reason=reason,
            observations=self.observations, must_failures=self.must_failures,
            should_failures=self.should_failures, trace=self.trace if status == "error" else None,
        )
