"""What both backends make of the rows they read: a list's total (or a filter's keys) kept until the data
changes, and the maxima lookup's rows gathered per key."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

MEMO_SIZE = 512  # totals kept per connection (SQLite) or per session store (PostgreSQL)

T = TypeVar("T")


class Kept(Generic[T]):
    """What a query computed from the data (a count, the keys of the rows it matches), kept per query until the
    data may have changed. What `version` is, is the backend's: anything that moves whenever the data may have
    (SQLite's data_version and write counts, PostgreSQL's version row); None: not to be kept (inside a write
    transaction, whose writes nobody else sees yet)."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._size = size
        self._known: dict[Hashable, tuple[Hashable, T]] = {}

    def get(self, query: Hashable, version: Hashable | None, compute: Callable[[], T]) -> T:
        known = self._known.get(query)
        if version is not None and known is not None and known[0] == version:
            return known[1]
        value = compute()
        if version is not None:
            if len(self._known) >= self._size:
                self._known.clear()
            self._known[query] = (version, value)
        return value


class Totals(Kept[int]):
    """A list's total (a COUNT of every matching row) per query: a frontend that polls a page pays the count once
    per change, not once per request."""

    def total(self, query: Hashable, version: Hashable | None, count: Callable[[], int]) -> int:
        return self.get(query, version, count)


def gather_maxima(rows: Iterable[Sequence[Any]], found: dict[Any, list[Any]]) -> dict[Any, list[Any]]:
    """Rows of (key, the largest value of each field) into `found`: per key, the largest of the row's values
    (None where each is None), one for each row, so one for each resource that holds the key."""
    for row in rows:
        found.setdefault(row[0], []).append(max((v for v in row[1:] if v is not None), default=None))
    return found
