"""Coherent histories: the dates of one fake record (or of an object inside one) put in the order their
names imply, relative to the record's creation and to the states it is in.

A record is created first (after the record it sits in, for a nested object) and not in the future; it is
updated after it was created and after anything that happened to it (closed, won, lost, completed, its last
interaction); an activity is logged after it occurred. A closed deal was expected to close in the past, an
open one later than today. A task falls due after it was created; an end follows its start (or its due
moment); a quote or contract that expired has an end in the past, a running contract covers today, and
one not yet expired is valid until today or later.

Values already in order are kept; a value out of order is drawn again inside its bounds and written in the
same shape as before (date, or date-time with the same separator, fraction and zone), so it still fits its
schema. Draws come from the generator's own `random.Random`: the same seed gives the same history.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from mock_server.faker.vocabulary import END_WORDS
from mock_server.faker.wording import RUNNING, STATES, state_of, tokens

DAY = dt.timedelta(days=1)
YEAR = 365 * DAY
_STARTS = ("start", "starts", "begin", "begins")
_UPDATED = ("updated", "modified", "changed")
_OCCURRED = ("occurred", "happened", "logged")
_PAST = ("signed", "joined", "registered", "paid", "sent", "opened", "deleted")
_UNTIL = ("until", "expires", "expiry", "expiration")
_CLOSING = ("won", "lost", "closed")
_ENDS = ("end", "ends", "ended", "finish")
_TIME_OF_DAY = re.compile(r"\d{2}:\d{2}:\d{2}(?P<fraction>\.\d+)?(?P<zone>Z|[+-]\d{2}:?\d{2})?$")
_DAY_OR_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}|$)")
_CLOCK = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?")


def moment_in(value: Any) -> dt.datetime | None:
    """The moment a date or date-time text holds, else None. Both forms start with a decimal digit, so most
    values are ruled out before the pattern is tried."""
    if not isinstance(value, str) or not value[:1].isdecimal() or not _DAY_OR_MOMENT.match(value):
        return None
    return parse_moment(value)


def is_time_of_day(value: str) -> bool:
    """HH:MM or HH:MM:SS (5 or 8 characters: the length rules most values out first)."""
    return len(value) in (5, 8) and _CLOCK.fullmatch(value) is not None


@lru_cache(maxsize=256)  # a value is read when generated, then by each settle: the same few in a row
def parse_moment(value: str) -> dt.datetime | None:
    """A date (its first instant) or a date-time (naive read as UTC), else None."""
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text if "T" in text else text + "T00:00:00")
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def stamp(moment: dt.datetime, schema: Mapping[str, Any]) -> str:
    """RFC 3339 with a trailing Z, or the form the schema's example shows (fraction, offset, naive)."""
    examples = schema.get("examples")
    sample = examples[0] if isinstance(examples, list) and examples else schema.get("example")
    return _written(moment, _schema_form(sample) if isinstance(sample, str) else _RFC3339)


def restamp(original: str, moment: dt.datetime) -> str:
    """`moment` written in the shape of `original`: a date stays a date, a date-time keeps its form."""
    if len(original.strip()) == 10:
        return moment.date().isoformat()
    return _written(moment, _form(original))


_RFC3339 = ("T", "", "Z")


def _form(sample: str) -> tuple[str, str, str]:
    """How a date-time like `sample` is written: (the separator of date and time, fraction, zone)."""
    if len(sample) < 19:
        return _RFC3339
    match = _TIME_OF_DAY.search(sample)
    if not match:
        return _RFC3339
    sep = sample[10] if sample[10] in "T " else "T"
    fraction = "." + "0" * (len(match["fraction"]) - 1) if match["fraction"] else ""
    zone = match["zone"] or ""
    if zone not in ("", "Z"):
        zone = "+00:00" if ":" in zone else "+0000"
    return sep, fraction, zone


_schema_form = lru_cache(maxsize=1024)(_form)  # a schema's example: a few per document, read for every value


def _written(moment: dt.datetime, form: tuple[str, str, str]) -> str:
    sep, fraction, zone = form
    utc = moment.astimezone(dt.UTC)
    if not 1000 <= utc.year <= 9999:  # strftime writes other years unpadded
        return utc.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + fraction + zone
    # what strftime("%Y-%m-%dT%H:%M:%S") writes, a fraction of its cost: isoformat's first 19 characters
    return utc.isoformat(sep)[:19] + fraction + zone


def counterpart(name: str, moments: Mapping[str, dt.datetime]) -> dt.datetime | None:
    """For `end_date` / `end_time` / `ends_at`: the `start_*` sibling in `moments`, else the `due_*` one."""
    key = counterpart_name(name, moments)
    return moments[key] if key is not None else None


def counterpart_name(name: str, names: Mapping[str, Any]) -> str | None:
    rest = _without(name, END_WORDS)
    if rest is None:
        return None
    for starts in (_STARTS, ("due",)):
        for key in names:
            if _without(key, starts) == rest:
                return key
    return None


@lru_cache(maxsize=4096)
def _without(name: str, words: tuple[str, ...]) -> tuple[str, ...] | None:
    """The words of `name` but `words`, when it has any of them (`end_date` without the END_WORDS: ("date",))."""
    own = tokens(name)
    if not any(w in words for w in own):
        return None
    return tuple(w for w in own if w not in words)


# what a temporal field records, by the words of its name: the first that matches
_ROLES: tuple[tuple[str, Callable[[tuple[str, ...]], bool]], ...] = (
    ("created", lambda words: "created" in words),
    ("updated", lambda words: any(w in _UPDATED for w in words)),
    ("expected", lambda words: "expected" in words),
    ("occurred", lambda words: any(w in _OCCURRED for w in words)),
    ("last", lambda words: "last" in words),
    ("state", lambda words: len(words) >= 2 and state_of(words[0]) in STATES),
    ("due", lambda words: "due" in words),
    ("until", lambda words: any(w in _UNTIL for w in words) and not any(w in _ENDS for w in words)),
    ("start", lambda words: any(w in _STARTS for w in words)),
    ("end", lambda words: any(w in END_WORDS for w in words)),
    ("past", lambda words: any(w in _PAST for w in words)),
)


@lru_cache(maxsize=4096)
def role(name: str) -> str | None:
    """What a temporal field's name says it records, or None when it implies no order."""
    words = tokens(name)
    return next((found for found, says in _ROLES if says(words)), None) if words else None


def ancestor_created(moments: Sequence[Mapping[str, dt.datetime]]) -> dt.datetime | None:
    """The creation of the nearest enclosing record, from the moments of each enclosing level."""
    for level in moments:
        for name, moment in level.items():
            if role(name) == "created":
                return moment
    return None


class WouldDraw(Exception):
    """Putting a record's dates in order needs a random draw, which its caller ruled out."""


class NoDraws(random.Random):
    """A random source that refuses every draw (each of random.Random's draws goes through these two)."""

    def random(self) -> float:
        raise WouldDraw

    def getrandbits(self, k: int) -> int:
        raise WouldDraw


class Histories:
    """Puts the dates of one object in order (see the module's docstring)."""

    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.latest = now - dt.timedelta(seconds=1)  # "now" for a fake past: nothing is later
        self.today = now.date()

    def settle(self, record: dict[str, Any], states: Mapping[str, bool], anchor: dt.datetime | None = None) -> None:
        """Reorder `record`'s own temporal fields in place. `anchor`: the creation of the record that
        holds this one (a nested object is created after it), if any."""
        moments: dict[str, dt.datetime] = {}
        clocks: list[str] = []  # the fields that hold a time of day
        for name, value in record.items():
            if not isinstance(value, str) or not value[:1].isdecimal():  # neither a moment nor a time of day
                continue
            moment = moment_in(value)
            if moment is not None:
                moments[name] = moment
            elif is_time_of_day(value):
                clocks.append(name)
        if moments:
            self._settle(record, moments, states, anchor)  # changes only the values of `moments`
        self._times_in_order(record, moments, clocks)

    def _settle(self, record: dict[str, Any], moments: dict[str, dt.datetime], states: Mapping[str, bool],
                anchor: dt.datetime | None) -> None:
        roles = {name: role(name) for name in moments}
        by_role: dict[str | None, list[str]] = {}
        for name in moments:
            by_role.setdefault(roles[name], []).append(name)
        low = self._settle_past(record, moments, by_role, anchor)
        self._settle_ahead(record, moments, by_role, states, low)

    def _settle_past(self, record: dict[str, Any], moments: dict[str, dt.datetime],
                     by_role: Mapping[str | None, list[str]], anchor: dt.datetime | None) -> dt.datetime:
        """Creation, what happened since and the last update, in that order; returns the earliest moment
        anything else may take (the creation, else the enclosing record's, else a year ago)."""
        created = next(iter(by_role.get("created", [])), None)
        if created is not None:
            self._within(record, moments, created, anchor or self.latest - YEAR, self.latest)
            anchor = moments[created]
        low = anchor or self.latest - YEAR
        for name in by_role.get("occurred", []):  # an activity is logged after it occurred
            if created is not None:
                self._within(record, moments, name, moments[created] - 30 * DAY, moments[created])
            else:
                self._within(record, moments, name, low, self.latest)
        for name in by_role.get("state", []) + by_role.get("last", []) + by_role.get("past", []):
            self._within(record, moments, name, low, self.latest)
        happened = [moments[n] for r in ("state", "last", "past", "occurred") for n in by_role.get(r, [])]
        for name in by_role.get("updated", []):
            self._within(record, moments, name, max([low, *happened]), self.latest)
        return low

    def _settle_ahead(self, record: dict[str, Any], moments: dict[str, dt.datetime],
                      by_role: Mapping[str | None, list[str]], states: Mapping[str, bool], low: dt.datetime) -> None:
        """What is expected, due, valid until, started and ended, after the creation."""
        closing = any(states.get(s) for s in _CLOSING)
        for name in by_role.get("expected", []):
            if closing:
                self._days_within(record, moments, name, low.date(), self.today - DAY)
            else:
                self._days_within(record, moments, name, max(self.today + DAY, low.date()), self.today + 180 * DAY)
        for name in by_role.get("due", []):
            self._after(record, moments, name, low, 30)
        for name in by_role.get("until", []):
            self._until(record, moments, name, states, low)
        for name in by_role.get("start", []):
            self._start(record, moments, name, states, low)
        for name in by_role.get("end", []):
            self._end(record, moments, name, states, low)

    # --- the rules ------------------------------------------------------------------------------------

    def _until(self, record: dict[str, Any], moments: dict[str, dt.datetime], name: str,
               states: Mapping[str, bool], low: dt.datetime) -> None:
        if states.get("expired"):
            self._days_within(record, moments, name, low.date(), self.today - DAY)
        elif "expired" in states:  # it could expire and has not: still valid today
            self._days_within(record, moments, name, max(self.today, low.date()), self.today + 90 * DAY)
        else:
            self._after(record, moments, name, low, 90)

    def _start(self, record: dict[str, Any], moments: dict[str, dt.datetime], name: str,
               states: Mapping[str, bool], low: dt.datetime) -> None:
        if states.get("expired"):  # leaves room for an end before today
            self._days_within(record, moments, name, low.date(), max(low.date(), self.today - 2 * DAY))
        elif states.get(RUNNING):
            self._days_within(record, moments, name, low.date(), self.today)
        else:
            self._after(record, moments, name, low, 60)

    def _end(self, record: dict[str, Any], moments: dict[str, dt.datetime], name: str,
             states: Mapping[str, bool], low: dt.datetime) -> None:
        begins = counterpart(name, moments) or low
        if states.get("expired"):
            self._days_within(record, moments, name, begins.date(), max(begins.date(), self.today - DAY))
        elif states.get(RUNNING):
            self._days_within(record, moments, name, max(begins.date(), self.today), self.today + 730 * DAY)
        elif moments[name] < begins:
            self._put(record, moments, name, begins + dt.timedelta(minutes=self.rng.choice((30, 60, 90, 120))))

    # --- drawing inside bounds ------------------------------------------------------------------------

    def _within(self, record: dict[str, Any], moments: dict[str, dt.datetime], name: str,
                low: dt.datetime, high: dt.datetime) -> None:
        """A moment in [low, high], kept when it already is (a date compares by its day)."""
        current = moments[name]
        if _is_day(record[name]):
            self._days_within(record, moments, name, low.date(), high.date())
            return
        if low <= current <= high or high < low:
            return
        span = int((high - low).total_seconds())
        self._put(record, moments, name, low + dt.timedelta(seconds=self.rng.randint(0, span)))

    def _days_within(self, record: dict[str, Any], moments: dict[str, dt.datetime], name: str,
                     low: dt.date, high: dt.date) -> None:
        current = moments[name]
        if low <= current.date() <= high or high < low:
            return
        day = low + self.rng.randint(0, (high - low).days) * DAY
        hour = dt.timedelta(hours=current.hour, minutes=current.minute, seconds=current.second)
        self._put(record, moments, name, dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC) + hour)

    def _after(self, record: dict[str, Any], moments: dict[str, dt.datetime], name: str,
               low: dt.datetime, days: int) -> None:
        """Not before `low` (a date: the day after it, so a time of day that goes with it cannot precede it)."""
        if _is_day(record[name]):
            if moments[name].date() <= low.date():
                self._days_within(record, moments, name, low.date() + DAY, low.date() + days * DAY)
        elif moments[name] < low:
            hours = self.rng.randint(1, days * 24)
            self._put(record, moments, name, low + dt.timedelta(hours=hours))

    def _put(self, record: dict[str, Any], moments: dict[str, dt.datetime], name: str, moment: dt.datetime) -> None:
        record[name] = restamp(record[name], moment)
        moments[name] = parse_moment(record[name]) or moment

    def _times_in_order(self, record: dict[str, Any], moments: Mapping[str, dt.datetime], clocks: list[str]) -> None:
        """`end_time` after `due_time` (or `start_time`) when both fall on the same day (or no day is given);
        `clocks`: the record's fields that hold a time of day, in its order."""
        for name in clocks:
            value = record[name]
            other = counterpart_name(name, record)
            begins = record.get(other) if other else None
            if not isinstance(begins, str) or _CLOCK.fullmatch(begins) is None or _minutes(value) >= _minutes(begins):
                continue
            ends_on, begins_on = _day_of(name, moments), _day_of(str(other), moments)
            if ends_on is not None and begins_on is not None and ends_on != begins_on:
                continue
            later = min(_minutes(begins) + self.rng.choice((30, 45, 60, 90)), 23 * 60 + 59)
            text = f"{later // 60:02d}:{later % 60:02d}"
            record[name] = text + value[5:] if len(value) > 5 else text


def _is_day(value: str) -> bool:
    return len(value.strip()) == 10


def _minutes(clock: str) -> int:
    match = _CLOCK.fullmatch(clock)
    assert match is not None
    return int(match[1]) * 60 + int(match[2])


def _day_of(time_field: str, moments: Mapping[str, dt.datetime]) -> dt.date | None:
    """The day a time of day falls on: `end_time` -> the `end_date` moment, if given."""
    words = [w for w in tokens(time_field) if w != "time"]
    for name, moment in moments.items():
        if [w for w in tokens(name) if w not in ("date", "day")] == words:
            return moment.date()
    return None
