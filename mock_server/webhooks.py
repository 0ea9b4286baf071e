"""Webhook events, for any document whose behaviour raises the events of its `webhooks` section.

A request's events are recorded in the store (`RecordStore.append_event`) inside the request's transaction,
so an event exists exactly when its change does, and after the commit each is POSTed to `--webhook-url` when
one is given: by one daemon thread per process, in order, with a short timeout; a subscriber's failure is
only logged, never seen by the API's client.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import urllib.request
from collections.abc import Mapping
from typing import Any

from mock_server.clock import stamp, utcnow
from mock_server.engine import Engine

log = logging.getLogger("crm_mock.webhooks")

WEBHOOK_TIMEOUT = 3.0
_OUTBOX: queue.Queue[tuple[str, dict[str, str], dict[str, Any]]] = queue.Queue()
_WORKER_LOCK = threading.Lock()
_worker: threading.Thread | None = None


def delivery_headers(dialect_id: str, payload: Mapping[str, Any]) -> dict[str, str]:
    """What a delivery says of itself. No document names these headers (Olympus' `webhooks` section declares
    only the payload), so they are the mock's own, named after the document's dialect id: for `olympus`,
    `X-Olympus-Event`, `X-Olympus-Event-Id` and the User-Agent `crm-mock-olympus`."""
    brand = "-".join(part.capitalize() for part in dialect_id.split("_"))
    return {"Content-Type": "application/json", "User-Agent": f"crm-mock-{dialect_id}",
            f"X-{brand}-Event": str(payload.get("event")), f"X-{brand}-Event-Id": str(payload.get("id"))}


def _post_forever() -> None:
    while True:
        url, headers, payload = _OUTBOX.get()
        try:
            request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST", headers=headers)
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as answer:
                answer.read()
        except Exception as exc:  # a subscriber's failure never reaches the API
            log.info("webhook %s to %s failed: %s", payload.get("event"), url, exc)
        finally:
            _OUTBOX.task_done()


def _enqueue(url: str, headers: dict[str, str], payload: dict[str, Any]) -> None:
    global _worker
    with _WORKER_LOCK:
        if _worker is None or not _worker.is_alive():  # also after a fork: threads do not survive it
            _worker = threading.Thread(target=_post_forever, name="crm-mock-webhooks", daemon=True)
            _worker.start()
    _OUTBOX.put((url, headers, payload))


class Events:
    """The webhook events of one request: stored inside the request's transaction, delivered after it.

    An event is `{id, event, occurred_at, **context, data, **extra}`: `context` is what every event of the
    request carries (Olympus: the acting user's tenant), `extra` what one event adds (a score's previous value).
    """

    def __init__(self, engine: Engine, context: Mapping[str, Any] | None = None) -> None:
        self.engine = engine
        self.context = dict(context or {})
        self.pending: list[dict[str, Any]] = []

    def emit(self, event: str, data: dict[str, Any], **extra: Any) -> None:
        payload = self.engine.store.append_event(event, lambda seq: {
            "id": f"evt_{seq:06d}", "event": event, "occurred_at": stamp(utcnow()),
            **self.context, "data": data, **extra})
        self.pending.append(payload)

    def deliver(self) -> None:
        """After the commit: POST each event, in order, when the mock was given a webhook URL."""
        url = self.engine.webhook_url
        if url and url.lower().startswith(("http://", "https://")):
            for payload in self.pending:
                _enqueue(url, delivery_headers(self.engine.dialect.id, payload), payload)
        self.pending = []
