"""Tasks (SEM-116, SEM-105): created pending and listed as sent; a completed task is listed as completed."""

from __future__ import annotations

from typing import Any

from conformance.checks._common import fill_path
from conformance.context import CheckRun
from conformance.invariants._common import SHOULD, create_record, list_items, op_of, succeeded
from conformance.invariants.olympus.records import document_enum, made_with
from conformance.registry import scenario
from conformance.target import Exchange
from crmspec.model import Operation

FUTURE_DUE = "2099-01-15T10:00:00Z"   # a task due long after any run: pending, never overdue (OC14)
PAGES_WALKED = 5                      # a paginated list is walked this far looking for the suite's record


def _listed(run: CheckRun, op: Operation, record_id: Any, **params: Any) -> tuple[Exchange, dict[str, Any] | None]:
    """The suite's record as a paginated list with these filters shows it (walked PAGES_WALKED pages deep)."""
    pag = run.dialect.pagination
    exchange = None
    for page in range(pag.first_page, pag.first_page + PAGES_WALKED):
        exchange, items = list_items(run, op, **params, **{pag.page_param: page, pag.size_param: 100})
        found = next((i for i in items if str(i.get("id")) == str(record_id)), None)
        if found is not None or len(items) < 100:
            return exchange, found
    assert exchange is not None
    return exchange, None


@scenario("SEM-116", "semantics", "Tasks of each documented priority are created pending and listed as sent", "MUST",
          "002 Create Task body (due_date a date-time, priority low/medium/high) and List Tasks status=pending "
          "(OC14: a new task is pending; overdue is derived); the task's read shape is not shown: a SHOULD")
def oc_tasks(run: CheckRun) -> None:
    listing = op_of(run, "tasks", "list")
    for priority in document_enum(run, "TaskPriority") or ["high"]:
        task = made_with(run, "tasks", {"field": "priority", "rule": "accepted"}, priority=priority,
                         due_date=FUTURE_DUE)
        if task is None:
            continue
        run.observe(task.exchange, {"field": "due_date", "rule": "accepted"})
        exchange, item = _listed(run, listing, task.id, status="pending", priority=priority)
        if not run.expect(item is not None, exchange, f"the new task {task.id} is not listed with status=pending",
                          level=SHOULD, about={"rule": "new-pending"}):
            continue
        assert item is not None
        sent = task.exchange.request_body if isinstance(task.exchange.request_body, dict) else {}
        for field in ("title", "description", "contact_id", "deal_id"):
            if field in sent:
                run.expect(item.get(field) == sent[field], exchange, f"{field} was sent as {sent[field]!r}, listed "
                           f"as {item.get(field)!r}", level=SHOULD, about={"field": field})
        run.expect(_same_instant(item.get("due_date"), FUTURE_DUE), exchange, f"due_date was sent as {FUTURE_DUE}, "
                   f"listed as {item.get('due_date')!r}", level=SHOULD,
                   about={"field": "due_date", "rule": "read-back"})


def _same_instant(got: Any, sent: str) -> bool:
    from datetime import datetime

    try:
        return isinstance(got, str) and datetime.fromisoformat(got.replace("Z", "+00:00")) == \
            datetime.fromisoformat(sent.replace("Z", "+00:00"))
    except ValueError:
        return False


@scenario("SEM-105", "semantics", "A completed task is listed as completed", "MUST",
          "002 POST /tasks/{task_id}/complete; GET /tasks status=completed (OC14 strict); no longer pending")
def oc_task_complete(run: CheckRun) -> None:
    task = create_record(run, "tasks", due_date=FUTURE_DUE)
    complete = op_of(run, "tasks", "complete")
    done = run.call(complete, fill_path(run, complete, task.id))
    if not run.expect(succeeded(done), done, f"complete answered {done.status}", about={"rule": "complete"}):
        return
    listing = op_of(run, "tasks", "list")
    exchange, found = _listed(run, listing, task.id, status="completed")
    run.expect(found is not None, exchange, f"task {task.id} is not listed as completed",
               about={"rule": "listed-completed"})
    exchange, found = _listed(run, listing, task.id, status="pending")
    run.expect(found is None, exchange, f"the completed task {task.id} is still listed as pending", level=SHOULD,
               about={"rule": "not-pending"})
