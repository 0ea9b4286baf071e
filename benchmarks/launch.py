"""Starting a server process, for the tests (tests/servers.py) and the benchmarks (benchmarks/servers.py) alike.

A server runs in a process group of its own, so that stopping it stops the workers it forked (gunicorn's,
node's) too; it is ready once a GET answers over HTTP; it is stopped with SIGTERM and, past a grace period,
SIGKILL, and whatever of its group is left behind (workers of a master that died first) is killed.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit


class NotAnswering(Exception):
    """The server exited, or gave no answer in time: the message says which."""


def start(argv: Sequence[str], *, cwd: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None,
          stdout: Any = subprocess.DEVNULL, stderr: Any = subprocess.DEVNULL) -> subprocess.Popen[str]:
    """`argv` in a new session (its own process group), reading nothing; `env` None: this process's."""
    return subprocess.Popen(list(argv), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                            text=True, start_new_session=True)


def answers(url: str, headers: Mapping[str, str] | None = None, timeout: float = 5.0) -> bool:
    """Whether GET `url` answers below 400, on a fresh connection (no proxy: these servers are local)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=dict(headers or {}))
        response = conn.getresponse()
        response.read()
        return response.status < 400
    except OSError:
        return False
    finally:
        conn.close()


def wait_until_answers(url: str, process: subprocess.Popen[str], name: str, timeout: float = 30.0,
                       headers: Mapping[str, str] | None = None, poll: float = 0.05) -> None:
    """Poll GET `url` until it answers; NotAnswering when `process` exits first or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise NotAnswering(f"{name} exited with {process.returncode} before it answered")
        if answers(url, headers):
            return
        if time.monotonic() > deadline:
            raise NotAnswering(f"{name} gave no answer on GET {url} within {timeout:.0f} s")
        time.sleep(poll)


def stop(process: subprocess.Popen[str], grace: float = 20.0) -> str:
    """SIGTERM to the group (unless the process has exited already), SIGKILL when it is still running after
    `grace` seconds; what it printed on a captured stdout."""
    if process.poll() is None:
        _signal_group(process, signal.SIGTERM)
    try:
        output = process.communicate(timeout=grace)[0]
    except subprocess.TimeoutExpired:
        _signal_group(process, signal.SIGKILL)
        try:
            output = process.communicate(timeout=5.0)[0]
        except subprocess.TimeoutExpired:
            output = ""
    _signal_group(process, signal.SIGKILL)  # workers left behind by a master that died first
    return output or ""


def _signal_group(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    try:
        os.killpg(process.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
