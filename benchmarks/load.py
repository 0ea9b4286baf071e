"""Load on one server, and what it measured: wrk when installed, else a bounded Python client loop; every run
bounded in time. measure() adds the server's CPU per request and the CPU other processes took meanwhile."""

from __future__ import annotations

import http.client
import math
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks.servers import HOST, BenchError, Server
from benchmarks.usage import HZ, busy_ticks, own_ticks, tree_ticks

WRK_THREADS, WRK_CONNECTIONS = 2, 32
WRK_INSTALL = "sudo apt-get update && sudo apt-get install -y wrk   (Debian/Ubuntu; or run `make bench-smoke`)"


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


def request(port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None,
            timeout: float = 10.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def measured(server: Server, run: Callable[[], Load]) -> Load:
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
