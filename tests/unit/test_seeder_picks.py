"""mock_server.seeder.Picks: the records new ones refer to are the ones Store.pick chooses at the same
offsets, also when a write hook changed a record after its resource was seeded (YSUITE's deal hook can make
a contact a Business). The expected records are asked of Store.pick itself, at offsets drawn from a random
source seeded as the seeder's."""

from __future__ import annotations

import random
from collections.abc import Callable

from crmspec.model import Resource
from mock_server.app import MockApp
from mock_server.config import MockConfig
from mock_server.seeder import Picks
from mock_server.store import RecordStore
from tests.conftest import load_api

SEED = 11


def seeded_ysuite() -> tuple[MockApp, Resource, Resource]:
    """A seeded YSUITE mock, its deals (which have a write hook) and its contacts (which have none)."""
    mock = MockApp(load_api("ysuite"), MockConfig(seed=3, records=6))
    resources, hooks = mock.engine.dialect.resources, mock.engine.behaviour.on_write
    assert "deals" in hooks, "YSUITE's deals have a write hook"
    assert "contacts" not in hooks
    return mock, resources["deals"], resources["contacts"]


def store_picks(store: RecordStore) -> Callable[[str], object]:
    """What Store.pick returns at the offsets the seeder draws, one after the other."""
    offsets = random.Random(SEED)
    return lambda name: store.pick(name, offsets.randrange(1 << 30))


def test_without_a_change_count_picks_ask_the_store_while_a_hooked_resource_is_seeded() -> None:
    mock, hooked, other = seeded_ysuite()
    engine, store = mock.engine, mock.store
    expected = store_picks(store)
    picks = Picks(engine, SEED)

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


def test_a_write_seen_by_the_change_count_sends_picks_to_the_store() -> None:
    mock, hooked, other = seeded_ysuite()
    engine, store = mock.engine, mock.store
    expected = store_picks(store)
    with store.transaction():
        picks = Picks(engine, SEED, store.changes)
        picks.seeded(other)
        picks.begin(hooked)
        with picks.watching_writes():
            pass  # a hook that writes nothing: the rows are kept
        assert picks.rows, "the contacts' rows are kept"
        assert [picks("contacts") for _ in range(5)] == [expected("contacts") for _ in range(5)]
        with picks.watching_writes():  # a hook that changes a contact
            changed = {**store.all("contacts")[0], "changed_by_a_hook": True}
            store.replace("contacts", changed)
        seen = [picks("contacts") for _ in range(12)]
        assert seen == [expected("contacts") for _ in range(12)]
        assert changed in seen, "a pick returned the changed contact"
