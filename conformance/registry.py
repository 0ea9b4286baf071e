"""Checks are plain functions registered with a stable id, a family, a severity and their source."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from conformance.model import FAMILIES, Check, Severity

if TYPE_CHECKING:
    from conformance.context import CheckRun
    from conformance.target import Exchange

INVARIANTS_PACKAGE = "conformance.invariants."


def _invariants_of(func: Callable[..., Any]) -> str | None:
    """A check defined in conformance/invariants/<name>.py, or in a module of the package
    conformance/invariants/<name>/, belongs to the API whose document names <name>."""
    module = func.__module__
    return module.removeprefix(INVARIANTS_PACKAGE).split(".")[0] if module.startswith(INVARIANTS_PACKAGE) else None


REGISTRY: dict[str, Check] = {}


def _register(check: Check) -> None:
    if check.family not in FAMILIES:
        raise ValueError(f"{check.id}: unknown family {check.family!r}")
    if check.id in REGISTRY:
        raise ValueError(f"{check.id} is registered twice")
    REGISTRY[check.id] = check


def scenario(id: str, family: str, title: str, severity: Severity,
             source: str) -> Callable[[Callable[[CheckRun], None]], Callable[[CheckRun], None]]:
    """A check that drives its own requests: `def check(run: CheckRun) -> None`."""
    def decorate(func: Callable[[CheckRun], None]) -> Callable[[CheckRun], None]:
        _register(Check(id, family, title, severity, source, "scenario", func, _invariants_of(func)))
        return func
    return decorate


def response(id: str, family: str, title: str, severity: Severity,
             source: str) -> Callable[[Callable[[CheckRun, Exchange], None]], Callable[[CheckRun, Exchange], None]]:
    """A check that judges every exchange the run made: `def check(run, exchange) -> None`."""
    def decorate(func: Callable[[CheckRun, Exchange], None]) -> Callable[[CheckRun, Exchange], None]:
        _register(Check(id, family, title, severity, source, "response", func, _invariants_of(func)))
        return func
    return decorate


def registered() -> list[Check]:
    """The checks registered so far, by id (conformance.suite.all_checks imports every one first)."""
    return sorted(REGISTRY.values(), key=lambda c: c.id)
