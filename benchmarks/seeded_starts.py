"""Seeding (make bench, part `seeding`): how fast the mock seeds its records, and how long `crm-mock serve --records N`
takes to its first 200, cold (an empty seeding cache: every record generated) and cached (a second start with the
same options: the kept records copied).

Throughput is measured in-process by benchmarks/seeding.py (records stored per second, every resource counted,
fixtures too), in a process of its own with a time limit; beside it the ceiling (`--ceiling`: every core seeding
its share alone, at once), which no way of spreading this generator over the machine's cores can beat. Each start
runs with CRM_MOCK_CACHE pointing at an empty folder of the run's own, so neither the user's cache nor an earlier
size is used. A start not answering within `start_timeout_s` is stopped and reported as "over N s" (and its cached
start is not tried: nothing was kept).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import dataclass

from benchmarks.harness import Bench
from benchmarks.results import Target
from benchmarks.servers import BenchError, Server, running
from benchmarks.settings import ROOT

SEEDING_MIN_PER_S = 20_000  # issue 18: records stored per second, every resource counted
START_MAX_S = {(10_000, "cold"): 5.0, (10_000, "cached"): 1.0, (100_000, "cold"): 60.0}  # issue 18
READY_PATH = "/api/deals/1"


@dataclass(frozen=True)
class Start:
    records: int
    kind: str  # cold | cached
    seconds: float  # process start to the first 200; NaN: no answer within timeout_s
    timeout_s: float
    cpu_s: float = math.nan  # CPU time of the server's processes by then

    @property
    def shown(self) -> str:
        return f"over {self.timeout_s:g} s" if math.isnan(self.seconds) else f"{self.seconds:.2f} s"


@dataclass(frozen=True)
class Throughput:
    records: int  # --records
    stored: int  # every record of every resource afterwards; 0: not finished within timeout_s
    wall_s: float
    cpu_s: float
    timeout_s: float

    @property
    def per_second(self) -> float:
        return self.stored / self.wall_s if self.stored else math.nan

    @property
    def shown(self) -> str:
        if not self.stored:
            return f"not done in {self.timeout_s:g} s"
        return (f"{self.per_second:,.0f} records/s ({self.stored:,} records in {self.wall_s:.1f} s; "
                f"{self.stored / self.cpu_s:,.0f} per CPU second)")


def start_targets(starts: list[Start], judged: bool) -> list[Target]:
    """The issue's limits on time to first 200, for the sizes and kinds measured that have one."""
    out = []
    for start in starts:
        limit = START_MAX_S.get((start.records, start.kind))
        if limit is None:
            continue
        passed = start.seconds <= limit  # a start that timed out (NaN) compares False: a miss
        out.append(Target(f"`crm-mock serve --records {start.records}`, {start.kind}: first 200 <= {limit:g} s",
                          start.shown, f"<= {limit:g} s", passed if judged else None,
                          "cold: an empty seeding cache; cached: a second start with the same options"))
    return out


def throughput_targets(rows: list[Throughput], judged: bool) -> list[Target]:
    return [Target(f"Seeding, --records {row.records}: >= {SEEDING_MIN_PER_S:,} records/s", row.shown,
                   f">= {SEEDING_MIN_PER_S:,}/s", (bool(row.stored) and row.per_second >= SEEDING_MIN_PER_S)
                   if judged else None, "in-process (benchmarks/seeding.py), every resource counted, wall time")
            for row in rows]


def measure(b: Bench) -> None:
    rows = [_throughput(b, records) for records in b.s.seeding_records]
    ceilings = [_throughput(b, records, ceiling=True) for records in b.s.seeding_records]
    starts: list[Start] = []
    for records in b.s.starts:
        cache = b.work / f"seed-cache-{records}"
        cache.mkdir()
        cold = _start(b, records, "cold", str(cache))
        starts.append(cold)
        if math.isnan(cold.seconds):
            continue
        if not any(cache.iterdir()):
            b.results.notes.append(f"`crm-mock serve --records {records}` kept no seeding in {cache.name}: "
                                   "its second start is cold too.")
        starts.append(_start(b, records, "cached", str(cache)))
    judged = not b.s.smoke
    b.results.more_targets += throughput_targets(rows, judged) + start_targets(starts, judged)
    b.results.sections.append(section(rows, starts, ceilings))


def _throughput(b: Bench, records: int, ceiling: bool = False) -> Throughput:
    b.say(f"seeding: --records {records} in process{', every core seeding its share (the ceiling)' if ceiling else ''}")
    argv = [sys.executable, "-m", "benchmarks.seeding", "--records", str(records), "--repeat", "1", "--json",
            *(["--ceiling"] if ceiling else [])]
    timeout = b.s.start_timeout_s
    try:
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        b.say(f"  not done in {timeout:g} s")
        return Throughput(records, 0, math.nan, math.nan, timeout)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    run = json.loads(done.stdout.splitlines()[0])
    row = Throughput(records, int(run["stored"]), float(run["wall_seconds"]), float(run["cpu_seconds"]), timeout)
    b.say(f"  {row.shown}")
    return row


def mock_with_cache(b: Bench, name: str, records: int, cache: str) -> Server:
    """`crm-mock serve --dialect revorbit --records N` (1 worker, in memory) keeping its seeding in `cache`."""
    port = b.ports.take()
    argv = [b.crm_mock, "serve", "--port", str(port), "--dialect", "revorbit", "--records", str(records)]
    return Server(name, argv, port, b.work, env={"CRM_MOCK_CACHE": cache})


def _start(b: Bench, records: int, kind: str, cache: str) -> Start:
    b.say(f"seeding: crm-mock serve --records {records}, {kind}")
    with running(mock_with_cache(b, f"mock {records} {kind}", records, cache)) as server:
        seconds = server.first_answer(READY_PATH, b.auth, b.s.start_timeout_s)
        if seconds is None:
            b.say(f"  no answer within {b.s.start_timeout_s:g} s: stopped")
            return Start(records, kind, math.nan, b.s.start_timeout_s)
        start = Start(records, kind, seconds, b.s.start_timeout_s, server.cpu_s())
    b.say(f"  first 200 after {start.shown} ({start.cpu_s:.2f} s CPU)")
    return start


def section(rows: list[Throughput], starts: list[Start], ceilings: list[Throughput] | None = None) -> list[str]:
    lines = ["", "## Seeding and time to first 200", "",
             "Throughput: `python -m benchmarks.seeding --records N --repeat 1` (the state `crm-mock serve "
             "--records N` starts with, built in process; every resource counted, fixtures too). The ceiling: "
             "the same with `--ceiling`, every core seeding its share of N on its own at once (its own seed, no "
             "hand-over): no way of spreading this generator over the machine's cores stores more per second.", "",
             "| --records | how | records stored | wall s | records/s | CPU s | records per CPU second |",
             "|---|---|---|---|---|---|---|"]
    for how, measured in (("as `crm-mock serve` seeds", rows), ("the ceiling", ceilings or [])):
        for row in measured:
            if not row.stored:
                lines.append(f"| {row.records:,} | {how} | {row.shown} | | | | |")
                continue
            lines.append(f"| {row.records:,} | {how} | {row.stored:,} | {row.wall_s:.1f} | {row.per_second:,.0f} "
                         f"| {row.cpu_s:.1f} | {row.stored / row.cpu_s:,.0f} |")
    lines += ["", "Time to first 200: `crm-mock serve --dialect revorbit --records N` (1 worker, state in memory), "
              f"process start to the first 200 on `GET {READY_PATH}`; cold: CRM_MOCK_CACHE an empty folder (every "
              "record generated, then kept); cached: the next start with the same options and folder (the kept "
              "records copied).", "", "| --records | cold | cached | server CPU by then, cold / cached |",
              "|---|---|---|---|"]
    for records in dict.fromkeys(s.records for s in starts):
        by_kind = {s.kind: s for s in starts if s.records == records}
        cold, cached = by_kind.get("cold"), by_kind.get("cached")
        cpu = " / ".join(f"{s.cpu_s:.2f} s" for s in (cold, cached) if s is not None and not math.isnan(s.cpu_s))
        lines.append(f"| {records:,} | {cold.shown if cold else '-'} | {cached.shown if cached else 'not tried'} "
                     f"| {cpu or '-'} |")
    return lines
