"""`--watch`: reload the document when its file changes, keeping every session's state.

Each request first stats the document (a cheap `os.stat`); when its modification time or size changed,
the document is loaded again and a new app is built around the same runtime (the stores, the ledger):
routes, validators, examples and envelopes follow the new text, the records stay. A document that no
longer loads is reported on stderr and the previous one keeps serving until the file changes again.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from crmspec import CrmSpecError, load
from crmspec.model import Api
from mock_server.runtime import Runtime

Rebuild = Callable[[Api, Runtime], Flask]


def _signature(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class DocumentWatcher:
    """Replaces `app.wsgi_app`: every request goes to the app built from the document's latest text."""

    def __init__(self, app: Flask, path: str, rebuild: Rebuild) -> None:
        self.app = app
        self.path = path
        self.rebuild = rebuild
        self.signature = _signature(path)
        self.target: Callable[[Any, Any], Any] = app.wsgi_app
        self._lock = threading.Lock()

    def __call__(self, environ: Any, start_response: Any) -> Any:
        if _signature(self.path) != self.signature:
            self.reload()
        return self.target(environ, start_response)

    def reload(self) -> None:
        with self._lock:
            signature = _signature(self.path)
            if signature == self.signature or signature is None:
                return
            self.signature = signature
            runtime: Runtime = self.app.extensions["crm_mock"].runtime
            try:
                api = load(self.path)
                runtime.sessions.adopt(api.dialect)
                fresh = self.rebuild(api, runtime)
            except (CrmSpecError, ValueError) as exc:
                print(f"crm-mock: {self.path} changed but does not load, still serving the previous one: {exc}",
                      file=sys.stderr, flush=True)
                return
            self.app.extensions["crm_mock"] = fresh.extensions["crm_mock"]
            self.target = fresh.wsgi_app
            print(f"crm-mock: reloaded {self.path}", file=sys.stderr, flush=True)


def watch(app: Flask, path: str, rebuild: Rebuild) -> None:
    app.wsgi_app = DocumentWatcher(app, path, rebuild)  # type: ignore[method-assign]
