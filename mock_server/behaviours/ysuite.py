"""YSUITE behaviour beyond the generic CRUD (seed 004 and the vendor's contacts and tasks pages, dialects.md 1D).

The generic engine already serves the envelopes (YS3, YS6, YS7), not-found as 400 (YS2), the zero-based
pages (YS4), the required-on-update fields (YS5) and the existence of referenced records. This module
adds the rules that need the stored data:

- deals: `cstid` is a Business contact (YS11); `deal_current_stage` belongs to the deal's pipeline; a new
  deal enters its pipeline's first stage (YS9: no stage on create); `owner` is the owner's display name
  (YS10). The on_write hook keeps every stored deal so, the seeded ones included.
- contacts: a contact that is some deal's company cannot become an Individual; a contact is not its own
  parent; a contact that deals reference cannot be deleted (a 400 business error naming the deals).
- tasks: `activity_type` is always "Task"; a task needs a deal or a contact (422 naming both); a task
  linked only to a deleted deal or contact goes with it, one linked to both keeps the other link.

Every check runs in the same transaction as the write it guards.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server import records
from mock_server.auth import Principal
from mock_server.engine import Behaviour, Engine
from mock_server.errors import BusinessRuleViolation
from mock_server.store import query as q
from mock_server.store.interface import RecordStore
from mock_server.validation import ValidRequest

INDIVIDUAL, BUSINESS = 1, 2
NEEDS_LINK = "Either deal_id or cstid is required."

Problems = dict[str, list[str]]


# helpers ---------------------------------------------------------------------------------------------
def _add(problems: Problems, field: str, message: str) -> None:
    problems.setdefault(field, []).append(message)


def _where(engine: Engine, resource: str, field: str, value: Any) -> list[dict[str, Any]]:
    return engine.store.all(resource, [q.eq(field, value)])


def _any_business(store: RecordStore, rng: random.Random) -> dict[str, Any] | None:
    """A Business contact drawn as rng.choice draws from all of them in key order (randrange(n) is that draw),
    counted and found by the store, which keeps both until the contacts change: reading every Business contact,
    or walking to the n-th, for each deal made seeding YSUITE quadratic in --records."""
    businesses: list[q.Predicate] = [q.eq("contact_type", BUSINESS)]
    count = store.query("contacts", q.Query(where=businesses, limit=0))[1]
    return store.nth_matching("contacts", businesses, rng.randrange(count)) if count else None


def _ids(records: Iterable[dict[str, Any]], field: str, limit: int = 10) -> str:
    ids = [str(r[field]) for r in records]
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _stages_of(engine: Engine, pipeline_id: Any) -> list[dict[str, Any]]:
    """The pipeline's stages, first stage first (stages carry no order field: their id order)."""
    if not records.is_int(pipeline_id):
        return []
    return sorted(_where(engine, "stages", "pipeline_id", pipeline_id), key=lambda s: int(s["stage_id"]))


# deals -----------------------------------------------------------------------------------------------
def _deal_problems(engine: Engine, deal: dict[str, Any], body: dict[str, Any]) -> Problems:
    """YSUITE's own rules for the deal as it would be stored (`deal`), given what the client sent (`body`)."""
    problems: Problems = {}
    cstid = deal.get("cstid")
    contact = engine.store.get("contacts", cstid) if records.is_int(cstid) else None
    if contact is not None and contact.get("contact_type") != BUSINESS:
        _add(problems, "cstid", f"The cstid must be a Business contact (contact_type 2); contact {cstid} is an "
                                "Individual: put an Individual in deal_contact_id.")
    stage_id = body.get("deal_current_stage")
    stage = engine.store.get("stages", stage_id) if records.is_int(stage_id) else None
    if stage is not None and stage.get("pipeline_id") != deal.get("pipeline_id"):
        _add(problems, "deal_current_stage",
             f"The selected deal current stage does not belong to pipeline {deal.get('pipeline_id')}.")
    return problems


def deal_rules(engine: Engine, stored: dict[str, Any] | None, body: dict[str, Any]) -> Problems:
    """YSUITE's own rules for a deal as it would be stored, given what the client sent."""
    return _deal_problems(engine, {**(stored or {}), **body}, body)


def delete_deal(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    with engine.store.transaction():
        _, deal = engine.target(op, req)
        _drop_tasks_linked_only_to(engine, "deal_id", deal["deal_id"], other="cstid")
        return engine.delete(op, req, principal)  # the remaining tasks lose their deal_id, keep their cstid


def deal_on_write(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    """Keep a stored deal consistent. The handlers refuse bad client input first (422), so these repairs
    only ever change data the seeder made up."""
    deal = dict(record)
    store = engine.store
    rng = random.Random(f"ysuite-deal:{deal.get('deal_id')}:{deal.get('deal_name')}:{deal.get('cstid')}")

    # YS11: the company contact is a Business contact
    contact = store.get("contacts", deal.get("cstid")) if records.is_int(deal.get("cstid")) else None
    if contact is None or contact.get("contact_type") != BUSINESS:
        business = _any_business(store, rng)
        if business is not None:
            deal["cstid"] = business["cstid"]
        elif contact is not None:  # a data set without any Business contact: this one becomes one
            store.replace("contacts", {**contact, "contact_type": BUSINESS})

    # the person within the company, the owner and the assignee exist (or are unset)
    for field, target in (("deal_contact_id", "contacts"), ("deal_owner_id", "users"), ("deal_assignedto", "users")):
        value = deal.get(field)
        if value is not None and (not records.is_int(value) or store.get(target, value) is None):
            deal[field] = None

    # YS10: `owner` is the display name of deal_owner_id
    owner = store.get("users", deal["deal_owner_id"]) if deal.get("deal_owner_id") is not None else None
    deal["owner"] = owner.get("name") if owner else None

    # the stage belongs to the deal's pipeline; a new deal (YS9: no stage on create) enters the first stage
    stages = _stages_of(engine, deal.get("pipeline_id"))
    first = stages[0]["stage_id"] if stages else None
    current = deal.get("deal_current_stage")
    if current is not None and (not records.is_int(current) or current not in {s["stage_id"] for s in stages}):
        deal["deal_current_stage"] = first
    elif current is None and "deal_id" not in deal:
        deal["deal_current_stage"] = first
    return deal


# contacts --------------------------------------------------------------------------------------------
def contact_rules(engine: Engine, stored: dict[str, Any] | None, body: dict[str, Any]) -> Problems:
    """An updated contact is not its own parent, and stays a Business contact while deals name it."""
    problems: Problems = {}
    if stored is None:
        return problems
    cstid = stored["cstid"]
    if records.is_int(body.get("contact_parent")) and body["contact_parent"] == cstid:
        _add(problems, "contact_parent", "A contact cannot be its own parent.")
    if body.get("contact_type") == INDIVIDUAL and stored.get("contact_type") != INDIVIDUAL:
        deals = _where(engine, "deals", "cstid", cstid)
        if deals:
            _add(problems, "contact_type",
                 f"The contact is the company (cstid) of deals {_ids(deals, 'deal_id')}; "
                 "it must stay a Business contact.")
    return problems


def delete_contact(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    with engine.store.transaction():
        _, contact = engine.target(op, req)
        cstid = contact["cstid"]
        deals = engine.store.all("deals", [
            q.any_of(q.eq("cstid", cstid), q.eq("deal_contact_id", cstid)),
        ])
        if deals:
            raise BusinessRuleViolation(
                f"The contact cannot be deleted: deals {_ids(deals, 'deal_id')} reference it "
                "(cstid or deal_contact_id). Reassign or delete those deals first."
            )
        _drop_tasks_linked_only_to(engine, "cstid", cstid, other="deal_id")
        # the engine releases the rest: child contacts lose contact_parent, tasks on a deal lose cstid
        return engine.delete(op, req, principal)


# tasks -----------------------------------------------------------------------------------------------
def task_rules(engine: Engine, stored: dict[str, Any] | None, body: dict[str, Any]) -> Problems:
    """A new task links a deal, a contact or both."""
    problems: Problems = {}
    if stored is None and body.get("deal_id") is None and body.get("cstid") is None:
        _add(problems, "deal_id", NEEDS_LINK)
        _add(problems, "cstid", NEEDS_LINK)
    return problems


def task_on_write(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    """Tasks are activities of type "Task" linked to a deal, a contact or both."""
    task = {**record, "activity_type": "Task"}
    if task.get("deal_id") is None and task.get("cstid") is None:  # only seeded data can get here
        rng = random.Random(f"ysuite-task:{task.get('activity_id')}:{task.get('title')}")
        for resource, field in (("deals", "deal_id"), ("contacts", "cstid")):
            picked = engine.store.pick(resource, rng.randrange(1 << 30))
            if picked is not None:
                task[field] = picked[field]
                break
    return task


def _drop_tasks_linked_only_to(engine: Engine, field: str, value: Any, other: str) -> None:
    """Tasks whose only link is the record being deleted go with it (a task needs a deal or a contact)."""
    for task in _where(engine, "tasks", field, value):
        if task.get(other) is None:
            engine.store.delete("tasks", task["activity_id"])


BEHAVIOUR = Behaviour(
    handlers={
        ("deals", "delete"): delete_deal,
        ("contacts", "delete"): delete_contact,
    },
    on_write={
        "deals": deal_on_write,
        "tasks": task_on_write,
    },
    write_check={"deals": deal_rules, "contacts": contact_rules, "tasks": task_rules},
)
