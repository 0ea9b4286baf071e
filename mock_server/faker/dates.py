"""Fake dates, moments and times of day, in the direction a field's name implies (a due date ahead, a
closing behind) and after the moments the record already holds (an end after its start)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from mock_server.faker.context import RecordContext
from mock_server.faker.histories import counterpart, stamp
from mock_server.faker.miss import MISS
from mock_server.faker.sources import Sources
from mock_server.faker.vocabulary import DATE_WORDS
from mock_server.faker.wording import direction, tokens

_SHAPES = ("date", "date-time", "time")


class Dates:
    """The temporal values of a record, drawn from the generator's sources."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources
        self.rng = sources.rng
        self.today = sources.today

    def temporal(self, name: str, schema: Mapping[str, Any], kind: str, ctx: RecordContext,
                 ahead: str | None, shape: str | None = None) -> Any:
        """A date, date-time or time of day for `name`: the format decides, then the hint, then the name."""
        if kind != "string":
            return MISS
        fmt = schema.get("format")
        if fmt in _SHAPES:
            shape = fmt
        elif shape is None:
            shape = _shape_of(name)
        if shape == "time":
            return self._time_text(name, schema, fmt, ctx)
        if shape == "date":
            start = counterpart(name, ctx.moments)
            if start is not None:
                spans = (365, 730, 1095) if ctx.kind == "document" else (0, 0, 1, 2)
                return (start.date() + dt.timedelta(days=self.rng.choice(spans))).isoformat()
            return self.date(name, ahead).isoformat()
        return stamp(self.moment(name, ahead, ctx), schema)

    def _time_text(self, name: str, schema: Mapping[str, Any], fmt: Any, ctx: RecordContext) -> str:
        moment = self.time(name, ctx)
        if fmt == "time":
            return moment.strftime("%H:%M:%S") + "Z"
        pattern = schema.get("pattern")
        short = moment.strftime("%H:%M")
        return short if not pattern or re.search(str(pattern), short) else moment.strftime("%H:%M:%S")

    def date(self, name: str, ahead: str | None) -> dt.date:
        reading = _reading(name)
        if ahead is None:
            ahead = reading.direction
        if reading.due and ahead == "future":
            days = self.rng.randint(0, 30)
        elif ahead == "future":
            days = self.rng.randint(1, 180)
        elif ahead == "past":
            days = -self.rng.randint(1, 365)
        elif reading.birth:
            days = -self.rng.randint(20 * 365, 65 * 365)
        else:
            days = self.rng.randint(-365, 180)
        return self.today + dt.timedelta(days=days)

    def moment(self, name: str, ahead: str | None, ctx: RecordContext) -> dt.datetime:
        reading = _reading(name)
        start = counterpart(name, ctx.moments)
        if start is not None:
            return start + dt.timedelta(minutes=self.rng.choice((30, 45, 60, 90, 120, 240)))
        if reading.updated:
            created = next((m for key, m in ctx.moments.items() if _reading(key).created), None)
            if created is not None:
                span = max(0, int((self.sources.now - created).total_seconds()))
                return created + dt.timedelta(seconds=self.rng.randint(0, span))
        day = self.date(name, ahead or reading.direction or "past")
        seconds = self.rng.randint(8 * 3600, 18 * 3600)
        return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC) + dt.timedelta(seconds=seconds)

    def time(self, name: str, ctx: RecordContext) -> dt.time:
        start = counterpart(name, ctx.moments)
        if start is not None:
            later = start + dt.timedelta(minutes=self.rng.choice((30, 45, 60, 90)))
            return later.time() if later.date() == start.date() else dt.time(23, 45)
        return dt.time(self.rng.randint(8, 17), self.rng.choice((0, 15, 30, 45)))


class _Reading(NamedTuple):
    """What a temporal field's name says, read once per name."""

    direction: str | None  # "past" or "future", as the name says
    due: bool
    birth: bool
    created: bool
    updated: bool


@lru_cache(maxsize=4096)
def _reading(name: str) -> _Reading:
    words = tokens(name)
    return _Reading(direction(words), "due" in words, "birth" in words or "birthday" in words, "created" in words,
                    any(w in words for w in ("updated", "modified", "changed")))


@lru_cache(maxsize=4096)
def _shape_of(name: str) -> str:
    """The shape a name without a format implies: a time of day, a date, else a date-time."""
    last = tokens(name)[-1]
    return "time" if last == "time" else "date" if last in DATE_WORDS else "date-time"
