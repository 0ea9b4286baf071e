"""Seeded sequences of creates, reads, updates and deletes over the suite's own records.

Each sequence is drawn by Hypothesis before anything is sent: which resource, which action, and which of
the sequence's records (by position) it touches. Nothing drawn depends on the target's answers, so a
target whose state changes between sequences cannot make the drawing inconsistent (Hypothesis'
FlakyStrategyDefinition), and the same seed sends the same requests. The target is then held to
Schemathesis' two stateful rules: a record it created is there until deleted (ensure_resource_availability),
and a deleted one is gone (use_after_free).

X11 holds: every step is aimed at a record the sequence itself created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from conformance.checks._common import fill_path, lifecycle_resources
from conformance.context import CheckRun
from conformance.explore import draw
from conformance.fixtures import FixtureUnavailable

ACTIONS = ("create", "read", "update", "delete")
MAX_STEPS = 8
SLOTS = 4


@dataclass
class Sequence:
    """What one sequence created, and which of those it deleted."""

    live: list[tuple[str, Any]] = field(default_factory=list)
    gone: list[tuple[str, Any]] = field(default_factory=list)

    def pick(self, resource: str, slot: int) -> tuple[Any, bool] | None:
        """The slot-th record of that resource this sequence made (live or deleted), and whether it lives."""
        mine = [(rid, True) for r, rid in self.live if r == resource] + \
               [(rid, False) for r, rid in self.gone if r == resource]
        return mine[slot % len(mine)] if mine else None


def plans(resources: list[str], count: int, seed: int) -> list[tuple[str, list[tuple[str, int]]]]:
    """One resource per sequence, which starts with a create; then any actions on its records."""
    step = st.tuples(st.sampled_from(ACTIONS), st.integers(0, SLOTS - 1))
    plan = st.tuples(st.sampled_from(resources), st.lists(step, min_size=1, max_size=MAX_STEPS - 1))
    drawn: list[tuple[str, list[tuple[str, int]]]] = draw(plan, count, seed)
    return [(resource, [("create", 0), *steps]) for resource, steps in drawn]


def run_lifecycles(run: CheckRun) -> None:
    resources = lifecycle_resources(run)
    if not resources:
        run.skip("no resource the suite can create, read, update and delete")
    ran = False
    for resource, steps in plans(resources, max(20, run.ctx.options.max_examples), run.ctx.options.seed):
        sequence = Sequence()
        for action, slot in steps:
            ran = _step(run, sequence, resource, action, slot) or ran
    if not ran:
        run.skip("no sequence could create a record to work on")


def _step(run: CheckRun, sequence: Sequence, resource: str, action: str, slot: int) -> bool:
    api, dialect = run.api, run.dialect
    if action == "create":
        try:
            made = run.fixtures.require(resource)
        except FixtureUnavailable:
            return False
        sequence.live.append((resource, made.id))
        return True
    picked = sequence.pick(resource, slot)
    if picked is None:
        return False
    record_id, alive = picked
    op = api.find(resource, action)
    assert op is not None
    payload = run.fixtures.body(resource) if action == "update" else None
    exchange = run.call(op, fill_path(run, op, record_id), json_body=payload)
    if exchange.status is None:
        run.fail(exchange, f"{action} of {resource} {record_id} got no answer: {exchange.error}")
        return True
    succeeded = 200 <= exchange.status < 300
    not_found = exchange.status in dialect.errors.accepted("not_found")
    if alive:
        run.expect(not not_found, exchange, f"{resource} {record_id}, created in this sequence and never deleted, "
                   f"answered {exchange.status} to a {action} (ensure_resource_availability)")
        if action == "delete" and succeeded:
            sequence.live.remove((resource, record_id))
            sequence.gone.append((resource, record_id))
            run.fixtures.forget(resource, record_id)
    else:
        run.expect(not succeeded, exchange, f"{resource} {record_id} was deleted in this sequence, yet a {action} "
                   f"answered {exchange.status} (use_after_free)")
    return True
