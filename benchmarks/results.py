"""What a benchmark run measured, row by row, and the targets judged on it: filled in by the parts of the
run (throughput, growth, startup, conformance, proxy_overhead), read by verdicts.py and report.py."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from benchmarks.load import Load
from benchmarks.settings import Settings


@dataclass
class Target:
    name: str
    measured: str
    limit: str
    passed: bool | None  # None: not judged (smoke, or a server missing)
    note: str = ""

    @property
    def verdict(self) -> str:
        return "n/a" if self.passed is None else "PASS" if self.passed else "MISS"


@dataclass
class ServerResult:
    key: str  # mock, bare (the default server), mock-/bare-<other server>, prism, prism-page25: what ratios look up
    name: str
    command: str
    scenarios: tuple[str, ...] | None = None  # the scenarios it is driven on; None: all
    paths: dict[str, str] = field(default_factory=dict)  # a scenario's path where this server spells it otherwise
    startup_s: float = math.nan
    rss_idle_mib: float = math.nan
    rss_mib: float = math.nan
    loads: dict[str, Load | str] = field(default_factory=dict)  # the best round, or why the scenario was skipped
    rounds: dict[str, list[Load]] = field(default_factory=dict)


@dataclass
class GrowthRow:
    deals: int
    seed_s: float
    startup_s: float
    matched: int
    sequential: Load  # the round with the lowest p50
    rounds: list[Load]
    loaded: Load | None
    rss_mib: float
    state_mib: float
    after_write: Load | None = None  # the page read right after a write: its total counted again


@dataclass
class ConformanceRow:
    dialect: str
    seconds: float
    exit_code: int
    verdict: str


@dataclass
class ProxyRow:
    direct: Load       # the round with the lowest p50, straight from the mock
    proxied: Load      # the round with the lowest p50, through the proxy
    rounds: list[tuple[Load, Load]]  # (direct, proxied) of every round
    judged: int              # exchanges the proxy's report counts as judged
    flagged: int             # ... and as flagged (a conformant mock: none)
    verdict: str             # the proxy's verdict on the traffic

    @property
    def added_ms(self) -> float:
        return self.proxied.p50_ms - self.direct.p50_ms


@dataclass
class Results:
    settings: Settings
    machine: dict[str, str] = field(default_factory=dict)
    servers: list[ServerResult] = field(default_factory=list)
    shape: list[str] = field(default_factory=list)
    growth: list[GrowthRow] = field(default_factory=list)
    seeding: list[str] = field(default_factory=list)
    startup: list[tuple[str, list[tuple[float, float]]]] = field(default_factory=list)  # (wall, CPU) seconds
    conformance: list[ConformanceRow] = field(default_factory=list)
    proxy: ProxyRow | None = None
    # a part of the run in a module of its own adds its targets and its report section here
    more_targets: list[Target] = field(default_factory=list)
    sections: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
