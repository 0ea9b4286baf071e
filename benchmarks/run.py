"""make bench: the mock against a bare Flask app and Prism, data growth, start-up and conformance runs.

    python -m benchmarks.run            # the full benchmark (needs wrk; Prism when installed)
    python -m benchmarks.run --smoke    # CI: tiny, no time targets judged, runs without wrk, Prism or network

Writes reports/benchmarks.md (smoke: reports/benchmarks-smoke.md). Every server binds 127.0.0.1 in
ports 18100-18199, runs in its own process group and is stopped at the end, also on Ctrl-C or failure.
Every load loop is bounded in time. Exit codes: 0 done (targets missed are reported, not failed),
1 a server misbehaved (wrong status, would not start), 2 missing tool or bad arguments, 130 interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from benchmarks import proxy_overhead  # the proxy row (its own module; it imports this one: no name used at import)

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
PORTS = range(18100, 18200)
PRISM_VERSION = "5.14.2"
PRISM_DEFAULT = ROOT / ".cache" / "prism" / "node_modules" / ".bin" / "prism"
DIALECTS = ("revorbit", "olympus", "concord", "ysuite")
GROWTH_PATH = "/deals?stage_id=3&sort_by=value&sort_dir=DESC&per_page=25"
WRK_THREADS, WRK_CONNECTIONS = 2, 32
WRK_INSTALL = "sudo apt-get update && sudo apt-get install -y wrk   (Debian/Ubuntu; or run `make bench-smoke`)"
PRISM_INSTALL = f"npm install --prefix .cache/prism @stoplight/prism-cli@{PRISM_VERSION}"

# targets
THROUGHPUT_VS_FLASK = 0.60
THROUGHPUT_VS_PRISM = 3.0
GROWTH_MAX = 2.0
STARTUP_MAX_S = 1.5
CONFORMANCE_MAX_S = 60.0


class BenchError(Exception):
    """A server or tool misbehaved: the benchmark cannot be trusted."""


@dataclass(frozen=True)
class Settings:
    smoke: bool
    deals: int  # records of the throughput mock (`crm-mock serve --records N`)
    seconds: int  # each wrk (or Python) load run
    warmup: int
    growth: tuple[int, ...]  # stored deals for the filtered, sorted page
    sequential_requests: int  # the one-connection latency loop: at most this many ...
    sequential_seconds: float  # ... and at most this long
    startup_runs: int
    dialects: tuple[str, ...]
    conformance_args: tuple[str, ...]
    prism: bool
    rounds: int  # interleaved repetitions of each measurement; the best is kept


FULL = Settings(False, 1000, 10, 2, (1000, 10_000, 100_000), 400, 8.0, 3, DIALECTS, (), True, 3)
SMOKE = Settings(True, 200, 2, 0, (200,), 40, 2.0, 1, ("revorbit",), ("--max-examples", "2"), False, 1)


# ------------------------------------------------------------------------------------------- processes
def _parents() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def process_tree(pid: int) -> list[int]:
    parents = _parents()
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


def rss_mib(pid: int) -> float:
    """VmRSS summed over a process and its descendants (gunicorn master + workers, node + children)."""
    total_kib = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


HZ = os.sysconf("SC_CLK_TCK")


def busy_ticks() -> int:
    """CPU ticks the whole machine spent busy (all cores)."""
    fields = [int(v) for v in _read("/proc/stat").splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq + steal


def tree_ticks(pid: int) -> int:
    total = 0
    for member in process_tree(pid):
        try:
            after = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(after[11]) + int(after[12])  # utime + stime
    return total


def own_ticks() -> float:
    """This process and its finished children (wrk), in ticks."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return (me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime) * HZ


class Ports:
    """Free loopback ports in one range, never the same one twice in a run."""

    def __init__(self) -> None:
        self._next = iter(PORTS)

    def take(self) -> int:
        for port in self._next:
            with socket.socket() as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind((HOST, port))
                except OSError:
                    continue
            return port
        raise BenchError(f"no free port left in {PORTS.start}-{PORTS.stop - 1}")


_RUNNING: list[Server] = []


class Server:
    """One server process in its own process group (so stopping it stops its workers too)."""

    def __init__(self, name: str, argv: list[str], port: int, logs: Path, env: dict[str, str] | None = None) -> None:
        self.name, self.argv, self.port = name, argv, port
        self.log = logs / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{port}.log"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0.0

    def start(self) -> Server:
        with open(self.log, "wb") as out:
            self.started = time.perf_counter()
            self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        _RUNNING.append(self)
        return self

    def wait_ready(self, path: str, headers: dict[str, str], timeout: float = 180.0) -> float:
        """Seconds from process start to the first 200 on GET path."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.proc.returncode}: {self.tail()}")
            try:
                status, _ = request(self.port, "GET", path, headers, timeout=2)
                if status == 200:
                    return time.perf_counter() - self.started
            except OSError:
                pass
            time.sleep(0.01)
        raise BenchError(f"{self.name} gave no 200 on GET {path} within {timeout:.0f} s: {self.tail()}")

    def tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(line for line in lines[-5:] if "InsecureKeyLength" not in line)

    def rss(self) -> float:
        return rss_mib(self.proc.pid) if self.proc is not None else 0.0

    def cpu_s(self) -> float:
        """CPU seconds used so far by the server's processes (exited ones not counted)."""
        return tree_ticks(self.proc.pid) / HZ if self.proc is not None else math.nan

    def stop(self) -> None:
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout=grace)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # workers left behind by a master that died first
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self in _RUNNING:
            _RUNNING.remove(self)


def stop_all() -> None:
    for server in reversed(list(_RUNNING)):
        server.stop()


@contextmanager
def running(server: Server) -> Iterator[Server]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def request(port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None,
            timeout: float = 10.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def read_after_write(port: int, path: str, headers: dict[str, str], write_path: str, write_body: bytes,
                     requests: int) -> Load:
    """The page's latency when every read follows a write (only the read is timed): a list's total is
    kept until the data changes, so this is what the page costs when it must be counted again."""
    latencies: list[float] = []
    bad = 0
    for _ in range(requests):
        status, _ = request(port, "POST", write_path, {**headers, "Content-Type": "application/json"}, write_body)
        started = time.perf_counter()
        read, _ = request(port, "GET", path, headers)
        latencies.append((time.perf_counter() - started) * 1000)
        bad += int(not 200 <= status < 300) + int(read != 200)
    return Load("python", math.nan, percentile(latencies, 50), percentile(latencies, 99), len(latencies), bad)


def tool(*argv: str, timeout: float = 60.0) -> str:
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout


def script(name: str) -> str:
    """A console script of this environment (crm-mock, crm-conformance, gunicorn)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise BenchError(f"{path} is missing: install the project (make bench does) first")
    return str(path)


# ------------------------------------------------------------------------------------------------ load
@dataclass
class Load:
    tool: str  # "wrk" or "python"
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx responses and socket errors
    other: float = math.nan  # CPU used meanwhile by processes other than the server and the client, of all cores
    cpu_ms: float = math.nan  # the server's own CPU time (all its processes) per request: blind to other load
    bytes_per: float = math.nan  # response bytes (headers included) per request

    @property
    def summary(self) -> str:
        return f"{self.rps:.0f} req/s, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(text: str) -> Load:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    if rps is None or total is None:
        raise BenchError(f"cannot read wrk's output: {text[-400:]}")
    lat = {int(p): float(v) * _UNITS[u] for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
    read = re.search(r"requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB) read", text)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    # a sync gunicorn worker closes each connection after its response: wrk counts those closes as
    # read errors, so only connect/write errors and timeouts are failures
    bad = (int(non2xx.group(1)) if non2xx else 0) + (
        sum(int(errors.group(i)) for i in (1, 3, 4)) if errors else 0)
    load = Load("wrk", float(rps.group(1)), lat.get(50, math.nan), lat.get(99, math.nan), int(total.group(1)), bad)
    if read:
        scale = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[read.group(2)]
        load.bytes_per = float(read.group(1)) * scale / max(load.requests, 1)
    return load


def wrk(port: int, path: str, seconds: int, headers: dict[str, str], lua: Path | None = None,
        env: dict[str, str] | None = None) -> Load:
    argv = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for key, value in headers.items():
        argv += ["-H", f"{key}: {value}"]
    if lua is not None:
        argv += ["-s", str(lua)]
    argv.append(f"http://{HOST}:{port}{path}")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def python_load(port: int, method: str, path: str, seconds: float, headers: dict[str, str],
                body: bytes | None = None, concurrency: int = 8, max_requests: int | None = None) -> Load:
    """A bounded client loop: `concurrency` threads, one fresh connection per request."""
    started = time.perf_counter()
    deadline = started + seconds
    latencies: list[float] = []
    bad = [0]
    received = [0]
    lock = threading.Lock()

    def worker() -> None:
        mine: list[float] = []
        failures = 0
        size = 0
        while time.perf_counter() < deadline:
            if max_requests is not None and len(mine) >= max_requests:
                break
            t0 = time.perf_counter()
            try:
                status, data = request(port, method, path, headers, body, timeout=max(1.0, seconds))
            except OSError:
                failures += 1
                continue
            mine.append((time.perf_counter() - t0) * 1000)
            size += len(data)
            if not 200 <= status < 300:
                failures += 1
        with lock:
            latencies.extend(mine)
            bad[0] += failures
            received[0] += size

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - started
    return Load("python", len(latencies) / elapsed, percentile(latencies, 50), percentile(latencies, 99),
                len(latencies), bad[0], bytes_per=received[0] / max(len(latencies), 1))


# ------------------------------------------------------------------------------------------- the bench
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


def pinned_page_document(document: Path, work: Path, size: int) -> Path:
    """A copy of the document whose deal page holds exactly `size` deals, for Prism.

    Prism's dynamic mode ignores `per_page` and fakes an array of its own length (2 deals with --seed 42),
    so on the document as shipped it does a tenth of the work the mock and bare Flask do for a page of 25.
    Pinning the array's length (minItems = maxItems) is the only way to ask Prism for the same page."""
    spec = yaml.safe_load(document.read_text(encoding="utf-8"))
    page = spec.get("components", {}).get("schemas", {}).get("DealPage", {})
    arrays = [part["properties"]["data"] for part in page.get("allOf", [])
              if part.get("properties", {}).get("data", {}).get("type") == "array"]
    if len(arrays) != 1:
        raise BenchError(f"{document}: components.schemas.DealPage has no single `data` array to pin")
    arrays[0].update(minItems=size, maxItems=size)
    pinned = work / f"{document.stem}-page{size}.yaml"
    pinned.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return pinned


@dataclass
class ServerResult:
    key: str  # mock, bare, prism or prism-page25: what the targets and ratios look up
    name: str
    command: str
    scenarios: tuple[str, ...] | None = None  # the scenarios it is driven on; None: all
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
class Results:
    settings: Settings
    machine: dict[str, str] = field(default_factory=dict)
    servers: list[ServerResult] = field(default_factory=list)
    shape: list[str] = field(default_factory=list)
    growth: list[GrowthRow] = field(default_factory=list)
    seeding: list[str] = field(default_factory=list)
    startup: list[tuple[str, list[tuple[float, float]]]] = field(default_factory=list)  # (wall, CPU) seconds
    conformance: list[ConformanceRow] = field(default_factory=list)
    proxy: proxy_overhead.ProxyRow | None = None
    notes: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)


class Bench:
    def __init__(self, settings: Settings, work: Path, prism: Path | None, say: Callable[[str], None]) -> None:
        self.s = settings
        self.work = work
        self.prism = prism
        self.say = say
        self.ports = Ports()
        self.have_wrk = shutil.which("wrk") is not None
        self.results = Results(settings)
        self.crm_mock = script("crm-mock")
        self.token = tool(self.crm_mock, "token", "--dialect", "revorbit").strip()
        self.auth = {"Authorization": f"Bearer {self.token}"}

    # load, with wrk when present ---------------------------------------------------------------------
    @staticmethod
    def measure(server: Server, run: Callable[[], Load]) -> Load:
        """run(), and how much of the machine other processes (other users, other jobs) took meanwhile."""
        assert server.proc is not None
        started, busy, mine, theirs = time.perf_counter(), busy_ticks(), own_ticks(), tree_ticks(server.proc.pid)
        load = run()
        elapsed = time.perf_counter() - started
        served = tree_ticks(server.proc.pid) - theirs
        used = served + (own_ticks() - mine)
        load.other = max(0.0, (busy_ticks() - busy - used) / (elapsed * HZ * (os.cpu_count() or 1)))
        load.cpu_ms = served / HZ * 1000 / max(load.requests, 1)
        return load

    def load(self, server: Server, scenario: Scenario, path: str, seconds: int, body: bytes | None) -> Load:
        headers = {**self.auth, "Accept": "application/json"}
        port = server.port
        if self.have_wrk:
            if scenario.method == "POST":
                env = {"BENCH_AUTH": self.auth["Authorization"], "BENCH_POST_BODY": (body or b"{}").decode()}
                return self.measure(server, lambda: wrk(port, path, seconds, {}, HERE / "post_deal.lua", env))
            return self.measure(server, lambda: wrk(port, path, seconds, headers))
        if scenario.method == "POST":
            headers["Content-Type"] = "application/json"
        return self.measure(server, lambda: python_load(port, scenario.method, path, seconds, headers, body))

    # 1 + 2: throughput ------------------------------------------------------------------------------
    def throughput(self) -> None:
        s = self.s
        with ExitStack() as stack:
            mock_port = self.ports.take()
            state = self.work / "throughput.sqlite3"
            mock = stack.enter_context(running(Server(
                "mock", [self.crm_mock, "serve", "--dialect", "revorbit", "--records", str(s.deals), "--workers", "2",
                         "--port", str(mock_port), "--state", str(state)], mock_port, self.work)))
            self.say(f"throughput: the mock (--records {s.deals} --workers 2) on :{mock_port}")
            mock_result = ServerResult("mock", "mock (crm-mock, gunicorn 2 sync workers)",
                                       f"crm-mock serve --dialect revorbit --records {s.deals} --workers 2")
            mock_result.startup_s = mock.wait_ready("/api/deals/1", self.auth)
            mock_result.rss_idle_mib = mock.rss()
            deals = self.pull_deals(mock_port)
            body = self.post_body(deals)
            (self.work / "deals.json").write_text(json.dumps(deals))

            flask_port = self.ports.take()
            self.say(f"throughput: bare Flask ({len(deals)} deals from a list) on :{flask_port}")
            bare = stack.enter_context(running(Server(
                "bare Flask", [script("gunicorn"), "--workers", "2", "--worker-class", "sync", "--bind",
                               f"{HOST}:{flask_port}", "--keep-alive", "5", "--timeout", "60", "--log-level",
                               "warning", "benchmarks.bare_flask:app"],
                flask_port, self.work, env={"BENCH_DEALS": str(self.work / "deals.json")})))
            bare_result = ServerResult("bare", "bare Flask (a list, gunicorn 2 sync workers)",
                                       "gunicorn -w 2 benchmarks.bare_flask:app")
            bare_result.startup_s = bare.wait_ready("/api/deals/1", self.auth)
            bare_result.rss_idle_mib = bare.rss()
            self.compare_shapes(mock_port, flask_port)
            contenders = [(mock, mock_result, "/api"), (bare, bare_result, "/api")]

            if self.prism is not None:
                contenders.append(self.start_prism(stack, Path("openapi/revorbit.yaml"), ServerResult(
                    "prism", f"Prism {PRISM_VERSION} dynamic (-d --seed 42 -m)",
                    "prism mock -d --seed 42 -m -h 127.0.0.1 openapi/revorbit.yaml")))
                pinned = pinned_page_document(ROOT / "openapi" / "revorbit.yaml", self.work, PAGE_SIZE)
                contenders.append(self.start_prism(stack, pinned, ServerResult(
                    "prism-page25", f"Prism {PRISM_VERSION} dynamic, page pinned to {PAGE_SIZE} deals",
                    f"prism mock -d --seed 42 -m -h 127.0.0.1 {pinned.name}", scenarios=(LIST_SCENARIO,))))
            elif s.prism:
                self.results.notes.append(f"Prism is not installed: `{PRISM_INSTALL}`.")
            else:
                self.results.notes.append("Prism is not started in smoke mode.")

            self.drive(contenders, body)
            for server, result, _ in contenders:
                result.rss_mib = server.rss()
            self.results.servers += [result for _, result, _ in contenders]

    def start_prism(self, stack: ExitStack, document: Path, result: ServerResult) -> tuple[Server, ServerResult, str]:
        port = self.ports.take()
        self.say(f"throughput: {result.name} on :{port}")
        prism = stack.enter_context(running(Server(
            "Prism", [str(self.prism), "mock", "-d", "--seed", "42", "-m", "-h", HOST, "-p", str(port),
                      str(document)], port, self.work)))
        result.startup_s = prism.wait_ready("/deals/1", self.auth)
        result.rss_idle_mib = prism.rss()
        return prism, result, ""

    def drive(self, contenders: list[tuple[Server, ServerResult, str]], body: bytes) -> None:
        """Each scenario on every server, interleaved round by round (the order rotates): a burst of
        background load on a shared machine then hits every server alike. The best round is kept."""
        headers = {**self.auth, "Content-Type": "application/json", "Accept": "application/json"}
        for scenario in SCENARIOS:
            payload = body if scenario.method == "POST" else None
            live = []
            for server, result, root in contenders:
                if result.scenarios is not None and scenario.label not in result.scenarios:
                    continue
                status, _ = request(server.port, scenario.method, root + scenario.path, headers, payload)
                if 200 <= status < 300:
                    live.append((server, result, root))
                    continue
                result.loads[scenario.label] = f"not supported (HTTP {status})"
                if server.name == "mock":
                    raise BenchError(f"the mock answered {scenario.method} {root + scenario.path} with {status}")
            for server, _, root in live:
                if self.s.warmup:
                    self.load(server, scenario, root + scenario.path, self.s.warmup, payload)
            for round_ in range(self.s.rounds):
                order = live[round_ % len(live):] + live[:round_ % len(live)] if live else []
                for server, result, root in order:
                    self.say(f"  {scenario.label}, round {round_ + 1}/{self.s.rounds}: {server.name}")
                    measured = self.load(server, scenario, root + scenario.path, self.s.seconds, payload)
                    self.say(f"    {measured.summary}, other load {measured.other:.0%}"
                             + (f", {measured.bad} failed" if measured.bad else ""))
                    if server.name == "mock" and measured.bad > measured.requests // 100:
                        raise BenchError(f"the mock failed {measured.bad} of {measured.requests} "
                                         f"{scenario.label} requests")
                    result.rounds.setdefault(scenario.label, []).append(measured)
            for _, result, _ in live:
                result.loads[scenario.label] = max(result.rounds[scenario.label], key=lambda m: m.rps)

    def pull_deals(self, port: int) -> list[dict[str, Any]]:
        """Every deal as the mock shows it, so the bare app serves the very same JSON."""
        deals: list[dict[str, Any]] = []
        page = 1
        while True:
            status, raw = request(port, "GET", f"/api/deals?per_page=100&page={page}&sort_by=created_at", self.auth)
            if status != 200:
                raise BenchError(f"the mock answered its deal list with {status}")
            batch = json.loads(raw)
            deals.extend(batch["data"])
            if page >= batch["last_page"] or not batch["data"]:
                break
            page += 1
        deals.sort(key=lambda d: d["id"])
        return deals

    @staticmethod
    def post_body(deals: list[dict[str, Any]]) -> bytes:
        """A valid DealInput whose references exist (taken from a stored deal)."""
        model = next((d for d in deals if d.get("contact_id") and d.get("company_id")), deals[0])
        body = {"name": "Benchmark renewal", "value": 125000, "stage_id": model["stage_id"], "probability": 40,
                "expected_close_date": "2027-03-31", "notes": "created by the benchmark", "tags": "bench"}
        for key in ("contact_id", "company_id", "assigned_to"):
            if model.get(key) is not None:
                body[key] = model[key]
        return json.dumps(body).encode()

    def compare_shapes(self, mock_port: int, flask_port: int) -> None:
        for path in ("/api/deals/1", "/api/deals?per_page=25"):
            bodies = []
            for port in (mock_port, flask_port):
                _, raw = request(port, "GET", path, self.auth)
                bodies.append((json.loads(raw), len(raw)))
            (mock_body, mock_len), (bare_body, bare_len) = bodies
            same = _shape(mock_body) == _shape(bare_body)
            self.results.shape.append(f"`GET {path}`: {'same' if same else 'DIFFERENT'} keys and types; "
                                      f"{mock_len:,} bytes (mock) vs {bare_len:,} bytes (bare Flask)")
            if not same:
                raise BenchError(f"the bare Flask app does not serve the mock's shape on {path}")

    # 3: growth ---------------------------------------------------------------------------------------
    def growth(self) -> None:
        """Seed one file up the sizes (a copy at each size), then serve every size at once and measure
        them interleaved, so background load on a shared machine hits every size alike."""
        state = self.work / "growth.sqlite3"
        states: list[tuple[int, Path, float]] = []
        previous = 0
        for count in self.s.growth:
            self.say(f"growth: seeding {count:,} deals")
            seeded = self.seed(state, count, extend=previous > 0)
            self.results.seeding.append(
                f"{previous:,} -> {count:,} deals: {seeded['seconds']:.1f} s"
                + (f" (every resource with {seeded['base_records']:,} records, as `crm-mock serve "
                   f"--records {seeded['base_records']}` seeds)" if not previous else
                   f" ({(count - previous) / max(seeded['bulk_seconds'], 1e-9):,.0f} deals/s, one transaction)"))
            previous = count
            copy = self.work / f"growth-{count}.sqlite3"
            with sqlite3.connect(state) as src, sqlite3.connect(copy) as dst:
                src.backup(dst)
            src.close()
            dst.close()
            states.append((count, copy, seeded["seconds"]))
        total = sum(seconds for _, _, seconds in states)
        self.results.seeding.append(f"total for {self.s.growth[-1]:,} deals: {total:.1f} s")

        path = "/api" + GROWTH_PATH
        headers = {**self.auth, "Accept": "application/json"}
        with ExitStack() as stack:
            served: list[tuple[int, Server, float, int]] = []
            for count, file, _ in states:
                port = self.ports.take()
                server = stack.enter_context(running(Server(
                    f"mock {count}", [self.crm_mock, "serve", "--dialect", "revorbit", "--state", str(file),
                                      "--workers", "2", "--port", str(port)], port, self.work)))
                startup = server.wait_ready("/api/deals/1", self.auth)
                status, raw = request(port, "GET", path, self.auth)
                if status != 200:
                    raise BenchError(f"the mock answered {path} with {status} at {count} deals")
                python_load(port, "GET", path, 1.0, headers, concurrency=1, max_requests=20)  # warm-up
                served.append((count, server, startup, int(json.loads(raw)["total"])))
            sequential: dict[int, list[Load]] = {count: [] for count, *_ in served}
            for round_ in range(self.s.rounds):
                shift = round_ % len(served)
                for count, server, _, _ in served[shift:] + served[:shift]:
                    measured = self.measure(server, partial(
                        python_load, server.port, "GET", path, self.s.sequential_seconds, headers, concurrency=1,
                        max_requests=self.s.sequential_requests))
                    self.say(f"  {count:,} deals, round {round_ + 1}/{self.s.rounds}: p50 {measured.p50_ms:.1f} ms "
                             f"(one client), other load {measured.other:.0%}")
                    sequential[count].append(measured)
            # a deal in another stage: the data changes, the measured page (stage 3) does not
            write = json.dumps({"name": "Benchmark write", "stage_id": 1}).encode()
            after_write = {count: read_after_write(server.port, path, headers, "/api/deals", write,
                                                   max(10, self.s.sequential_requests // 4))
                           for count, server, _, _ in served}
            for count, measured in after_write.items():
                self.say(f"  {count:,} deals, each read after a write: p50 {measured.p50_ms:.1f} ms")
                if measured.bad:
                    raise BenchError(f"{measured.bad} failed requests reading after writes at {count} deals")
            loaded: dict[int, Load] = {}
            if self.have_wrk:
                for count, server, _, _ in served:
                    if self.s.warmup:
                        wrk(server.port, path, self.s.warmup, headers)
                    loaded[count] = self.measure(server, partial(wrk, server.port, path, self.s.seconds, headers))
                    self.say(f"  {count:,} deals under wrk: {loaded[count].summary}")
            for (count, server, startup, matched), (_, file, seed_s) in zip(served, states, strict=True):
                best = min(sequential[count], key=lambda m: m.p50_ms)
                size = file.stat().st_size / 2**20
                self.results.growth.append(GrowthRow(count, seed_s, startup, matched, best, sequential[count],
                                                     loaded.get(count), server.rss(), size, after_write[count]))

    def seed(self, state: Path, deals: int, extend: bool) -> dict[str, Any]:
        argv = [sys.executable, "-m", "benchmarks.seed_state", "--deals", str(deals), "--out", str(state), "--json"]
        if extend:
            argv.append("--extend")
        out = tool(*argv, timeout=3600)
        return dict(json.loads(out.strip().splitlines()[-1]))

    # 4: start-up and conformance --------------------------------------------------------------------
    def startup(self) -> None:
        runs: list[tuple[float, float]] = []
        for _ in range(self.s.startup_runs):
            port = self.ports.take()
            server = Server("mock default", [self.crm_mock, "serve", "--dialect", "revorbit", "--port", str(port)],
                            port, self.work)
            with running(server):
                wall = server.wait_ready("/api/deals/1", self.auth)
                runs.append((wall, server.cpu_s()))
        self.say(f"startup (crm-mock serve, defaults): {', '.join(f'{w:.2f} s ({c:.2f} s CPU)' for w, c in runs)}")
        self.results.startup.append(("`crm-mock serve --dialect revorbit` (defaults: 50 records, 1 worker)", runs))

    def conformance(self) -> None:
        import crmspec

        runner = script("crm-conformance")
        for dialect in self.s.dialects:
            api = crmspec.load(dialect)
            port = self.ports.take()
            server = Server(f"mock {dialect}", [self.crm_mock, "serve", "--dialect", dialect, "--port", str(port)],
                            port, self.work)
            token = tool(self.crm_mock, "token", "--dialect", dialect).strip()
            with running(server):
                server.wait_ready("/openapi.json", {})
                argv = [runner, "run", "--dialect", dialect, "--base-url",
                        f"http://{HOST}:{port}{api.dialect.base_path}", "--token", token,
                        "--report-dir", str(self.work / f"conformance-{dialect}"), "--quiet",
                        *self.s.conformance_args]
                self.say(f"conformance: {dialect}")
                started = time.perf_counter()
                try:
                    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=1800)
                except subprocess.TimeoutExpired:
                    self.results.conformance.append(ConformanceRow(dialect, time.perf_counter() - started, -1,
                                                                   "stopped after 1800 s"))
                    continue
                seconds = time.perf_counter() - started
            verdict = (done.stdout.strip().splitlines() or [done.stderr.strip()])[-1]
            if done.returncode not in (0, 1):
                raise BenchError(f"crm-conformance could not run against the {dialect} mock: {done.stderr.strip()}")
            self.say(f"  {seconds:.1f} s: {verdict}")
            self.results.conformance.append(ConformanceRow(dialect, seconds, done.returncode, verdict))


def _shape(value: Any, depth: int = 0) -> Any:
    """Keys and JSON types, recursively; list items by their first element."""
    if isinstance(value, dict):
        return {k: _shape(v, depth + 1) for k, v in value.items()} if depth < 3 else "object"
    if isinstance(value, list):
        return [_shape(value[0], depth + 1)] if value else []
    if value is None:
        return "any"  # null: a nullable field may be null in one record and not in another
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__


# ------------------------------------------------------------------------------------------- machine
def machine(prism: Path | None) -> dict[str, str]:
    info: dict[str, str] = {}
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    info["CPU"] = f"{os.cpu_count()} cores ({cpu})"
    mem = re.search(r"MemTotal:\s+(\d+) kB", _read("/proc/meminfo"))
    if mem:
        info["Memory"] = f"{int(mem.group(1)) / 2**20:.1f} GiB"
    info["OS"] = platform.platform()
    info["Python"] = f"{platform.python_version()} ({platform.python_implementation()})"
    packages = []
    for name in ("crm-conformance", "flask", "werkzeug", "gunicorn", "mimesis", "jsonschema", "pyjwt",
                 "schemathesis", "hypothesis"):
        try:
            packages.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            packages.append(f"{name} (absent)")
    info["Packages"] = ", ".join(packages) + f", SQLite {sqlite3.sqlite_version}"
    info["wrk"] = _version(["wrk", "-v"]) if shutil.which("wrk") else f"not installed (`{WRK_INSTALL}`)"
    info["Node"] = _version(["node", "--version"]) if shutil.which("node") else "not installed"
    info["Prism"] = (f"@stoplight/prism-cli {_version([str(prism), '--version'])}" if prism
                     else f"not installed (`{PRISM_INSTALL}`)")
    commit = _version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = _version(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    info["Load average at start"] = " ".join(_read("/proc/loadavg").split()[:3]) or "?"
    info["Commit"] = f"{commit}{' + uncommitted changes' if dirty and dirty != '?' else ''}"
    return info


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (done.stdout.strip() or done.stderr.strip()).splitlines()
    return re.sub(r"\s+Copyright.*", "", text[0]) if text else ""


def find_prism(explicit: str | None) -> Path | None:
    candidate = Path(explicit) if explicit else PRISM_DEFAULT
    return candidate if candidate.exists() else None


# -------------------------------------------------------------------------------------------- report
def targets(r: Results) -> list[Target]:
    judged = not r.settings.smoke
    out: list[Target] = []
    by_key = {s.key: s for s in r.servers}
    mock, bare = by_key.get("mock"), by_key.get("bare")
    for label in ("GET one deal", LIST_SCENARIO):
        m = mock.loads.get(label) if mock else None
        b = bare.loads.get(label) if bare else None
        if isinstance(m, Load) and isinstance(b, Load):
            ratio = m.rps / b.rps
            out.append(Target(f"Throughput, {label}: mock >= 60% of bare Flask", f"{ratio:.0%} "
                              f"({m.rps:.0f} vs {b.rps:.0f} req/s)", ">= 60%",
                              ratio >= THROUGHPUT_VS_FLASK if judged else None))
        if not isinstance(m, Load):
            continue
        name = f"Throughput, {label}: mock >= 3x Prism dynamic"
        if "prism" not in by_key:
            out.append(Target(name, "Prism not run", ">= 3x", None))
            continue
        # on a list page the judged comparison is the one where Prism answers the same 25 deals
        prisms = [("prism-page25", f"Prism's page pinned to {PAGE_SIZE} deals: the same work", True),
                  ("prism", "Prism on the document as shipped: a shorter random page, not the same work",
                   False)] if label == LIST_SCENARIO else [("prism", "", True)]
        for key, note, same_work in prisms:
            server = by_key.get(key)
            p = server.loads.get(label) if server else None
            if not isinstance(p, Load):
                out.append(Target(name, f"not measured ({p or 'not run'})", ">= 3x", None, note))
                continue
            ratio = m.rps / p.rps
            out.append(Target(name, f"{ratio:.2f}x ({m.rps:.0f} vs {p.rps:.0f} req/s; Prism: "
                              f"{p.bytes_per:,.0f} bytes per response)", ">= 3x" if same_work else "(shown only)",
                              ratio >= THROUGHPUT_VS_PRISM if judged and same_work else None, note))
    if len(r.growth) >= 2:
        first, last = r.growth[0], r.growth[-1]
        ratio = last.sequential.p50_ms / first.sequential.p50_ms
        out.append(Target(f"Growth: p50 at {last.deals:,} deals <= 2x p50 at {first.deals:,}",
                          f"{ratio:.2f}x ({last.sequential.p50_ms:.1f} vs {first.sequential.p50_ms:.1f} ms)",
                          "<= 2x", ratio <= GROWTH_MAX if judged else None,
                          "one-client Python loop, repeated reads"))
        if first.after_write and last.after_write:
            ratio = last.after_write.p50_ms / first.after_write.p50_ms
            out.append(Target(f"Growth, each read after a write: p50 at {last.deals:,} deals vs {first.deals:,}",
                              f"{ratio:.2f}x ({last.after_write.p50_ms:.1f} vs {first.after_write.p50_ms:.1f} ms)",
                              "(shown only)", None, "the list's total counted again on every read"))
    for label, runs in r.startup:
        med = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        out.append(Target(f"Startup of {label} <= 1.5 s", f"{med:.2f} s (median of {len(runs)}; {cpu:.2f} s CPU)",
                          "<= 1.5 s", med <= STARTUP_MAX_S if judged else None,
                          "process start to the first 200 on a GET"))
    for row in r.conformance:
        out.append(Target(f"Full default conformance run, {row.dialect}", f"{row.seconds:.1f} s", "<= 60 s",
                          row.seconds <= CONFORMANCE_MAX_S if judged and row.exit_code >= 0 else None))
    if r.proxy is not None:
        out.append(proxy_overhead.target(r.proxy, judged))
    return out


def _bytes(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.0f}"


def _cpu(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def _pct(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0%}"


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def render(r: Results) -> str:
    s = r.settings
    lines = [f"# Benchmarks{' (smoke)' if s.smoke else ''}", ""]
    lines.append(f"Generated by `make {'bench-smoke' if s.smoke else 'bench'}` (`python -m benchmarks.run"
                 f"{' --smoke' if s.smoke else ''}`) on {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}, "
                 f"in {time.perf_counter() - r.started:.0f} s.")
    if s.smoke:
        lines.append("Smoke mode: tiny sizes and short runs so that CI exercises the harness; "
                     "the numbers mean nothing and no target is judged.")
    lines += ["", "## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in r.machine.items()]
    lines.append(f"| Load average at end | {' '.join(_read('/proc/loadavg').split()[:3]) or '?'} |")
    with_wrk = any(isinstance(v, Load) and v.tool == "wrk" for sv in r.servers for v in sv.loads.values())
    load_tool = (f"wrk, {WRK_THREADS} threads, {WRK_CONNECTIONS} connections" if with_wrk
                 else "a Python client loop (wrk not installed), 8 threads, one connection per request")
    lines += ["", "## Targets", "", "| target | measured | limit | verdict |", "|---|---|---|---|"]
    for t in targets(r):
        lines.append(f"| {t.name}{f' ({t.note})' if t.note else ''} | {t.measured} | {t.limit} | **{t.verdict}** |")

    lines += ["", "## Throughput", "",
              f"Load: {load_tool}, {s.seconds} s per run after a {s.warmup} s warm-up, on the same 127.0.0.1 "
              "port range, load generator and servers on the same machine; one server is under load at a time "
              f"(the others idle). Each scenario runs {s.rounds} time(s) per server, interleaved (the order rotates "
              "each round), and the round with the most req/s is shown: on a shared machine a burst of "
              "background work then hits every server alike. \"other load\": CPU that processes other than "
              "the server and the load generator used during that round, as a share of all cores. "
              "The mock and bare Flask run under gunicorn with 2 sync workers; the "
              f"mock holds {s.deals:,} records per resource (`--records {s.deals}`), bare Flask the same "
              f"{s.deals:,} deals (pulled from the mock, `risk` included) in a Python list. POST is run last "
              "(it adds deals; bare Flask only appends to a list in each worker). Latency columns are measured "
              "under this load (queueing included; wrk: --latency). "
              "\"server CPU\": the CPU time all the server's processes used per request (blind to other load: "
              "on a busy machine it is the steadier comparison). Bytes per response: wrk counts headers too, "
              "the Python loop only bodies.", "",
              "| server | scenario | req/s | p50 ms | p99 ms | requests | failed | bytes/response | server CPU ms/req "
              "| other load | req/s, every round |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for scenario in SCENARIOS:
        for sv in r.servers:
            load = sv.loads.get(scenario.label)
            if isinstance(load, Load):
                every = " / ".join(f"{m.rps:,.0f}" for m in sv.rounds.get(scenario.label, []))
                lines.append(f"| {sv.name} | {scenario.label} | {load.rps:,.0f} | {_ms(load.p50_ms)} "
                             f"| {_ms(load.p99_ms)} | {load.requests:,} | {load.bad} | {_bytes(load.bytes_per)} "
                             f"| {_cpu(load.cpu_ms)} "
                             f"| {_pct(load.other)} | {every} |")
            elif load is not None:
                lines.append(f"| {sv.name} | {scenario.label} | {load} | | | | | | | | |")
    by = {sv.key: sv for sv in r.servers}
    columns = [("bare", "mock / bare Flask"), ("prism", "mock / Prism"),
               ("prism-page25", f"mock / Prism, page pinned to {PAGE_SIZE}")]
    columns = [(key, title) for key, title in columns if key in by]
    lines += ["", "Ratios (req/s; in brackets the same from server CPU per request, other/mock):", "",
              "| scenario | " + " | ".join(title for _, title in columns) + " |",
              "|---|" + "---|" * len(columns)]
    for scenario in SCENARIOS:
        cells = []
        m = by["mock"].loads.get(scenario.label) if "mock" in by else None
        for other, _ in columns:
            o = by[other].loads.get(scenario.label)
            if isinstance(m, Load) and isinstance(o, Load) and o.rps:
                cells.append(f"{m.rps / o.rps:.2f} ({o.cpu_ms / m.cpu_ms:.2f})")
            else:
                cells.append("-")
        lines.append(f"| {scenario.label} | " + " | ".join(cells) + " |")
    lines += ["", "| server | command | start to first 200 | RSS idle | RSS after load |", "|---|---|---|---|---|"]
    for sv in r.servers:
        lines.append(f"| {sv.name} | `{sv.command}` | {sv.startup_s:.2f} s | {sv.rss_idle_mib:.0f} MiB "
                     f"| {sv.rss_mib:.0f} MiB |")
    if r.shape:
        lines += ["", "Same JSON shape (mock vs bare Flask):", ""] + [f"- {line}" for line in r.shape]
    unequal = []
    for scenario in SCENARIOS:
        m = by["mock"].loads.get(scenario.label) if "mock" in by else None
        p = by["prism"].loads.get(scenario.label) if "prism" in by else None
        if isinstance(m, Load) and isinstance(p, Load) and min(m.bytes_per, p.bytes_per) > 0:
            if max(m.bytes_per, p.bytes_per) / min(m.bytes_per, p.bytes_per) > 2:
                pinned = by.get("prism-page25")
                q = pinned.loads.get(scenario.label) if pinned else None
                unequal.append(f"{scenario.label}: Prism on the document as shipped answers {p.bytes_per:,.0f} "
                               f"bytes per response, the mock {m.bytes_per:,.0f}: Prism's dynamic mode ignores "
                               "`per_page` and fakes an array of its own length, so the two do not do the same "
                               "work. The judged row runs Prism on a copy of the document whose page holds "
                               f"exactly {PAGE_SIZE} deals (`minItems` = `maxItems`; benchmarks/run.py "
                               "`pinned_page_document`)"
                               + (f": {q.bytes_per:,.0f} bytes per response." if isinstance(q, Load) else "."))
    if unequal:
        lines += ["", "Not the same work:", ""] + [f"- {line}" for line in unequal]

    lines += ["", "## Growth: the filtered, sorted list page", "",
              f"`GET /api{GROWTH_PATH}` on a state written by `benchmarks/seed_state.py` (every resource seeded "
              f"as `crm-mock serve --records {min(s.growth)}` would, then deals bulk-inserted through the mock's "
              "Engine with its FakeData in one transaction, growing the same file), served by "
              "`crm-mock serve --state FILE --workers 2`. p50/p99 (one client): a sequential Python client loop, "
              f"one request at a time, up to {s.sequential_requests} requests or {s.sequential_seconds:g} s after "
              f"20 warm-up requests: the service time. All sizes are served at once and measured in {s.rounds} "
              "interleaved round(s); the round with the lowest p50 is shown. Under load: wrk "
              f"{WRK_THREADS} threads, {WRK_CONNECTIONS} connections, {s.seconds} s. RSS: VmRSS summed over the "
              "gunicorn master and workers after the runs. The mock keeps a list's total (COUNT(*) steps through "
              "every matching index entry) until the data changes, so repeated reads of the page count once; "
              "\"each read after a write\" times the page when every read follows a write (a deal created in "
              "another stage, untimed), that is with the total counted again.", "",
              "| deals | matching stage 3 | p50 ms (one client) | p99 ms (one client) | p50 ms, every round "
              "| p50 ms, each read after a write | server CPU ms/req | other load | req/s (wrk) | p50 ms (wrk) "
              "| p99 ms (wrk) | RSS | state file | start to first 200 |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for g in r.growth:
        w = g.loaded
        every = " / ".join(_ms(m.p50_ms) for m in g.rounds)
        lines.append(f"| {g.deals:,} | {g.matched:,} | {_ms(g.sequential.p50_ms)} | {_ms(g.sequential.p99_ms)} | "
                     f"{every} | {_ms(g.after_write.p50_ms) if g.after_write else '-'} | "
                     f"{_cpu(g.sequential.cpu_ms)} | {_pct(g.sequential.other)} | "
                     f"{f'{w.rps:,.0f}' if w else '-'} | {_ms(w.p50_ms) if w else '-'} | {_ms(w.p99_ms) if w else '-'} "
                     f"| {g.rss_mib:.0f} MiB | {g.state_mib:.0f} MiB | {g.startup_s:.2f} s |")
    if r.seeding:
        lines += ["", "Seeding (`python -m benchmarks.seed_state`):", ""] + [f"- {line}" for line in r.seeding]

    lines += ["", "## Startup and conformance runs", ""]
    for label, runs in r.startup:
        lines.append(f"- Startup of {label}, process start to the first 200 on `GET /api/deals/1`: "
                     + ", ".join(f"{w:.2f} s" for w, _ in runs)
                     + f" (median {statistics.median(w for w, _ in runs):.2f} s); CPU time of the server's "
                     "processes by then: " + ", ".join(f"{c:.2f} s" for _, c in runs) + ".")
    for sv in r.servers:
        if sv.name.startswith("mock"):
            lines.append(f"- Startup of `{sv.command}`: {sv.startup_s:.2f} s.")
    for g in r.growth:
        lines.append(f"- Startup of `crm-mock serve --state FILE --workers 2` on {g.deals:,} stored deals: "
                     f"{g.startup_s:.2f} s.")
    extra = " ".join(s.conformance_args)
    lines += ["", f"`crm-conformance run --dialect D --base-url ... --token $(crm-mock token --dialect D)"
              f"{' ' + extra if extra else ''}` against `crm-mock serve --dialect D` (defaults), wall time:", "",
              "| API | seconds | exit | verdict |", "|---|---|---|---|"]
    for row in r.conformance:
        lines.append(f"| {row.dialect} | {row.seconds:.1f} | {row.exit_code} | {row.verdict.replace('|', '/')} |")
    if r.proxy is not None:
        lines += proxy_overhead.section(r.proxy)
    if r.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in r.notes]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------- main
def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny and short, for CI; no target is judged")
    parser.add_argument("--out", type=Path, default=None, help="the report (default reports/benchmarks.md)")
    parser.add_argument("--prism", default=os.environ.get("PRISM"), help=f"the prism binary (default {PRISM_DEFAULT})")
    args = parser.parse_args(argv)
    settings = SMOKE if args.smoke else FULL
    out: Path = args.out or ROOT / "reports" / ("benchmarks-smoke.md" if args.smoke else "benchmarks.md")

    def say(text: str) -> None:
        print(f"bench: {text}", flush=True)

    if not settings.smoke and shutil.which("wrk") is None:
        print(f"bench: wrk is not installed. Install it with:\n    {WRK_INSTALL}", file=sys.stderr)
        return 2
    if settings.smoke and shutil.which("wrk") is None:
        say("wrk not found: using a short Python client loop instead")
    prism = find_prism(args.prism) if settings.prism else None
    if settings.prism and prism is None:
        say(f"Prism not found, measured without it. To include it: {PRISM_INSTALL}")

    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    work = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    try:
        bench = Bench(settings, work, prism, say)
        bench.results.machine = machine(prism)
        bench.throughput()
        bench.growth()
        bench.startup()
        bench.conformance()
        bench.results.proxy = proxy_overhead.measure(bench)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render(bench.results))
        say(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
        for t in targets(bench.results):
            say(f"{t.verdict:4} {t.name}: {t.measured}")
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
    # run as the module benchmarks.run, the one benchmarks/proxy_overhead.py imports, not as a second copy
    # named __main__ (whose Server and Load would be other classes than the ones that module uses)
    from benchmarks.run import main as module_main

    sys.exit(module_main())
