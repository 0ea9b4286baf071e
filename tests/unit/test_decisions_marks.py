"""`x-decisions` marks: every id is a decision of dialects.md section 3 (of the API's own dialect or a
cross-cutting one), and every decision the documents' prose named before it was rewritten for the API's
users is still named by a mark of the same operation, component or section.

The valid ids are copied from /work/shared/reference/dialects.md section 3 (tables 3.1 to 3.5); the
decisions named before come from main's text (tests/data/decisions_named_before.yaml), not from the marks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.document_nodes import document, nodes, owner

DIALECTS = ("revorbit", "olympus", "concord", "ysuite")
NAMED_BEFORE = Path(__file__).resolve().parent.parent / "data" / "decisions_named_before.yaml"

# dialects.md section 3: 3.1 cross-cutting X1-X12, 3.2 Revenue Orbit RO1-RO21, 3.3 Olympus OC1-OC19,
# 3.4 Concord CC1-CC16, 3.5 YSUITE YS1-YS15.
CROSS_CUTTING = frozenset("X1 X2 X3 X4 X5 X6 X7 X8 X9 X10 X11 X12".split())
OWN: dict[str, frozenset[str]] = {
    "revorbit": frozenset("RO1 RO2 RO3 RO4 RO5 RO6 RO7 RO8 RO9 RO10 RO11 RO12 RO13 RO14 RO15 RO16 RO17 RO18 "
                          "RO19 RO20 RO21".split()),
    "olympus": frozenset("OC1 OC2 OC3 OC4 OC5 OC6 OC7 OC8 OC9 OC10 OC11 OC12 OC13 OC14 OC15 OC16 OC17 OC18 "
                         "OC19".split()),
    "concord": frozenset("CC1 CC2 CC3 CC4 CC5 CC6 CC7 CC8 CC9 CC10 CC11 CC12 CC13 CC14 CC15 CC16".split()),
    "ysuite": frozenset("YS1 YS2 YS3 YS4 YS5 YS6 YS7 YS8 YS9 YS10 YS11 YS12 YS13 YS14 YS15".split()),
}


def marks(dialect: str) -> list[tuple[str, object]]:
    """(pointer, value) of every x-decisions mark outside the x-crm-dialect block."""
    return [(pointer, node["x-decisions"]) for pointer, node in nodes(document(dialect)) if "x-decisions" in node]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_mark_names_decisions_of_section_3_for_its_api(dialect: str) -> None:
    valid = OWN[dialect] | CROSS_CUTTING
    problems = []
    for pointer, ids in marks(dialect):
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            problems.append(f"{pointer}: x-decisions must be a non-empty list of ids, got {ids!r}")
            continue
        if len(set(ids)) != len(ids):
            problems.append(f"{pointer}: x-decisions repeats an id: {ids}")
        unknown = sorted(set(ids) - valid)
        if unknown:
            problems.append(f"{pointer}: {unknown} are not decisions of dialects.md section 3 for {dialect}")
    assert marks(dialect), f"{dialect}: no x-decisions mark at all"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_decision_the_prose_named_is_still_named_by_a_mark(dialect: str) -> None:
    named_before: dict[str, list[str]] = yaml.safe_load(NAMED_BEFORE.read_text(encoding="utf-8"))[dialect]
    doc = document(dialect)
    marked: dict[str, set[str]] = {}
    for pointer, ids in marks(dialect):
        marked.setdefault(owner(doc, pointer or "/"), set()).update(ids if isinstance(ids, list) else ())
    missing = {where: sorted(set(ids) - marked.get(where, set()))
               for where, ids in named_before.items() if set(ids) - marked.get(where, set())}
    assert not missing, f"{dialect}: decisions named before the rewrite and no longer marked: {missing}"
