"""Each API's invariants run only against the documents that name them: a check written anywhere under
conformance/invariants/<name>.py or conformance/invariants/<name>/ belongs to the API whose document says
`x-crm-dialect.invariants: <name>`, and every other check belongs to no API in particular."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

from conformance.suite import all_checks
from tests.conftest import load_api

INVARIANTS_DIR = Path(__file__).resolve().parents[2] / "conformance" / "invariants"


def _owner_by_file(func: Callable[..., object]) -> str | None:
    """The API a check belongs to, read from where its source file sits (not from its module name)."""
    source = Path(inspect.getsourcefile(func) or "").resolve()
    if INVARIANTS_DIR not in source.parents:
        return None
    first = source.relative_to(INVARIANTS_DIR).parts[0]
    return first.removesuffix(".py")


def test_a_check_belongs_to_the_invariants_module_or_package_it_is_written_in() -> None:
    wrong = {c.id: (c.invariants, _owner_by_file(c.func)) for c in all_checks()
             if c.invariants != _owner_by_file(c.func)}
    assert wrong == {}


def test_each_document_names_invariants_that_hold_checks() -> None:
    named = {load_api(dialect).dialect.invariants for dialect in ("revorbit", "olympus", "concord", "ysuite")}
    assert named == {"revorbit", "olympus", "concord", "ysuite"}
    owners = {c.invariants for c in all_checks()} - {None}
    assert owners == named
