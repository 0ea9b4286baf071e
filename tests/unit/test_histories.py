"""mock_server.faker.histories: the dates of one record put in the order their names imply.

Each case is a hand-written record and the order its field names mean; expectations are computed here.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

from mock_server.faker.histories import Histories

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
TODAY = NOW.date()


def settled(record: dict[str, Any], states: dict[str, bool] | None = None, seed: int = 1,
            anchor: dt.datetime | None = None) -> dict[str, Any]:
    out = dict(record)
    Histories(random.Random(seed), NOW).settle(out, states or {}, anchor)
    return out


def at(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_values_in_order_are_kept() -> None:
    won = {"created_at": "2026-01-02T10:00:00Z", "updated_at": "2026-02-01T09:00:00Z",
           "closed_at": "2026-01-20T12:00:00Z", "expected_close_date": "2026-01-25", "title": "x"}
    assert settled(won, {"won": True, "closed": True}) == won
    still_open = {"created_at": "2026-01-02T10:00:00Z", "updated_at": "2026-02-01T09:00:00Z",
                  "expected_close_date": "2026-04-01", "due_date": "2026-03-05"}
    assert settled(still_open, {"won": False, "closed": False}) == still_open


def test_updated_follows_created_and_what_happened_and_keeps_its_shape() -> None:
    record = {"created_at": "2026-01-10T10:00:00.000000Z", "updated_at": "2025-12-01T09:00:00.000000Z",
              "closed_at": "2025-11-01T08:00:00.000000Z"}
    out = settled(record, {"won": True, "closed": True})
    assert out["created_at"] == record["created_at"]
    assert at(record["created_at"]) <= at(out["closed_at"]) <= at(out["updated_at"]) < NOW
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000Z", out[k]) for k in out)


def test_an_open_deal_is_expected_later_and_a_closed_one_earlier() -> None:
    record = {"created_at": "2026-01-10T10:00:00Z", "expected_close_date": "2026-02-01"}
    open_deal = settled(record, {"won": False, "lost": False, "closed": False})
    assert dt.date.fromisoformat(open_deal["expected_close_date"]) > TODAY
    closed = settled({**record, "expected_close_date": "2026-06-01"}, {"lost": True, "closed": True})
    assert dt.date(2026, 1, 10) <= dt.date.fromisoformat(closed["expected_close_date"]) < TODAY


def test_a_nested_object_follows_the_record_it_sits_in() -> None:
    note = settled({"created_at": "2025-05-05T05:05:05Z"}, anchor=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert dt.datetime(2026, 1, 1, tzinfo=dt.UTC) <= at(note["created_at"]) < NOW
    engagement = settled({"last_interaction": "2025-05-05T05:05:05Z"}, anchor=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert dt.datetime(2026, 1, 1, tzinfo=dt.UTC) <= at(engagement["last_interaction"]) < NOW


def test_an_activity_is_logged_after_it_occurred() -> None:
    out = settled({"occurred_at": "2026-02-20T10:00:00Z", "created_at": "2026-02-10T10:00:00Z"})
    assert at(out["occurred_at"]) <= at(out["created_at"])


def test_due_end_and_times_of_day() -> None:
    out = settled({"created_at": "2026-02-10T10:00:00Z", "due_date": "2026-01-01", "due_time": "15:00",
                   "end_date": "2025-12-31", "end_time": "09:30"})
    assert dt.date.fromisoformat(out["due_date"]) > dt.date(2026, 2, 10)
    assert out["end_date"] >= out["due_date"]
    if out["end_date"] == out["due_date"]:
        assert out["end_time"] > out["due_time"]


def test_expired_and_running_contracts_and_quotes() -> None:
    created = "2025-06-01T10:00:00Z"
    expired = settled({"created_at": created, "start_date": "2026-02-01", "end_date": "2027-01-01"},
                      {"expired": True, "active": False})
    assert expired["start_date"] <= expired["end_date"] < TODAY.isoformat()
    running = settled({"created_at": created, "start_date": "2026-05-01", "end_date": "2026-02-01"},
                      {"expired": False, "active": True})
    assert running["start_date"] <= TODAY.isoformat() <= running["end_date"]
    quote = settled({"created_at": created, "valid_until": "2027-01-01"}, {"expired": True})
    assert quote["valid_until"] < TODAY.isoformat()
    valid = settled({"created_at": created, "valid_until": "2025-07-01"}, {"expired": False})
    assert valid["valid_until"] >= TODAY.isoformat()


def test_the_same_seed_gives_the_same_history() -> None:
    record = {"created_at": "2026-01-10T10:00:00Z", "updated_at": "2025-01-01T00:00:00Z",
              "expected_close_date": "2025-01-01"}
    assert settled(record, seed=7) == settled(record, seed=7)
    assert any(settled(record, seed=7) != settled(record, seed=s) for s in range(8, 12))
