"""mock_server.seeder.Picks: the records new ones refer to are the ones Store.pick chooses at the same
offsets, also when a write hook changed a record after its resource was seeded (YSUITE's deal hook can make
a contact a Business). The expected records are asked of Store.pick itself, at offsets drawn from a random
source seeded as the seeder's."""

from __future__ import annotations

import random

from mock_server.app import MockApp
from mock_server.config import MockConfig
from mock_server.seeder import Picks
from tests.conftest import load_api

SEED = 11


def test_picks_are_store_picks_and_see_what_a_write_hook_changed() -> None:
    mock = MockApp(load_api("ysuite"), MockConfig(seed=3, records=6))
    engine, store = mock.engine, mock.store
    resources = engine.dialect.resources
    hooked = resources["deals"]
    assert hooked.name in engine.behaviour.on_write, "YSUITE's deals have a write hook"
    other = resources["contacts"]
    assert other.name not in engine.behaviour.on_write
    offsets = random.Random(SEED)
    picks = Picks(engine, SEED)

    def expected(name: str) -> object:
        return store.pick(name, offsets.randrange(1 << 30))

    assert [picks("contacts") for _ in range(5)] == [expected("contacts") for _ in range(5)]  # from the store
    picks.seeded(other)
    assert [picks("contacts") for _ in range(5)] == [expected("contacts") for _ in range(5)]  # from its rows
    assert picks("not_a_resource") is None

    picks.begin(hooked)  # the hook changes a contact, as YSUITE's makes one a Business
    changed = {**store.all("contacts")[0], "changed_by_a_hook": True}
    store.replace("contacts", changed)
    seen = [picks("contacts") for _ in range(12)]
    assert seen == [expected("contacts") for _ in range(12)]
    assert changed in seen, "a pick returned the changed contact"

    picks.seeded(hooked)  # the other resources' rows are read again
    assert [picks("contacts") for _ in range(12)] == [expected("contacts") for _ in range(12)]
