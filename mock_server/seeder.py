"""The start-up data set: fixtures as the document gives them, then --records fake records each, generated
in batches (FakeData.records) and stored a batch at a time (RecordStore.insert_many)."""

from __future__ import annotations

import gc
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from crmspec.model import Dialect, Resource
from mock_server.engine import Engine
from mock_server.faker import FakeData
from mock_server.faker.histories import WouldDraw
from mock_server.seeding_aside import Aside

BATCH = 500  # records generated at once, for a resource whose records never see each other


def seeding_order(dialect: Dialect) -> list[Resource]:
    """Resources after the ones they point at, so every reference finds an existing record."""
    done: dict[str, Resource] = {}

    def visit(resource: Resource, trail: tuple[str, ...]) -> None:
        if resource.name in done or resource.name in trail:
            return
        targets: Iterable[str] = [r.resource for r in resource.references]
        if resource.parent:
            targets = [*targets, resource.parent.resource]
        for target in targets:
            if target in dialect.resources:
                visit(dialect.resources[target], (*trail, resource.name))
        done[resource.name] = resource

    for resource in dialect.resources.values():
        visit(resource, ())
    return list(done.values())


def seed(engine: Engine, seed_value: int, records: int, aside: bool = False) -> None:
    """`aside`: a resource's records may be generated in a forked process while this one stores them
    (seeding_aside.py: the same records), for a process that may fork (start-up, before serving)."""
    store = engine.store
    dialect = engine.dialect
    fake = FakeData(seed_value, id_fields={name: r.id_field for name, r in dialect.resources.items()})
    with _collector_paused(), store.transaction():
        pick = Picks(engine, seed_value, store.changes)
        for resource in seeding_order(dialect):
            pick.begin(resource)
            if resource.fixtures:
                for fixture in resource.fixtures:
                    engine.insert(resource, dict(fixture))
            elif resource.seed:
                size = batch_size(engine, fake, resource)
                batches = [range(start, min(start + size, records)) for start in range(0, records, size)]
                _seed_records(engine, fake, pick, resource, batches, aside)
            pick.seeded(resource)
        store.set_meta("seed", str(seed_value))
        store.set_meta("records", str(records))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Seeding makes millions of short-lived dicts and lists, freed by reference counting as soon as they are
    dropped: the cyclic garbage collector, which their number sets off, walks everything alive (the kept rows,
    the write hooks' query results) and finds next to nothing (a collection afterwards finds the same few
    thousand objects at --records 10, 1000 or 3000). Measured: 48.8 of 192 CPU-s for YSUITE at --records 10000,
    whose deal hook reads every Business contact for many deals. The collector runs again afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Picks:
    """The existing records new ones refer to, chosen as RecordStore.pick chooses them (the record at a random
    offset, modulo the count, in key order), the offsets drawn from one random source seeded by --seed.

    RecordStore.pick counts the table and steps to the offset on every call: at --records 10000, half the
    seeding's time. A resource whose seeding is over no longer changes, unless the write hook of a resource
    seeded later changes it (YSUITE's deal hook makes a contact a Business): its rows are read once and kept
    as the dicts the store returned, and a pick hands out the kept dict itself: the generator only reads a
    picked record (FakeData copies what it takes from one). A hook that writes is seen by `changes`
    (the rows the store's connection has written so far): from then on, until its resource is seeded, every
    pick asks the store, and the others' rows are read again afterwards. Without `changes`, no rows are
    kept while a hooked resource is seeded. The same records are picked either way.

    The rows of a resource without fixtures nor a hook, seeded into an empty table, are the records its
    batches stored (`keep`), in the order stored, as long as nothing else wrote meanwhile (`changes`): the
    JSON the store keeps gives them back equal, and reading them back would cost a tenth of the seeding."""

    def __init__(self, engine: Engine, seed_value: int, changes: Callable[[], int] | None = None) -> None:
        self.store = engine.store
        self.resources = engine.dialect.resources
        self.hooked = frozenset(engine.behaviour.on_write)
        self.changes = changes
        self.rng = random.Random(seed_value)
        self.done: list[str] = []
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self._by_id: dict[str, tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]] = {}
        self._stored: list[dict[str, Any]] | None = None  # what `keep` saw stored of the resource being seeded
        self._changes_if_only_kept = 0  # what `changes` says when nothing but those writes happened
        self._others_changed = False  # a write hook may have changed records of resources seeded before
        self.writes_seen = 0  # how many times a write hook was seen writing

    def __call__(self, name: str) -> Mapping[str, Any] | None:
        if name not in self.resources:
            return None
        offset = self.rng.randrange(1 << 30)
        rows = self.rows.get(name)
        if rows is None:
            return self.store.pick(name, offset)
        return rows[offset % len(rows)] if rows else None

    def begin(self, resource: Resource) -> None:
        """`resource` is about to be seeded: if its write hook may change other records unseen (its fixtures
        are stored with the hook's run inside), forget them."""
        if resource.name in self.hooked and (self.changes is None or resource.fixtures):
            self.rows.clear()
        self._stored = None
        self._others_changed = resource.name in self.hooked and (self.changes is None or bool(resource.fixtures))
        if self.changes is not None and resource.name not in self.hooked and not resource.fixtures \
                and self.store.count(resource.name) == 0:
            self._stored, self._changes_if_only_kept = [], self.changes()

    def keep(self, write: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """Run `write`, which stores records of the resource being seeded and returns them as stored."""
        if self._stored is None or self.changes is None:
            return write()
        before = self.changes()
        stored = write()
        self._stored.extend(stored)
        self._changes_if_only_kept += self.changes() - before
        return stored

    def get(self, name: str, record_id: Any) -> dict[str, Any] | None:
        """The record of `name` with this id, as RecordStore.get finds it (a kept one, only to be read)."""
        rows = self.rows.get(name)
        if rows is None:
            return self.store.get(name, record_id)
        kept = self._by_id.get(name)
        if kept is None or kept[0] is not rows:
            id_field = self.resources[name].id_field
            kept = self._by_id[name] = (rows, {str(row[id_field]): row for row in rows})
        return kept[1].get(str(record_id))

    @contextmanager
    def watching_writes(self) -> Iterator[None]:
        """Forget every kept row if the block wrote to the store (a write hook that changed a record)."""
        before = self.changes() if self.changes is not None else None
        yield
        if self.changes is not None and self.changes() != before:
            self.rows.clear()
            self._others_changed = True
            self.writes_seen += 1

    def seeded(self, resource: Resource) -> None:
        """`resource` is seeded: its rows are final, and so are the others' (read again if its hook wrote, or
        may have written unseen)."""
        self.done.append(resource.name)
        stored, self._stored = self._stored, None
        if stored is not None and self.changes is not None and self.changes() == self._changes_if_only_kept:
            self.rows[resource.name] = stored
            return
        for name in self.done if self._others_changed else [resource.name]:
            self.rows[name] = self.store.all(name)
        self._others_changed = False


def batch_size(engine: Engine, fake: FakeData, resource: Resource) -> int:
    """How many records of `resource` are generated before they are stored. A record that may pick a
    record of its own resource (a company's parent company) must see the ones before it stored; so must a
    record generated after a write hook ran, which may change the records it picks (YSUITE's deal hook can
    make a contact a Business): those are generated one at a time, the same data either way."""
    if resource.name in fake.picks_from(resource) or resource.name in engine.behaviour.on_write:
        return 1
    return BATCH


def _seed_records(engine: Engine, fake: FakeData, pick: Picks, resource: Resource, batches: list[range],
                  aside: bool) -> None:
    """Each batch generated, then stored; by a forked child while this process stores (see seeding_aside)
    until something its generation reads changes, then here."""
    helper = Aside.start(fake, pick, resource, batches, engine.store) if aside else None
    try:
        for indexes in batches:
            batch = helper.batch() if helper is not None else None
            if helper is not None and batch is None:  # the child failed: this batch is generated here
                helper.take_over("the child failed")
                helper = None
            if batch is None:
                batch = fake.records(resource, pick, indexes)
            helper = _store(engine, fake, pick, resource, batch, helper)
            if helper is not None and helper.wrote():
                helper.take_over("a write hook wrote")
                helper = None
        if helper is not None and not helper.finish():
            helper.take_over("the child failed")
    except BaseException:  # a failure, or Ctrl-C: the seeding is over, and so is the child
        if helper is not None:
            helper.stop()
        raise


def _store(engine: Engine, fake: FakeData, pick: Picks, resource: Resource, batch: list[dict[str, Any]],
           helper: Aside | None = None) -> Aside | None:
    """A batch as the API stores it, in one insert: its records never see each other (batch_size). With a
    child generating, its records are settled without a draw, the child stopped when one is needed; the
    helper still generating is returned."""
    prepared = []
    for record in batch:
        engine.denormalise(resource, record)
        # the API's write rules may change the record's state (a stage outside its pipeline is
        # dropped): its dates are put in order for the state it is stored in
        with pick.watching_writes():
            record = engine.prepared(resource, record)
        if helper is not None:
            try:
                fake.settle(resource, record, pick.get, draws=False)
            except WouldDraw:  # the record is unchanged: settled again once the draws are where they belong
                helper.take_over("settling needs a draw")
                helper = None
        if helper is None:
            fake.settle(resource, record, pick.get)
        prepared.append(record)
    stored = pick.keep(lambda: engine.store.insert_many(resource.name, prepared))
    if helper is not None and not helper.stored_as_given(stored):
        helper.take_over("an id other than the store's")
        helper = None
    return helper
