"""Records generated in a forked child while the seeder stores them (mock_server/seeding_aside.py) are the records
one process generates: the golden states of tests/unit/test_seeding_is_reproducible.py, reached with the child
generating every resource it may, and again when the parent has to take over half-way: storing needs a draw, a
write hook wrote, a record of the resource being generated was given another id than the store gave it, or the
child failed (here, by reading more than the id of such a record). Each case also shows that the path it names
was taken. The scenarios run in processes of their own (seeding_aside_scenarios.py): only a process without
other threads forks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DIALECTS
from tests.unit.test_seeding_is_reproducible import GOLDEN

ROOT = Path(__file__).resolve().parents[2]


def golden(dialect: str) -> Any:
    return json.loads((GOLDEN / f"{dialect}.json").read_text(encoding="utf-8"))["seeded"]


def scenario(name: str, dialect: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "tests.unit.seeding_aside_scenarios", name, dialect],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    found: dict[str, Any] = json.loads(done.stdout)
    return found


# YSUITE's deal hook moves a deal to its pipeline's first stage: settling such a deal draws, so the parent takes over
EXPECTED_DRAWS = {"ysuite": ["deals: settling needs a draw"]}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_child_generating_seeds_the_golden_state(dialect: str) -> None:
    found = scenario("plain", dialect)
    assert found["state"] == golden(dialect)
    assert found["children"] >= 1, "no resource was generated aside"
    assert found["take_overs"] == EXPECTED_DRAWS.get(dialect, [])


# (scenario, API, the table whose records the scenario changes, the take-over it causes): a write rule that moves
# every third contract's creation a year ahead, so settling it draws; the store's key sequence jumping before
# Concord's seventh company (companies pick a parent company among their own, and the child gave each the id an
# empty table's key makes). The state is then not the golden one, but the one a single process seeds alike.
CHANGING = [("draw", "revorbit", "contracts", "contracts: settling needs a draw"),
            ("ids", "concord", "companies", "companies: an id other than the store's")]
# (scenario, API, the take-over it causes): a write hook that writes, a child that fails, a child that reads more
# than the id of a record of its own resource. The records stay the golden ones.
KEEPING = [("write", "revorbit", "tasks: a write hook wrote"),
           ("fail", "revorbit", "deals: the child failed"),
           ("unseen", "concord", "companies: the child failed")]


@pytest.mark.parametrize(("name", "dialect", "table", "reason"), CHANGING, ids=[case[0] for case in CHANGING])
def test_a_take_over_seeds_what_one_process_seeds(name: str, dialect: str, table: str, reason: str) -> None:
    found = scenario(name, dialect)
    assert found["state"] == found["alone"]
    assert found["state"][table] != golden(dialect)[table], f"the scenario changed no record of {table}"
    assert found["take_overs"] == [reason]


@pytest.mark.parametrize(("name", "dialect", "reason"), KEEPING, ids=[case[0] for case in KEEPING])
def test_a_take_over_keeps_the_golden_state(name: str, dialect: str, reason: str) -> None:
    found = scenario(name, dialect)
    assert found["state"] == golden(dialect)
    assert found["take_overs"] == [reason]
