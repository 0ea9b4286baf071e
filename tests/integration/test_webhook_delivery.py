"""What a webhook delivery looks like on the wire: the body is the recorded event, and the headers name the event
and its id. No document names these headers, so the expected values are the ones crm-mock has always sent for
Olympus (X-Olympus-Event, X-Olympus-Event-Id, User-Agent crm-mock-olympus): a subscriber may route on them."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

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
