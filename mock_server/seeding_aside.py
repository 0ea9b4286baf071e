"""A resource's fake records generated in a forked process while the seeder stores them: the two halves of
seeding on two cores, and the same records one process makes.

One process generates a batch, stores it (the API's write rules, the dates settled for the state it is
stored in, the insert), then generates the next. Generating reads nothing storing writes when three things
hold: no record picks a record of its own resource (the seeder's batch size says so), every resource a
record may pick is read from rows kept before the resource began (or is empty), and storing neither writes a
record through a write hook (Picks.writes_seen) nor draws from the generator's random sources (settling
draws only to put a date out of order back in order, which the API's write rules seldom cause). Then a child
forked with the seeder's state generates every batch in turn and hands them over, and the parent stores them
as they come, then takes over the random states the child ended with.

The parent checks the last two as it stores: when storing would draw, or a hook wrote, or the child failed,
it stops the child, replays the generation of the batches it was handed (the same draws as the child's, the
records dropped) to reach the state one process would be in, and goes on alone. A fork is used only where it
is safe: on Linux, in a process with no other thread, with the store's rows kept (SQLite)."""

from __future__ import annotations

import multiprocessing
import random
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from multiprocessing.connection import Connection
from typing import Any, Protocol

from crmspec.model import Resource
from mock_server.faker import FakeData

MIN_RECORDS = 1000  # fewer records of a resource are generated faster than a process is forked
CHUNK = 250  # records handed over at once: each hand-over is one message through the pipe

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


class Aside:
    """The child generating one resource's batches, and what the parent needs to go on without it."""

    def __init__(self, fake: FakeData, pick: Picks, resource: Resource, batches: Batches,
                 view: dict[str, list[dict[str, Any]]]) -> None:
        self.fake, self.pick, self.resource, self.batches = fake, pick, resource, batches
        self.view = view  # the picked resources' rows the generation reads, as they were at the fork
        self.writes_seen = pick.writes_seen
        self.handed = 0  # batches handed to the parent so far
        self._waiting: list[list[dict[str, Any]]] = []
        context = multiprocessing.get_context("fork")
        self._connection, sending = context.Pipe(duplex=False)
        self._child = context.Process(target=_generate,
                                      args=(fake, pick, resource, batches, view, sending, self._connection),
                                      name=f"crm-mock seeding {resource.name}", daemon=True)
        self._child.start()
        sending.close()

    @classmethod
    def start(cls, fake: FakeData, pick: Picks, resource: Resource, batches: Batches,
              store_count: Callable[[str], int]) -> Aside | None:
        """The child for `resource`, or None when its generation may read what storing writes, or a fork
        is not safe here. `store_count(name)`: how many records the store holds of a resource."""
        records = sum(len(batch) for batch in batches)
        if records < MIN_RECORDS or not _fork_is_safe() or pick.changes is None:
            return None
        targets = fake.picks_from(resource)
        if resource.name in targets:
            return None
        view: dict[str, list[dict[str, Any]]] = {}
        for name in sorted(targets):
            kept = pick.rows.get(name)
            if kept is None and name in pick.resources:
                if store_count(name):
                    return None  # it would be read from the store: not from a child
                kept = []  # nothing to pick, as the store would find
            if kept is not None:
                view[name] = kept
        try:
            return cls(fake, pick, resource, batches, view)
        except (OSError, AssertionError):  # no fork (out of memory, process limit), or a daemonic process's
            return None

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

    def take_over(self) -> None:
        """Stop the child and replay the generation of the batches handed over: the random sources are then
        where one process would have them, the next batch to generate being the one after those."""
        self.stop()
        live = self.pick.rows
        self.pick.rows = dict(self.view)
        try:
            for indexes in self.batches[:self.handed]:
                self.fake.records(self.resource, self.pick, indexes)
        finally:
            self.pick.rows = live

    def stop(self) -> None:
        """Stop the child, if it still runs, and wait for it."""
        if self._child.is_alive():
            self._child.kill()
        self._child.join()
        self._connection.close()


def _generate(fake: FakeData, pick: Picks, resource: Resource, batches: Batches,
              view: Mapping[str, list[dict[str, Any]]], connection: Connection, parents_end: Connection) -> None:
    """The child: every batch, handed over a chunk at a time, then the random states it ended with. Ctrl-C is
    the parent's to handle (it stops the child), SIGTERM ends the child without a word: the handlers it was
    forked with would print a traceback of its own. The child closes the parent's end of the pipe, so that a
    parent gone makes its next hand-over fail, and it ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parents_end.close()
    try:
        pick.rows = dict(view)
        chunk: list[list[dict[str, Any]]] = []
        size = 0
        for indexes in batches:
            chunk.append(fake.records(resource, pick, indexes))
            size += len(indexes)
            if size >= CHUNK:
                connection.send(("batches", chunk))
                chunk, size = [], 0
        if chunk:
            connection.send(("batches", chunk))
        connection.send(("states", (fake.random_states(), pick.rng.getstate())))
    except OSError:  # the parent is gone (stopped while seeding): nobody to tell
        pass
    except Exception as error:  # noqa: BLE001 - any failure: the parent generates the rest itself
        with suppress(OSError):
            connection.send(("failed", repr(error)))
    finally:
        connection.close()


def _fork_is_safe() -> bool:
    """Linux (where fork is the default and safe for a process without threads), and no other thread: a
    thread holding a lock at the fork would leave it held forever in the child."""
    return sys.platform == "linux" and threading.active_count() == 1
