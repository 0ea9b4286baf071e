"""Write a mock state file with many deals, fast: `crm-mock serve --records N` fakes N of every resource.

The state is the mock's own: MockApp(api, MockConfig(records=BASE)) seeds every resource with BASE records as
`crm-mock serve` would (in memory; --extend first copies the file in); then deals up to POOL (default 10,000) are
faked by the mock's FakeData and stored through its Engine (write hooks, display names), and the deals past POOL
are copies of those faked ones (a new name; the value of another faked deal, drawn independently, so value and
stage are not repeated in pairs) stored straight through Store.insert, all in ONE transaction; the state is then
written to the file whole (SQLite's backup API). Faking costs ~1.5-3 ms a deal on this machine (most of an hour
for 1,000,000), a copy a small fraction of that: the list page's index and its filter see the same distribution
of stages and values either way. Serve the file with `crm-mock serve --dialect revorbit --state FILE --workers 2`.

    python -m benchmarks.seed_state --deals 100000 --out /tmp/deals-100k.sqlite3
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import crmspec
from mock_server.app import MockApp
from mock_server.config import MockConfig
from mock_server.faker import FakeData
from mock_server.store.query import Query
from mock_server.store.sqlite import SqliteStore

DEALS = "deals"
COPY_BATCH = 5000  # copied deals stored by one insert_many
POOL = 10_000  # deals faked one by one; the rest are copies of them


@dataclass(frozen=True)
class Seeded:
    path: Path
    deals: int
    base_records: int
    base_seconds: float  # MockApp: every resource with base_records (as `crm-mock serve` seeds)
    bulk_seconds: float  # the extra deals in one transaction
    faked: int = 0  # of the extra deals: faked by FakeData ...
    copied: int = 0  # ... and copied from those

    @property
    def seconds(self) -> float:
        return self.base_seconds + self.bulk_seconds


def copy_of(deal: dict[str, Any], value_from: dict[str, Any], number: int, id_field: str) -> dict[str, Any]:
    """A stored deal as a new one: no id (the store gives one), a name of its own, another deal's value."""
    copy = {key: value for key, value in deal.items() if key != id_field}
    copy["name"] = f"{deal.get('name') or 'Deal'} #{number}"
    if "value" in value_from:
        copy["value"] = value_from["value"]
    return copy


def write_state(path: Path, deals: int, base_records: int = 1000, seed: int = 42, dialect: str = "revorbit",
                extend: bool = False, pool: int = POOL) -> Seeded:
    """A state file at `path` holding `deals` deals (at least base_records: the base seed makes those).

    extend=True grows an existing file made by this helper (1k -> 10k -> 100k); otherwise it starts afresh.
    """
    api = crmspec.load(dialect)
    base_records = min(base_records, deals)
    started = time.perf_counter()
    # Built in memory, written to the file whole at the end: one transaction of 1,000,000 inserts into a file
    # spills SQLite's 2 MB page cache to the -wal over and over (~100 GB read and written for 300,000 deals)
    mock = MockApp(api, MockConfig(seed=seed, records=0 if extend else base_records))  # extend: the file's
    store = mock.store
    if not isinstance(store, SqliteStore):  # the in-memory default session is SQLite's
        raise TypeError(f"the mock's default session is a {type(store).__name__}, not a SqliteStore")
    if extend:
        with contextlib.closing(sqlite3.connect(path)) as source:
            store.restore_from(source)
    base_seconds = time.perf_counter() - started

    started = time.perf_counter()
    engine = mock.engine
    resource = api.dialect.resources[DEALS]
    have = store.count(DEALS)
    rng = random.Random(seed + 1 + have)  # extending a file: new names, not the first batch again
    fake = FakeData(seed + 1 + have, id_fields={name: r.id_field for name, r in api.dialect.resources.items()})
    # The records deals point at, read once: Store.pick() counts and scans with OFFSET on every call,
    # which is most of the time of a bulk load. Deals themselves are still picked from the store.
    targets: dict[str, list[dict[str, object]]] = {}

    def pick(name: str) -> dict[str, object] | None:
        # only existing targets: every reference in a bulk deal stays valid
        if name not in api.dialect.resources:
            return None
        if name == DEALS:
            return store.pick(name, rng.randrange(1 << 30))
        if name not in targets:
            targets[name] = store.all(name)
        rows = targets[name]
        return rows[rng.randrange(len(rows))] if rows else None

    faked = max(0, min(deals, pool) - have)
    with store.transaction():
        for index in range(have, have + faked):
            record = fake.record(resource, pick, index)
            engine.denormalise(resource, record)
            engine.insert(resource, record)
        copies = deals - have - faked
        if copies > 0:
            # stored as they are: the write hooks and display names were applied to the faked deals already
            originals = store.query(DEALS, Query(limit=pool))[0]
            for start in range(have + faked + 1, deals + 1, COPY_BATCH):
                store.insert_many(DEALS, [copy_of(rng.choice(originals), rng.choice(originals), number,
                                                  resource.id_field)
                                          for number in range(start, min(start + COPY_BATCH, deals + 1))])
        store.set_meta("bench_deals", str(deals))
    _write(store, path)
    bulk_seconds = time.perf_counter() - started
    return Seeded(path, store.count(DEALS), base_records, base_seconds, bulk_seconds, faked, max(copies, 0))


def _write(store: SqliteStore, path: Path) -> None:
    """The whole state into `path` (an earlier file there replaced), through SQLite's backup API."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(path)) as target:
        store.backup_to(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.seed_state", description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, required=True)
    parser.add_argument("--base-records", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--extend", action="store_true", help="add deals to an existing state file")
    parser.add_argument("--pool", type=int, default=POOL, help="deals faked one by one; the rest are copies")
    parser.add_argument("--json", action="store_true", help="print the timings as one JSON line")
    args = parser.parse_args(argv)
    seeded = write_state(args.out, args.deals, args.base_records, args.seed, extend=args.extend, pool=args.pool)
    if args.json:
        print(json.dumps({"deals": seeded.deals, "base_records": seeded.base_records, "seconds": seeded.seconds,
                          "base_seconds": seeded.base_seconds, "bulk_seconds": seeded.bulk_seconds,
                          "faked": seeded.faked, "copied": seeded.copied}))
        return 0
    print(f"{seeded.path}: {seeded.deals} deals; base seed {seeded.base_seconds:.1f} s "
          f"({seeded.base_records} per resource), bulk {seeded.bulk_seconds:.1f} s "
          f"({seeded.faked} faked, {seeded.copied} copied)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
