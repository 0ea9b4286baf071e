"""The servers a benchmark measures (the mock, bare Flask, Prism, the proxy), started through benchmarks/launch.py, the
launcher the tests use too: each in its own process group on a loopback port of 18100-18199, its output in a
log file, stopped at the end of its block or, on Ctrl-C or failure, by stop_all()."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from benchmarks import launch
from benchmarks.settings import ROOT
from benchmarks.usage import HZ, rss_mib, tree_ticks
from mock_server.config import DEFAULT_SERVER, SERVER_KINDS

HOST = "127.0.0.1"
PORTS = range(18100, 18200)
PRISM_VERSION = "5.14.2"
PRISM_DEFAULT = ROOT / ".cache" / "prism" / "node_modules" / ".bin" / "prism"
PRISM_INSTALL = f"npm install --prefix .cache/prism @stoplight/prism-cli@{PRISM_VERSION}"
OTHER_SERVER = next(kind for kind in SERVER_KINDS if kind != DEFAULT_SERVER)  # measured beside the default


class BenchError(Exception):
    """A server or tool misbehaved: the benchmark cannot be trusted."""


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
    """One server process, and what it uses (memory, CPU) while it runs."""

    def __init__(self, name: str, argv: list[str], port: int, logs: Path, env: dict[str, str] | None = None) -> None:
        self.name, self.argv, self.port = name, argv, port
        self.log = logs / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{port}.log"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[str] | None = None
        self.started = 0.0

    def start(self) -> Server:
        with open(self.log, "wb") as out:
            self.started = time.perf_counter()
            self.proc = launch.start(self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        _RUNNING.append(self)
        return self

    def wait_ready(self, path: str, headers: dict[str, str], timeout: float = 180.0) -> float:
        """Seconds from process start to the first answer on GET path."""
        seconds = self.first_answer(path, headers, timeout)
        if seconds is None:
            raise BenchError(f"{self.name} gave no answer on GET {path} within {timeout:.0f} s: {self.tail()}")
        return seconds

    def first_answer(self, path: str, headers: dict[str, str], timeout: float) -> float | None:
        """Seconds from process start to the first answer on GET path; None when it is still running without one
        after `timeout` seconds; BenchError when it exits first."""
        assert self.proc is not None
        try:
            launch.wait_until_answers(f"http://{HOST}:{self.port}{path}", self.proc, self.name, timeout, headers,
                                      poll=0.01)
        except launch.NotAnswering as exc:
            if self.proc.poll() is not None:
                raise BenchError(f"{exc}: {self.tail()}") from None
            return None
        return time.perf_counter() - self.started

    def tail(self) -> str:
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(line for line in lines[-5:] if "InsecureKeyLength" not in line)

    def rss(self) -> float:
        return rss_mib(self.proc.pid) if self.proc is not None else 0.0

    def cpu_s(self) -> float:
        """CPU seconds used so far by the server's processes (ended ones once their parent waited for them)."""
        return tree_ticks(self.proc.pid) / HZ if self.proc is not None else float("nan")

    def stop(self) -> None:
        if self.proc is not None:
            launch.stop(self.proc, grace=10.0)
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


def tool(*argv: str, timeout: float = 60.0) -> str:
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout


def script(name: str) -> str:
    """A console script of this environment (crm-mock, crm-conformance, gunicorn, granian)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise BenchError(f"{path} is missing: install the project (make bench does) first")
    return str(path)


# ------------------------------------------------------------------------------------- the servers
def crm_mock(name: str, port: int, logs: Path, *args: str) -> Server:
    """`crm-mock serve --port PORT ARGS`."""
    return Server(name, [script("crm-mock"), "serve", "--port", str(port), *args], port, logs)


def bare_flask(port: int, logs: Path, deals: Path, server: str = DEFAULT_SERVER) -> Server:
    """benchmarks/bare_flask.py serving the deals of a JSON file, under the mock's settings for `server`
    (mock_server/http_servers.py): 2 workers, one Python thread each."""
    if server == "granian":
        argv = [script("granian"), "--interface", "wsgi", "--workers", "2", "--blocking-threads", "1", "--http", "1",
                "--no-ws", "--host", HOST, "--port", str(port), "--log-level", "warning", "benchmarks.bare_flask:app"]
    else:
        argv = [script("gunicorn"), "--workers", "2", "--worker-class", "sync", "--bind", f"{HOST}:{port}",
                "--keep-alive", "5", "--timeout", "60", "--log-level", "warning", "benchmarks.bare_flask:app"]
    return Server(f"bare Flask ({server})", argv, port, logs, env={"BENCH_DEALS": str(deals)})


def prism(binary: Path, port: int, logs: Path, document: Path) -> Server:
    """Prism in dynamic mode (fake data from the schemas), seeded."""
    return Server("Prism", [str(binary), "mock", "-d", "--seed", "42", "-m", "-h", HOST, "-p", str(port),
                            str(document)], port, logs)


def proxy(port: int, logs: Path, upstream: str, reports: Path, *args: str) -> Server:
    """`crm-conformance proxy` in front of `upstream`, writing its reports to `reports` when it stops."""
    return Server("proxy", [script("crm-conformance"), "proxy", *args, "--upstream", upstream, "--port", str(port),
                            "--report-dir", str(reports)], port, logs)


def find_prism(explicit: str | None) -> Path | None:
    candidate = Path(explicit) if explicit else PRISM_DEFAULT
    return candidate if candidate.exists() else None


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
