"""The whole suite: every generic check and every API's invariants, registered by importing them.

Kept apart from the registry so that the registry, which the checks import to register themselves, never
imports the checks back (no import cycle)."""

from __future__ import annotations

from conformance import checks, invariants  # noqa: F401  (importing registers every check)
from conformance.model import Check
from conformance.registry import registered


def all_checks() -> list[Check]:
    return registered()
