"""The mock's own clock: now to the second, RFC 3339 stamps that compare as strings, and lenient reading of
the times and dates a record holds (a value a client wrote may be anything)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def stamp(moment: dt.datetime) -> str:
    """RFC 3339 with Z, zero-padded even for small years, so stored stamps compare as strings."""
    m = moment.astimezone(dt.UTC)
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}Z"


def parse_time(value: Any) -> dt.datetime | None:
    """A stored time in UTC (a naive one read as UTC), or None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None


def parse_date(value: Any) -> dt.date | None:
    """The date a stored date or time starts with, or None when it has none."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
