"""Start-up (make bench, part 4): `crm-mock serve` with its defaults, process start to the first answer."""

from __future__ import annotations

from benchmarks import servers
from benchmarks.harness import Bench
from benchmarks.servers import running


def measure(b: Bench) -> None:
    runs: list[tuple[float, float]] = []
    for _ in range(b.s.startup_runs):
        port = b.ports.take()
        with running(servers.crm_mock("mock default", port, b.work, "--dialect", "revorbit")) as server:
            wall = server.wait_ready("/api/deals/1", b.auth)
            runs.append((wall, server.cpu_s()))
    b.say(f"startup (crm-mock serve, defaults): {', '.join(f'{w:.2f} s ({c:.2f} s CPU)' for w, c in runs)}")
    b.results.startup.append(("`crm-mock serve --dialect revorbit` (defaults: 50 records, 1 worker)", runs))
