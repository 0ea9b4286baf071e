"""The live judgement of the traffic: every response check on every exchange as it passes, the client's
request rules, counts per operation; and the report of it all, at any moment (the live view) or on exit.

One lock guards everything: the checks and the ledger they report to are not thread-safe, and judging one
exchange is short next to the upstream's answer.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from conformance.context import MAX_EVIDENCE, CheckRun, Options, RunContext
from conformance.ledger import Ledger, Tally
from conformance.model import ClientViolation, RunResult, Traffic
from conformance.proxy.client_rules import RULES, RequestRules
from conformance.proxy.redact import Redactor
from conformance.proxy.wire import Violation
from conformance.runner import conclude, judge, not_implemented, selected_checks
from conformance.target import Exchange, Target
from crmspec.model import Api, Operation
from crmspec.routes import Routes

DISTINCT_UNKNOWN = 200      # distinct "not in the document" requests listed; the rest are counted together
NOT_ANSWERED = "no answer"


@dataclass(slots=True)
class Seen:
    """One exchange as the proxy saw it."""

    method: str
    path: str                       # the path requested (and forwarded), without the query
    operation: Operation | None     # None: not in the document
    exchange: Exchange              # credentials redacted on the request side; the body as the upstream sent it
    client: list[Violation]         # the client's own mistakes
    not_judged: str | None = None   # why the answer was not judged (a body over the cap, no answer)


class Watch:
    def __init__(self, api: Api, upstream: str, options: Options, redactor: Redactor, *, errors: bool = False,
                 settings: dict[str, Any] | None = None) -> None:
        self.api, self.options, self.redactor, self.errors = api, options, redactor, errors
        self.settings = settings or {}
        self.ctx = RunContext(api, Target(upstream, api.dialect.auth), options)
        self.checks = [c for c in selected_checks(api, options) if c.kind == "response"]
        self.runs = {c.id: CheckRun(c, self.ctx) for c in self.checks}
        self.routes = Routes(api.operations)
        self.rules: dict[Operation, RequestRules] = {}
        self.traffic = Traffic(upstream)
        self.client: dict[tuple[str, str], ClientViolation] = {}
        # one exchange (no body) per (operation, status, credential): what coverage and not_implemented read
        self.representatives: dict[tuple[str, int | None, str | None], Exchange] = {}
        self.lock = threading.Lock()
        self.started_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.clock = time.monotonic()
        root = urlsplit(upstream).path.rstrip("/")
        base = api.dialect.base_path.rstrip("/")
        # the client calls the proxy as it would the upstream: the same paths, only the host and port change
        self._server_root = root[: len(root) - len(base)] if base and root.endswith(base) else None
        self._api_root, self._base = root, base

    # where a request goes -------------------------------------------------------------------------------
    def document_path(self, path: str) -> str | None:
        """The requested path as the document writes it (its mount and path), or None when it is not the API's."""
        if self._server_root is not None:
            return path[len(self._server_root):] if path.startswith(self._server_root + "/") else None
        return self._base + path[len(self._api_root):] if path.startswith(self._api_root + "/") else None

    def operation(self, method: str, path: str) -> Operation | None:
        document_path = self.document_path(path)
        return self.routes.operation(method, document_path) if document_path is not None else None

    def rules_for(self, operation: Operation) -> RequestRules:
        rules = self.rules.get(operation)
        if rules is None:
            rules = self.rules[operation] = RequestRules(operation)
        return rules

    # one exchange -------------------------------------------------------------------------------------------
    def record(self, seen: Seen) -> list[Violation]:
        """Count and judge one exchange; the server's violations the answer is flagged with."""
        exchange = seen.exchange
        name = str(seen.operation) if seen.operation is not None else f"{seen.method} {seen.path}"
        with self.lock:
            self.traffic.exchanges += 1
            if seen.operation is None:
                self._not_in_document(name)
            else:
                statuses = self.traffic.operations.setdefault(name, {})
                code = str(exchange.status) if exchange.status is not None else NOT_ANSWERED
                statuses[code] = statuses.get(code, 0) + 1
                key = (name, exchange.status, exchange.credential)
                if key not in self.representatives:
                    self.representatives[key] = dataclasses.replace(exchange, body=b"", request_body=None)
            for violation in seen.client:
                self._client(name, violation, exchange)
            if seen.not_judged is not None:
                why = f"{name}: {seen.not_judged}"
                self.traffic.not_judged[why] = self.traffic.not_judged.get(why, 0) + 1
                return []
            if seen.operation is None:
                return []
            self.traffic.judged += 1
            found = self._judge(exchange)
            flagged = [v for v in found if v.level == "MUST" or self.options.level == "strict"]
            if flagged:
                self.traffic.flagged += 1
                self.traffic.replaced += int(self.errors)
            return flagged

    def _not_in_document(self, name: str) -> None:
        known = self.traffic.not_in_document
        if name not in known and len(known) >= DISTINCT_UNKNOWN:
            name = "(other requests not in the document)"
        known[name] = known.get(name, 0) + 1

    def _client(self, name: str, violation: Violation, exchange: Exchange) -> None:
        key = (violation.check, name)
        found = self.client.get(key)
        if found is not None:
            found.count += 1
            return
        request, _ = exchange.evidence()
        self.client[key] = ClientViolation(violation.check, RULES[violation.check], name, 1,
                                           self.redactor.text(violation.message), self.redactor.part(request))

    def _judge(self, exchange: Exchange) -> list[Violation]:
        """Each check on the exchange alone (so its failures are this exchange's), then added to the check's
        run over all the traffic."""
        found: list[Violation] = []
        for check in self.checks:
            total = self.runs[check.id]
            one = CheckRun(check, self.ctx, noted=total.noted)
            judge(one, exchange)
            total.observations += one.observations
            total.tally.update(one.tally)
            room = max(MAX_EVIDENCE - len(total.failures), 0)
            total.failures.extend(self.redactor.evidence(e) for e in one.failures[:room])
            if one.fault is not None and total.fault is None:
                total.fault, total.trace = one.fault, one.trace
            found += [Violation(check.id, self.redactor.text(e.message), e.level, e.requirements)
                      for e in one.failures]
        return found

    # the report --------------------------------------------------------------------------------------------
    def result(self) -> RunResult:
        """The report of the traffic so far, as a run's (mode "proxy"). Inferred operations the upstream does
        not have (404/405/501 to every request with a credential) are set aside on copies, so that the
        traffic still to come is judged as if nothing happened."""
        with self.lock:
            runs = [dataclasses.replace(r, tally=Counter(r.tally), failures=list(r.failures))
                    for r in self.runs.values()]
            ledger = _copy(self.ctx.ledger)
            representatives = list(self.representatives.values())
            traffic = copy.deepcopy(self.traffic)
            traffic.client_violations = [dataclasses.replace(v) for v in self.client.values()]
        missing = not_implemented(self.api, representatives)
        absent = set(missing)
        for check_run in runs:
            check_run.forget(absent)
        ledger.forget(absent)
        return conclude(self.api, ledger, runs, self.options, representatives, target=self.traffic.upstream,
                        started_at=self.started_at, duration=time.monotonic() - self.clock, error=None,
                        missing=missing, settings=self.settings, mode="proxy", traffic=traffic)


def _copy(ledger: Ledger) -> Ledger:
    tallies: defaultdict[str, dict[str, Tally]] = defaultdict(dict)
    for requirement, by_operation in ledger.tallies.items():
        tallies[requirement] = {op: Tally(t.passed, t.failed) for op, t in by_operation.items()}
    return dataclasses.replace(ledger, tallies=tallies)
