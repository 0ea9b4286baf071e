"""Conformance runs (make bench, part 4): a full default `crm-conformance run` against `crm-mock serve` of
each API, timed."""

from __future__ import annotations

import subprocess
import time

import crmspec
from benchmarks import servers
from benchmarks.harness import Bench
from benchmarks.results import ConformanceRow
from benchmarks.servers import HOST, BenchError, running, script, tool
from benchmarks.settings import ROOT

RUN_TIMEOUT_S = 1800


def measure(b: Bench) -> None:
    runner = script("crm-conformance")
    for dialect in b.s.dialects:
        api = crmspec.load(dialect)
        port = b.ports.take()
        server = servers.crm_mock(f"mock {dialect}", port, b.work, "--dialect", dialect)
        token = tool(b.crm_mock, "token", "--dialect", dialect).strip()
        with running(server):
            server.wait_ready("/openapi.json", {})
            argv = [runner, "run", "--dialect", dialect, "--base-url",
                    f"http://{HOST}:{port}{api.dialect.base_path}", "--token", token,
                    "--report-dir", str(b.work / f"conformance-{dialect}"), "--quiet", *b.s.conformance_args]
            b.say(f"conformance: {dialect}")
            started = time.perf_counter()
            try:
                done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                b.results.conformance.append(ConformanceRow(dialect, time.perf_counter() - started, -1,
                                                            f"stopped after {RUN_TIMEOUT_S} s"))
                continue
            seconds = time.perf_counter() - started
        verdict = (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]
        if done.returncode not in (0, 1):
            raise BenchError(f"crm-conformance could not run against the {dialect} mock: {done.stderr.strip()}")
        b.say(f"  {seconds:.1f} s: {verdict}")
        b.results.conformance.append(ConformanceRow(dialect, seconds, done.returncode, verdict))
