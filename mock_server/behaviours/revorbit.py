"""Revenue Orbit behaviour beyond CRUD (seeds 000 + 001 and the authentication page).

Everything here is computed from the stored records:

- deals keep their stage's flags on every write (`deal_on_write`) and carry a risk score computed on the
  way out for open deals (`deals_present`);
- the Kanban board, the stage list, the statistics, the timeline and linked emails are read models over
  the store; the board and the export reuse the engine's declared filters (`Engine.conditions`);
- stage moves, the primary quote, stage administration and CSV import are atomic writes.

Beside it: `revorbit_auth.py` (login, register, refresh), `revorbit_csv.py` (the deals CSV: export, template,
the import's rules), `revorbit_quote_pdf.py` (the quote PDF).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
from typing import Any

from flask import Response

from crmspec.model import Operation
from mock_server import records
from mock_server.auth import Principal
from mock_server.behaviours import revorbit_auth, revorbit_csv, revorbit_quote_pdf
from mock_server.engine import Behaviour, Engine
from mock_server.errors import INVALID_DATA, Conflict, ValidationFailed
from mock_server.store import Query, Sort
from mock_server.store import query as q
from mock_server.validation import ValidRequest

DEALS, STAGES, NOTES, DEAL_TASKS = "deals", "stages", "deal_notes", "deal_tasks"

# risk scoring: the weights add up to at most 90, so the cap of 100 is never reached and the score
# always equals the sum of the factors' weights
QUIET_DAYS, STALE_DAYS = 14, 30
WEIGHT_QUIET, WEIGHT_STALE = 15, 25
WEIGHT_OVERDUE, WEIGHT_NO_CLOSE_DATE = 30, 10
WEIGHT_LOW_PROBABILITY, LOW_PROBABILITY = 20, 30
WEIGHT_NO_CONTACT = 15
MEDIUM_FROM, HIGH_FROM = 30, 60

EMAIL_SUBJECTS = (
    "Introduction: {deal}", "Follow-up on our call about {deal}", "Proposal for {deal}", "Pricing questions",
    "Re: {deal} next steps", "Contract draft for review", "Security questionnaire", "Meeting notes and action items",
    "Re: Timeline for {deal}", "Budget approval update",
)


# ---------------------------------------------------------------------------------------------- helpers
def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _moment(value: Any) -> dt.datetime | None:
    """A stored date or timestamp as an aware datetime (naive values are UTC); None when unparseable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _money(value: float) -> float | int:
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


def quote_on_write(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    """A quote's subtotal and total follow its items, for a seeded quote as for one a client wrote (the pages
    give no formula; this is the mock's reading): the subtotal sums quantity x unit price, the discount is a
    percentage of it (at most 100) or a fixed amount (at most the subtotal), and the total adds the tax
    rate, in percent, to the discounted subtotal."""
    items = [item for item in record.get("items") or [] if isinstance(item, dict)]
    subtotal = _finite(sum(records.amount(i.get("quantity")) * records.amount(i.get("unit_price")) for i in items))
    given = records.amount(record.get("discount_value"))
    kind = record.get("discount_type")
    discount = 0.0
    if kind == "percentage":
        discount = subtotal * min(given, 100) / 100
    elif kind == "fixed":
        discount = min(given, subtotal)
    total = _finite((subtotal - discount) * (1 + records.amount(record.get("tax_rate")) / 100))
    record["subtotal"], record["total"] = _money(subtotal), _money(total)
    return record


def _finite(value: float) -> float:
    """Amounts past the largest double (two 1e308 items) saturate: the stored JSON holds no Infinity."""
    return value if math.isfinite(value) else sys.float_info.max


def _deal_filter(deal_id: Any) -> list[q.Predicate]:
    return [q.eq("deal_id", deal_id)]



def _ordered_stages(engine: Engine) -> list[dict[str, Any]]:
    items, _ = engine.store.query(STAGES, Query(order=[Sort("display_order")]))
    return items


def _stage_or_invalid(engine: Engine, stage_id: Any, field: str = "stage_id") -> dict[str, Any]:
    stage = engine.store.get(STAGES, stage_id) if records.is_int(stage_id) \
        else None
    if stage is None:
        label = field.replace("_", " ")
        raise ValidationFailed(INVALID_DATA, field_errors={field: [f"The selected {label} is invalid."]})
    return stage


def _closed(record: dict[str, Any]) -> bool:
    return bool(record.get("is_won")) or bool(record.get("is_lost"))


# ---------------------------------------------------------------------------------------------- deal hooks
def deal_on_write(engine: Engine, record: dict[str, Any]) -> dict[str, Any]:
    """A deal agrees with its stage: flags and name from the stage, closed_at only (and always) when closed,
    loss_reason only on lost deals. `risk` is computed on the way out, never stored."""
    record.pop("risk", None)
    stage_id = record.get("stage_id")
    stage = engine.store.get(STAGES, stage_id) if stage_id is not None else None
    if stage is not None:
        record["stage_name"] = stage.get("name")
        record["is_won"] = bool(stage.get("is_won"))
        record["is_lost"] = bool(stage.get("is_lost")) and not record["is_won"]
    else:
        record["is_won"] = bool(record.get("is_won"))
        record["is_lost"] = bool(record.get("is_lost")) and not record["is_won"]
    if not _closed(record):
        record["closed_at"] = None
    elif _moment(record.get("closed_at")) is None:
        stamp = record.get("updated_at")
        record["closed_at"] = stamp if _moment(stamp) else engine.now(engine.resource(DEALS), "closed_at")
    if not record["is_lost"]:
        record["loss_reason"] = None
    return record


def _last_activities(engine: Engine, deal_ids: list[Any]) -> dict[Any, dt.datetime]:
    """Per deal, the latest note or task written on it (created or updated); deals with none are absent."""
    # within one resource timestamps share a format, so SQL's text MAX is the latest moment
    found = engine.store.maxima_by((NOTES, DEAL_TASKS), ("created_at", "updated_at"), "deal_id", deal_ids)
    latest: dict[Any, dt.datetime] = {}
    for deal_id, values in found.items():
        moment = max((m for m in map(_moment, values) if m is not None), default=None)
        if moment is not None:
            latest[deal_id] = moment
    return latest


def risk_of(deal: dict[str, Any], last: dt.datetime | None, now: dt.datetime) -> dict[str, Any]:
    """Risk of an open deal from its stored data and its last note or task; risk_score is the sum of the
    factors' weights."""
    today = now.date()
    factors: list[dict[str, Any]] = []

    created = _moment(deal.get("created_at"))
    since = max((m for m in (last, created) if m is not None), default=None)  # creating the deal is activity too
    if since is not None:
        days = max(0, (now - since).days)
        if days >= QUIET_DAYS:
            detail = f"{days} days since the last note or task" if since == last else \
                f"No note or task in the {days} days since the deal was created"
            factors.append({"label": "No recent activity", "detail": detail,
                            "weight": WEIGHT_STALE if days >= STALE_DAYS else WEIGHT_QUIET})

    close = _moment(deal.get("expected_close_date"))
    if close is None:
        factors.append({"label": "No expected close date", "detail": "The deal has no expected close date",
                        "weight": WEIGHT_NO_CLOSE_DATE})
    elif close.date() < today:
        overdue = (today - close.date()).days
        factors.append({"label": "Expected close date passed",
                        "detail": f"Expected to close on {close.date().isoformat()} ({overdue} days ago)",
                        "weight": WEIGHT_OVERDUE})

    probability = deal.get("probability")
    if isinstance(probability, int | float) and not isinstance(probability, bool) and probability < LOW_PROBABILITY:
        factors.append({"label": "Low probability", "detail": f"{probability:g}% win probability",
                        "weight": WEIGHT_LOW_PROBABILITY})

    if deal.get("contact_id") is None:
        factors.append({"label": "No contact", "detail": "No contact is linked to the deal",
                        "weight": WEIGHT_NO_CONTACT})

    score = min(100, sum(int(f["weight"]) for f in factors))
    level = "high" if score >= HIGH_FROM else "medium" if score >= MEDIUM_FROM else "low"
    return {"risk_level": level, "risk_score": score, "risk_factors": factors}


def deals_present(engine: Engine, deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Risk on the open deals, and primary quotes checked: two lookups for the whole page."""
    open_ids = {d.get("id") for d in deals if not _closed(d)}
    activity = _last_activities(engine, list(open_ids)) if open_ids else {}
    quote_ids = [d["primary_quote_id"] for d in deals if d.get("primary_quote_id") is not None]
    quotes = engine.store.get_many("quotes", quote_ids) if quote_ids else {}
    now = _now()
    for deal in deals:
        deal["risk"] = risk_of(deal, activity.get(deal.get("id")), now) if deal.get("id") in open_ids else None
        quote_id = deal.get("primary_quote_id")
        if quote_id is not None:  # a deleted quote, or one moved to another deal, is no longer this deal's primary
            quote = quotes.get(str(quote_id))
            if quote is None or quote.get("deal_id") != deal.get("id"):
                deal["primary_quote_id"] = None
    return deals


# ---------------------------------------------------------------------------------------------- deals
def move_stage(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    resource, deal = engine.target(op, req)
    stage = _stage_or_invalid(engine, req.fields().get("stage_id"))
    won, lost = bool(stage.get("is_won")), bool(stage.get("is_lost")) and not stage.get("is_won")
    with engine.store.transaction():
        current = engine.require(resource, deal[resource.id_field])
        moved = current.get("stage_id") != stage["id"]
        current.update(stage_id=stage["id"], stage_name=stage.get("name"), is_won=won, is_lost=lost)
        probability = stage.get("probability")
        if records.is_int(probability):
            current["probability"] = max(0, min(100, probability))
        if won or lost:
            if moved or _moment(current.get("closed_at")) is None:
                current["closed_at"] = engine.now(resource, "closed_at")
        else:
            current["closed_at"] = None
        current["updated_at"] = engine.now(resource)
        saved = engine.save(resource, current)
    return engine.respond(op, "item", saved)


def set_primary_quote(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    resource, deal = engine.target(op, req)
    quote_id = req.fields().get("quote_id")
    with engine.store.transaction():
        current = engine.require(resource, deal[resource.id_field])
        quote = engine.store.get("quotes", quote_id) if quote_id is not None else None
        if quote is None:
            raise ValidationFailed(INVALID_DATA, field_errors={"quote_id": ["The selected quote id is invalid."]})
        if quote.get("deal_id") != current[resource.id_field]:
            raise ValidationFailed(INVALID_DATA, field_errors={"quote_id": ["The quote does not belong to this deal."]})
        current["primary_quote_id"] = quote["id"]
        current["updated_at"] = engine.now(resource)
        saved = engine.save(resource, current)
    return engine.respond(op, "item", saved)


def pipeline(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """One column per stage in display order; the deals pass the list's filters (the operation declares them)."""
    resource = engine.resource(op.resource)
    deals, _ = engine.store.query(resource.name, Query(
        where=engine.conditions(op, resource, req, principal), order=[Sort("name", text=True)]))
    by_stage: dict[Any, list[dict[str, Any]]] = {}
    for deal in deals:
        by_stage.setdefault(deal.get("stage_id"), []).append(deal)
    columns = []
    for stage in _ordered_stages(engine):
        members = by_stage.get(stage["id"], [])
        columns.append({
            "stage_id": stage["id"],
            "stage_name": stage.get("name") or "",
            "display_order": stage.get("display_order"),
            "color": stage.get("color"),
            "is_won": bool(stage.get("is_won")),
            "is_lost": bool(stage.get("is_lost")),
            "count": len(members),
            "total_value": _money(sum(records.amount(d.get("value")) for d in members)),
            "deals": engine.presented_all(resource, members),
        })
    return engine.respond_as_is(op, "collection", columns)


def stats(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    deals = engine.store.all(op.resource)
    won = [d for d in deals if d.get("is_won")]
    lost = [d for d in deals if d.get("is_lost") and not d.get("is_won")]
    open_deals = [d for d in deals if not _closed(d)]
    total = sum(records.amount(d.get("value")) for d in deals)
    weighted = sum(records.amount(d.get("value")) * records.amount(d.get("probability")) / 100 for d in open_deals)
    closed = len(won) + len(lost)
    return engine.respond_as_is(op, "item", {
        "total_value": _money(total),
        "deal_count": len(deals),
        "open_count": len(open_deals),
        "won_count": len(won),
        "lost_count": len(lost),
        "weighted_value": _money(weighted),
        "win_rate": round(len(won) / closed * 100, 2) if closed else 0,
        "average_deal_size": _money(total / len(deals)) if deals else 0,
    })


# ---------------------------------------------------------------------------------------------- deal tasks
def update_deal_task(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """The generic update, except that the body's deal_id never moves a task to another deal (RO15)."""
    body = req.fields()
    body.pop("deal_id", None)
    return engine.update(op, ValidRequest(req.path, req.query, body, req.files, req.form), principal)


# ---------------------------------------------------------------------------------------------- timeline
def linked_emails_of(engine: Engine, deal: dict[str, Any]) -> list[dict[str, Any]]:
    """Emails exchanged with the deal's contact: derived, deterministically for a seed, from the deal's id.

    They are spread over the three weeks after the deal was created; only those already sent show. The
    document declares no email resource, so nothing is stored."""
    contact = engine.store.get("contacts", deal["contact_id"]) if deal.get("contact_id") is not None else None
    if contact is None or not contact.get("email"):
        return []
    owner = engine.store.get("users", deal["assigned_to"]) if deal.get("assigned_to") is not None else None
    ours = str((owner or {}).get("email") or "sales@revorbit.example")
    theirs = str(contact["email"])
    start = _moment(deal.get("created_at")) or _now()
    rng = random.Random(f"revorbit:{engine.store.meta('seed')}:deal:{deal['id']}")
    resource = engine.resource(DEALS)
    emails = []
    for n in range(rng.randint(1, 5)):
        sent = start + dt.timedelta(minutes=rng.randint(30, 21 * 24 * 60))
        outbound = rng.random() < 0.6
        subject = rng.choice(EMAIL_SUBJECTS).format(deal=deal.get("name") or "your project")
        if sent > _now():
            continue
        emails.append({
            "id": int(deal["id"]) * 100 + n + 1 if isinstance(deal["id"], int) else n + 1,
            "subject": subject,
            "from": ours if outbound else theirs,
            "to": theirs if outbound else ours,
            "direction": "outbound" if outbound else "inbound",
            "sent_at": records.timestamp(resource, "created_at", sent),
        })
    return sorted(emails, key=lambda e: (_moment(e["sent_at"]) or start, e["id"]), reverse=True)


def linked_emails(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    _, deal = engine.target(op, req)
    return engine.respond_as_is(op, "collection", linked_emails_of(engine, deal))


def timeline(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """The deal's notes, tasks and linked emails, newest first."""
    _, deal = engine.target(op, req)
    fallback = str(deal.get("created_at") or engine.now(engine.resource(DEALS), "created_at"))
    events: list[dict[str, Any]] = []
    for note in engine.store.all(NOTES, _deal_filter(deal["id"])):
        content = str(note.get("content") or "")
        events.append({"id": note["id"], "type": "note", "subject": content[:80], "from": None, "to": None,
                       "body": content, "occurred_at": note.get("created_at") or fallback})
    for task in engine.store.all(DEAL_TASKS, _deal_filter(deal["id"])):
        assignee = engine.store.get("users", task["assigned_to"]) if task.get("assigned_to") is not None else None
        events.append({"id": task["id"], "type": "task", "subject": task.get("title"), "from": None,
                       "to": (assignee or {}).get("email"), "status": task.get("status"),
                       "due_date": task.get("due_date"), "occurred_at": task.get("created_at") or fallback})
    for email in linked_emails_of(engine, deal):
        events.append({"id": email["id"], "type": "email", "subject": email["subject"], "from": email["from"],
                       "to": email["to"], "occurred_at": email["sent_at"]})
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    events.sort(key=lambda e: (_moment(e["occurred_at"]) or oldest, e["type"], e["id"]), reverse=True)
    return engine.respond_as_is(op, "collection", events)


# ---------------------------------------------------------------------------------------------- CSV
def import_deals(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """The file's valid rows become deals, all in one transaction; the others are reported (revorbit_csv.py)."""
    bodies, failures = revorbit_csv.read_deals(engine, req)
    resource = engine.resource(op.resource)
    with engine.store.transaction():
        for body in bodies:
            engine.insert(resource, engine.build(resource, body))
    return engine.respond_as_is(op, "item", {"created": len(bodies), "failed": len(failures), "errors": failures})


# ---------------------------------------------------------------------------------------------- stages
def _check_stage(body: dict[str, Any], base: dict[str, Any] | None = None) -> None:
    merged = {**(base or {}), **body}
    problems: dict[str, list[str]] = {}
    if merged.get("is_won") is True and merged.get("is_lost") is True:
        problems["is_lost"] = ["A stage cannot be both won and lost."]
    probability = body.get("probability")
    if records.is_int(probability) and not 0 <= probability <= 100:
        problems["probability"] = ["The probability field must be between 0 and 100."]
    if problems:
        raise ValidationFailed(INVALID_DATA, field_errors=problems)


def stage_collection(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    resource = engine.resource(op.resource)
    items, _ = engine.store.query(resource.name, Query(
        where=engine.conditions(op, resource, req, principal), order=[Sort("display_order")]))
    return engine.respond(op, "collection", items)


def create_stage(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    resource = engine.resource(op.resource)
    body = req.fields()
    for key in ("id", "display_order"):
        body.pop(key, None)
    body.setdefault("is_won", False)
    body.setdefault("is_lost", False)
    _check_stage(body)
    with engine.store.transaction():
        orders = [s.get("display_order") for s in engine.store.all(resource.name)]
        body["display_order"] = max([o for o in orders if isinstance(o, int)], default=0) + 1
        record = engine.insert(resource, engine.build(resource, body))
    return engine.respond(op, "create", record)


def update_stage(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """Name, colour and flags; the deals in the stage follow (stage_name, is_won/is_lost, closed_at)."""
    resource, stage = engine.target(op, req)
    body = req.fields()
    for key in ("id", "display_order", "probability"):  # RO16: the update body has no probability; kept
        body.pop(key, None)
    _check_stage(body, stage)
    deals = engine.resource(DEALS)
    with engine.store.transaction():
        current = engine.require(resource, stage[resource.id_field])
        updated = engine.save(resource, engine.build(resource, body, base=current))
        closes = bool(updated.get("is_won")) or bool(updated.get("is_lost"))
        for deal in engine.store.all(deals.name, [q.eq("stage_id", updated[resource.id_field])]):
            if closes and not _closed(deal):
                deal["closed_at"] = engine.now(deals, "closed_at")
            engine.save(deals, deal)
    return engine.respond(op, "update", updated)


def delete_stage(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    resource, stage = engine.target(op, req)
    with engine.store.transaction():
        in_use = engine.store.all(DEALS, [q.eq("stage_id", stage[resource.id_field])])
        if in_use:
            raise Conflict(f"The stage is used by {len(in_use)} deal(s) and cannot be deleted.")
        engine.store.delete(resource.name, stage[resource.id_field])
    return engine.respond(op, "delete", stage)


def reorder_stages(engine: Engine, op: Operation, req: ValidRequest, principal: Principal | None) -> Response:
    """`order` must list every existing stage id exactly once; display_order becomes 1..n in that order."""
    resource = engine.resource(op.resource)
    order = req.fields().get("order")
    with engine.store.transaction():
        existing = [s[resource.id_field] for s in _ordered_stages(engine)]
        if not isinstance(order, list) or len(order) != len(set(order)) or set(order) != set(existing):
            raise ValidationFailed(INVALID_DATA, field_errors={
                "order": ["The order field must list every stage id exactly once."]})
        stages = []
        for position, stage_id in enumerate(order, start=1):
            stage = engine.require(resource, stage_id)
            stage["display_order"] = position
            stages.append(engine.save(resource, stage))
    return engine.respond(op, "collection", stages)


BEHAVIOUR = Behaviour(
    handlers={
        ("users", "login"): revorbit_auth.login,
        ("users", "register"): revorbit_auth.register,
        ("users", "refresh_token"): revorbit_auth.refresh,
        ("deals", "move_stage"): move_stage,
        ("deals", "set_primary_quote"): set_primary_quote,
        ("deals", "pipeline"): pipeline,
        ("deals", "stats"): stats,
        ("deals", "timeline"): timeline,
        ("deals", "linked_emails"): linked_emails,
        ("deals", "export"): revorbit_csv.export,
        ("deals", "import_template"): revorbit_csv.import_template,
        ("deals", "import"): import_deals,
        ("deal_tasks", "update"): update_deal_task,
        ("stages", "collection"): stage_collection,
        ("stages", "create"): create_stage,
        ("stages", "update"): update_stage,
        ("stages", "delete"): delete_stage,
        ("stages", "reorder"): reorder_stages,
        ("quotes", "pdf"): revorbit_quote_pdf.quote_pdf,
    },
    on_write={"deals": deal_on_write, "quotes": quote_on_write},
    present={"deals": deals_present},
)
