"""What the seeder's Picks keeps instead of reading the store again (the records its batches stored, the rows
of resources no hook wrote to since) is what the store holds: after seeding every document, each resource's kept
rows are the store's, in the store's order, and Picks.get finds what RecordStore.get finds."""

from __future__ import annotations

import gc
from collections.abc import Callable

import pytest

from mock_server import seeder
from mock_server.app import MockApp
from mock_server.config import MockConfig
from mock_server.engine import Engine
from tests.conftest import DIALECTS, load_api


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_rows_picks_keeps_are_the_stored_ones(dialect: str, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[seeder.Picks] = []

    class Kept(seeder.Picks):
        def __init__(self, engine: Engine, seed_value: int, changes: Callable[[], int] | None = None) -> None:
            super().__init__(engine, seed_value, changes)
            made.append(self)

    monkeypatch.setattr(seeder, "Picks", Kept)
    mock = MockApp(load_api(dialect), MockConfig(seed=5, records=40))
    picks, store, resources = made[-1], mock.store, mock.engine.dialect.resources
    assert set(picks.rows) == set(resources), "every resource's rows are kept at the end"
    for name, rows in picks.rows.items():
        assert rows == store.all(name), name
        id_field = resources[name].id_field
        for row in rows[:3] + rows[-3:]:
            assert picks.get(name, row[id_field]) == store.get(name, row[id_field]) == row
        assert picks.get(name, "no such id") is None


def test_seeding_leaves_the_garbage_collector_as_it_found_it() -> None:
    """The seeder pauses the cyclic collector while it runs (seeder._collector_paused), and only then."""
    try:
        for enabled in (True, False):
            gc.enable() if enabled else gc.disable()
            MockApp(load_api("revorbit"), MockConfig(seed=5, records=3))
            assert gc.isenabled() is enabled
    finally:
        gc.enable()
