"""The HTTP servers `crm-mock serve` runs the WSGI app under: gunicorn (sync workers) or granian (a Rust HTTP server,
one Python thread per worker). Both fork their workers from this process after `server.serve` has seeded the
shared state, stop gracefully on SIGTERM or SIGINT (in-flight requests finish) and print no access log of their
own (the mock prints its line per request: accesslog.py)."""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server.mp import MPServer
from gunicorn.app.base import BaseApplication

from mock_server.config import Listen

AppFactory = Callable[[], Any]  # builds the WSGI app, in each worker

GRACE_SECONDS = 30  # a stopping worker's in-flight requests get this long (gunicorn's default graceful_timeout)
# granian's HTTP/1 read buffer: with 1 MiB a 2 MB header block still reaches the mock (measured; gunicorn stops at
# 8190 bytes a line), a 4 MB one gets granian's own 431; a request target past 64 KiB gets its 414 (hyper's fixed
# limit); both with an empty body, never an HTML page (README, "What the HTTP server answers itself")
GRANIAN_HEADER_BUFFER = 1024 * 1024


def run(factory: AppFactory, listen: Listen, preload: bool) -> None:
    """Serve until a signal stops the server. `preload`: build the app once here, before the fork (gunicorn only:
    granian builds it in each worker, which is also right for an in-memory state served by one worker)."""
    if listen.server == "granian":
        _granian(factory, listen)
    else:
        _gunicorn(factory, listen, preload)


class _Gunicorn(BaseApplication):
    def __init__(self, factory: AppFactory, options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.factory()


def _gunicorn(factory: AppFactory, listen: Listen, preload: bool) -> None:
    options = {
        "bind": f"{listen.host}:{listen.port}",
        "workers": listen.workers,
        "worker_class": "sync",
        "preload_app": preload,
        "accesslog": None,  # the mock prints its own line per request (accesslog.py, --log-format)
        "errorlog": "-",
        "loglevel": "warning",
        "timeout": 60,
        "keepalive": 5,
        # no request-line limit (gunicorn's is 4094 bytes): a 10,000-character id reaches the mock and gets
        # the API's 404 envelope instead of gunicorn's HTML 414; headers keep gunicorn's 8190-byte limit
        "limit_request_line": 0,
    }
    _Gunicorn(factory, options).run()


def _granian(factory: AppFactory, listen: Listen) -> None:
    server = MPServer(
        "crm-mock", address=listen.host, port=listen.port, interface=Interfaces.WSGI, workers=listen.workers,
        # one Python thread per worker, as a sync gunicorn worker: further requests queue in Rust, and --delay
        # holds one worker as it does under gunicorn
        blocking_threads=1, http=HTTPModes.http1, websockets=False,
        http1_settings=HTTP1Settings(max_buffer_size=GRANIAN_HEADER_BUFFER),
        log_level=LogLevels.warning, log_access=False, log_dictconfig=_STDERR_LOGGING,
        workers_kill_timeout=GRACE_SECONDS,
    )
    server.serve(target_loader=_stoppable_while_loading(factory), wrap_loader=False)


def _stoppable_while_loading(factory: AppFactory) -> AppFactory:
    """A granian worker builds the app (and seeds an in-memory state: seconds for a large --records) before it
    installs its own signal handlers; until then it runs the handlers the fork copied from the main process, which
    only mark the main process's copy as stopping, so a Ctrl-C while seeding waited out GRACE_SECONDS before the
    worker was killed. While the app builds, SIGTERM (what the main process sends to stop a worker) ends the worker
    at once and SIGINT is left to the main process, as granian's own handlers do afterwards."""
    def load() -> Any:
        signal.signal(signal.SIGTERM, _leave)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        return factory()
    return load


def _leave(signum: int, frame: FrameType | None) -> None:
    """The worker leaves as a process that returns does (its cleanups run, its child generating records is
    stopped), without a traceback: granian's worker ends on SystemExit quietly."""
    raise SystemExit(0)


# granian logs to stdout by default; the mock's stdout is its banner (and the tests read it), so: stderr
_STDERR_LOGGING: dict[str, Any] = {
    "handlers": {
        "console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
        "access": {"formatter": "access", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
    },
}
