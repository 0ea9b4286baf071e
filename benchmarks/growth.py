"""Growth (make bench, part 3): the filtered, sorted list page on states of growing size, written by
benchmarks/seed_state.py and served at once, measured in interleaved rounds (one client; wrk when installed)."""

from __future__ import annotations

import json
import sqlite3
import sys
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import servers
from benchmarks.harness import Bench
from benchmarks.load import Load, measured, python_load, read_after_write, request, wrk
from benchmarks.results import GrowthRow
from benchmarks.servers import BenchError, Server, running, tool
from benchmarks.settings import GROWTH_PATH

State = tuple[int, Path, float]  # deals, the state file, seconds to seed it
Served = tuple[int, Server, float, int]  # deals, the server, its start-up seconds, deals matching the page


def measure(b: Bench) -> None:
    """Seed one file up the sizes (a copy at each size), then serve every size at once and measure
    them interleaved, so background load on a shared machine hits every size alike."""
    states = _seed_states(b)
    path = "/api" + GROWTH_PATH
    headers = {**b.auth, "Accept": "application/json"}
    with ExitStack() as stack:
        served = [_serve(b, stack, count, file, path, headers) for count, file, _ in states]
        sequential = _one_client(b, served, path, headers)
        after_write = _after_writes(b, served, path, headers)
        loaded: dict[int, Load] = {}
        if b.have_wrk:
            for count, server, _, _ in served:
                if b.s.warmup:
                    wrk(server.port, path, b.s.warmup, headers)
                loaded[count] = measured(server, partial(wrk, server.port, path, b.s.seconds, headers))
                b.say(f"  {count:,} deals under wrk: {loaded[count].summary}")
        for (count, server, startup, matched), (_, file, seed_s) in zip(served, states, strict=True):
            best = min(sequential[count], key=lambda m: m.p50_ms)
            size = file.stat().st_size / 2**20
            b.results.growth.append(GrowthRow(count, seed_s, startup, matched, best, sequential[count],
                                              loaded.get(count), server.rss(), size, after_write[count]))


def _seed_states(b: Bench) -> list[State]:
    state = b.work / "growth.sqlite3"
    states: list[State] = []
    previous = 0
    for count in b.s.growth:
        b.say(f"growth: seeding {count:,} deals")
        seeded = _seed(state, count, extend=previous > 0)
        b.results.seeding.append(
            f"{previous:,} -> {count:,} deals: {seeded['seconds']:.1f} s"
            + (f" (every resource with {seeded['base_records']:,} records, as `crm-mock serve "
               f"--records {seeded['base_records']}` seeds)" if not previous else
               f" ({(count - previous) / max(seeded['bulk_seconds'], 1e-9):,.0f} deals/s, one transaction: "
               f"{seeded.get('faked', 0):,} faked, {seeded.get('copied', 0):,} copied)"))
        previous = count
        copy = b.work / f"growth-{count}.sqlite3"
        with sqlite3.connect(state) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        states.append((count, copy, seeded["seconds"]))
    total = sum(seconds for _, _, seconds in states)
    b.results.seeding.append(f"total for {b.s.growth[-1]:,} deals: {total:.1f} s")
    return states


def _seed(state: Path, deals: int, extend: bool) -> dict[str, Any]:
    argv = [sys.executable, "-m", "benchmarks.seed_state", "--deals", str(deals), "--out", str(state), "--json"]
    if extend:
        argv.append("--extend")
    out = tool(*argv, timeout=3600)
    return dict(json.loads(out.strip().splitlines()[-1]))


def _serve(b: Bench, stack: ExitStack, count: int, file: Path, path: str, headers: dict[str, str]) -> Served:
    port = b.ports.take()
    server = stack.enter_context(running(servers.crm_mock(
        f"mock {count}", port, b.work, "--dialect", "revorbit", "--state", str(file), "--workers", "2")))
    startup = server.wait_ready("/api/deals/1", b.auth)
    status, raw = request(port, "GET", path, b.auth)
    if status != 200:
        raise BenchError(f"the mock answered {path} with {status} at {count} deals")
    python_load(port, "GET", path, 1.0, headers, concurrency=1, max_requests=20)  # warm-up
    return count, server, startup, int(json.loads(raw)["total"])


def _one_client(b: Bench, served: list[Served], path: str, headers: dict[str, str]) -> dict[int, list[Load]]:
    """Every size's page, one request at a time, in interleaved rounds (the order rotates)."""
    sequential: dict[int, list[Load]] = {count: [] for count, *_ in served}
    for round_ in range(b.s.rounds):
        shift = round_ % len(served)
        for count, server, _, _ in served[shift:] + served[:shift]:
            one_round = measured(server, partial(
                python_load, server.port, "GET", path, b.s.sequential_seconds, headers, concurrency=1,
                max_requests=b.s.sequential_requests))
            b.say(f"  {count:,} deals, round {round_ + 1}/{b.s.rounds}: p50 {one_round.p50_ms:.1f} ms "
                  f"(one client), other load {one_round.other:.0%}")
            sequential[count].append(one_round)
    return sequential


def _after_writes(b: Bench, served: list[Served], path: str, headers: dict[str, str]) -> dict[int, Load]:
    # a deal in another stage: the data changes, the measured page (stage 3) does not
    write = json.dumps({"name": "Benchmark write", "stage_id": 1}).encode()
    after_write = {count: read_after_write(server.port, path, headers, "/api/deals", write,
                                           max(10, b.s.sequential_requests // 4))
                   for count, server, _, _ in served}
    for count, read in after_write.items():
        b.say(f"  {count:,} deals, each read after a write: p50 {read.p50_ms:.1f} ms")
        if read.bad:
            raise BenchError(f"{read.bad} failed requests reading after writes at {count} deals")
    return after_write
