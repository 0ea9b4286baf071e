"""Start-up (make bench, part `startup`): `crm-mock serve --records 50` (its default size), process start to the
first answer. The seeding cache is a folder of the run's own: the first start finds it empty (and fills it), the
later ones copy what it kept, as a developer's second start does."""

from __future__ import annotations

from benchmarks.harness import Bench
from benchmarks.seeded_starts import mock_with_cache
from benchmarks.servers import running

RECORDS = 50


def measure(b: Bench) -> None:
    runs: list[tuple[float, float]] = []
    cache = b.work / "startup-cache"
    cache.mkdir()
    for _ in range(b.s.startup_runs):
        with running(mock_with_cache(b, "mock default", RECORDS, str(cache))) as server:
            wall = server.wait_ready("/api/deals/1", b.auth)
            runs.append((wall, server.cpu_s()))
    b.say(f"startup (crm-mock serve --records {RECORDS}): "
          f"{', '.join(f'{w:.2f} s ({c:.2f} s CPU)' for w, c in runs)}")
    b.results.startup.append((f"`crm-mock serve --dialect revorbit --records {RECORDS}` (1 worker; the first start "
                              "with an empty seeding cache, the others copying it)", runs))
