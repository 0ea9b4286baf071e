"""The launcher the tests and the benchmarks share (benchmarks/launch.py): ready when GET answers, a failure
that says why when the server exits first, and nothing of its process group left once it is stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks import launch
from tests.servers import free_port

# A master that forks a worker deaf to SIGTERM, prints the worker's pid, and then, given "deaf", is deaf to
# SIGTERM itself (a stuck server), else dies of it (leaving its worker behind but for the group's SIGKILL).
MASTER = """
import signal, subprocess, sys, time
worker = subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
                           " print(flush=True); time.sleep(120)"], stdout=subprocess.PIPE)
worker.stdout.readline()
if sys.argv[1] == "deaf":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
print(worker.pid, flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    """No such process, or only its zombie (its parent, the init process, reaps it when it likes)."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "\nState:\tZ" in status.read_text()
    except OSError:
        return True


def test_a_server_is_ready_once_it_answers_and_stopped_with_its_output() -> None:
    port = free_port()
    process = launch.start([sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        launch.wait_until_answers(f"http://127.0.0.1:{port}/", process, "http.server")
        assert launch.answers(f"http://127.0.0.1:{port}/")
        assert not launch.answers(f"http://127.0.0.1:{port}/no-such-file")  # a 404 is no answer
    finally:
        output = launch.stop(process)
    assert process.returncode is not None
    assert f"Serving HTTP on 127.0.0.1 port {port}" in output


def test_a_server_that_exits_first_is_named_with_its_exit_code() -> None:
    process = launch.start([sys.executable, "-c", "raise SystemExit(3)"])
    with pytest.raises(launch.NotAnswering, match="^tiny exited with 3 before it answered$"):
        launch.wait_until_answers(f"http://127.0.0.1:{free_port()}/", process, "tiny")


def test_a_server_that_never_answers_fails_after_the_timeout() -> None:
    process = launch.start([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        with pytest.raises(launch.NotAnswering, match="^quiet gave no answer on GET .* within 0 s$"):
            launch.wait_until_answers(f"http://127.0.0.1:{free_port()}/", process, "quiet", timeout=0.2)
    finally:
        launch.stop(process)


@pytest.mark.parametrize(("master", "exit_code"), [("deaf", -9), ("polite", -15)])
def test_a_stopped_server_leaves_nothing_of_its_group(master: str, exit_code: int) -> None:
    process = launch.start([sys.executable, "-c", MASTER, master], stdout=subprocess.PIPE)
    assert process.stdout is not None
    worker = int(process.stdout.readline())
    assert os.getpgid(worker) == process.pid  # the worker is in the server's group
    output = launch.stop(process, grace=0.5)
    assert process.returncode == exit_code  # deaf: SIGKILL after the grace period; polite: SIGTERM
    assert output == ""  # the worker's pid, read above, was all it printed
    deadline = time.monotonic() + 10
    while not _gone(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(worker)
