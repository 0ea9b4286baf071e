"""The store boundary: what the engine, the behaviours, the sessions and the ledger may ask of a backend.

`RecordStore` holds one session's state (the records of every resource, the meta values, the webhook events);
`Ledger` the mock's bookkeeping shared by every worker and replica (rate-limit windows, the request log);
`StateBackend` one served API's sessions, snapshots and ledger. sqlite/ and postgres/ implement them; no
SQL is written anywhere else.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from crmspec.model import Dialect, Resource
from mock_server.errors import BadRequest
from mock_server.store.query import Predicate, Query

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
DEFAULT_SESSION = "default"


def checked_name(name: str, what: str = "session") -> str:
    if not NAME.fullmatch(name):
        raise BadRequest(
            f"Invalid {what} name {name!r}: use 1 to 64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return name


def utc_stamp(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class DatabaseUnavailable(RuntimeError):
    """The database named by --state cannot be reached, refused the credentials, or its URL is malformed."""


@dataclass(slots=True)
class Image:
    """A whole session's state, as one backend hands it to another (a seeded template into a session)."""

    records: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)  # resource -> (key, doc)
    sequences: dict[str, int] = field(default_factory=dict)  # resource -> the largest key ever used
    meta: dict[str, str] = field(default_factory=dict)
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Snapshot:
    name: str
    created_at: str


class RecordStore(ABC):
    """One session's records, meta values and webhook events."""

    dialect: Dialect

    def make_id(self, resource: Resource, pk: int) -> Any:
        """A record's id from its key: the key itself for integer ids, else the dialect's format."""
        if self.dialect.id_type == "integer":
            return pk
        fmt = self.dialect.id_format or "{prefix}_{n}"
        return fmt.format(prefix=resource.id_prefix or resource.name, n=pk)

    def with_id(self, resource: Resource, doc: dict[str, Any], pk: int) -> dict[str, Any]:
        """A new record as stored: its own id if it brings one, else the id its key makes, first."""
        given = doc.get(resource.id_field)
        return {resource.id_field: given if given is not None else self.make_id(resource, pk), **doc}

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """One atomic unit of work that no other writer of this session interleaves with (a nested one
        joins the outer); a failure rolls everything in it back."""

    @abstractmethod
    def create_tables(self) -> None:
        """The tables of the dialect's resources; existing ones and their records stay."""

    def adopt(self, dialect: Dialect) -> None:
        """Serve a reloaded document: its resources' tables are created, existing records are kept."""
        self.dialect = dialect
        self.create_tables()

    @abstractmethod
    def ensure_index(self, resource: str, field_name: str, text: bool = False, then: str | None = None,
                     then_text: bool = False) -> None:
        """An index on a filtered or sorted field (with `then`: a filter followed by a sort key)."""

    @abstractmethod
    def ensure_unique(self, resource: str, field_name: str) -> None:
        """No two records of `resource` hold the same non-null `field_name`, ignoring case."""

    @abstractmethod
    def changes(self) -> int:
        """A count that moves whenever this thread writes through the store (the seeder's picks watch it)."""

    @abstractmethod
    def meta(self, key: str) -> str | None: ...

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None: ...

    @abstractmethod
    def insert(self, resource_name: str, doc: dict[str, Any], pk: int | None = None) -> dict[str, Any]:
        """Store a new record; a fixture may bring its own integer id, otherwise the key makes one."""

    @abstractmethod
    def insert_many(self, resource_name: str, docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store new records, as `insert` would one after the other, in one statement's worth of work (the
        seeder's batches)."""

    @abstractmethod
    def get(self, resource_name: str, record_id: Any) -> dict[str, Any] | None: ...

    @abstractmethod
    def replace(self, resource_name: str, record: dict[str, Any]) -> dict[str, Any]: ...

    @abstractmethod
    def delete(self, resource_name: str, record_id: Any) -> bool: ...

    @abstractmethod
    def query(self, resource_name: str, query: Query) -> tuple[list[dict[str, Any]], int]:
        """(the page of records, the total that match)."""

    def all(self, resource_name: str, where: Sequence[Predicate] = ()) -> list[dict[str, Any]]:
        return self.query(resource_name, Query(where=list(where)))[0]

    @abstractmethod
    def get_many(self, resource_name: str, record_ids: Sequence[Any]) -> dict[str, dict[str, Any]]:
        """The records with these ids that exist, by id as text."""

    @abstractmethod
    def maxima_by(self, resource_names: Sequence[str], fields: Sequence[str], key_field: str,
                  keys: Sequence[Any]) -> dict[Any, list[Any]]:
        """For each key, the largest value any of `fields` holds among the records of each resource whose
        `key_field` is that key (one value per resource that has such records)."""

    @abstractmethod
    def count(self, resource_name: str) -> int: ...

    def pick(self, resource_name: str, offset: int) -> dict[str, Any] | None:
        """The record at `offset` (mod count) in key order: a deterministic 'random' existing record."""
        total = self.count(resource_name)
        return None if total == 0 else self._nth(resource_name, offset % total, total)

    @abstractmethod
    def _nth(self, resource_name: str, index: int, total: int) -> dict[str, Any]:
        """The record at `index` (0 <= index < total) in key order; `total`: how many records there are."""

    def nth_matching(self, resource_name: str, where: Sequence[Predicate], index: int) -> dict[str, Any] | None:
        """The record at `index` (from 0) in key order among those matching `where`; None past the last."""
        found = self.query(resource_name, Query(where=list(where), limit=1, offset=index))[0]
        return found[0] if found else None

    @abstractmethod
    def clear(self) -> None: ...

    @abstractmethod
    def append_event(self, event: str, payload: Callable[[int], dict[str, Any]]) -> dict[str, Any]:
        """Record a webhook event; `payload(seq)` builds its body from its sequence number."""

    @abstractmethod
    def events(self) -> list[dict[str, Any]]:
        """Every recorded webhook event, oldest first."""

    @abstractmethod
    def image(self) -> Image:
        """Everything this session holds."""

    @abstractmethod
    def load(self, image: Image) -> None:
        """Replace everything this session holds with `image`, atomically."""

    def copy_into(self, other: RecordStore) -> None:
        other.load(self.image())


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    at: str
    method: str
    path: str
    query: str
    status: int
    ms: float
    session: str


class Ledger(ABC):
    """Rate-limit windows and the request log, one for every worker and replica of a served API."""

    @abstractmethod
    def count_hit(self, key: str, slot: int) -> int:
        """Count one request of `key` in window `slot` (a new slot starts at 1); the count so far."""

    @abstractmethod
    def log(self, entries: Sequence[LoggedRequest], keep: int) -> None:
        """Append to the request log, keeping its last `keep` lines."""

    @abstractmethod
    def recent(self, session: str, limit: int) -> list[LoggedRequest]:
        """The session's last `limit` requests, newest first."""

    @abstractmethod
    def forget(self, session: str) -> int:
        """Drop the session's request log; how many lines went."""


class StateBackend(ABC):
    """One served API's state: the default session, the named sessions, their snapshots and the ledger."""

    ledger: Ledger
    default: RecordStore
    seeds_in_place = True  # the default session is seeded straight into its store (else: in memory, then copied)

    @abstractmethod
    def open_session(self, name: str, fill: Callable[[RecordStore], None]) -> RecordStore:
        """The store of session `name`, created (and filled by `fill`, once across every process) on first use."""

    @abstractmethod
    def session_names(self) -> list[str]:
        """The named sessions that exist (beside the default)."""

    @abstractmethod
    def scratch(self, dialect: Dialect) -> RecordStore:
        """A private in-memory store of this process (a seeded template)."""

    @abstractmethod
    def snapshot(self, session: str, store: RecordStore, name: str) -> Snapshot: ...

    @abstractmethod
    def restore(self, session: str, store: RecordStore, name: str) -> Snapshot | None:
        """None: no such snapshot."""

    @abstractmethod
    def snapshots(self, session: str) -> list[Snapshot]: ...

    @abstractmethod
    def drop_snapshot(self, session: str, name: str) -> bool: ...

    @abstractmethod
    def close(self) -> None:
        """Let go of this process's connections now (the server's master after seeding, before the workers fork),
        not whenever the garbage collector gets to them."""

    def adopt(self, dialect: Dialect, stores: Sequence[RecordStore]) -> None:
        for store in stores:
            store.adopt(dialect)
