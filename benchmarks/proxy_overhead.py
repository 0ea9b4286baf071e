"""make bench, the proxy row (issue 19): GET one deal straight from the mock, and the same request through
`crm-conformance proxy` in front of that mock; the p50 the proxy adds (target: under 2 ms on this machine).

One client, one request at a time (the service time, not queueing), the two measured in interleaved rounds
so that background load on a shared machine hits both alike; each side's round with the lowest p50 is kept.
The proxy judges every exchange it forwards with every response check, as in real use: its report, written
when it stops, must count every request measured as judged, and none flagged.
"""

from __future__ import annotations

import json
from functools import partial

from benchmarks import cells, servers
from benchmarks.harness import Bench
from benchmarks.load import Load, measured, python_load
from benchmarks.results import ProxyRow, Target
from benchmarks.servers import HOST, BenchError, running

PATH = "/api/deals/1"
ADDED_MAX_MS = 2.0
WARMUP_REQUESTS = 50


def measure(b: Bench) -> ProxyRow:
    s = b.s
    headers = {**b.auth, "Accept": "application/json"}
    mock_port, proxy_port = b.ports.take(), b.ports.take()
    reports = b.work / "proxy-reports"
    mock = servers.crm_mock("mock behind the proxy", mock_port, b.work, "--dialect", "revorbit")
    proxy = servers.proxy(proxy_port, b.work, f"http://{HOST}:{mock_port}/api", reports, "--dialect", "revorbit")
    sent = 0
    rounds: list[tuple[Load, Load]] = []
    with running(mock):
        mock.wait_ready(PATH, b.auth)
        with running(proxy):
            proxy.wait_ready(PATH, b.auth)
            sent += 1
            b.say(f"proxy: GET {PATH} direct (:{mock_port}) vs through the proxy (:{proxy_port})")
            for server in (mock, proxy):  # warm-up: imports, caches, the proxy's checks
                warm = python_load(server.port, "GET", PATH, 5.0, headers, concurrency=1,
                                   max_requests=WARMUP_REQUESTS)
                sent += warm.requests if server is proxy else 0
            for round_ in range(s.rounds):
                pair: dict[str, Load] = {}
                for server in ((mock, proxy) if round_ % 2 == 0 else (proxy, mock)):
                    load = measured(server, partial(python_load, server.port, "GET", PATH,
                                                    s.sequential_seconds, headers, concurrency=1,
                                                    max_requests=s.sequential_requests))
                    if load.bad:
                        raise BenchError(f"{load.bad} of {load.requests} GET {PATH} failed ({server.name})")
                    pair[server.name] = load
                    sent += load.requests if server is proxy else 0
                direct, proxied = pair[mock.name], pair[proxy.name]
                b.say(f"  round {round_ + 1}/{s.rounds}: p50 direct {direct.p50_ms:.2f} ms, through the proxy "
                      f"{proxied.p50_ms:.2f} ms (+{proxied.p50_ms - direct.p50_ms:.2f} ms)")
                rounds.append((direct, proxied))
        # stopped (SIGTERM): the proxy has written its reports
    try:
        report = json.loads((reports / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchError(f"the proxy wrote no readable report.json on SIGTERM: {exc}") from exc
    traffic = report["proxy"]
    if traffic["judged"] < sent:
        raise BenchError(f"the proxy judged {traffic['judged']} of the {sent} requests sent through it")
    row = ProxyRow(min((d for d, _ in rounds), key=lambda m: m.p50_ms),
                   min((p for _, p in rounds), key=lambda m: m.p50_ms), rounds,
                   traffic["judged"], traffic["flagged"], report["verdict"])
    b.say(f"  p50 added by the proxy: {row.added_ms:.2f} ms ({row.judged} exchanges judged, verdict {row.verdict})")
    return row


def target(row: ProxyRow, judged: bool) -> Target:
    return Target(f"Proxy: p50 added to GET one deal < {ADDED_MAX_MS:g} ms",
                  f"{row.added_ms:.2f} ms ({row.proxied.p50_ms:.2f} vs {row.direct.p50_ms:.2f} ms)",
                  f"< {ADDED_MAX_MS:g} ms", row.added_ms < ADDED_MAX_MS if judged else None,
                  "one-client Python loop, every exchange judged")


def section(row: ProxyRow) -> list[str]:
    lines = ["", "## The validating proxy", "",
             f"`GET {PATH}` straight from `crm-mock serve --dialect revorbit` (defaults) and through "
             "`crm-conformance proxy --dialect revorbit --upstream http://127.0.0.1:PORT/api` in front of it "
             "(one gunicorn gthread worker; every response check on every exchange). A sequential Python "
             "client loop, one request at a time on a fresh connection, after "
             f"{WARMUP_REQUESTS} warm-up requests on each; the two are measured in interleaved rounds and each "
             "side's round with the lowest p50 is kept. \"proxy CPU\": the CPU time of the proxy's processes "
             "per request (the mock's not included).", "",
             "| round | p50 ms direct | p50 ms through the proxy | p50 added ms | p99 ms direct "
             "| p99 ms through the proxy | requests (each) | proxy CPU ms/req | other load |",
             "|---|---|---|---|---|---|---|---|---|"]
    for number, (direct, proxied) in enumerate(row.rounds, start=1):
        lines.append(f"| {number} | {direct.p50_ms:.2f} | {proxied.p50_ms:.2f} | "
                     f"{proxied.p50_ms - direct.p50_ms:+.2f} | {direct.p99_ms:.2f} | {proxied.p99_ms:.2f} | "
                     f"{min(direct.requests, proxied.requests):,} | {cells.cpu(proxied.cpu_ms)} "
                     f"| {cells.share(max(direct.other, proxied.other))} |")
    lines += ["", f"p50 added (best round of each side): **{row.added_ms:.2f} ms**. The proxy's own report on "
              f"that traffic: {row.judged:,} exchanges judged, {row.flagged} flagged, verdict {row.verdict}."]
    return lines
