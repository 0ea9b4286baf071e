"""Records generated in a forked child while the seeder stores them (mock_server/seeding_aside.py) are the records
one process generates: the golden states of tests/unit/test_seeding_is_reproducible.py, reached with the child
generating every resource it may, and again when the parent has to take over half-way: storing needs a draw, a
write hook wrote, or the child failed. Each case also shows that the path it names was taken. The scenarios run
in processes of their own (seeding_aside_scenarios.py): only a process without other threads forks."""

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


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_child_generating_seeds_the_golden_state(dialect: str) -> None:
    found = scenario("plain", dialect)
    assert found["state"] == golden(dialect)
    assert found["children"] >= 1, "no resource was generated aside"
    assert found["take_overs"] == 0


def test_a_draw_while_storing_stops_the_child_and_changes_no_record() -> None:
    found = scenario("draw", "revorbit")
    assert found["state"] == found["alone"]
    assert found["state"]["contracts"] != golden("revorbit")["contracts"], "no contract needed a draw"
    assert found["take_overs"] == 1


def test_a_write_hook_that_writes_stops_the_child() -> None:
    found = scenario("write", "revorbit")
    assert found["state"] == golden("revorbit")
    assert found["take_overs"] == 1


def test_a_child_that_fails_is_taken_over() -> None:
    found = scenario("fail", "revorbit")
    assert found["state"] == golden("revorbit")
    assert found["take_overs"] == 1
