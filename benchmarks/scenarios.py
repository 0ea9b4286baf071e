"""The requests the throughput part drives (GET one deal, GET a page of 25, POST a deal), and how: each
scenario on every server, interleaved round by round, under wrk or the Python client loop."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.harness import Bench
from benchmarks.load import Load, measured, python_load, request, wrk
from benchmarks.results import ServerResult
from benchmarks.servers import BenchError, Server

POST_DEAL_SCRIPT = Path(__file__).resolve().parent / "post_deal.lua"


@dataclass
class Scenario:
    label: str
    method: str
    path: str  # below the API root


PAGE_SIZE = 25
LIST_SCENARIO = f"GET list page ({PAGE_SIZE})"
SCENARIOS = (
    Scenario("GET one deal", "GET", "/deals/1"),
    Scenario(LIST_SCENARIO, "GET", f"/deals?per_page={PAGE_SIZE}"),
    Scenario("POST a deal", "POST", "/deals"),
)

Contender = tuple[Server, ServerResult, str]  # the server, its results, its API root


def path_of(contender: Contender, scenario: Scenario) -> str:
    """Where a contender answers the scenario: below its API root, in its own query parameters if it has them
    (json-server's `_page`/`_limit`)."""
    _, result, root = contender
    return root + result.paths.get(scenario.label, scenario.path)


def load(b: Bench, server: Server, scenario: Scenario, path: str, seconds: int, body: bytes | None) -> Load:
    """One run of a scenario on one server: wrk when installed, else the Python client loop."""
    headers = {**b.auth, "Accept": "application/json"}
    port = server.port
    if b.have_wrk:
        if scenario.method == "POST":
            env = {"BENCH_AUTH": b.auth["Authorization"], "BENCH_POST_BODY": (body or b"{}").decode()}
            return measured(server, lambda: wrk(port, path, seconds, {}, POST_DEAL_SCRIPT, env))
        return measured(server, lambda: wrk(port, path, seconds, headers))
    if scenario.method == "POST":
        headers["Content-Type"] = "application/json"
    return measured(server, lambda: python_load(port, scenario.method, path, seconds, headers, body))


def drive(b: Bench, contenders: list[Contender], body: bytes) -> None:
    """Each scenario on every server, interleaved round by round (the order rotates): a burst of
    background load on a shared machine then hits every server alike. The best round is kept."""
    for scenario in SCENARIOS:
        payload = body if scenario.method == "POST" else None
        live = _answering(b, contenders, scenario, payload)
        for contender in live:
            if b.s.warmup:
                load(b, contender[0], scenario, path_of(contender, scenario), b.s.warmup, payload)
        for round_ in range(b.s.rounds):
            order = live[round_ % len(live):] + live[:round_ % len(live)] if live else []
            for contender in order:
                server, result, _ = contender
                b.say(f"  {scenario.label}, round {round_ + 1}/{b.s.rounds}: {server.name}")
                one_round = load(b, server, scenario, path_of(contender, scenario), b.s.seconds, payload)
                b.say(f"    {one_round.summary}, other load {one_round.other:.0%}"
                      + (f", {one_round.bad} failed" if one_round.bad else ""))
                if server.name == "mock" and one_round.bad > one_round.requests // 100:
                    raise BenchError(f"the mock failed {one_round.bad} of {one_round.requests} "
                                     f"{scenario.label} requests")
                result.rounds.setdefault(scenario.label, []).append(one_round)
        for _, result, _ in live:
            result.loads[scenario.label] = max(result.rounds[scenario.label], key=lambda m: m.rps)


def _answering(b: Bench, contenders: list[Contender], scenario: Scenario, payload: bytes | None) -> list[Contender]:
    """The contenders driven on the scenario that answer it; the others' results say why they are not."""
    headers = {**b.auth, "Content-Type": "application/json", "Accept": "application/json"}
    live = []
    for contender in contenders:
        server, result, _ = contender
        if result.scenarios is not None and scenario.label not in result.scenarios:
            continue
        status, _ = request(server.port, scenario.method, path_of(contender, scenario), headers, payload)
        if 200 <= status < 300:
            live.append(contender)
            continue
        result.loads[scenario.label] = f"not supported (HTTP {status})"
        if server.name == "mock":
            raise BenchError(f"the mock answered {scenario.method} {path_of(contender, scenario)} with {status}")
    return live
