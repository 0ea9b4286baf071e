"""make bench, PostgreSQL beside SQLite: the same mock, the same data, `--state postgresql://...` against a file.

A part of benchmarks/run.py (its PARTS), after growth, with the states its growth part wrote: each size's SQLite
file is copied into a PostgreSQL namespace of its own through the store boundary (one COPY per table), so both
backends serve the very same records. The server: `CRM_TEST_POSTGRES_URL`, else a throwaway cluster on a free
loopback port (tests/postgres.py: initdb + pg_ctl, removed at exit). Without one, the report says why.

Measured, interleaved round by round as run.py does: the throughput scenarios (GET one, the list page, POST)
under the same load tool and worker count, and the filtered, sorted page at every growth size (one client).
Targets: PostgreSQL >= 0.6x SQLite's req/s on GET one and on the list page; its p50 at the largest size <= 2x
its p50 at the smallest.
"""

from __future__ import annotations

import json
import uuid
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import crmspec
from benchmarks import scenarios, throughput
from benchmarks.harness import Bench
from benchmarks.load import Load, measured, python_load, request
from benchmarks.results import ServerResult, Target
from benchmarks.scenarios import LIST_SCENARIO, SCENARIOS
from benchmarks.servers import BenchError, Server, running
from benchmarks.settings import GROWTH_PATH
from benchmarks.verdicts import GROWTH_MAX
from mock_server.config import DEFAULT_SERVER
from mock_server.store.postgres import PostgresBackend, drop_namespace
from mock_server.store.sqlite import SqliteBackend
from tests.postgres import server_url, unavailable

RATIO_MIN = 0.60


def _namespaced(url: str, name: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}namespace={name}"


def copy_state(file: Path, url: str) -> None:
    """Everything a SQLite --state file holds, into the (empty) default session of the URL's namespace."""
    dialect = crmspec.load("revorbit").dialect
    source = SqliteBackend(dialect, str(file), None)
    source.default.copy_into(PostgresBackend(dialect, url).default)


class PostgresBeside:
    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.s = bench.s
        self.lines: list[str] = []
        self.targets: list[Target] = []
        self.namespaces: list[str] = []

    def measure(self) -> None:
        url = server_url()
        if url is None:
            self.bench.results.notes.append(f"PostgreSQL not measured: {unavailable()}.")
            return
        self.url = url
        try:
            self.throughput()
            self.growth()
        finally:
            for namespace in self.namespaces:
                drop_namespace(namespace)
        self.bench.results.sections.append(self.lines)
        self.bench.results.more_targets.extend(self.targets)

    def namespace(self, label: str) -> str:
        named = _namespaced(self.url, f"bench_{label}_{uuid.uuid4().hex[:8]}")
        self.namespaces.append(named)
        return named

    def serve(self, stack: ExitStack, name: str, state: str, *extra: str) -> tuple[Server, float]:
        port = self.bench.ports.take()
        server = stack.enter_context(running(Server(
            name, [self.bench.crm_mock, "serve", "--dialect", "revorbit", "--state", state, "--workers", "2",
                   "--port", str(port), *extra], port, self.bench.work)))
        return server, server.wait_ready("/api/deals/1", self.bench.auth)

    # GET one, the list page, POST ------------------------------------------------------------------
    def throughput(self) -> None:
        b, s = self.bench, self.s
        with ExitStack() as stack:
            records = ("--records", str(s.deals))
            contenders = []
            for key, name, state in (("sqlite", "mock on SQLite", str(b.work / "beside.sqlite3")),
                                     ("postgres", "mock on PostgreSQL", self.namespace("throughput"))):
                b.say(f"postgres beside sqlite: {name} (--records {s.deals} --workers 2)")
                server, startup = self.serve(stack, name, state, *records)
                result = ServerResult(key, name, f"crm-mock serve --records {s.deals} --workers 2 --state "
                                      + ("FILE" if key == "sqlite" else "postgresql://..."))
                result.startup_s = startup
                contenders.append((server, result, "/api"))
            body = throughput.post_body(throughput.pull_deals(b, contenders[0][0].port))
            scenarios.drive(b, contenders, body)
        results = {result.key: result for _, result, _ in contenders}
        self.lines += ["", "## PostgreSQL beside SQLite", "",
                       f"The same mock ({DEFAULT_SERVER}, 2 workers, the same data) on `--state FILE` and on `--state "
                       "postgresql://...` (a local server on the same machine, sharing its cores), driven alike and "
                       "interleaved as above (benchmarks/postgres.py). PostgreSQL's server CPU counts the mock's "
                       "processes only, not the database's.", "",
                       "| scenario | SQLite req/s | PostgreSQL req/s | PostgreSQL / SQLite | SQLite p50 ms "
                       "| PostgreSQL p50 ms | SQLite CPU ms/req | PostgreSQL CPU ms/req |",
                       "|---|---|---|---|---|---|---|---|"]
        for scenario in SCENARIOS:
            lite, pg = results["sqlite"].loads.get(scenario.label), results["postgres"].loads.get(scenario.label)
            if not isinstance(lite, Load) or not isinstance(pg, Load):
                self.lines.append(f"| {scenario.label} | {lite} | {pg} | | | | | |")
                continue
            ratio = pg.rps / lite.rps if lite.rps else float("nan")
            self.lines.append(f"| {scenario.label} | {lite.rps:,.0f} | {pg.rps:,.0f} | {ratio:.2f} | "
                              f"{lite.p50_ms:.1f} | {pg.p50_ms:.1f} | {lite.cpu_ms:.2f} | {pg.cpu_ms:.2f} |")
            if scenario.label in ("GET one deal", LIST_SCENARIO):
                self.targets.append(Target(
                    f"PostgreSQL, {scenario.label}: >= 0.6x SQLite's throughput",
                    f"{ratio:.2f}x ({pg.rps:.0f} vs {lite.rps:.0f} req/s)", ">= 0.6x",
                    ratio >= RATIO_MIN if not self.s.smoke else None))

    # the filtered, sorted page as the data grows ----------------------------------------------------
    def growth(self) -> None:
        b, s = self.bench, self.s
        path = "/api" + GROWTH_PATH
        headers = {**b.auth, "Accept": "application/json"}
        sqlite_p50 = {g.deals: g.sequential.p50_ms for g in b.results.growth}
        with ExitStack() as stack:
            served: list[tuple[int, Server, float]] = []
            for count in (size for size in s.growth if size <= s.postgres_growth_max):
                file = b.work / f"growth-{count}.sqlite3"
                if not file.exists():
                    raise BenchError(f"{file.name} is missing: the growth part must run first")
                state = self.namespace(f"g{count}")
                b.say(f"postgres beside sqlite: copying {count:,} deals into PostgreSQL")
                copy_state(file, state)
                server, startup = self.serve(stack, f"mock on PostgreSQL, {count}", state)
                status, raw = request(server.port, "GET", path, b.auth)
                if status != 200 or int(json.loads(raw)["total"]) < 1:
                    raise BenchError(f"the mock on PostgreSQL answered {path} with {status} at {count} deals")
                python_load(server.port, "GET", path, 1.0, headers, concurrency=1, max_requests=20)  # warm-up
                served.append((count, server, startup))
            rounds: dict[int, list[Load]] = {count: [] for count, _, _ in served}
            for round_ in range(s.rounds):
                shift = round_ % len(served)
                for count, server, _ in served[shift:] + served[:shift]:
                    one_round = measured(server, partial(python_load, server.port, "GET", path,
                                                         s.sequential_seconds, headers, concurrency=1,
                                                         max_requests=s.sequential_requests))
                    b.say(f"  PostgreSQL, {count:,} deals, round {round_ + 1}/{s.rounds}: "
                          f"p50 {one_round.p50_ms:.1f} ms (one client)")
                    rounds[count].append(one_round)
        best = {count: min(loads, key=lambda m: m.p50_ms) for count, loads in rounds.items()}
        self.lines += ["", f"`GET /api{GROWTH_PATH}`, one client (as in Growth above; the same states, copied into "
                       "PostgreSQL), the round with the lowest p50:", "",
                       "| deals | SQLite p50 ms | PostgreSQL p50 ms | PostgreSQL p99 ms | PostgreSQL server CPU ms/req "
                       "| PostgreSQL start to first 200 |", "|---|---|---|---|---|---|"]
        for count, _, startup in served:
            pg = best[count]
            lite = sqlite_p50.get(count)
            self.lines.append(f"| {count:,} | {f'{lite:.1f}' if lite is not None else '-'} | {pg.p50_ms:.1f} | "
                              f"{pg.p99_ms:.1f} | {pg.cpu_ms:.2f} | {startup:.2f} s |")
        if len(served) >= 2:
            first, last = best[served[0][0]], best[served[-1][0]]
            ratio = last.p50_ms / first.p50_ms
            self.targets.append(Target(
                f"PostgreSQL growth: p50 at {served[-1][0]:,} deals <= 2x p50 at {served[0][0]:,}",
                f"{ratio:.2f}x ({last.p50_ms:.1f} vs {first.p50_ms:.1f} ms)", "<= 2x",
                ratio <= GROWTH_MAX if not s.smoke else None, "one-client Python loop, repeated reads"))


def measure(bench: Bench) -> None:
    """PostgreSQL's rows and targets beside SQLite's, into bench.results (a note when there is no server)."""
    PostgresBeside(bench).measure()

