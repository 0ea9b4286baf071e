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


def test_a_draw_while_storing_stops_the_child_and_changes_no_record() -> None:
    found = scenario("draw", "revorbit")
    assert found["state"] == found["alone"]
    assert found["state"]["contracts"] != golden("revorbit")["contracts"], "no contract needed a draw"
    assert found["take_overs"] == ["contracts: settling needs a draw"]


def test_a_write_hook_that_writes_stops_the_child() -> None:
    found = scenario("write", "revorbit")
    assert found["state"] == golden("revorbit")
    assert found["take_overs"] == ["tasks: a write hook wrote"]


def test_a_child_that_fails_is_taken_over() -> None:
    found = scenario("fail", "revorbit")
    assert found["state"] == golden("revorbit")
    assert found["take_overs"] == ["deals: the child failed"]


def test_a_record_stored_with_another_id_than_the_child_gave_it_is_taken_over() -> None:
    """Concord's companies pick a parent company among their own: the child gives each company the id an empty
    table's key makes, and the parent checks each stored one."""
    found = scenario("ids", "concord")
    assert found["state"] == found["alone"]
    assert found["state"]["companies"] != golden("concord")["companies"], "the ids did not change"
    assert found["take_overs"] == ["companies: an id other than the store's"]


def test_a_child_reading_more_than_the_id_of_its_own_records_is_taken_over() -> None:
    found = scenario("unseen", "concord")
    assert found["state"] == golden("concord")
    assert found["take_overs"] == ["companies: the child failed"]
