"""Olympus activities and tasks (seed 002 "Activities", "Tasks"): their references answer 404, logging an
activity rescores its contact, a task due within a day raises crm.task_due, and a task's `overdue` status is
derived from its `due_date` (Decision OC14), the list's status filter following the derivation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from flask import Response

from crmspec.model import Operation, Resource
from mock_server.auth import Principal
from mock_server.behaviours.olympus_records import TenantEvents, require_reference, shown
from mock_server.behaviours.olympus_scoring import rescore, visible_score
from mock_server.clock import parse_time, stamp, utcnow
from mock_server.engine import Engine
from mock_server.store import query as q
from mock_server.validation import ValidRequest


# record hooks -----------------------------------------------------------------------------------------------
def task_on_write(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    # Decision OC14: `overdue` is derived on the way out, so a stored task is pending or completed
    if record.get("status") != "completed":
        record["status"] = "pending"
        record["completed_at"] = None
    due = parse_time(record.get("due_date"))
    if due is not None:
        record["due_date"] = stamp(due)  # one format, so SQL can compare due dates as strings
    return record


def task_present(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    due = parse_time(record.get("due_date"))
    if record.get("status") == "pending" and due is not None and due < utcnow():
        record["status"] = "overdue"
    return record


# handlers ---------------------------------------------------------------------------------------------------
def create_activity(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    require_reference(engine, "contacts", body.get("contact_id"))
    deal = require_reference(engine, "deals", body.get("deal_id"))
    if body.get("contact_id") is None and deal is not None and deal.get("contact_id"):
        body["contact_id"] = deal["contact_id"]  # a deal's activity is also its contact's
    if not body.get("occurred_at"):
        body["occurred_at"] = stamp(utcnow())
    before = visible_score(engine, body.get("contact_id"))
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        response = engine.create(op, dataclasses.replace(req, body=body), principal)
        rescore(engine, events, body.get("contact_id"), before)
    events.deliver()
    return response


def _due_soon(task: dict[str, Any]) -> bool:
    due = parse_time(task.get("due_date"))
    now = utcnow()
    return task.get("status") == "pending" and due is not None and now <= due <= now + dt.timedelta(hours=24)


def create_task(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    body = req.fields()
    require_reference(engine, "contacts", body.get("contact_id"))
    require_reference(engine, "deals", body.get("deal_id"))
    require_reference(engine, "users", body.get("assigned_to"))
    body.update({"status": "pending", "completed_at": None})  # Decision OC14: a new task is pending
    events = TenantEvents(engine, principal)
    with engine.store.transaction():
        response = engine.create(op, dataclasses.replace(req, body=body), principal)
        task = engine.store.get("tasks", response.get_json()["id"]) or {}
        if _due_soon(task):
            events.emit("crm.task_due", shown(engine, "tasks", task))
    events.deliver()
    return response


def _status_condition(status: str) -> q.Predicate:
    now = stamp(utcnow())
    pending, due = q.eq("status", "pending"), q.Doc("due_date")
    if status == "overdue":
        return q.all_of(pending, q.IsNull(due, negate=True), q.Compare(due, "<", now))
    if status == "pending":
        return q.all_of(pending, q.any_of(q.IsNull(due), q.Compare(due, ">=", now)))
    return q.eq("status", status)


def task_list_where(engine: Engine, op: Operation, tasks: Resource, req: ValidRequest,
                    principal: Principal | None) -> list[q.Predicate]:
    """The declared filters, but `status` is the derived status (a past-due pending task is overdue)."""
    status = req.query.get("status")
    rest = dataclasses.replace(req, query={k: v for k, v in req.query.items() if k != "status"})
    conditions = engine.conditions(op, tasks, rest, principal)
    if status not in (None, ""):
        conditions.append(_status_condition(str(status)))
    return conditions


def complete_task(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    tasks, task = engine.target(op, req)
    if task.get("status") != "completed":  # completing twice keeps the first completion time
        task = {**task, "status": "completed", "completed_at": stamp(utcnow())}
        with engine.store.transaction():
            task = engine.save(tasks, task)
    return engine.respond(op, "item", task)
