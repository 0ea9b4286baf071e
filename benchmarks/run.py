"""make bench: the mock against bare Flask, Prism, json-server and Mockoon, data growth, start-up, conformance runs.

    python -m benchmarks.run            # the full benchmark (needs wrk; Prism, json-server, Mockoon when installed)
    python -m benchmarks.run --smoke    # CI: tiny, no time targets judged, runs without wrk, Prism or network

Writes reports/benchmarks.md (smoke: reports/benchmarks-smoke.md). Every server binds 127.0.0.1 in
ports 18100-18199, runs in its own process group and is stopped at the end, also on Ctrl-C or failure.
Every load loop is bounded in time. Exit codes: 0 done (targets missed are reported, not failed),
1 a server misbehaved (wrong status, would not start), 2 missing tool or bad arguments, 130 interrupted.

The parts of a run, in order, each a module with measure(bench): throughput, app_cost, growth, seeding
(seeded_starts), startup, conformance_runs, proxy_overhead, postgres (`--only growth,postgres` measures some,
with what they need).
Another part is one more entry in PARTS (its targets and its report section go in bench.results.more_targets
and .sections).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import app_cost, conformance_runs, growth, postgres, proxy_overhead, seeded_starts, startup, throughput
from benchmarks.harness import Bench
from benchmarks.load import WRK_INSTALL
from benchmarks.machine import machine
from benchmarks.report import render
from benchmarks.servers import PRISM_DEFAULT, PRISM_INSTALL, BenchError, find_prism, stop_all
from benchmarks.settings import FULL, ROOT, SMOKE
from benchmarks.verdicts import targets


def _proxy(bench: Bench) -> None:
    bench.results.proxy = proxy_overhead.measure(bench)


PARTS: dict[str, Callable[[Bench], None]] = {
    "throughput": throughput.measure, "app_cost": app_cost.measure, "growth": growth.measure,
    "seeding": seeded_starts.measure, "startup": startup.measure,
    "conformance": conformance_runs.measure, "proxy": _proxy,
    "postgres": postgres.measure,  # after growth: it serves growth's states
}
NEEDS = {"postgres": ("growth",)}


def chosen_parts(only: str | None) -> list[str]:
    """The parts `--only` names, with the parts they need, in PARTS' order; all of them without --only."""
    if not only:
        return list(PARTS)
    wanted = {name.strip() for name in only.split(",") if name.strip()}
    unknown = wanted - set(PARTS)
    if unknown:
        raise ValueError(f"no part named {', '.join(sorted(unknown))} (the parts: {', '.join(PARTS)})")
    wanted |= {need for name in set(wanted) for need in NEEDS.get(name, ())}
    return [name for name in PARTS if name in wanted]


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _say(text: str) -> None:
    print(f"bench: {text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny and short, for CI; no target is judged")
    parser.add_argument("--out", type=Path, default=None, help="the report (default reports/benchmarks.md)")
    parser.add_argument("--prism", default=os.environ.get("PRISM"), help=f"the prism binary (default {PRISM_DEFAULT})")
    parser.add_argument("--only", metavar="PART[,PART]", default=None,
                        help=f"measure only these parts (and what they need): {', '.join(PARTS)}")
    args = parser.parse_args(argv)
    try:
        parts = chosen_parts(args.only)
    except ValueError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    settings = SMOKE if args.smoke else FULL
    out: Path = args.out or ROOT / "reports" / ("benchmarks-smoke.md" if args.smoke else "benchmarks.md")

    if not settings.smoke and shutil.which("wrk") is None:
        print(f"bench: wrk is not installed. Install it with:\n    {WRK_INSTALL}", file=sys.stderr)
        return 2
    if settings.smoke and shutil.which("wrk") is None:
        _say("wrk not found: using a short Python client loop instead")
    prism = find_prism(args.prism) if settings.prism else None
    if settings.prism and prism is None:
        _say(f"Prism not found, measured without it. To include it: {PRISM_INSTALL}")

    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    work = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    try:
        bench = Bench(settings, work, prism, _say)
        bench.results.machine = machine(prism)
        for name in parts:
            PARTS[name](bench)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render(bench.results))
        _say(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
        for t in targets(bench.results):
            _say(f"{t.verdict:4} {t.name}: {t.measured}")
        return 0
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        stop_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
