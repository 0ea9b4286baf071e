"""A resource's fake records generated in a forked process while the seeder stores them: the two halves of
seeding on two cores, and the same records one process makes.

One process generates a batch, stores it (the API's write rules, the dates settled for the state it is
stored in, the insert), then generates the next. Generating reads nothing storing writes when three things
hold: every other resource a record may pick is read from rows kept before the resource began (or is empty),
a record that picks one of its own resource reads nothing of it but its id, and storing neither writes a
record through a write hook (Picks.writes_seen) nor draws from the generator's random sources (settling draws
only to put a date out of order back in order, which the API's write rules seldom cause). Then a child forked
with the seeder's state generates every batch in turn and hands them over, and the parent stores them as they
come, then takes over the random states the child ended with. For a record of its own resource (a company's
parent company, one record a batch) the child has `Unseen` records, which hold the id the store's key will
make and nothing else.

The parent checks as it stores: when storing would draw, a hook wrote, a stored record's id is not the one the
child gave it, or the child failed (it reads more of an `Unseen` record than its id, say), it stops the child,
replays the generation of the batches it was handed (the same draws as the child's, the records dropped) to
reach the state one process would be in, and goes on alone. A fork is used only where it is safe: on Linux,
in a process with no other thread, with the store's rows kept (SQLite)."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from itertools import islice
from multiprocessing.connection import Connection
from types import FrameType
from typing import Any, Protocol

from crmspec.model import Resource
from mock_server.faker import FakeData

MIN_RECORDS = 1000  # fewer records of a resource are generated faster than a process is forked
CHUNK = 250  # records handed over at once: each hand-over is one message through the pipe
STOP_SECONDS = 10.0  # a child stopped ends at its next hand-over (a chunk's generation later)

Batches = Sequence[range]


class Picks(Protocol):
    """What a child reads of the seeder's Picks (mock_server/seeder.py): the records new ones refer to."""

    rows: dict[str, list[dict[str, Any]]]  # the kept rows of the resources seeded so far
    writes_seen: int  # how many times a write hook was seen writing
    rng: random.Random  # where the offsets of the picks come from

    @property
    def resources(self) -> Mapping[str, Resource]: ...

    @property
    def changes(self) -> Callable[[], int] | None:
        """How many rows the store's connection wrote so far, where the store can say."""

    def __call__(self, name: str) -> Mapping[str, Any] | None: ...


class Store(Protocol):
    """What the parent asks the store before a child begins."""

    def count(self, resource_name: str) -> int: ...

    def make_id(self, resource: Resource, pk: int) -> Any: ...


class UnseenRead(BaseException):
    """A child read more of a record of its own resource than its id (a BaseException: nothing in the
    generator may take it for a failure of its own)."""


class Unseen(Mapping[str, Any]):
    """A record of the resource being generated, as the child knows it before the parent stores it: its id (the
    one the store's key makes for it) and nothing else."""

    def __init__(self, id_field: str, record_id: Any) -> None:
        self.id_field, self.record_id = id_field, record_id

    def __getitem__(self, key: str) -> Any:
        if key != self.id_field:
            raise UnseenRead(key)
        return self.record_id

    def get(self, key: str, default: Any = None) -> Any:
        return self[key]

    def __contains__(self, key: object) -> bool:
        if key != self.id_field:
            raise UnseenRead(key)
        return True

    def __iter__(self) -> Iterator[str]:
        raise UnseenRead("its fields")

    def __len__(self) -> int:
        raise UnseenRead("its size")


class Aside:
    """The child generating one resource's batches, and what the parent needs to go on without it."""

    def __init__(self, fake: FakeData, pick: Picks, resource: Resource, batches: Batches,
                 view: dict[str, list[dict[str, Any]]], own_ids: Callable[[int], Any] | None) -> None:
        self.fake, self.pick, self.resource, self.batches = fake, pick, resource, batches
        self.view = view  # the picked resources' rows the generation reads, as they were at the fork
        self.own_ids = own_ids  # a record of its own resource may be picked: the id the n-th stored one gets
        self.stored = 0  # records stored so far
        self.writes_seen = pick.writes_seen
        self.handed = 0  # batches handed to the parent so far
        self.taken_over = ""  # why the parent took over, if it did
        self._waiting: list[list[dict[str, Any]]] = []
        context = multiprocessing.get_context("fork")
        self._connection, sending = context.Pipe(duplex=False)
        self._child = context.Process(target=_generate, args=(self, sending), name=f"crm-mock seeding {resource.name}",
                                      daemon=True)
        self._child.start()
        sending.close()

    @classmethod
    def start(cls, fake: FakeData, pick: Picks, resource: Resource, batches: Batches, store: Store) -> Aside | None:
        """The child for `resource`, or None when its generation may read what storing writes, or a fork
        is not safe here."""
        records = sum(len(batch) for batch in batches)
        if records < MIN_RECORDS or not _fork_is_safe() or pick.changes is None:
            return None
        own_ids: Callable[[int], Any] | None = None
        view: dict[str, list[dict[str, Any]]] = {}
        for name in sorted(fake.picks_from(resource)):
            kept = pick.rows.get(name)
            if name == resource.name:
                if store.count(name):
                    return None  # records of its own were stored before: only the store knows them
                own_ids = lambda n: store.make_id(resource, n)  # noqa: E731 - an empty table's n-th key is n
            elif kept is None and name in pick.resources:
                if store.count(name):
                    return None  # it would be read from the store: not from a child
                kept = []  # nothing to pick, as the store would find
            if kept is not None:
                view[name] = kept
        try:
            return cls(fake, pick, resource, batches, view, own_ids)
        except (OSError, AssertionError):  # no fork (out of memory, process limit), or a daemonic process's
            return None

    def generated(self) -> Iterator[list[dict[str, Any]]]:
        """The batches, generated from the seeder's state and the view of the records they pick, as the child
        generates them (in the parent: to replay the child's draws). The seeder's Picks reads the view meanwhile."""
        self.pick.rows = dict(self.view)
        own: list[Any] = []
        own_ids = self.own_ids
        if own_ids is not None:
            self.pick.rows[self.resource.name] = own
        for indexes in self.batches:
            batch = self.fake.records(self.resource, self.pick, indexes)
            if own_ids is not None:
                own.extend(Unseen(self.resource.id_field, own_ids(len(own) + 1)) for _ in batch)
            yield batch

    def batch(self) -> list[dict[str, Any]] | None:
        """The next batch the child generated, or None when it failed (the parent then takes over)."""
        if not self._waiting:
            try:
                kind, payload = self._connection.recv()
            except (EOFError, OSError):
                return None
            if kind != "batches":
                return None
            self._waiting = payload
            self._waiting.reverse()
        self.handed += 1
        return self._waiting.pop()

    def wrote(self) -> bool:
        """Whether a write hook wrote since the child began: what it picks may have changed."""
        return self.pick.writes_seen != self.writes_seen

    def stored_as_given(self, stored: Sequence[Mapping[str, Any]]) -> bool:
        """Whether the records just stored got the ids the child gave them (where records of their own
        resource may be picked): else the records generated after them may point at the wrong ones."""
        if self.own_ids is None:
            return True
        for record in stored:
            self.stored += 1
            if record.get(self.resource.id_field) != self.own_ids(self.stored):
                return False
        return True

    def finish(self) -> bool:
        """Every batch was stored: take the child's random states. False when it failed to send them."""
        try:
            kind, payload = self._connection.recv()
        except (EOFError, OSError):
            kind, payload = "failed", None
        self.stop()
        if kind != "states":
            return False
        generator_states, pick_state = payload
        self.fake.restore_random_states(generator_states)
        self.pick.rng.setstate(pick_state)
        return True

    def take_over(self, reason: str) -> None:
        """Stop the child and replay the generation of the batches handed over: the random sources are then
        where one process would have them, the next batch to generate being the one after those. `reason`:
        why, in one line (kept as `taken_over`)."""
        self.taken_over = reason
        self.stop()
        live = self.pick.rows
        try:
            for _ in islice(self.generated(), self.handed):
                pass
        finally:
            self.pick.rows = live

    def stop(self) -> None:
        """Stop the child, if it still runs, and wait for it: the parent's end of the pipe closed, the child's
        next hand-over fails and it returns (it exits as any process does, its buffers flushed and its
        coverage data written under make test); killed only if it has not after STOP_SECONDS."""
        self._connection.close()
        self._child.join(STOP_SECONDS)
        if self._child.is_alive():
            self._child.kill()
            self._child.join()


def _generate(aside: Aside, connection: Connection) -> None:
    """The child: every batch, handed over a chunk at a time, then the random states it ended with. Ctrl-C is
    the parent's to handle (it stops the child), SIGTERM ends the child without a word: the handlers it was
    forked with would print a traceback of its own. The child closes the parent's end of the pipe, so that a
    parent gone (or done with it) makes its next hand-over fail, and it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_now)
    aside._connection.close()
    try:
        chunk: list[list[dict[str, Any]]] = []
        size = 0
        for batch in aside.generated():
            chunk.append(batch)
            size += len(batch)
            if size >= CHUNK:
                connection.send(("batches", chunk))
                chunk, size = [], 0
        if chunk:
            connection.send(("batches", chunk))
        connection.send(("states", (aside.fake.random_states(), aside.pick.rng.getstate())))
    except OSError:  # the parent is gone (stopped while seeding): nobody to tell
        pass
    except (Exception, UnseenRead) as error:  # noqa: BLE001 - any failure: the parent generates the rest itself
        with suppress(OSError):
            if chunk:  # the batches generated whole before it
                connection.send(("batches", chunk))
            connection.send(("failed", repr(error)))
    finally:
        connection.close()


def _end_now(signum: int, frame: FrameType | None) -> None:
    os._exit(0)  # at once and without a word, as a process ends (coverage's data written under make test)


def _fork_is_safe() -> bool:
    """Linux (where fork is the default and safe for a process without threads), and no other thread: a
    thread holding a lock at the fork would leave it held forever in the child."""
    return sys.platform == "linux" and threading.active_count() == 1
