"""Serve the proxy with gunicorn: one gthread worker (the live report lives in one process), threads for
concurrent clients. SIGINT or SIGTERM stops it: the worker writes the four report files and a small
outcome file on its way out; the command then exits 0 (no violation by the server), 1 (violations), or
2 (the proxy could not judge: a check broke, the reports could not be written)."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from conformance.proxy.forward import Forwarder
from conformance.reports import write_reports

THREADS = 8


@dataclass(frozen=True)
class Outcome:
    verdict: str            # conformant, non-conformant, error
    line: str               # one line that says it
    error: str | None = None


class ProxyServer(BaseApplication):
    def __init__(self, forwarder: Forwarder, host: str, port: int, report_dir: Path, outcome: Path,
                 announce: Callable[[str], None]) -> None:
        self.forwarder, self.host, self.port = forwarder, host, port
        self.report_dir, self.outcome, self.announce = report_dir, outcome, announce
        self.master = os.getpid()
        super().__init__()

    def load_config(self) -> None:
        settings: dict[str, Any] = {
            "bind": f"{self.host}:{self.port}", "workers": 1, "worker_class": "gthread", "threads": THREADS,
            "keepalive": 5, "timeout": 120, "graceful_timeout": 30, "accesslog": None, "errorlog": "-",
            "loglevel": "warning", "proc_name": "crm-conformance-proxy", "worker_exit": self._worker_exit,
            "when_ready": self._when_ready,
        }
        for name, value in settings.items():
            self.cfg.set(name, value)

    def load(self) -> Forwarder:
        return self.forwarder

    def _when_ready(self, arbiter: Any) -> None:
        host, port = arbiter.LISTENERS[0].sock.getsockname()[:2]
        self.announce(f"http://{host}:{port}")

    def _worker_exit(self, arbiter: Any, worker: Any) -> None:
        if os.getpid() != self.master:  # gunicorn also calls it in the master for a worker already gone
            write_outcome(self.forwarder, self.report_dir, self.outcome)


def write_outcome(forwarder: Forwarder, report_dir: Path, outcome: Path) -> None:
    """The reports of the traffic, and the verdict the command exits with."""
    try:
        result = forwarder.watch.result()
        write_reports(result, report_dir)
        traffic = result.traffic
        seen = f"{traffic.exchanges} exchanges, {traffic.judged} judged, {traffic.flagged} flagged" if traffic else ""
        counts = result.counts()
        line = (f"{result.verdict}: {result.title} at {result.target} as seen through the proxy ({seen}; "
                f"{counts['failed']} checks failed, {counts['warnings']} warnings, {counts['errors']} broken); "
                f"reports in {report_dir}")
        data = {"verdict": result.verdict, "line": line, "error": result.error}
    except OSError as exc:
        data = {"verdict": "error", "line": "", "error": f"cannot write the reports to {report_dir}: {exc.strerror}"}
    except Exception as exc:  # a fault of the tool: said in one line by the command, never a traceback
        data = {"verdict": "error", "line": "", "error": f"internal error: {type(exc).__name__}: {exc}"}
    outcome.write_text(json.dumps(data), encoding="utf-8")


def read_outcome(outcome: Path) -> Outcome | None:
    try:
        data = json.loads(outcome.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Outcome(str(data["verdict"]), str(data["line"]), data.get("error"))


def can_listen(host: str, port: int) -> str | None:
    """Why the proxy cannot listen there (None: it can); said before gunicorn retries for seconds."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def serve(server: ProxyServer) -> int | str | None:
    """Run gunicorn until a signal stops it; the master's exit status. The forked worker leaves through here
    too, once it has written the reports: it must end here, never return into the command."""
    try:
        server.run()
    except SystemExit as exc:
        if os.getpid() != server.master:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(exc.code if isinstance(exc.code, int) else 0)
        return exc.code
    return 0
