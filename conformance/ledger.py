"""Which requirements a run verified: every observation a check reports is tallied against the
requirements of the API's catalogue that it meets (docs/requirements.md), per operation, so that an
operation set aside as not implemented can be taken back whole."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crmspec.requirements import Catalogue, Requirement

EVIDENCE_KEPT = 3  # failures kept per requirement for the report


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0


@dataclass
class Ledger:
    catalogue: Catalogue | None
    tallies: dict[str, dict[str, Tally]] = field(default_factory=lambda: defaultdict(dict))  # id -> operation -> tally
    checks: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))           # id -> checks that met it
    messages: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))      # id -> first failures

    def met(self, check_id: str, operation: str | None, about: Mapping[str, Any] | None) -> list[Requirement]:
        if self.catalogue is None:
            return []
        return self.catalogue.matching(check_id, operation, about or {})

    def record(self, check_id: str, operation: str | None, about: Mapping[str, Any] | None, passed: bool,
               message: str = "") -> list[Requirement]:
        """Tally one observation; returns the requirements it met."""
        requirements = self.met(check_id, operation, about)
        for requirement in requirements:
            tally = self.tallies[requirement.id].setdefault(operation or "", Tally())
            if passed:
                tally.passed += 1
            else:
                tally.failed += 1
                if len(self.messages[requirement.id]) < EVIDENCE_KEPT:
                    self.messages[requirement.id].append(f"{check_id} {operation or ''}: {message}".strip())
            self.checks[requirement.id].add(check_id)
        return requirements

    def forget(self, operations: set[str]) -> None:
        for by_operation in self.tallies.values():
            for name in operations & set(by_operation):
                del by_operation[name]

    def outcome(self, requirement_id: str) -> tuple[int, int]:
        """(passed, failed) observations of a requirement over every operation."""
        tallies = self.tallies.get(requirement_id, {}).values()
        return sum(t.passed for t in tallies), sum(t.failed for t in tallies)
