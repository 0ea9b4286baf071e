"""Seeded histories are coherent: every ordering of dates the documents' fields imply holds for every seeded
record of every resource of every API, for many seeds.

The relations below are written from what the fields mean (a record is updated after it is created, a deal
closes after it was opened and not in the future, an open deal is expected to close later, a task falls due
after it was created, a contract ends after it starts, an activity is logged after it happened), never read
from the generator. `test_every_temporal_field_is_ordered` keeps the table complete: a date or date-time
field a document adds must be given its relations here, or a reason why it has none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from crmspec import dotted
from mock_server.app import mock_of
from tests.conftest import DIALECTS, Mock, load_api

Record = dict[str, Any]
RECORDS = 30  # per resource and seed


# --- reading values the way the documents write them --------------------------------------------------------

def moment(value: Any) -> dt.datetime | None:
    """A date-time (naive ones are UTC, X3) or a date (its first instant), else None."""
    if not isinstance(value, str) or not value:
        return None
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def day(value: Any) -> dt.date | None:
    found = moment(value)
    return found.date() if found else None


def time_of_day(value: Any) -> dt.time | None:
    """A time of day, HH:MM or HH:MM:SS."""
    return dt.time.fromisoformat(value) if isinstance(value, str) and value else None


def values(record: Record, path: str) -> list[Any]:
    """`notes[].created_at` -> every note's created_at; `engagement.last_interaction` -> one value."""
    head, sep, rest = path.partition("[].")
    if not sep:
        return [dotted.get(record, path)]
    items = dotted.get(record, head)
    return [dotted.get(item, rest) for item in items or [] if isinstance(item, dict)]


# --- relations ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Clock:
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return self.now.date()


Check = Callable[[Record, Clock], bool]


@dataclass(frozen=True)
class Relation:
    says: str
    fields: tuple[str, ...]  # the temporal fields it orders
    holds: Check


def not_after(first: str, second: str) -> Relation:
    """`first` <= `second` when both are set (a date against a date-time compares by day)."""
    def check(record: Record, clock: Clock) -> bool:
        for a in values(record, first):
            for b in values(record, second):
                if a is None or b is None:
                    continue
                if len(a) == 10 or len(b) == 10:
                    if day(a) > day(b):  # type: ignore[operator]
                        return False
                elif moment(a) > moment(b):  # type: ignore[operator]
                    return False
        return True
    return Relation(f"{first} <= {second}", (first, second), check)


def in_the_past(field: str) -> Relation:
    def check(record: Record, clock: Clock) -> bool:
        return all(m is None or m <= clock.now for m in map(moment, values(record, field)))
    return Relation(f"{field} is not in the future", (field,), check)


def when(condition: Callable[[Record], bool], label: str, relation: Relation) -> Relation:
    def check(record: Record, clock: Clock) -> bool:
        return not condition(record) or relation.holds(record, clock)
    return Relation(f"when {label}: {relation.says}", relation.fields, check)


def not_before_today(field: str) -> Relation:
    def check(record: Record, clock: Clock) -> bool:
        found = day(record.get(field))
        return found is None or found >= clock.today
    return Relation(f"{field} is today or later", (field,), check)


def before_today(field: str) -> Relation:
    def check(record: Record, clock: Clock) -> bool:
        found = day(record.get(field))
        return found is None or found < clock.today
    return Relation(f"{field} has passed", (field,), check)


def not_after_today(field: str) -> Relation:
    def check(record: Record, clock: Clock) -> bool:
        found = day(record.get(field))
        return found is None or found <= clock.today
    return Relation(f"{field} is today or earlier", (field,), check)


def covers_today(start: str, end: str) -> Relation:
    def check(record: Record, clock: Clock) -> bool:
        first, last = day(record.get(start)), day(record.get(end))
        return (first is None or first <= clock.today) and (last is None or last >= clock.today)
    return Relation(f"{start} <= today <= {end}", (start, end), check)


def set_exactly_when(field: str, condition: Callable[[Record], bool], label: str) -> Relation:
    def check(record: Record, clock: Clock) -> bool:
        return (record.get(field) is not None) == condition(record)
    return Relation(f"{field} is set exactly when {label}", (field,), check)


def ends_after_it_starts(start_day: str, start_time: str, end_day: str, end_time: str) -> Relation:
    """(end day, end time) is not before (start day, start time); without its time, a start is at the start
    of its day and an end at the end of its day."""
    def check(record: Record, clock: Clock) -> bool:
        first, last = day(record.get(start_day)), day(record.get(end_day))
        if first is None or last is None:
            return True
        begins = dt.datetime.combine(first, time_of_day(record.get(start_time)) or dt.time.min)
        ends = dt.datetime.combine(last, time_of_day(record.get(end_time)) or dt.time.max)
        return begins <= ends
    return Relation(f"({start_day}, {start_time}) <= ({end_day}, {end_time})",
                    (start_day, start_time, end_day, end_time), check)


def due_after_creation(due_day: str, due_time: str) -> Relation:
    """The due moment (a day, and a time of day when set, read as UTC) is not before the record's creation."""
    def check(record: Record, clock: Clock) -> bool:
        due, created = day(record.get(due_day)), moment(record.get("created_at"))
        if due is None or created is None:
            return True
        at = time_of_day(record.get(due_time))
        if at is None:
            return due >= created.date()
        return dt.datetime.combine(due, at.replace(tzinfo=None), tzinfo=dt.UTC) >= created.replace(microsecond=0)
    return Relation(f"created_at <= ({due_day}, {due_time})", ("created_at", due_day, due_time), check)


def overdue_exactly_when_past_due(record: Record, clock: Clock) -> bool:
    """Olympus OC14: `overdue` is derived: a task not completed whose due date-time has passed."""
    due = moment(record.get("due_date"))
    past_due = record.get("status") != "completed" and due is not None and due < clock.now
    return (record.get("status") == "overdue") == past_due


def history(*extra: Relation, updated: bool = True) -> list[Relation]:
    """Every record: created, and updated when it has that field, not in the future and in that order."""
    common = [in_the_past("created_at")]
    if updated:
        common += [in_the_past("updated_at"), not_after("created_at", "updated_at")]
    return [*common, *extra]


def closed(record: Record) -> bool:
    return bool(record.get("is_won") or record.get("is_lost"))


def is_open(record: Record) -> bool:
    return not closed(record)


def status(*names: str) -> Callable[[Record], bool]:
    return lambda record: record.get("status") in names


def ysuite_stage(*names: str) -> Callable[[Record], bool]:
    """A YSUITE deal whose current stage (the document's stage fixtures) has one of these names."""
    stages = {s["stage_id"]: s["name"] for s in load_api("ysuite").dialect.resources["stages"].fixtures}
    return lambda record: stages.get(record.get("deal_current_stage")) in names


TASK = history(due_after_creation("due_date", "due_time"))

RELATIONS: dict[str, dict[str, list[Relation]]] = {
    "revorbit": {
        "deals": history(
            set_exactly_when("closed_at", closed, "the deal is won or lost"),
            not_after("created_at", "closed_at"), in_the_past("closed_at"), not_after("closed_at", "updated_at"),
            not_after("created_at", "expected_close_date"),
            when(is_open, "the deal is open", not_before_today("expected_close_date")),
        ),
        "deal_notes": history(),
        "deal_tasks": TASK,
        "tasks": TASK,
        "contacts": history(),
        "companies": history(),
        "leads": history(),
        "products": history(),
        "quotes": history(
            not_after("created_at", "valid_until"),
            when(status("expired"), "the quote expired", before_today("valid_until")),
            when(status("draft", "sent"), "the quote is a draft or sent", not_before_today("valid_until")),
        ),
        "contracts": history(
            not_after("start_date", "end_date"),
            when(status("expired"), "the contract expired", before_today("end_date")),
            when(status("active"), "the contract is active", covers_today("start_date", "end_date")),
        ),
    },
    "olympus": {
        "contacts": history(
            not_after("created_at", "engagement.last_interaction"), in_the_past("engagement.last_interaction"),
            not_after("created_at", "notes[].created_at"), in_the_past("notes[].created_at"),
        ),
        "deals": history(
            not_after("created_at", "expected_close"),
            when(lambda r: r.get("stage") in ("closed_won", "closed_lost"), "the deal is won or lost",
                 not_after_today("expected_close")),
            when(lambda r: r.get("stage") not in ("closed_won", "closed_lost"), "the deal is open",
                 not_before_today("expected_close")),
        ),
        "activities": history(not_after("occurred_at", "created_at"), in_the_past("occurred_at"), updated=False),
        "tasks": history(
            not_after("created_at", "due_date"),
            set_exactly_when("completed_at", status("completed"), "the task is completed"),
            not_after("created_at", "completed_at"), in_the_past("completed_at"),
            Relation("status is overdue exactly when a task not completed is past due", ("due_date",),
                     overdue_exactly_when_past_due),
            updated=False,
        ),
        "notes": history(updated=False),
    },
    "concord": {
        "deals": history(
            set_exactly_when("won_date", status("won"), "the deal is won"),
            set_exactly_when("lost_date", status("lost"), "the deal is lost"),
            not_after("created_at", "won_date"), in_the_past("won_date"), not_after("won_date", "updated_at"),
            not_after("created_at", "lost_date"), in_the_past("lost_date"), not_after("lost_date", "updated_at"),
            not_after("created_at", "expected_close_date"),
            when(status("open"), "the deal is open", not_before_today("expected_close_date")),
        ),
        "contacts": history(),
        "companies": history(),
        "activities": history(
            not_after("created_at", "due_date"),
            ends_after_it_starts("due_date", "due_time", "end_date", "end_time"),
        ),
    },
    "ysuite": {
        "deals": history(
            not_after("created_at", "deal_expected_close_date"),
            when(ysuite_stage("Closed"), "the deal's stage is Closed", not_after_today("deal_expected_close_date")),
            when(lambda r: not ysuite_stage("Closed")(r), "the deal is in an open stage",
                 not_before_today("deal_expected_close_date")),
        ),
        "tasks": history(
            not_after("created_at", "start_datetime"), not_after("start_datetime", "end_datetime"), updated=False,
        ),
    },
}

# Temporal fields no other field of their record orders, and why.
UNORDERED: dict[str, dict[str, str]] = {}


# --- the data ---------------------------------------------------------------------------------------------

def seeded(dialect: str, seed: int) -> Iterator[tuple[str, Record]]:
    """Every record of every resource, as the API shows it (computed fields added)."""
    mock = Mock(dialect, seed=seed, records=RECORDS)
    engine = mock_of(mock.app).engine
    for name, resource in mock.api.dialect.resources.items():
        for record in engine.presented_all(resource, engine.store.all(name)):
            yield name, record


def temporal_fields(schema: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Every property whose schema is a date, a date-time or a time of day (by format or by name)."""
    for name, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, dict):
            continue
        path = prefix + name
        branches = [sub, *(sub.get("anyOf") or []), *(sub.get("oneOf") or [])]
        formats = {b.get("format") for b in branches if isinstance(b, dict)}
        if formats & {"date", "date-time", "time"} or name.endswith(("_at", "_date", "_datetime", "_time")):
            yield path
        for branch in branches:
            if isinstance(branch, dict) and branch.get("properties"):
                yield from temporal_fields(branch, path + ".")
            items = branch.get("items") if isinstance(branch, dict) else None
            if isinstance(items, dict) and items.get("properties"):
                yield from temporal_fields(items, path + "[].")


# --- the tests --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_temporal_field_is_ordered(dialect: str) -> None:
    """Each date or date-time field of each resource is ordered by some relation (or said to need none)."""
    api = load_api(dialect)
    missing = []
    for name, resource in api.dialect.resources.items():
        ordered = {f for relation in RELATIONS[dialect].get(name, []) for f in relation.fields}
        ordered |= set(UNORDERED.get(dialect, {}).get(name, ()))
        missing += [f"{name}.{f}" for f in temporal_fields(resource.schema) if f not in ordered]
    assert not missing, f"no relation orders {missing}: add one to RELATIONS or say why in UNORDERED"


@pytest.mark.parametrize("dialect", DIALECTS)
@settings(max_examples=6, derandomize=True, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])  # a seed has nothing smaller to shrink to
@given(seed=st.integers(min_value=0, max_value=2**31 - 1))
def test_every_seeded_record_has_a_coherent_history(dialect: str, seed: int) -> None:
    now = dt.datetime.now(dt.UTC)
    broken: list[str] = []
    seen: dict[str, int] = {}
    for name, record in seeded(dialect, seed):
        seen[name] = seen.get(name, 0) + 1
        for relation in RELATIONS[dialect].get(name, []):
            if not relation.holds(record, Clock(now)):
                fields = {f: values(record, f) for f in relation.fields}
                broken.append(f"{name}: {relation.says}: {fields}")
    assert not broken, f"seed {seed}: {len(broken)} broken, e.g. " + "\n".join(broken[:12])
    resources = load_api(dialect).dialect.resources
    unseeded = [name for name in RELATIONS[dialect] if resources[name].seed and not seen.get(name)]
    assert not unseeded, f"no record of {unseeded} was seeded: the relations were not exercised"
