"""What a check sees while it runs: the API, the target, the suite's own records, and its result."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, NoReturn

from conformance.model import CheckResult, Evidence, Level, Status
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


@dataclass
class RunContext:
    api: Api
    target: Target
    options: Options
    fixtures: Any = None                    # conformance.fixtures.Fixtures, set by the runner
    rng: random.Random = field(default_factory=random.Random)

    @property
    def dialect(self) -> Any:
        return self.api.dialect

    def operation(self, operation_id: str) -> Operation:
        return self.api.operation(operation_id)

    def operation_of(self, exchange: Exchange) -> Operation | None:
        if not exchange.operation:
            return None
        index = self.__dict__.setdefault("_ops", {str(op): op for op in self.api.operations})
        return index.get(exchange.operation)

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
    failed_count: int = 0

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

    def fail(self, exchange: Exchange | None, message: str, operation: str | None = None) -> None:
        self.observations += 1
        self.failed_count += 1
        if len(self.failures) >= MAX_EVIDENCE:
            return
        if exchange is None:
            self.failures.append(Evidence(operation or "", message, {}, {}, ""))
            return
        request, response = exchange.evidence()
        self.failures.append(Evidence(operation or exchange.operation or f"{exchange.method} {exchange.url}",
                                      message, request, response, exchange.curl()))

    def expect(self, condition: bool, exchange: Exchange | None, message: str) -> bool:
        if condition:
            self.observe()
        else:
            self.fail(exchange, message)
        return condition

    def skip(self, reason: str) -> NoReturn:
        raise Skip(reason)

    def result(self) -> CheckResult:
        status: Status = "skipped" if self.skipped is not None else ("failed" if self.failed_count else "passed")
        if status == "passed" and self.observations == 0:
            status, self.skipped = "skipped", self.skipped or "nothing to judge: no response in scope"
        return CheckResult(
            id=self.check.id, family=self.check.family, title=self.check.title, severity=self.check.severity,
            source=self.check.source, status=status, failures=self.failures, reason=self.skipped,
            observations=self.observations,
        )
