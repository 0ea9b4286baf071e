"""`crm-mock serve` under each HTTP server stops gracefully: a request in flight when the signal comes (SIGTERM from
`kill` or a supervisor, SIGINT from Ctrl-C: both reach the whole process group, workers included) still gets its
whole answer, the server exits 0 without an error line, and the temporary state its workers shared is gone."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks import launch
from benchmarks.usage import process_stats
from mock_server.auth import Credentials
from mock_server.config import DEFAULT_SECRET, SERVER_KINDS
from tests.conftest import load_api
from tests.servers import CRM_MOCK, call, crm_mock_serve, free_port

DELAY_MS = 1500  # each API answer waits this long (--delay): long enough to signal the server mid-request


GUNICORN_QUICK_SHUTDOWN = pytest.mark.xfail(strict=True, reason=(
    "SIGINT is gunicorn's quick shutdown: the worker exits mid-request and gunicorn answers its HTML 500 "
    "(one reason to prefer granian)"))
CASES = [pytest.param(server, sig, id=f"{server}-{sig.name}",
                      marks=GUNICORN_QUICK_SHUTDOWN if (server, sig) == ("gunicorn", signal.SIGINT) else ())
         for server in SERVER_KINDS for sig in (signal.SIGTERM, signal.SIGINT)]


@pytest.mark.slow
@pytest.mark.parametrize(("server", "sig"), CASES)
def test_a_request_in_flight_finishes_and_the_server_leaves_nothing_behind(tmp_path: Path, server: str,
                                                                          sig: signal.Signals) -> None:
    token = Credentials(load_api("revorbit").dialect.auth, DEFAULT_SECRET).issue()
    temporary, log = tmp_path / "tmp", tmp_path / "stderr.log"
    temporary.mkdir()
    with log.open("w") as stderr, crm_mock_serve(
            "--server", server, "--dialect", "revorbit", "--records", "3", "--workers", "2", "--delay", str(DELAY_MS),
            "--no-access-log", stderr=stderr, env={"TMPDIR": str(temporary)}) as served, ThreadPoolExecutor(1) as pool:
        assert any(temporary.iterdir())  # the two workers share a temporary state file while serving
        started = time.monotonic()
        in_flight = pool.submit(call, "GET", f"{served.url}/api/deals/1", token)
        time.sleep(DELAY_MS / 3000)  # the request has reached a worker, which is waiting out the delay
        assert not in_flight.done()
        os.killpg(served.process.pid, sig)
        status, body = in_flight.result(timeout=30)
        assert status == 200 and body["data"]["id"] == 1, body
        assert time.monotonic() - started >= DELAY_MS / 1000
        assert served.process.wait(timeout=30) == 0
    assert sorted(p.name for p in temporary.iterdir()) == []
    printed = log.read_text()
    assert "Traceback" not in printed and "ERROR" not in printed.upper(), printed


SEEDING_RECORDS = "20000"  # revorbit: 180,000 records, several seconds of seeding on any machine


def _live_members(group: int) -> list[int]:
    """The processes of a process group that have not ended (a zombie waiting for its parent has)."""
    return [pid for pid, fields in process_stats().items() if int(fields[2]) == group and fields[0] != "Z"]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
@pytest.mark.parametrize(("server", "sig"), [(server, sig) for server in SERVER_KINDS
                                             for sig in (signal.SIGTERM, signal.SIGINT)],
                         ids=lambda value: getattr(value, "name", value))
def test_a_signal_while_seeding_stops_the_server_at_once(tmp_path: Path, server: str, sig: signal.Signals) -> None:
    """Ctrl-C (or a supervisor's SIGTERM) while a large --records is being generated stops the server and every
    process it started (a worker, the child generating records aside) at once, quietly: under granian the worker
    used to go on seeding, then serve, until the main process killed it GRACE_SECONDS later."""
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        process = launch.start([*CRM_MOCK, "serve", "--server", server, "--dialect", "revorbit", "--records",
                                SEEDING_RECORDS, "--no-seed-cache", "--port", str(free_port())],
                               stdout=subprocess.PIPE, stderr=stderr)
        try:
            assert process.stdout is not None
            banner = [process.stdout.readline() for _ in range(3)]  # printed before the seeding starts
            assert "admin at" in banner[-1], banner
            time.sleep(2)
            assert process.poll() is None
            signalled = time.monotonic()
            os.killpg(process.pid, sig)
            code = process.wait(timeout=60)
            stopped_after = time.monotonic() - signalled
        finally:
            launch.stop(process, grace=5)
    assert code == 0
    assert stopped_after < 10, f"stopped {stopped_after:.1f} s after the signal"
    deadline = time.monotonic() + 10
    while _live_members(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _live_members(process.pid) == []
    printed = log.read_text()
    assert "Traceback" not in printed and "ERROR" not in printed.upper(), printed
