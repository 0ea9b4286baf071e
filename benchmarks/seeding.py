"""How fast the mock seeds: the state `crm-mock serve --records N` starts with, built in-process.

Prints, for each run, the wall time, the CPU time (the process's and its seeding children's: a resource's
records may be generated in a forked child while the process stores them, mock_server/seeding_aside.py) and
the records stored per second (every resource counted, fixtures too), then the best of the runs. CPU time is
the figure to compare on a machine shared with other work; wall time is what a user waits. `--split` also says
where the CPU time went: generating records (FakeData.records, without the picks), picking the records they
refer to (Store.pick), and storing them (the seeder's store path: write rules, settle, Store.insert); it
generates in the one process, so that each part is timed where it runs. `--ceiling` measures what no way of
spreading this generator over the machine's cores can beat: one process per core, each seeding its share of
--records on its own (its own seed, no child), all started together; their records over the wall time.

    python -m benchmarks.seeding --dialect revorbit --records 10000 --repeat 3 [--split | --ceiling]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import crmspec
from benchmarks.usage import HZ, own_ticks
from mock_server import seeder, seeding_aside
from mock_server.app import MockApp
from mock_server.config import MockConfig
from mock_server.faker import FakeData
from mock_server.store.sqlite import SqliteStore as Store  # the store the seeder writes to (--state FILE)


@dataclass(frozen=True)
class Seeding:
    dialect: str
    records: int  # --records: per seeded resource
    stored: int  # every record of every resource afterwards
    wall_seconds: float
    cpu_seconds: float
    cpu_by_part: dict[str, float] = field(default_factory=dict)  # with --split

    @property
    def per_second(self) -> float:
        return self.stored / self.wall_seconds

    @property
    def per_cpu_second(self) -> float:
        return self.stored / self.cpu_seconds


def seed_once(dialect: str, records: int, seed: int = 42, split: bool = False) -> Seeding:
    api = crmspec.load(dialect)
    parts: dict[str, float] = {}
    with _timed_parts(parts) if split else _nothing():
        stored, start, end, cpu = _seeded(api, records, seed)
    if "generate" in parts:
        parts["generate"] -= parts.get("pick", 0.0)  # the picks happen inside the generation
    return Seeding(dialect, records, stored, end - start, cpu, {k: round(v, 3) for k, v in parts.items()})


def _seeded(api: crmspec.Api, records: int, seed: int) -> tuple[int, float, float, float]:
    """The state `crm-mock serve` starts with, built here: (records stored, the seeding's start and end on the
    monotonic clock, which every process shares, and its CPU seconds: the seeder waits for each child)."""
    start, cpu = time.perf_counter(), own_ticks() / HZ
    mock = MockApp(api, MockConfig(seed=seed, records=records))
    end, cpu = time.perf_counter(), own_ticks() / HZ - cpu
    return sum(mock.store.count(name) for name in api.dialect.resources), start, end, cpu


def ceiling(dialect: str, records: int) -> Seeding:
    """Every core seeding `records / cores` on its own at once: the records stored per second any spreading of
    this generator could reach at most (it adds no hand-over, no shared random source, no waiting). Each process
    loads the document first; the wall time runs from the first seeding's start to the last one's end."""
    cores = os.cpu_count() or 1
    context = multiprocessing.get_context("fork")
    ready, results = context.Barrier(cores), context.Queue()
    processes = [context.Process(target=_alone, args=(dialect, records // cores + (1 if n < records % cores else 0),
                                                      42 + n, ready, results)) for n in range(cores)]
    for process in processes:
        process.start()
    runs: list[tuple[int, float, float, float]] = [results.get() for _ in processes]
    for process in processes:
        process.join()
    wall = max(end for _, _, end, _ in runs) - min(start for _, start, _, _ in runs)
    return Seeding(dialect, records, sum(run[0] for run in runs), wall, sum(run[3] for run in runs))


def _alone(dialect: str, records: int, seed: int, ready: Any, results: Any) -> None:
    """One core's share, seeded once every core has loaded the document."""
    seeding_aside.MIN_RECORDS = sys.maxsize  # this process is one of the cores' shares: no child of its own
    api = crmspec.load(dialect)
    ready.wait()
    results.put(_seeded(api, records, seed))


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _timed_parts(parts: dict[str, float]) -> Iterator[None]:
    """Adds the CPU time spent in each part of the seeding to `parts`, for as long as the block runs."""
    originals = [(FakeData, "records", "generate"), (Store, "pick", "pick"), (seeder, "_store", "store")]
    aside_from = seeding_aside.MIN_RECORDS
    seeding_aside.MIN_RECORDS = sys.maxsize  # no child: its time would be missing from the parts

    def timed(function: Callable[..., Any], part: str) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                parts[part] = parts.get(part, 0.0) + time.process_time() - start
        return run

    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in originals]
    for owner, name, part in originals:
        setattr(owner, name, timed(getattr(owner, name), part))
    try:
        yield
    finally:
        for owner, name, function in saved:
            setattr(owner, name, function)
        seeding_aside.MIN_RECORDS = aside_from


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.seeding", description=__doc__.splitlines()[0])
    parser.add_argument("--dialect", default="revorbit", choices=sorted(crmspec.DOCUMENTS))
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one JSON line per run, then the best")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--split", action="store_true", help="CPU time of generating, picking and storing")
    how.add_argument("--ceiling", action="store_true", help="each core seeding its share on its own, at once")
    args = parser.parse_args(argv)
    runs = []
    for _ in range(args.repeat):
        run = ceiling(args.dialect, args.records) if args.ceiling else \
            seed_once(args.dialect, args.records, split=args.split)
        runs.append(run)
        print(json.dumps(asdict(run)) if args.json else
              f"{run.dialect} --records {run.records}: {run.stored} records in {run.wall_seconds:.2f} s wall "
              f"({run.per_second:,.0f}/s), {run.cpu_seconds:.2f} s CPU ({run.per_cpu_second:,.0f}/s)"
              + "".join(f", {part} {seconds:.2f} s" for part, seconds in run.cpu_by_part.items()))
    best = min(runs, key=lambda r: r.cpu_seconds)
    fastest = min(runs, key=lambda r: r.wall_seconds)
    print(f"best of {len(runs)}: {best.cpu_seconds:.2f} s CPU ({best.per_cpu_second:,.0f} records/CPU-s), "
          f"{fastest.wall_seconds:.2f} s wall ({fastest.per_second:,.0f} records/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
