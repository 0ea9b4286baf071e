"""How fast the mock seeds: the state `crm-mock serve --records N` starts with, built in-process.

Prints, for each run, the wall time, the process's CPU time and the records stored per second (every
resource counted, fixtures too), then the best of the runs. CPU time is the figure to compare on a
machine shared with other work; wall time is what a user waits.

    python -m benchmarks.seeding --dialect revorbit --records 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass

import crmspec
from mock_server.app import MockApp
from mock_server.config import MockConfig


@dataclass(frozen=True)
class Seeding:
    dialect: str
    records: int  # --records: per seeded resource
    stored: int  # every record of every resource afterwards
    wall_seconds: float
    cpu_seconds: float

    @property
    def per_second(self) -> float:
        return self.stored / self.wall_seconds

    @property
    def per_cpu_second(self) -> float:
        return self.stored / self.cpu_seconds


def seed_once(dialect: str, records: int, seed: int = 42) -> Seeding:
    api = crmspec.load(dialect)
    wall, cpu = time.perf_counter(), time.process_time()
    mock = MockApp(api, MockConfig(seed=seed, records=records))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stored = sum(mock.store.count(name) for name in api.dialect.resources)
    return Seeding(dialect, records, stored, wall, cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.seeding", description=__doc__.splitlines()[0])
    parser.add_argument("--dialect", default="revorbit", choices=sorted(crmspec.DOCUMENTS))
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one JSON line per run, then the best")
    args = parser.parse_args(argv)
    runs = []
    for _ in range(args.repeat):
        run = seed_once(args.dialect, args.records)
        runs.append(run)
        print(json.dumps(asdict(run)) if args.json else
              f"{run.dialect} --records {run.records}: {run.stored} records in {run.wall_seconds:.2f} s wall "
              f"({run.per_second:,.0f}/s), {run.cpu_seconds:.2f} s CPU ({run.per_cpu_second:,.0f}/s)")
    best = min(runs, key=lambda r: r.cpu_seconds)
    fastest = min(runs, key=lambda r: r.wall_seconds)
    print(f"best of {len(runs)}: {best.cpu_seconds:.2f} s CPU ({best.per_cpu_second:,.0f} records/CPU-s), "
          f"{fastest.wall_seconds:.2f} s wall ({fastest.per_second:,.0f} records/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
