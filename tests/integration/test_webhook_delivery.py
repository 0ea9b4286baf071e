"""What a webhook delivery looks like on the wire: the body is the recorded event, and the headers name the event
and its id. No document names these headers, so the expected values are the ones crm-mock has always sent for
Olympus (X-Olympus-Event, X-Olympus-Event-Id, User-Agent crm-mock-olympus), a subscriber may route on them, and
any other document's events are named the same way after its dialect id (mock_server/webhooks.py)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from mock_server.webhooks import Events, delivery_headers
from tests.conftest import Mock
from tests.integration.subscriber import Delivery, Sink


@pytest.fixture
def sink() -> Iterator[Sink]:
    with Sink.serving() as server:
        yield server


def delivered(sink: Sink, count: int) -> list[Delivery]:
    deadline = time.monotonic() + 10
    while len(sink.deliveries) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return sink.deliveries


def test_an_olympus_delivery_names_its_event_in_the_headers(sink: Sink) -> None:
    mock = Mock("olympus", records=5, webhook_url=f"http://127.0.0.1:{sink.server_address[1]}/hooks")
    response = mock.post("/contacts", json={"name": "Header Person", "email": "header.person@hooks.example.org"})
    assert response.status_code == 201, response.get_data(as_text=True)
    [event] = mock.app.extensions["crm_mock"].store.events()
    assert event["event"] == "crm.contact_created" and event["data"]["id"] == response.get_json()["id"]

    [(path, headers, body)] = delivered(sink, 1)
    assert path == "/hooks" and body == event
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "crm-mock-olympus"
    assert headers["X-Olympus-Event"] == "crm.contact_created"
    assert headers["X-Olympus-Event-Id"] == event["id"]


def test_any_documents_events_are_recorded_and_delivered_under_its_own_name(sink: Sink) -> None:
    mock = Mock("revorbit", records=5, webhook_url=f"http://127.0.0.1:{sink.server_address[1]}/hooks")
    runtime = mock.app.extensions["crm_mock"]
    events = Events(runtime.engine, {"workspace": "w-1"})
    with runtime.store.transaction():
        events.emit("deal.closed", {"id": 7}, reason="won")
    assert sink.deliveries == []  # nothing leaves before deliver(), which a handler calls after the commit
    events.deliver()

    [stored] = runtime.store.events()
    event = dict(stored)
    occurred = dt.datetime.fromisoformat(event.pop("occurred_at"))
    assert event == {"id": "evt_000001", "event": "deal.closed", "workspace": "w-1", "data": {"id": 7}, "reason": "won"}
    assert abs(occurred - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    [(path, headers, body)] = delivered(sink, 1)
    assert path == "/hooks" and body == stored
    assert headers["User-Agent"] == "crm-mock-revorbit"
    assert (headers["X-Revorbit-Event"], headers["X-Revorbit-Event-Id"]) == ("deal.closed", "evt_000001")


def test_a_dialect_id_of_several_words_names_the_headers_word_by_word() -> None:
    headers = delivery_headers("acme_cloud_crm", {"event": "lead.won", "id": "evt_000042"})
    assert headers == {"Content-Type": "application/json", "User-Agent": "crm-mock-acme_cloud_crm",
                       "X-Acme-Cloud-Crm-Event": "lead.won", "X-Acme-Cloud-Crm-Event-Id": "evt_000042"}
