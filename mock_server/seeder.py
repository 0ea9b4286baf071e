"""The start-up data set: fixtures as the document gives them, then --records fake records each, generated
in batches (FakeData.records) and stored one by one."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from crmspec.model import Dialect, Resource
from mock_server.engine import Engine
from mock_server.faker import FakeData

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


def seed(engine: Engine, seed_value: int, records: int) -> None:
    store = engine.store
    dialect = engine.dialect
    rng = random.Random(seed_value)
    fake = FakeData(seed_value, id_fields={name: r.id_field for name, r in dialect.resources.items()})

    def pick(name: str) -> dict[str, object] | None:
        return store.pick(name, rng.randrange(1 << 30)) if name in dialect.resources else None

    with store.transaction():
        for resource in seeding_order(dialect):
            if resource.fixtures:
                for fixture in resource.fixtures:
                    engine.insert(resource, dict(fixture))
                continue
            if not resource.seed:
                continue
            size = batch_size(engine, fake, resource)
            for start in range(0, records, size):
                for record in fake.records(resource, pick, range(start, min(start + size, records))):
                    _store(engine, fake, resource, record)
        store.set_meta("seed", str(seed_value))
        store.set_meta("records", str(records))


def batch_size(engine: Engine, fake: FakeData, resource: Resource) -> int:
    """How many records of `resource` are generated before they are stored. A record that may pick a
    record of its own resource (a company's parent company) must see the ones before it stored; so must a
    record generated after a write hook ran, which may change the records it picks (YSUITE's deal hook can
    make a contact a Business): those are generated one at a time, the same data either way."""
    if resource.name in fake.picks_from(resource) or resource.name in engine.behaviour.on_write:
        return 1
    return BATCH


def _store(engine: Engine, fake: FakeData, resource: Resource, record: dict[str, Any]) -> None:
    engine.denormalise(resource, record)
    # the API's write rules may change the record's state (a stage outside its pipeline is
    # dropped): its dates are put in order for the state it is stored in
    record = engine.prepared(resource, record)
    fake.settle(resource, record, engine.store.get)
    engine.store.insert(resource.name, record)
